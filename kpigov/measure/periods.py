"""Measurement periods (SPEC §8.7): calendar periods that end on the measurement date D.

``:period_start`` is inclusive and ``:period_end`` exclusive (D + 1 day): daily [D, D+1), weekly
[D−6, D+1), monthly, quarterly and yearly [D+1 − 1, 3 or 12 months, D+1). Hourly and realtime
KPIs are recorded once a day (as daily) in this version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
ONE_DAY = dt.timedelta(days=1)


def recorded_as(frequency: str) -> str:
    """The period a frequency is recorded at: hourly and realtime values once a day."""
    return "daily" if frequency in ("hourly", "realtime") else frequency


def _minus_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    # the same day of the month, or the month's last day when it has fewer
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def period(frequency: str, end_date: dt.date) -> tuple[dt.date, dt.date]:
    """(period_start inclusive, period_end exclusive) of the period ending on ``end_date``."""
    frequency = recorded_as(frequency)
    after = end_date + ONE_DAY
    if frequency == "daily":
        return end_date, after
    if frequency == "weekly":
        return end_date - dt.timedelta(days=6), after
    return _minus_months(after, _MONTHS[frequency]), after


def is_period_end(frequency: str, day: dt.date) -> bool:
    frequency = recorded_as(frequency)
    after = day + ONE_DAY
    if frequency == "daily":
        return True
    if frequency == "weekly":
        return day.isoweekday() == 7  # weeks end on Sunday
    if frequency == "monthly":
        return after.day == 1
    if frequency == "quarterly":
        return after.day == 1 and after.month in (1, 4, 7, 10)
    return after.day == 1 and after.month == 1  # yearly


def last_complete(frequency: str, today: dt.date) -> dt.date:
    """The end of the last complete period before today (yesterday; last Sunday; the last day
    of the previous month, quarter or year)."""
    day = today - ONE_DAY
    while not is_period_end(frequency, day):
        day -= ONE_DAY
    return day


def period_ends(frequency: str, first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every period end from ``first`` to ``last``, both included (``--from``/``--to``)."""
    day = first
    while day <= last:
        if is_period_end(frequency, day):
            yield day
        day += ONE_DAY
