"""The statistics charts as drawn by the browser, on a phone and a laptop: every label inside
the picture, the money chart's two series both drawn and both visible where they coincide
(for the whole city, what districts bought is what providers sold)."""

from __future__ import annotations

import pytest

from marketplace.operations.demo import DEMO_PASSWORD
from tests.e2e.support import assert_accessible, shot, sign_in
from tests.e2e.test_tour import demo  # noqa: F401  (the demo data, seeded at a frozen date)

pytestmark = pytest.mark.e2e

# Every <text> of every chart, measured with getBBox() in the SVG's own coordinates.
TEXT_OUTSIDE = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.stats-chart')) {
    const box = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll('text')) {
      const b = text.getBBox();
      if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y + b.height > box.y + box.height + 0.5) {
        out.push(`${svg.getAttribute('aria-labelledby').split(' ')[0]}: "${text.textContent}" at ${b.x.toFixed(0)},${b.y.toFixed(0)} ` +
                 `${b.width.toFixed(0)}×${b.height.toFixed(0)} outside ${box.width}×${box.height}`);
      }
    }
    const r = svg.getBoundingClientRect();
    if (r.right > document.documentElement.clientWidth + 0.5) out.push(`${svg.getAttribute('aria-labelledby')} is wider than the screen`);
  }
  return out;
}"""

# For each series of the money chart: its line's drawn length, and at how many of its data
# points the series is the topmost thing somewhere on its marker (so it can be seen).
SERIES_SEEN = """() => {
  const svg = document.querySelector('svg[aria-labelledby^="chart-money"]');
  const result = {};
  for (const group of svg.querySelectorAll('g.series')) {
    const series = group.dataset.series;
    const line = group.querySelector('path[fill="none"]');
    const style = line && getComputedStyle(line);
    const markers = [...group.querySelectorAll('[data-series]')].filter(el => el !== line);
    let seen = 0;
    for (const marker of markers) {
      const r = marker.getBoundingClientRect();
      const points = [[.5, .5], [.1, .5], [.9, .5], [.5, .1], [.5, .9]].map(([fx, fy]) => [r.left + r.width * fx, r.top + r.height * fy]);
      if (points.some(([x, y]) => { const hit = document.elementFromPoint(x, y); return hit && hit.closest('[data-series]')?.dataset.series === series; })) seen += 1;
    }
    result[series] = {length: line ? line.getTotalLength() : 0, stroke: style ? style.stroke : 'none',
                      visible: style ? style.visibility === 'visible' && style.opacity !== '0' && style.display !== 'none' : false,
                      markers: markers.length, seen, points: line ? line.getAttribute('d') : ''};
  }
  return result;
}"""


@pytest.mark.parametrize("width", [390, 1280])
def test_statistics_charts_fit_and_both_money_series_show(browser, live_server, db, demo, width):  # noqa: F811
    context = browser.new_context(base_url=live_server, locale="sv-SE", timezone_id="Europe/Stockholm",
                                  viewport={"width": width, "height": 900}, is_mobile=width < 1000)
    try:
        page = context.new_page()
        sign_in(page, demo["finance"], db, password=DEMO_PASSWORD)
        response = page.goto("/statistik?from=2025-10-01&to=2026-03-31")
        assert response is not None and response.status == 200
        page.locator('svg[aria-labelledby^="chart-money"]').scroll_into_view_if_needed()
        assert page.locator("svg.stats-chart").count() >= 4
        assert page.evaluate(TEXT_OUTSIDE) == []
        series = page.evaluate(SERIES_SEEN)
        assert set(series) == {"0", "1"}, series
        assert series["0"]["points"] == series["1"]["points"], "the demo's bought and sold should coincide for the city"
        for name, drawn in series.items():
            assert drawn["length"] > 0 and drawn["visible"] and drawn["stroke"] not in ("none", ""), (name, drawn)
            assert drawn["markers"] >= 2 and drawn["seen"] == drawn["markers"], (name, drawn)
        assert series["0"]["stroke"] != series["1"]["stroke"]
        assert_accessible(page, f"charts-{width}")
        page.locator('svg[aria-labelledby^="chart-money"]').screenshot(path=str(shot(page, "charts", f"{width}-page").with_name(f"{width}-money.png")))
    finally:
        context.close()
