"""A rules: every KPI serves a goal, and every goal is served by a sensible mix of KPIs."""

from __future__ import annotations

from collections.abc import Iterator

from kpigov.catalogue import Catalogue
from kpigov.checks.common import (
    NOTHING,
    Found,
    Options,
    active_goals,
    active_kpis_by_goal,
    child_goals,
    goal_ids,
    goal_status,
    ids,
    missing,
    sub_value,
    to_date,
    value,
)
from kpigov.findings import Violation, on_document
from kpigov.loader import Document


def kpi_without_goal(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI. An unknown goal id counts as present (K005 reports it)."""
    return [on_document(kpi, fingerprint_path="goals")] if missing(kpi, "goals") else NOTHING


def goal_without_kpi(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    by_goal, children = active_kpis_by_goal(catalogue), child_goals(catalogue)
    for goal in active_goals(catalogue):
        if goal.id not in children and not by_goal.get(goal.id or ""):
            yield on_document(goal, args={"goal": goal.id})


def inactive_goal_link(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI: an active KPI linked to an achieved or abandoned goal."""
    goals = kpi.fields.get("goals")
    if kpi.fields.get("status", "active") != "active" or not isinstance(goals, list):
        return NOTHING
    found = []
    for index, goal_id in enumerate(goals):
        goal = catalogue.goals.get(goal_id)
        if goal is not None and goal_status(goal) != "active":
            args = {"goal": goal_id, "status": goal_status(goal)}
            found.append(on_document(kpi, ("goals", index), args=args, related=(goal_id,)))
    return found


def _explicit(kpis: list[Document], field: str, wanted: str) -> bool:
    """At least one KPI, and every one of them explicitly has ``field: wanted``."""
    return bool(kpis) and all(value(kpi, field) == wanted for kpi in kpis)


def only_lagging(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    by_goal = active_kpis_by_goal(catalogue)
    for goal in active_goals(catalogue):
        kpis = by_goal.get(goal.id or "", [])
        if _explicit(kpis, "indicator", "lagging"):
            yield on_document(goal, args={"goal": goal.id, "count": len(kpis)}, related=ids(kpis))


def _subtree_kpis(catalogue: Catalogue, root: Document) -> list[Document]:
    by_goal, children = active_kpis_by_goal(catalogue), child_goals(catalogue)
    found: dict[int, Document] = {}
    stack, seen = [root], set()
    while stack:  # iterative, and safe against parent loops (K006 reports them)
        goal = stack.pop()
        if goal.id in seen:
            continue
        seen.add(goal.id)
        for kpi in by_goal.get(goal.id or "", []):
            found[id(kpi)] = kpi
        stack.extend(children.get(goal.id or "", []))
    return list(found.values())


def only_short_term(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for goal in active_goals(catalogue):
        if not missing(goal, "parent"):
            continue  # only root objectives (an invalid parent is not missing: skipped too)
        kpis = _subtree_kpis(catalogue, goal)
        if _explicit(kpis, "horizon", "short-term"):
            yield on_document(goal, args={"goal": goal.id, "count": len(kpis)}, related=ids(kpis))


def deadline_after_goal(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI: the target deadline against the deadline of each goal it serves."""
    deadline = to_date(sub_value(kpi.fields.get("target"), "deadline"))
    if deadline is None:
        return NOTHING
    found = []
    for goal_id in dict.fromkeys(goal_ids(kpi)):
        goal = catalogue.goals.get(goal_id)
        goal_deadline = to_date(goal.fields.get("deadline")) if goal is not None else None
        if goal_deadline is not None and deadline > goal_deadline:
            args = {
                "deadline": deadline.isoformat(),
                "goal": goal_id,
                "goal_deadline": goal_deadline.isoformat(),
            }
            found.append(on_document(kpi, ("target", "deadline"), args=args, related=(goal_id,)))
    return found


def goal_without_owner(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for goal in active_goals(catalogue):
        if missing(goal, "owner"):
            yield on_document(goal, args={"goal": goal.id}, fingerprint_path="owner")
