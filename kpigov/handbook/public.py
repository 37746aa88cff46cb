"""`build --public`: what may be published, deny by default (SPEC §5, §8.1).

A KPI is published when it says ``visibility: public``. A goal is published when a published KPI
links to it, directly or as an ancestor of a linked goal; a person when they own a published KPI;
a team when it owns one or a published person belongs to it. Everything else — its pages, its
findings, its place in the search index, filters and counts — is left out, and no e-mail address
is published.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kpigov.catalogue import Catalogue
from kpigov.config import CONFIG_FILE
from kpigov.effective import own_fields
from kpigov.findings import Finding


def keep_public_kpis(catalogue: Catalogue) -> None:
    """Leave only public KPIs (and their history) in the catalogue; the rules then run on them."""
    private = {
        kpi_id for kpi_id, kpi in catalogue.kpis.items() if kpi.fields.get("visibility") != "public"
    }
    for kpi_id in private:
        del catalogue.kpis[kpi_id]
        catalogue.history.pop(kpi_id, None)
    catalogue.documents = [
        d for d in catalogue.documents if not (d.kind == "kpi" and d.id in private)
    ]
    catalogue.ordered["kpi"] = [d for d in catalogue.ordered.get("kpi", []) if d.id not in private]
    catalogue.history = {k: h for k, h in catalogue.history.items() if k in catalogue.kpis}
    catalogue.problems = {
        rule: [
            v
            for v in violations
            if not (
                v.document is not None and v.document.kind == "kpi" and v.document.id in private
            )
        ]
        for rule, violations in catalogue.problems.items()
    }
    catalogue.duplicates = [(d, f) for d, f in catalogue.duplicates if d.kind != "kpi"]
    catalogue._memo.clear()


@dataclass
class Published:
    """The documents and files a public handbook shows."""

    objects: set[tuple[str, str]] = field(default_factory=set)  # (kind, id)
    files: set[str] = field(default_factory=set)
    hidden_words: set[str] = field(default_factory=set)

    def allows(self, finding: Finding) -> bool:
        if finding.file not in self.files:
            return False  # an internal or unreadable file: not even its path is shown
        if finding.object is not None and (finding.kind or "", finding.object) not in self.objects:
            return False
        return not any(word in finding.message for word in self.hidden_words)


def _goal_and_ancestors(catalogue: Catalogue, goal_ids: Iterable[object]) -> set[str]:
    linked: set[str] = set()
    pending = [g for g in goal_ids if isinstance(g, str)]
    while pending:
        goal_id = pending.pop()
        goal = catalogue.goals.get(goal_id)
        if goal is None or goal_id in linked:
            continue
        linked.add(goal_id)
        pending.append(goal.fields.get("parent"))
    return linked


def keep_linked_documents(catalogue: Catalogue, hidden_words: set[str]) -> Published:
    """Drop goals, persons and teams no published KPI links to; what remains is ``Published``."""
    kpis = list(catalogue.kpis.values())
    goals = _goal_and_ancestors(
        catalogue,
        (goal for kpi in kpis for goal in (kpi.fields.get("goals") or ()) if isinstance(goal, str)),
    )
    owners = {kpi.fields.get("owner") for kpi in kpis}
    persons = {p for p in catalogue.persons if p in owners}
    teams = {t for t in catalogue.teams if t in owners} | {
        team
        for person in persons
        if isinstance(team := catalogue.persons[person].fields.get("team"), str)
        and team in catalogue.teams
    }
    keep = {"kpi": set(catalogue.kpis), "goal": goals, "person": persons, "team": teams}
    catalogue.goals = {k: v for k, v in catalogue.goals.items() if k in goals}
    catalogue.persons = {k: v for k, v in catalogue.persons.items() if k in persons}
    catalogue.teams = {k: v for k, v in catalogue.teams.items() if k in teams}
    catalogue.documents = [
        d for d in catalogue.documents if d.kind not in keep or d.id in keep[d.kind]
    ]
    for kind, ids in keep.items():
        catalogue.ordered[kind] = [d for d in catalogue.ordered.get(kind, []) if d.id in ids]
    catalogue._memo.clear()
    for person in catalogue.persons.values():  # no e-mail address is published
        own_fields(person).pop("email", None)
    published = Published(hidden_words=hidden_words)
    published.objects = {(kind, i) for kind, ids in keep.items() for i in ids}
    published.files = {d.file for d in catalogue.documents} | {CONFIG_FILE}
    published.files |= {f"{catalogue.config.history}/{kpi_id}.csv" for kpi_id in catalogue.kpis}
    return published
