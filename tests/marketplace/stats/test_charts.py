"""The statistics charts read right: round axis ticks, two equal series both visible, labels
inside the picture (estimated here; the browser test measures the drawn text)."""

from __future__ import annotations

import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from marketplace.stats import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def _is_one_two_five(step: Decimal) -> bool:
    digits = step.normalize().as_tuple().digits
    return len(digits) == 1 and digits[0] in (1, 2, 5)


@pytest.mark.parametrize("largest", [0.4, 1, 3, 7, 9.9, 12, 99, 101, 1083.87, 2500, 37_000, 123_456, 4_987_654.5])
def test_axis_ticks_are_round_steps_of_one_two_or_five_and_reach_the_largest_value(largest):
    ticks = charts.nice_ticks(largest)
    steps = {b - a for a, b in zip(ticks, ticks[1:])}
    assert ticks[0] == 0 and len(steps) == 1, ticks
    step = steps.pop()
    assert _is_one_two_five(step), (largest, ticks)
    assert ticks[-1] >= Decimal(repr(largest)) > ticks[-2], (largest, ticks)
    assert 3 <= len(ticks) <= 7, (largest, ticks)


def test_the_money_chart_labels_its_axis_with_round_numbers():
    svg = charts.line_chart("c", "Köpt och sålt", "Belopp", ["2026-01", "2026-02", "2026-03"],
                            [("Köpt", [Decimal("1083.87"), Decimal("35000.00"), Decimal("0")]),
                             ("Sålt", [Decimal("1083.87"), Decimal("35000.00"), Decimal("0")])])
    labels = [t.text for t in _parse(svg).iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == ["0", "10\u00a0000", "20\u00a0000", "30\u00a0000", "40\u00a0000"]


def test_two_series_with_the_same_values_are_both_drawn_and_told_apart():
    values = [Decimal("1200"), Decimal("800"), Decimal("1500")]
    root = _parse(charts.line_chart("c", "t", "d", ["jan", "feb", "mar"], [("Köpt", values), ("Sålt", list(values))]))
    lines = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert [line.get("data-series") for line in lines] == ["0", "1"]
    assert lines[0].get("d") == lines[1].get("d")  # they coincide …
    assert lines[0].get("stroke") != lines[1].get("stroke")
    assert lines[0].get("stroke-dasharray") is None and lines[1].get("stroke-dasharray")  # … the top one is dashed
    markers = {s: [el.tag for el in root.iter() if el.get("data-series") == s and el.tag != f"{SVG}path" and el.tag != f"{SVG}g"]
               for s in ("0", "1")}
    # A hollow ring for the first series and a smaller filled square inside it for the second,
    # once per month, plus one of each in the legend.
    assert markers["0"] == [f"{SVG}circle"] * 4 and markers["1"] == [f"{SVG}rect"] * 4
    ring = next(root.iter(f"{SVG}circle"))
    square = next(el for el in root.iter(f"{SVG}rect") if el.get("data-series") == "1")
    assert ring.get("fill") == "#ffffff" and float(square.get("width")) < 2 * float(ring.get("r")) - 2 * 2.5
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text in ("Köpt", "Sålt")]
    assert legend == ["Köpt", "Sålt"]


def _text_boxes(root: ElementTree.Element):
    for text in root.iter(f"{SVG}text"):
        size = float(text.get("font-size"))
        width = charts.text_width(text.text or "", size)
        x = float(text.get("x"))
        anchor = text.get("text-anchor", "start")
        left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
        yield text.text, left, left + width, float(text.get("y")) - size, float(text.get("y")) + size * 0.3


@pytest.mark.parametrize("svg", [
    charts.line_chart("c", "t", "d", ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"],
                      [("Köpt av stadsdelarna", [Decimal("123456789.5")] * 6), ("Sålt", [Decimal("1")] * 6)]),
    charts.line_chart("c", "t", "d", ["2026-03"], [("Köpt", [Decimal("5")]), ("Sålt", [None])]),
    charts.bar_chart("c", "t", "d", [("Arbetsträning med kartläggning av arbetsförmåga", 123456789),
                                     ("Kort", None), ("Noll", 0)], suffix=" %", hidden_text="färre än 5 personer"),
], ids=["wide values and long legend", "one month", "bars with long value and note"])
def test_every_label_lies_inside_the_picture(svg):
    root = _parse(svg)
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    for text, left, right, top, bottom in _text_boxes(root):
        assert 0 <= left and right <= width and 0 <= top and bottom <= height, (text, left, right, top, bottom, width, height)


def test_a_chart_without_any_value_still_has_an_axis():
    root = _parse(charts.line_chart("c", "t", "d", ["2026-03"], [("Köpt", [None]), ("Sålt", [None])]))
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"] == ["0", "1"]
    assert re.search(r"viewBox=\"0 0 \d+ \d+\"", ElementTree.tostring(root, encoding="unicode"))
