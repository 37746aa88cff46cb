"""An inline SVG trend chart of a KPI's history, honest and readable on a phone.

- the value axis has "nice" ticks (1, 2, 2.5 or 5 times a power of ten) that include the data,
  the baseline and the target;
- red and amber bands come from the thresholds (direction-aware), baseline and target are lines;
- a history row with a note is a marker whose note is its tooltip;
- the left margin is as wide as the longest tick label, so no label is ever clipped (at 360 px the
  chart scales down as a whole, and the browser tests check every label's box);
- the text alternative (``<desc>``) says how many values there are, and a table beside the chart
  (``value_rows``) lists every one of them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from functools import lru_cache
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 260
RIGHT, TOP, BOTTOM = 16, 30, 40
CHAR_WIDTH = 7.5  # of a 12 px tick label, generous, so that the margin always fits the text


def _number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


@lru_cache(maxsize=65536)
def _ordinal(date: str) -> int:
    return dt.date.fromisoformat(date).toordinal()


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if high <= low:
        low, high = low - 1, high + 1
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.5:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _bands(
    thresholds: Any, direction: str | None, target: Any, low: float, high: float
) -> list[tuple[str, float, float]]:
    """(red|amber, from, to) value bands of the thresholds, clipped to the axis."""
    if not isinstance(thresholds, dict):
        return []
    red, amber = thresholds.get("red"), thresholds.get("amber")
    if not isinstance(red, (int, float)) or not isinstance(amber, (int, float)):
        return []
    bands: list[tuple[str, float, float]] = []
    if direction == "higher-is-better":
        bands = [("red", low, red), ("amber", red, amber)]
    elif direction == "lower-is-better":
        bands = [("red", red, high), ("amber", amber, red)]
    elif direction == "target-range" and isinstance(target, dict):
        lo, hi = target.get("min"), target.get("max")
        if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
            bands = [
                ("red", low, lo - red),
                ("amber", lo - red, lo - amber),
                ("amber", hi + amber, hi + red),
                ("red", hi + red, high),
            ]
    return [(name, max(a, low), min(b, high)) for name, a, b in bands if min(b, high) > max(a, low)]


def trend_svg(
    dates: Sequence[str],
    values: Sequence[float],
    title: str,
    unit: str,
    baseline: float | None,
    target: float | None,
    labels: dict[str, str],
    *,
    thresholds: Any = None,
    direction: str | None = None,
    target_spec: Any = None,
    notes: Sequence[str] | None = None,
) -> str:
    """SVG markup (every text escaped), or "" without at least one point (a date and its value)."""
    if not dates:
        return ""
    references = [v for v in (baseline, target) if v is not None]
    ticks = nice_ticks(min([*values, *references]), max([*values, *references]))
    low, high = ticks[0], ticks[-1]
    tick_text = [_number(t) for t in ticks]
    left = int(max(len(t) for t in [*tick_text, unit]) * CHAR_WIDTH) + 14
    first, last = _ordinal(dates[0]), _ordinal(dates[-1])
    span = max(last - first, 1)
    plot_w, plot_h = WIDTH - left - RIGHT, HEIGHT - TOP - BOTTOM

    def x(date: str) -> float:
        return (
            left + (_ordinal(date) - first) / span * plot_w if len(dates) > 1 else left + plot_w / 2
        )

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    description = (
        f"{labels['chart_values']}: {len(dates)}, {dates[0]} – {dates[-1]}, "
        f"{_number(min(values))} – {_number(max(values))}"
        + (f". {labels['baseline']} {_number(baseline)}" if baseline is not None else "")
        + (f". {labels['target']} {_number(target)}" if target is not None else "")
    )
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
    ]
    for name, start, end in _bands(thresholds, direction, target_spec, low, high):
        parts.append(
            f'<rect class="band band-{name}" x="{left}" y="{y(end):.1f}" width="{plot_w}" '
            f'height="{y(start) - y(end):.1f}"/>'
        )
    for tick, text in zip(ticks, tick_text, strict=True):
        parts.append(
            f'<line class="grid" x1="{left}" y1="{y(tick):.1f}" x2="{left + plot_w}" y2="{y(tick):.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{escape(text)}</text>'
        )
    parts += [
        f'<line class="axis" x1="{left}" y1="{TOP + plot_h}" x2="{left + plot_w}" y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{left}" y1="{TOP}" x2="{left}" y2="{TOP + plot_h}"/>',
        f'<text class="tick" x="{left}" y="{HEIGHT - 14}">{escape(dates[0])}</text>',
        f'<text class="tick" x="{left + plot_w}" y="{HEIGHT - 14}" text-anchor="end">{escape(dates[-1])}</text>',
        f'<text class="unit" x="4" y="14">{escape(unit)}</text>' if unit else "",
    ]
    for name, value in (("baseline", baseline), ("target", target)):
        if value is not None:
            parts.append(
                f'<line class="{name}" x1="{left}" y1="{y(value):.1f}" x2="{left + plot_w}" y2="{y(value):.1f}"/>'
                f'<text class="{name}-label" x="{left + plot_w - 4}" y="{y(value) - 4:.1f}" text-anchor="end">'
                f"{escape(labels[name])} {escape(_number(value))}</text>"
            )
    path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in zip(dates, values, strict=True))
    parts.append(f'<polyline class="series" points="{path}"/>')
    for index, note in enumerate(notes or ()):
        if note:
            parts.append(
                f'<circle class="note" cx="{x(dates[index]):.1f}" cy="{y(values[index]):.1f}" r="5">'
                f"<title>{escape(dates[index])}: {escape(note)}</title></circle>"
            )
    parts.append(f'<circle class="latest" cx="{x(dates[-1]):.1f}" cy="{y(values[-1]):.1f}" r="4"/>')
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[float], rag: str | None = None) -> str:
    """A small line of the last values for a card (decorative: the card states the value)."""
    shown = list(values[-24:])
    if len(shown) < 2:
        return ""
    low, high = min(shown), max(shown)
    spread = (high - low) or 1.0
    width, height = 96, 24
    points = " ".join(
        f"{index * width / (len(shown) - 1):.1f},{height - 2 - (value - low) / spread * (height - 4):.1f}"
        for index, value in enumerate(shown)
    )
    return (
        f'<svg class="sparkline{" rag-" + rag if rag else ""}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true" focusable="false">'
        f'<polyline points="{points}"/></svg>'
    )
