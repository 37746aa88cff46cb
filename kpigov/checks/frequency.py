"""F rules: a KPI is measured as often as the decision it serves needs, and no more.

Per-KPI checks (``scope: kpi``), run by the engine in its single pass over draft and active KPIs.
"""

from __future__ import annotations

import math

from kpigov.catalogue import Catalogue
from kpigov.checks.common import (
    NOTHING,
    Found,
    Options,
    is_standing,
    missing,
    sub_value,
    to_date,
)
from kpigov.findings import on_document
from kpigov.loader import Document
from kpigov.periods import PERIOD_DAYS


def no_frequency(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    return (
        [on_document(kpi, fingerprint_path="frequency")] if missing(kpi, "frequency") else NOTHING
    )


def no_review(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    return [on_document(kpi, fingerprint_path="review")] if missing(kpi, "review") else NOTHING


def review_finer_than_measurement(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    frequency, review = kpi.fields.get("frequency"), kpi.fields.get("review")
    if (
        isinstance(frequency, str)
        and isinstance(review, str)
        and PERIOD_DAYS[review] < PERIOD_DAYS[frequency]
    ):
        return [on_document(kpi, ("review",), args={"review": review, "frequency": frequency})]
    return NOTHING


def measurement_noise(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    frequency, review = kpi.fields.get("frequency"), kpi.fields.get("review")
    if not isinstance(frequency, str) or not isinstance(review, str):
        return NOTHING
    ratio = PERIOD_DAYS[review] / PERIOD_DAYS[frequency]
    limit = catalogue.config.limits["review_ratio"]
    if ratio <= limit:
        return NOTHING
    args = {"frequency": frequency, "review": review, "ratio": f"{ratio:,.0f}", "limit": limit}
    return [on_document(kpi, ("frequency",), args=args)]


def finer_than_floor(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    frequency, perspective = kpi.fields.get("frequency"), kpi.fields.get("perspective")
    floor = (
        catalogue.config.finest_frequency.get(perspective) if isinstance(perspective, str) else None
    )
    if isinstance(frequency, str) and floor and PERIOD_DAYS[frequency] < PERIOD_DAYS[floor]:
        args = {"frequency": frequency, "perspective": perspective, "floor": floor}
        return [on_document(kpi, ("frequency",), args=args)]
    return NOTHING


def too_few_points(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    today = catalogue.today
    frequency = kpi.fields.get("frequency")
    deadline = to_date(sub_value(kpi.fields.get("target"), "deadline"))
    if not isinstance(frequency, str) or deadline is None or deadline <= today:
        return NOTHING  # a deadline that is not after today is S143's
    if is_standing(kpi.fields.get("target")):
        return NOTHING  # a standing service level is measured for as long as it stands
    start = today
    baseline_date = to_date(sub_value(kpi.fields.get("baseline"), "date"))
    if baseline_date is not None and baseline_date > start:
        start = baseline_date
    points = math.floor((deadline - start).days / PERIOD_DAYS[frequency])
    if points >= 3:
        return NOTHING
    args = {"points": max(points, 0), "frequency": frequency, "deadline": deadline.isoformat()}
    return [on_document(kpi, ("target", "deadline"), args=args)]
