"""F rules: a KPI is measured as often as the decision it serves needs, and no more."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from kpigov.catalogue import Catalogue
from kpigov.checks.common import checked_kpis, missing, sub_value, to_date
from kpigov.findings import Violation, on_document
from kpigov.periods import PERIOD_DAYS

Options = Mapping[str, Any]


def no_frequency(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        if missing(kpi, "frequency"):
            yield on_document(kpi, fingerprint_path="frequency")


def no_review(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        if missing(kpi, "review"):
            yield on_document(kpi, fingerprint_path="review")


def _periods(catalogue: Catalogue) -> Iterator[tuple[Any, str, str]]:
    for kpi in checked_kpis(catalogue):
        frequency, review = kpi.fields.get("frequency"), kpi.fields.get("review")
        if isinstance(frequency, str) and isinstance(review, str):
            yield kpi, frequency, review


def review_finer_than_measurement(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi, frequency, review in _periods(catalogue):
        if PERIOD_DAYS[review] < PERIOD_DAYS[frequency]:
            yield on_document(kpi, ("review",), args={"review": review, "frequency": frequency})


def measurement_noise(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    ratio_limit = catalogue.config.limits["review_ratio"]
    for kpi, frequency, review in _periods(catalogue):
        ratio = PERIOD_DAYS[review] / PERIOD_DAYS[frequency]
        if ratio > ratio_limit:
            yield on_document(
                kpi,
                ("frequency",),
                args={
                    "frequency": frequency,
                    "review": review,
                    "ratio": f"{ratio:,.0f}",
                    "limit": ratio_limit,
                },
            )


def finer_than_floor(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    floors = catalogue.config.finest_frequency
    for kpi in checked_kpis(catalogue):
        frequency, perspective = kpi.fields.get("frequency"), kpi.fields.get("perspective")
        floor = floors.get(perspective) if isinstance(perspective, str) else None
        if isinstance(frequency, str) and floor and PERIOD_DAYS[frequency] < PERIOD_DAYS[floor]:
            yield on_document(
                kpi,
                ("frequency",),
                args={"frequency": frequency, "perspective": perspective, "floor": floor},
            )


def too_few_points(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    today = catalogue.today
    for kpi in checked_kpis(catalogue):
        frequency = kpi.fields.get("frequency")
        deadline = to_date(sub_value(kpi.fields.get("target"), "deadline"))
        if not isinstance(frequency, str) or deadline is None or deadline <= today:
            continue  # a deadline that is not after today is S143's
        start = today
        baseline_date = to_date(sub_value(kpi.fields.get("baseline"), "date"))
        if baseline_date is not None and baseline_date > start:
            start = baseline_date
        points = math.floor((deadline - start).days / PERIOD_DAYS[frequency])
        if points < 3:
            yield on_document(
                kpi,
                ("target", "deadline"),
                args={
                    "points": max(points, 0),
                    "frequency": frequency,
                    "deadline": deadline.isoformat(),
                },
            )
