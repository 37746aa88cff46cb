"""T rules: a KPI has a baseline and a history that is kept, well-formed and current."""

from __future__ import annotations

from collections.abc import Iterator

from kpigov.catalogue import Catalogue
from kpigov.checks.common import (
    NOTHING,
    Found,
    Options,
    format_number,
    format_scale,
    is_invalid,
    rag_status,
    scale_of,
    sub_value,
    to_date,
)
from kpigov.findings import Span, Violation, on_document
from kpigov.loader import Document
from kpigov.periods import PERIOD_DAYS


def no_baseline(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI: no baseline, or one without a value."""
    if is_invalid(kpi, "baseline") or sub_value(kpi.fields.get("baseline"), "value") is not None:
        return NOTHING
    return [on_document(kpi, fingerprint_path="baseline")]


def _row_span(line: int) -> Span:
    return Span(line, 1, line, 2)


def value_out_of_scale(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    """Recorded values outside the scale, on every KPI (history is kept after deprecation too)."""
    # In any order: the engine sorts the findings, and each history's rows keep theirs.
    for kpi_id, history in catalogue.history.items():
        kpi = catalogue.kpis.get(kpi_id)
        bounds = scale_of(kpi) if kpi is not None else None
        if bounds is None:
            continue
        low, high = bounds
        if (low is None or history.lowest >= low) and (high is None or history.highest <= high):
            continue
        for row in history.rows:
            if (low is not None and row.value < low) or (high is not None and row.value > high):
                yield Violation(
                    file=history.file,
                    document=kpi,
                    span=_row_span(row.line),
                    args={
                        "value": format_number(row.value),
                        "date": row.date,
                        "scale": format_scale(bounds),
                    },
                    fingerprint_path=f"history[{row.date}]",
                )


def history_format(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi_id, history in catalogue.history.items():
        if not history.problems:
            continue
        kpi = catalogue.kpis.get(kpi_id)
        for index, problem in enumerate(history.problems):
            yield Violation(
                file=history.file,
                document=kpi,
                span=problem.span,
                args={"problem": problem.message},
                fingerprint_path=f"history[{problem.date or f'line-{index}'}]",
            )


def stale_history(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI: the last recorded value is older than two measurement periods."""
    frequency = kpi.fields.get("frequency")
    history = catalogue.history.get(kpi.id or "")
    if not isinstance(frequency, str) or history is None or not history.dates:
        return NOTHING
    last_date = to_date(history.dates[-1])
    if last_date is None:
        return NOTHING
    age = (catalogue.today - last_date).days
    if age <= max(2 * PERIOD_DAYS[frequency], 2):
        return NOTHING
    return [
        Violation(
            file=history.file,
            document=kpi,
            span=_row_span(history.lines[-1]),
            args={"date": last_date.isoformat(), "days": age, "frequency": frequency},
            fingerprint_path="history[latest]",
        )
    ]


def assessment_contradicts_data(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """T607: the owner says on-track while the latest value is red, or off-track while green."""
    assessment = kpi.fields.get("assessment")
    level = assessment.get("level") if isinstance(assessment, dict) else None
    history = catalogue.history.get(kpi.id or "")
    if level not in ("on-track", "off-track") or history is None or not history.values:
        return NOTHING
    latest = history.values[-1]
    computed = rag_status(
        latest, kpi.fields.get("direction"), kpi.fields.get("thresholds"), kpi.fields.get("target")
    )
    if (level, computed) not in (("on-track", "red"), ("off-track", "green")):
        return NOTHING
    return [
        on_document(
            kpi,
            ("assessment", "level"),
            args={
                "level": level,
                "status": computed,
                "value": format_number(latest),
                "date": history.dates[-1],
            },
            fingerprint_path="assessment.level",
        )
    ]


def orphan_history(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    # A KPI in a file that does not parse is unknown, not gone (K001 says so).
    for kpi_id in sorted(
        catalogue.history.keys() - catalogue.kpis.keys() - catalogue.unreadable_ids
    ):
        history = catalogue.history[kpi_id]
        yield Violation(file=history.file, span=Span(1, 1, 1, 1), args={"id": kpi_id})


def no_history(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI: an active KPI with no recorded value."""
    if kpi.fields.get("status", "active") != "active":
        return NOTHING
    history = catalogue.history.get(kpi.id or "")
    if history is not None and len(history):
        return NOTHING
    file = f"{catalogue.config.history}/{kpi.id}.csv"
    return [on_document(kpi, args={"file": file}, fingerprint_path="history")]
