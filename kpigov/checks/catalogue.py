"""K rules: the catalogue can be read, matches its schemas, and its references hold."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from kpigov.catalogue import Catalogue, iter_kind
from kpigov.checks.common import Options
from kpigov.findings import Violation, format_yaml_path, on_document
from kpigov.loader import Document


def yaml_syntax(catalogue: Catalogue, options: Options) -> list[Violation]:
    return catalogue.problems.get("K001", [])


def schema(catalogue: Catalogue, options: Options) -> list[Violation]:
    # Every K002 has its message in Dutch too; where a problem has none (the loader's), the
    # English one stands in.
    return [
        v
        if "message_nl" in v.args
        else replace(v, args={**v.args, "message_nl": v.args.get("message", "")})
        for v in catalogue.problems.get("K002", [])
    ]


def duplicate_key(catalogue: Catalogue, options: Options) -> list[Violation]:
    return catalogue.problems.get("K003", [])


def unsafe_yaml(catalogue: Catalogue, options: Options) -> list[Violation]:
    return catalogue.problems.get("K007", [])


def duplicate_id(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for duplicate, first in catalogue.duplicates:
        yield on_document(
            duplicate,
            ("id",),
            args={
                "id": duplicate.id,
                "kind": duplicate.kind,
                "first_kind": first.kind,
                "first": f"{first.file}:{first.line}",
            },
            related=(first.id or "",),
        )


def _composite_inputs(catalogue: Catalogue) -> dict[str, list[tuple[int, str]]]:
    """KPI id -> its inputs that are other KPIs, for the composite KPIs only (K005 and K006)."""

    def build() -> dict[str, list[tuple[int, str]]]:
        return {
            kpi.id or "": found
            for kpi in iter_kind(catalogue, "kpi")
            if (found := _input_kpis(kpi))
        }

    return catalogue.memo("composite_inputs", build)


def _input_kpis(kpi: Document) -> list[tuple[int, str]]:
    """(index, KPI id) of the formula inputs that are other KPIs (composite KPIs). A formula a
    breakdown takes from its parent is checked on the parent, once."""
    if "formula" in kpi.origins:
        return []
    formula = kpi.fields.get("formula")
    inputs = formula.get("inputs") if isinstance(formula, dict) else None
    if not isinstance(inputs, list):
        return []
    return [
        (index, item["kpi"])
        for index, item in enumerate(inputs)
        if isinstance(item, dict) and isinstance(item.get("kpi"), str) and item["kpi"]
    ]


def unknown_reference(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    """Goals, parents (of goals and of breakdown KPIs), teams, leads, input KPIs and replacements
    that name nothing.

    An unknown owner is O302's, not this rule's.
    """

    def unknown(document: Document, path: tuple[Any, ...], target: str, kind: str) -> Violation:
        return on_document(
            document,
            path,
            args={"reference": target, "kind": kind, "field": format_yaml_path(path)},
        )

    composite = _composite_inputs(catalogue)
    unreadable = catalogue.unreadable_ids  # in a file that does not parse: unknown, not absent
    for kpi in iter_kind(catalogue, "kpi"):
        goals = kpi.fields.get("goals")
        for index, goal_id in enumerate(goals if isinstance(goals, list) else []):
            if goal_id not in catalogue.goals and goal_id not in unreadable:
                yield unknown(kpi, ("goals", index), goal_id, "goal")
        for index, input_kpi in composite.get(kpi.id or "", ()):
            if input_kpi not in catalogue.kpis and input_kpi not in unreadable:
                yield unknown(kpi, ("formula", "inputs", index, "kpi"), input_kpi, "KPI")
        for field in ("replaced_by", "parent"):
            target = kpi.fields.get(field)
            if (
                isinstance(target, str)
                and target not in catalogue.kpis
                and target not in unreadable
                and field not in kpi.origins
            ):
                yield unknown(kpi, (field,), target, "KPI")
    for goal in iter_kind(catalogue, "goal"):
        parent = goal.fields.get("parent")
        if isinstance(parent, str) and parent not in catalogue.goals and parent not in unreadable:
            yield unknown(goal, ("parent",), parent, "goal")
    for person in iter_kind(catalogue, "person"):
        team = person.fields.get("team")
        if isinstance(team, str) and team not in catalogue.teams and team not in unreadable:
            yield unknown(person, ("team",), team, "team")
    for team in iter_kind(catalogue, "team"):
        lead = team.fields.get("lead")
        if isinstance(lead, str) and lead not in catalogue.persons and lead not in unreadable:
            yield unknown(team, ("lead",), lead, "person")


def _cycles(edges: Mapping[str, list[str]]) -> Iterator[list[str]]:
    """Each elementary cycle reachable in the graph, found once (iterative DFS, linear)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(edges, WHITE)
    for start in sorted(edges):
        if colour[start] != WHITE:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(edges[start]))]
        on_path = [start]
        colour[start] = GREY
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                on_path.pop()
                colour[node] = BLACK
            elif child not in colour:
                continue
            elif colour[child] == GREY:
                yield on_path[on_path.index(child) :]
            elif colour[child] == WHITE:
                colour[child] = GREY
                on_path.append(child)
                stack.append((child, iter(edges[child])))


def reference_cycle(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    """Goal parents that loop, KPI parents (breakdowns) that loop, and KPIs whose inputs lead
    back to themselves."""
    for variant, table in (("goal", catalogue.goals), ("parent", catalogue.kpis)):
        parents = {
            key: [document.fields["parent"]]
            for key, document in table.items()
            if isinstance(document.fields.get("parent"), str)
        }
        for cycle in _cycles(parents):
            first = min(cycle)
            loop = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
            yield on_document(
                table[first],
                ("parent",),
                variant=variant,
                args={"cycle": " → ".join(loop)},
                related=tuple(sorted(cycle)),
            )
    # Only composite KPIs (with KPI inputs) can be on a loop, and they are few.
    inputs = {
        kpi_id: [k for _, k in found] for kpi_id, found in _composite_inputs(catalogue).items()
    }
    for cycle in _cycles(inputs):
        first = min(cycle)
        loop = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
        kpi = catalogue.kpis[first]
        following = loop[1]
        index = next((i for i, k in _input_kpis(kpi) if k == following), None)
        path = ("formula", "inputs", index, "kpi") if index is not None else ("formula",)
        yield on_document(
            kpi, path, variant="kpi", args={"cycle": " → ".join(loop)}, related=tuple(sorted(cycle))
        )
