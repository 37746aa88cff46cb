"""What every check needs to read a KPI the way SPEC §3.1 says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from kpigov.catalogue import Catalogue, iter_kind
from kpigov.findings import Violation
from kpigov.loader import Document

# Statuses whose KPIs get the rules about one KPI (SPEC §3.1 "Which KPIs count").
CHECKED_STATUSES = ("draft", "active")

Options = Mapping[str, Any]
# What a per-KPI check (scope: kpi) returns: its violations, usually none.
Found = Sequence[Violation]
NOTHING: Found = ()


def is_missing(value: Any) -> bool:
    """Missing means absent, null, an empty string or an empty list."""
    return value is None or value == "" or value == []


def is_invalid(document: Document, field: str) -> bool:
    """The field has a K002 error, so every other rule that needs it skips the document."""
    return field in document.invalid


def missing(document: Document, field: str) -> bool:
    """The owning rule should report this field: missing, and not merely invalid."""
    return field not in document.fields and field not in document.invalid


def value(document: Document, field: str) -> Any:
    """The field's value when it is present and valid, else None."""
    return document.fields.get(field)


def is_standing(target: Any) -> bool:
    """A standing service level (target.standing: true): held all the time, no deadline."""
    return isinstance(target, dict) and target.get("standing") is True


def has_target_number(target: Any) -> bool:
    """The target states a number (value, or min/max of a range), not only words."""
    return isinstance(target, dict) and any(
        sub_value(target, key) is not None for key in ("value", "min", "max")
    )


def sub_value(mapping: Any, key: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    found = mapping.get(key)
    return None if is_missing(found) else found


def derived(document: Document, rule: str, compute: Callable[[Document], Any]) -> Any:
    """What ``rule`` derives from ``document`` alone (its effective fields), computed once per
    document and kept between lints by the incremental lint's state: a pure function of the
    document, whose value is plain JSON."""
    store = document.derived
    if store is None:
        store = document.derived = {}
    found = store.get(rule)
    if found is None:
        found = store[rule] = compute(document)
    return found


def status(document: Document) -> str:
    return document.fields.get("status", "active")  # type: ignore[no-any-return]


def is_qualitative(document: Document) -> bool:
    return document.fields.get("type") == "qualitative"


def checked_kpis(catalogue: Catalogue) -> list[Document]:
    """Draft and active KPIs, which get the rules about one KPI (computed once per catalogue)."""
    return catalogue.memo(
        "checked_kpis",
        lambda: [kpi for kpi in iter_kind(catalogue, "kpi") if status(kpi) in CHECKED_STATUSES],
    )


def active_kpis(catalogue: Catalogue) -> list[Document]:
    return catalogue.memo(
        "active_kpis",
        lambda: [kpi for kpi in iter_kind(catalogue, "kpi") if status(kpi) == "active"],
    )


def to_date(text: Any) -> dt.date | None:
    return _parse_date(text) if isinstance(text, str) else None


@lru_cache(maxsize=8192)
def _parse_date(text: str) -> dt.date | None:
    """Dates repeat across a catalogue (deadlines, period ends), so parsing is cached."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def number(found: Any) -> float | None:
    """A numeric value (never a bool)."""
    if isinstance(found, bool) or not isinstance(found, (int, float)):
        return None
    return found


def scale_of(document: Document) -> tuple[float | None, float | None] | None:
    """The KPI's valid range: its ``scale``, or 0..100 for a percent without one."""
    scale = document.fields.get("scale")
    if isinstance(scale, dict):
        low, high = number(scale.get("min")), number(scale.get("max"))
        if low is not None or high is not None:
            return low, high
        return None
    if is_invalid(document, "scale"):
        return None
    if document.fields.get("unit") == "percent":
        return 0.0, 100.0
    return None


def format_number(found: float) -> str:
    return f"{found:g}" if isinstance(found, float) else str(found)


def format_scale(bounds: tuple[float | None, float | None]) -> str:
    low, high = bounds
    left = format_number(low) if low is not None else "-∞"
    right = format_number(high) if high is not None else "+∞"
    return f"{left}..{right}"


def active_goals(catalogue: Catalogue) -> list[Document]:
    return catalogue.memo(
        "active_goals",
        lambda: [goal for goal in iter_kind(catalogue, "goal") if goal_status(goal) == "active"],
    )


def goal_status(goal: Document) -> str:
    return goal.fields.get("status", "active")  # type: ignore[no-any-return]


def is_active_person(person: Document) -> bool:
    return person.fields.get("active") is not False


def goal_ids(kpi: Document) -> list[str]:
    goals = kpi.fields.get("goals")
    return [goal for goal in goals if isinstance(goal, str)] if isinstance(goals, list) else []


def active_kpis_by_goal(catalogue: Catalogue) -> dict[str, list[Document]]:
    """Active KPIs linked directly to each goal id (one pass over the KPIs)."""

    def build() -> dict[str, list[Document]]:
        table: dict[str, list[Document]] = {}
        for kpi in active_kpis(catalogue):
            for goal in dict.fromkeys(goal_ids(kpi)):
                table.setdefault(goal, []).append(kpi)
        return table

    return catalogue.memo("active_kpis_by_goal", build)


def child_goals(catalogue: Catalogue) -> dict[str, list[Document]]:
    """Active goals by the id of their parent."""
    return catalogue.memo("child_goals", lambda: _grouped(active_goals(catalogue), "parent"))


def active_kpis_by_owner(catalogue: Catalogue) -> dict[str, list[Document]]:
    return catalogue.memo("active_kpis_by_owner", lambda: _grouped(active_kpis(catalogue), "owner"))


def _grouped(documents: Iterable[Document], field_name: str) -> dict[str, list[Document]]:
    """Documents by the text value of one field (documents without it are left out)."""
    table: dict[str, list[Document]] = {}
    for document in documents:
        value = document.fields.get(field_name)
        if isinstance(value, str):
            table.setdefault(value, []).append(document)
    return table


def ids(documents: list[Document]) -> tuple[str, ...]:
    return tuple(sorted(document.id for document in documents if document.id))


def rag_status(value: float, direction: str | None, thresholds: Any, target: Any) -> str | None:
    """red/amber/green of a value; a value on a boundary falls in the better band (SPEC §3.1)."""
    if not isinstance(thresholds, dict):
        return None
    red, amber = thresholds.get("red"), thresholds.get("amber")
    if not isinstance(red, (int, float)) or not isinstance(amber, (int, float)):
        return None
    if direction == "higher-is-better":
        return "red" if value < red else "amber" if value < amber else "green"
    if direction == "lower-is-better":
        return "red" if value > red else "amber" if value > amber else "green"
    if direction == "target-range" and isinstance(target, dict):
        low, high = target.get("min"), target.get("max")
        if not isinstance(low, (int, float)) or not isinstance(high, (int, float)):
            return None
        distance = low - value if value < low else value - high if value > high else 0
        return "red" if distance > red else "amber" if distance > amber else "green"
    return None
