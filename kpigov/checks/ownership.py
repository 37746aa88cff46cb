"""O rules: one named, active person is accountable for each KPI."""

from __future__ import annotations

from collections.abc import Iterator

from kpigov.catalogue import Catalogue, iter_kind
from kpigov.checks.common import (
    NOTHING,
    Found,
    Options,
    active_goals,
    active_kpis_by_owner,
    checked_kpis,
    ids,
    is_active_person,
    missing,
)
from kpigov.findings import Violation, on_document
from kpigov.loader import Document


def _owned(catalogue: Catalogue) -> Iterator[Document]:
    """Documents whose owner the O rules check: draft and active KPIs, and active goals."""
    yield from checked_kpis(catalogue)
    yield from active_goals(catalogue)


def no_owner(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI. An unknown owner counts as present (O302 reports it)."""
    return [on_document(kpi, fingerprint_path="owner")] if missing(kpi, "owner") else NOTHING


def unknown_owner(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for document in _owned(catalogue):
        owner = document.fields.get("owner")
        if (
            isinstance(owner, str)
            and catalogue.owner(owner) is None
            and owner not in catalogue.unreadable_ids  # its file does not parse (K001)
        ):
            yield on_document(document, ("owner",), args={"owner": owner, "kind": document.kind})


def inactive_owner(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for document in _owned(catalogue):
        owner = document.fields.get("owner")
        person = catalogue.persons.get(owner) if isinstance(owner, str) else None
        if person is not None and not is_active_person(person):
            yield on_document(
                document,
                ("owner",),
                args={"owner": owner, "name": person.fields.get("name") or owner},
            )


def team_owner(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI: owned by a team; the message suggests its lead when the lead is a person."""
    owner = kpi.fields.get("owner")
    team = catalogue.teams.get(owner) if isinstance(owner, str) else None
    if team is None:
        return NOTHING
    lead = team.fields.get("lead")
    known_lead = isinstance(lead, str) and lead in catalogue.persons
    variant = "with-lead" if known_lead else "default"
    return [
        on_document(
            kpi,
            ("owner",),
            variant=variant,
            args={"team": owner, "lead": lead if known_lead else ""},
        )
    ]


def owner_overloaded(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    limit = catalogue.config.limits["kpis_per_owner"]
    by_owner = active_kpis_by_owner(catalogue)
    for person in iter_kind(catalogue, "person"):
        kpis = by_owner.get(person.id or "", [])
        if is_active_person(person) and len(kpis) > limit:
            yield on_document(
                person,
                args={"person": person.id, "count": len(kpis), "limit": limit},
                related=ids(kpis),
            )


def team_without_lead(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for team in iter_kind(catalogue, "team"):
        if missing(team, "lead"):
            yield on_document(team, args={"team": team.id}, fingerprint_path="lead")
