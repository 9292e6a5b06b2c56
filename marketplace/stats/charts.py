"""Server-drawn SVG charts (no JavaScript, no CDN). Pure: strings in, SVG string out.

Each chart is role="img" with <title> and <desc> tied by aria-labelledby; the page puts a
table with the same figures under it for screen readers. Colours keep WCAG AA contrast
(at least 4.5:1) against the white background.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

INK = "#1d2733"
MUTED = "#4a5563"
GRID = "#c9d1da"
SERIES = ("#0b5394", "#0f7b5f", "#a4262c", "#6a3d9a")  # all >= 4.5:1 on white


def _number(value) -> str:
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("1")) if abs(value) >= 100 else value.quantize(Decimal("0.1"))
    text = f"{value:,}".replace(",", "\u00a0").replace(".", ",")
    return text


def _head(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="stats-chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
            f'<title id="{chart_id}-title">{escape(title)}</title>', f'<desc id="{chart_id}-desc">{escape(desc)}</desc>']


def bar_chart(chart_id: str, title: str, desc: str, bars: list[tuple[str, object]], *, suffix: str = "",
              hidden_text: str = "färre än 5") -> str:
    """Horizontal bars, one per (label, value); None is drawn as a note instead of a bar."""
    label_width, bar_area, row = 260, 380, 28
    width, height = label_width + bar_area + 90, 20 + row * max(1, len(bars))
    values = [float(v) for _, v in bars if v is not None]
    top = max(values) if values and max(values) > 0 else 1.0
    parts = _head(chart_id, title, desc, width, height)
    parts.append(f'<line x1="{label_width}" y1="10" x2="{label_width}" y2="{height - 10}" stroke="{GRID}"/>')
    for index, (label, value) in enumerate(bars):
        y = 10 + index * row
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="{INK}">{escape(short)}</text>')
        if value is None:
            parts.append(f'<text x="{label_width + 6}" y="{y + 18}" font-size="13" fill="{MUTED}">{escape(hidden_text)}</text>')
            continue
        length = max(0.0, float(value) / top * bar_area)
        parts.append(f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row - 10}" fill="{SERIES[0]}"/>')
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="13" fill="{INK}">'
                     f'{escape(_number(value) + suffix)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(chart_id: str, title: str, desc: str, x_labels: list[str], series: list[tuple[str, list]]) -> str:
    """Lines over the x labels (months), with a legend; values may be Decimal."""
    left, right, top_pad, bottom = 90, 20, 40, 50
    plot_w, plot_h = max(300, 60 * len(x_labels)), 220
    width, height = left + plot_w + right, top_pad + plot_h + bottom
    values = [float(v) for _, vs in series for v in vs if v is not None]
    top = max(values) if values and max(values) > 0 else 1.0
    parts = _head(chart_id, title, desc, width, height)
    for step in range(5):
        level = top * step / 4
        y = top_pad + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">'
                     f'{escape(_number(Decimal(level).quantize(Decimal("1"))))}</text>')
    count = max(1, len(x_labels) - 1)
    xs = [left + (plot_w * i / count if len(x_labels) > 1 else plot_w / 2) for i in range(len(x_labels))]
    for x, label in zip(xs, x_labels):
        parts.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 18}" text-anchor="middle" font-size="12" fill="{INK}">{escape(label)}</text>')
    for index, (name, vs) in enumerate(series):
        colour = SERIES[index % len(SERIES)]
        points = [(x, top_pad + plot_h - float(v) / top * plot_h) for x, v in zip(xs, vs) if v is not None]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash = ' stroke-dasharray="6 3"' if index else ""
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
            parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>' for x, y in points)
        legend_x = left + index * 160
        parts.append(f'<rect x="{legend_x}" y="12" width="14" height="14" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 20}" y="24" font-size="13" fill="{INK}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
