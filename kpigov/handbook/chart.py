"""An inline SVG trend chart of a KPI's history, with baseline and target lines and a text alternative."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


def _number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"


@lru_cache(maxsize=65536)
def _ordinal(date: str) -> int:
    return dt.date.fromisoformat(date).toordinal()


def trend_svg(
    dates: Sequence[str],
    values: Sequence[float],
    title: str,
    unit: str,
    baseline: float | None,
    target: float | None,
    labels: dict[str, str],
) -> str:
    """SVG markup (every text escaped), or "" without at least one point (a date and its value)."""
    if not dates:
        return ""
    references = [v for v in (baseline, target) if v is not None]
    low, high = min([*values, *references]), max([*values, *references])
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    first, last = _ordinal(dates[0]), _ordinal(dates[-1])
    span = max(last - first, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(date: str) -> float:
        return (
            LEFT + (_ordinal(date) - first) / span * plot_w if len(dates) > 1 else LEFT + plot_w / 2
        )

    def y(value: float) -> float:
        return TOP + (high - value) / (high - low) * plot_h

    path = " ".join(
        f"{x(date):.1f},{y(value):.1f}" for date, value in zip(dates, values, strict=True)
    )
    description = (
        f"{labels['chart_values']} {len(dates)}: "
        + "; ".join(
            f"{date} {_number(value)}"
            for date, value in zip(dates[-12:], values[-12:], strict=True)
        )
        + (f". {labels['baseline']} {_number(baseline)}" if baseline is not None else "")
        + (f". {labels['target']} {_number(target)}" if target is not None else "")
    )
    parts = [
        f'<svg class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(description)}</desc>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(_number(high))}</text>',
        f'<text class="tick" x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">{escape(_number(low))}</text>',
        f'<text class="tick" x="{LEFT}" y="{HEIGHT - 12}">{escape(dates[0])}</text>',
        f'<text class="tick" x="{LEFT + plot_w}" y="{HEIGHT - 12}" text-anchor="end">{escape(dates[-1])}</text>',
        f'<text class="unit" x="{LEFT - 6}" y="{TOP + plot_h / 2:.0f}" text-anchor="end">{escape(unit)}</text>',
    ]
    for name, value in (("baseline", baseline), ("target", target)):
        if value is not None:
            parts.append(
                f'<line class="{name}" x1="{LEFT}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" y2="{y(value):.1f}"/>'
                f'<text class="{name}-label" x="{LEFT + plot_w - 4}" y="{y(value) - 4:.1f}" text-anchor="end">'
                f"{escape(labels[name])} {escape(_number(value))}</text>"
            )
    parts.append(f'<polyline class="series" points="{path}"/>')
    parts.append(f'<circle class="latest" cx="{x(dates[-1]):.1f}" cy="{y(values[-1]):.1f}" r="4"/>')
    parts.append("</svg>")
    return "".join(parts)
