"""Horizontal bar charts as inline SVG, drawn on the server (no script, prints as it shows)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

_ROW = 22
_LABEL_WIDTH = 230
_BAR_WIDTH = 320
_VALUE_WIDTH = 90
# Agency names are long and alike: the chart labels drop the shared word (the table keeps full names).
_SHORTER = (("Inspektorat Kabupaten ", "Kab. "), ("Inspektorat Kota ", "Kota "), ("Inspektorat Provinsi ", "Prov. "))


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as shown (e.g. "75 %", or "no answers yet")
    secondary: float | None = None  # drawn as a second, darker segment from the left (e.g. overdue within open)


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None = None, legend: Sequence[str] = ()) -> Markup:
    """One chart: a label, a bar and its value per row. `maximum` fixes the scale (1.0 for shares)."""
    top = 30 if legend else 8
    height = top + _ROW * max(len(bars), 1) + 6
    width = _LABEL_WIDTH + _BAR_WIDTH + _VALUE_WIDTH
    scale_max = maximum or max([b.value or 0 for b in bars] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-labelledby="{_id(title)}">',
        f'<title id="{_id(title)}">{escape(title)}</title>',
    ]
    if legend:
        parts.append(
            f'<rect x="{_LABEL_WIDTH}" y="8" width="12" height="12" class="bar"/>'
            f'<text x="{_LABEL_WIDTH + 18}" y="18" class="legend">{escape(legend[0])}</text>'
        )
        if len(legend) > 1:
            parts.append(
                f'<rect x="{_LABEL_WIDTH + 120}" y="8" width="12" height="12" class="bar-secondary"/>'
                f'<text x="{_LABEL_WIDTH + 138}" y="18" class="legend">{escape(legend[1])}</text>'
            )
    for index, bar in enumerate(bars):
        y = top + index * _ROW
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" class="label">{escape(_short(bar.label))}</text>'
        )
        parts.append(f'<rect x="{_LABEL_WIDTH}" y="{y + 3}" width="{_BAR_WIDTH}" height="16" class="track"/>')
        if bar.value:
            length = _BAR_WIDTH * min(bar.value / scale_max, 1.0)
            parts.append(f'<rect x="{_LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="16" class="bar"/>')
        if bar.secondary:
            length = _BAR_WIDTH * min(bar.secondary / scale_max, 1.0)
            parts.append(
                f'<rect x="{_LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="16" class="bar-secondary"/>'
            )
        parts.append(f'<text x="{_LABEL_WIDTH + _BAR_WIDTH + 8}" y="{y + 15}" class="value">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _short(label: str, limit: int = 30) -> str:
    for long, short in _SHORTER:
        if label.startswith(long):
            label = short + label[len(long) :]
            break
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _id(title: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())
