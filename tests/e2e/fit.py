"""What "fits the screen" means, measured in the browser.

The layout viewport is `document.documentElement.clientWidth` at a fixed device width: under
mobile emulation `window.innerWidth` grows with any overflow (the page is zoomed out), so a
check against it can never fail. Against the layout viewport a page fits when

- the document is no wider than the viewport,
- no element's box reaches past the viewport's right or left edge, unless a scroll container
  it belongs to (a wide table in `.table-scroll`) clips it,
- no form control, image or code sticks out of the card or fieldset around it,
- no word is broken between two letters although it would fit on a line of its own (long
  e-mail addresses and organisation names break at '@', '.', '-' or not at all).
"""

from __future__ import annotations

MEASURE_FIT = r"""
() => {
  const limit = document.documentElement.clientWidth;
  const problems = [];
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += '#' + el.id;
    else if (typeof el.className === 'string' && el.className.trim()) name += '.' + el.className.trim().split(/\s+/).join('.');
    const text = (el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 50);
    return text ? `${name} "${text}"` : name;
  };
  const clips = (el) => getComputedStyle(el).overflowX !== 'visible';
  // Is el clipped by a scroll container between it and the page? An absolutely positioned
  // element escapes every ancestor up to its containing block, so the walk starts there.
  const clippedByAncestor = (el) => {
    const s = getComputedStyle(el);
    let a = s.position === 'fixed' ? null : (s.position === 'absolute' ? el.offsetParent : el.parentElement);
    for (; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
      if (clips(a)) return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > limit) {
    problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${limit} px viewport`);
  }
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= limit + 0.5 && r.left >= -0.5) continue;
    if (r.right <= 0) continue;  // moved off-screen on purpose (the skip link until focused)
    if (clippedByAncestor(el)) continue;
    problems.push(`${describe(el)} reaches ${Math.round(r.left)}–${Math.round(r.right)} px (viewport ${limit} px)`);
    if (problems.length > 12) break;
  }
  for (const el of document.querySelectorAll('main input:not([type=hidden]), main select, main textarea, main button, main img, main svg, main code, main pre')) {
    const box = el.parentElement && el.parentElement.closest('.card, fieldset, .panel, .stat');
    if (!box || el.closest('.table-scroll')) continue;
    const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (r.right > b.right + 0.5 || r.left < b.left - 0.5) {
      problems.push(`${describe(el)} sticks out of ${describe(box).split(' ')[0]} (${Math.round(r.left)}–${Math.round(r.right)} px, box ${Math.round(b.left)}–${Math.round(b.right)} px)`);
    }
  }
  // Words broken between two letters although the word alone would fit its line.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const word = /[\p{L}\p{N}][\p{L}\p{N}@._+\-]*[\p{L}\p{N}]/gu;
  const letter = /[\p{L}\p{N}]/u;
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script, style, svg, .visually-hidden, [hidden]')) continue;
    for (const match of node.data.matchAll(word)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter(x => x.width > 0);
      if (rects.length < 2 || new Set(rects.map(x => Math.round(x.top))).size < 2) continue;
      const width = rects.reduce((sum, x) => sum + x.width, 0);
      // The room the word has is the card (or page) it is in, not a column squeezed by a layout.
      const block = parent.closest('.card, .panel, .table-scroll, main, header, nav, footer') || document.body;
      const s = getComputedStyle(block);
      const room = block.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      if (width > room) continue;  // longer than a line of its card: it has to break somewhere
      let previousTop = null;
      for (let i = 0; i < match[0].length; i++) {
        range.setStart(node, match.index + i);
        range.setEnd(node, match.index + i + 1);
        const top = Math.round(range.getBoundingClientRect().top);
        if (previousTop !== null && top > previousTop && letter.test(match[0][i - 1]) && letter.test(match[0][i])) {
          problems.push(`"${match[0]}" breaks between "${match[0].slice(0, i)}" and "${match[0].slice(i)}" in ${describe(block).split(' ')[0]}`);
          break;
        }
        previousTop = top;
      }
    }
  }
  return problems;
}
"""


def fit_problems(page) -> list[str]:
    """What on the current page does not fit the layout viewport (empty when all fits)."""
    return page.evaluate(MEASURE_FIT)
