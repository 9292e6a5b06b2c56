"""Server-drawn SVG charts (no JavaScript, no CDN). Pure: strings in, SVG string out.

Each chart is role="img" with <title> and <desc> tied by aria-labelledby; the page puts a
table with the same figures under it for screen readers. Colours keep WCAG AA contrast
(at least 4.5:1) against the white background.
"""

from __future__ import annotations

import math
from decimal import Decimal
from html import escape

INK = "#1d2733"
MUTED = "#4a5563"
GRID = "#c9d1da"
SERIES = ("#0b5394", "#a4262c", "#0f7b5f", "#6a3d9a")  # all >= 4.5:1 on white; blue and red tell apart best


# Marker shapes, dash patterns and line widths per series, so two series that coincide both
# stay visible: the first is a hollow ring on a broad solid line, the second a filled square
# inside the ring on a narrow dashed line, which shows the first on both sides and between dashes.
MARKERS = ("ring", "square", "diamond", "triangle")
DASHES = ("", "7 5", "2 4", "10 4 2 4")
LINE_WIDTHS = (5, 2.5, 2.5, 2.5)
CHAR_WIDTH = 0.62  # a generous average advance of the sans-serif digits and letters, in em


def _number(value) -> str:
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("1")) if abs(value) >= 100 else value.quantize(Decimal("0.1"))
    text = f"{value:,}".replace(",", "\u00a0").replace(".", ",")
    return text


def text_width(text: str, size: float) -> float:
    """An upper estimate of the drawn width of text at a font size, for margins that never clip."""
    return len(text) * size * CHAR_WIDTH


def nice_ticks(largest: float, *, target: int = 5) -> list[Decimal]:
    """Round axis ticks from 0 up to at least `largest`: steps of 1, 2 or 5 times a power of ten."""
    if largest <= 0:
        return [Decimal(0), Decimal(1)]
    raw = Decimal(repr(largest)) / target
    power = Decimal(10) ** raw.adjusted()
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    count = math.ceil(Decimal(repr(largest)) / step)
    return [(step * i).normalize() + 0 for i in range(count + 1)]


def _tick_label(value: Decimal) -> str:
    return _number(int(value)) if value == value.to_integral_value() else f"{value:f}".replace(".", ",")


def _marker(shape: str, x: float, y: float, colour: str, series: int) -> str:
    common = f'data-series="{series}"'
    if shape == "ring":
        return f'<circle {common} cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#ffffff" stroke="{colour}" stroke-width="2.5"/>'
    if shape == "square":
        return f'<rect {common} x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if shape == "diamond":
        return (f'<path {common} d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z" '
                f'fill="{colour}"/>')
    return f'<path {common} d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'


def _head(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
            f'<title id="{chart_id}-title">{escape(title)}</title>', f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def bar_chart(chart_id: str, title: str, desc: str, bars: list[tuple[str, object]], *, suffix: str = "",
              hidden_text: str = "färre än 5") -> str:
    """Horizontal bars, one per (label, value); None is drawn as a note instead of a bar.
    The value after the longest bar, and the note, always fit inside the picture."""
    label_width, bar_area, row, size = 280, 360, 28, 13
    room = int((label_width - 8) / (size * CHAR_WIDTH))  # characters of a label that surely fit
    values = [float(v) for _, v in bars if v is not None]
    top = max(values) if values and max(values) > 0 else 1.0
    notes = [_number(v) + suffix for _, v in bars if v is not None] + [hidden_text]
    tail = max(text_width(note, size) for note in notes) + 12
    width, height = int(label_width + bar_area + tail), 20 + row * max(1, len(bars))
    parts = _head(chart_id, title, desc, width, height)
    parts.append(f'<line x1="{label_width}" y1="10" x2="{label_width}" y2="{height - 10}" stroke="{GRID}"/>')
    for index, (label, value) in enumerate(bars):
        y = 10 + index * row
        short = label if len(label) <= room else label[:room - 1].rstrip() + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="{size}" fill="{INK}">{escape(short)}</text>')
        if value is None:
            parts.append(f'<text x="{label_width + 6}" y="{y + 18}" font-size="{size}" fill="{MUTED}">{escape(hidden_text)}</text>')
            continue
        length = max(0.0, float(value) / top * bar_area)
        parts.append(f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" fill="{SERIES[0]}"/>')
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="{size}" fill="{INK}">'
                     f'{escape(_number(value) + suffix)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(chart_id: str, title: str, desc: str, x_labels: list[str], series: list[tuple[str, list]]) -> str:
    """Lines over the x labels (months) with a legend; values may be Decimal. The y axis has
    round ticks (1, 2 or 5 times a power of ten); every series has its own marker and dash, so
    series with the same values stay apart to the eye; margins fit the longest label."""
    values = [float(v) for _, vs in series for v in vs if v is not None]
    ticks = nice_ticks(max(values) if values else 0.0)
    top = float(ticks[-1])
    tick_labels = [_tick_label(t) for t in ticks]
    x_size, legend_size = 12, 13
    left = int(max(text_width(t, 12) for t in tick_labels)) + 14
    half_label = max((text_width(label, x_size) for label in x_labels), default=0) / 2
    right = int(max(20, half_label + 6))
    left = max(left, int(half_label + 6))
    legend_widths = [34 + text_width(name, legend_size) + 24 for name, _ in series]
    top_pad, bottom = 44, 34
    plot_w = max(300, 60 * len(x_labels), int(sum(legend_widths)) - left // 2)
    plot_h = 220
    width, height = left + plot_w + right, top_pad + plot_h + bottom
    parts = _head(chart_id, title, desc, width, height)
    for tick, text in zip(ticks, tick_labels):
        y = top_pad + plot_h - plot_h * float(tick) / top
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">{escape(text)}</text>')
    count = max(1, len(x_labels) - 1)
    xs = [left + (plot_w * i / count if len(x_labels) > 1 else plot_w / 2) for i in range(len(x_labels))]
    for x, label in zip(xs, x_labels):
        parts.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 20}" text-anchor="middle" font-size="{x_size}" fill="{INK}">{escape(label)}</text>')
    legend_x = float(left)
    for index, (name, vs) in enumerate(series):
        colour = SERIES[index % len(SERIES)]
        dash = DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        shape = MARKERS[index % len(MARKERS)]
        points = [(x, top_pad + plot_h - float(v) / top * plot_h) for x, v in zip(xs, vs) if v is not None]
        parts.append(f'<g class="series" data-series="{index}">')
        if points:
            path = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in points)
            parts.append(f'<path data-series="{index}" d="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="{LINE_WIDTHS[index % len(LINE_WIDTHS)]}" stroke-linejoin="round"{dash_attr}/>')
            parts.extend(_marker(shape, x, y, colour, index) for x, y in points)
        parts.append("</g>")
        parts.append(f'<line x1="{legend_x:.1f}" y1="19" x2="{legend_x + 28:.1f}" y2="19" stroke="{colour}" '
                     f'stroke-width="{LINE_WIDTHS[index % len(LINE_WIDTHS)]}"{dash_attr}/>')
        parts.append(_marker(shape, legend_x + 14, 19, colour, index))
        parts.append(f'<text x="{legend_x + 34:.1f}" y="24" font-size="{legend_size}" fill="{INK}">{escape(name)}</text>')
        legend_x += legend_widths[index]
    parts.append("</svg>")
    return "".join(parts)
