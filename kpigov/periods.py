"""Measurement and review periods in days (SPEC §3.1 arithmetic)."""

from __future__ import annotations

from types import MappingProxyType

PERIOD_DAYS = MappingProxyType(
    {
        "realtime": 1 / 1440,
        "hourly": 1 / 24,
        "daily": 1.0,
        "weekly": 7.0,
        "monthly": 30.44,
        "quarterly": 91.31,
        "yearly": 365.25,
    }
)


def period_days(frequency: str) -> float:
    return PERIOD_DAYS[frequency]
