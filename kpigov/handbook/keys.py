"""What each handbook page is made of, known without making the page's view.

An incremental build (kpigov/handbook/pages.py) takes a page from the last build when its key is
unchanged. Making every view to compare it cost more than rendering the few pages an edit changes
(a KPI page's view draws its chart and formats every value: 10,000 of them took seconds), so a
page's key is built from the *sources* its view reads instead:

- a document by the digest of its file and its place there, when all its fields are its own
  (file bytes, configuration and kpigov's code decide them); by its fields otherwise (those it
  takes from a parent KPI or from ``defaults``), and goals, persons and teams always by their
  fields (they share a file, so that editing one goal does not render every goal's page again);
- a history by the digest of its file;
- each reference by what the page shows of it (:meth:`Site.kpi_ref` and the like: a name, a
  link, or "not published"), taken as the id it names and that object's name (None when the
  catalogue has no such object): the rest of what a reference shows follows from those, the
  page's own path and the shared key, and a name is looked up where a reference's dict took
  two f-strings to make;
- the findings on the page's object, every field the page reads;
- the KPI cards a goal, owner or overview page shows by each card's key;
- the commits the changes page lists, and the name of each KPI they touched.

Everything all pages share (kpigov's code and templates, the configuration, the rules, labels,
language, date, public or not) is the *shared* key (pages.shared_digest), part of every page's.
A page key that misses a source would leave a page stale: tests/test_handbook_incremental.py
edits every kind of source and compares the site with a clean build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kpigov.checks.common import active_kpis_by_goal
from kpigov.handbook.pages import data_digest
from kpigov.handbook.site import shown_name

if TYPE_CHECKING:
    from kpigov.findings import Finding
    from kpigov.handbook.gitlog import Commit
    from kpigov.handbook.site import Site
    from kpigov.loader import Document


def _finding_parts(findings: Iterable[Finding]) -> list[tuple[Any, ...]]:
    return [
        (f.rule, f.name, f.severity, f.message, f.file, f.line, f.column, f.kind, f.object, f.smart)
        for f in findings
    ]


class PageKeys:
    """Page keys of one build's site; ``digests`` maps a root-relative file to its content
    digest (a file missing there is taken by the fields of its documents)."""

    def __init__(self, site: Site, digests: Mapping[str, str]) -> None:
        self.site = site
        self.digests = digests
        self._cards: dict[str, str] = {}
        catalogue = site.catalogue
        # The name each reference shows, by the id it names (Site.kpi_ref and the like).
        self._kpi_names = _names(catalogue.kpis)
        self._goal_names = _names(catalogue.goals)
        # Catalogue.owner: a person before a team of the same id.
        self._owner_names = {**_names(catalogue.teams), **_names(catalogue.persons)}

    # -- references: what Site.kpi_ref and the like show, known by the id and its name --------
    def kpi_ref(self, kpi_id: Any) -> tuple[Any, str | None]:
        return _reference(self._kpi_names, kpi_id)

    def goal_ref(self, goal_id: Any) -> tuple[Any, str | None]:
        return _reference(self._goal_names, goal_id)

    def owner_ref(self, owner_id: Any) -> tuple[Any, str | None]:
        return _reference(self._owner_names, owner_id)

    # -- sources ------------------------------------------------------------------------------
    def document(self, document: Document) -> Any:
        digest = self.digests.get(document.file)
        if document.kind == "kpi" and digest is not None and not document.origins:
            return ("file", document.file, digest, document.root, document.id)
        return ("fields", document.file, document.kind, document.id, document.fields)

    def history(self, kpi: Document) -> Any:
        history = self.site.catalogue.history.get(kpi.id or "")
        if history is None:
            return None
        digest = self.digests.get(history.file)
        if digest is None:  # not read with the catalogue's files: by its rows
            return (history.file, list(history.dates), list(history.values), history.notes)
        return (history.file, digest)

    def findings(self, document: Document) -> list[tuple[Any, ...]]:
        return _finding_parts(self.site.by_object.get(document.id or "", []))

    # -- keys ---------------------------------------------------------------------------------
    def card(self, kpi: Document) -> str:
        """A KPI's card (Site.card): on goal, owner and overview pages."""
        key = self._cards.get(kpi.id or "")
        if key is None:
            fields = kpi.fields
            goals = fields.get("goals")
            key = self._cards[kpi.id or ""] = data_digest(
                (
                    self.document(kpi),
                    self.history(kpi),
                    self.owner_ref(fields.get("owner")),
                    self.goal_ref(goals[0]) if isinstance(goals, list) and goals else None,
                )
            )
        return key

    def cards(self, kpis: Iterable[Document]) -> str:
        """The keys of these KPIs' cards, in order, as one text: a card's key names its KPI (the
        document's id is among its sources), and one text pickles at the speed of a copy, where
        ten thousand pairs cost as much as the rest of the page keys."""
        card = self.card
        return "".join([card(kpi) for kpi in kpis])

    def kpi(self, kpi: Document) -> str:
        site, fields = self.site, kpi.fields
        formula = fields.get("formula") if isinstance(fields.get("formula"), dict) else {}
        inputs = [
            self.kpi_ref(item["kpi"])
            for item in formula.get("inputs") or []
            if isinstance(item, dict) and item.get("kpi")
        ]
        return data_digest(
            (
                self.card(kpi),
                sorted(kpi.origins.items()),
                inputs,
                self.kpi_ref(fields["parent"]) if "parent" in fields else None,
                self.kpi_ref(fields["replaced_by"]) if "replaced_by" in fields else None,
                [self.kpi_ref(child.id) for child in site.breakdowns.get(kpi.id or "", [])],
                [self.goal_ref(g) for g in fields.get("goals") or [] if isinstance(g, str)],
                self.findings(kpi),
                site.given.git.last_changed.get(kpi.file, ""),
            )
        )

    def goal(self, goal: Document, direct: list[Document], below: list[Document]) -> str:
        """A goal's page, which shows the cards of ``direct`` and ``below``."""
        site, fields = self.site, goal.fields
        return data_digest(
            (
                self.document(goal),
                self.owner_ref(fields.get("owner")),
                self.goal_ref(fields["parent"]) if "parent" in fields else None,
                [self.goal_ref(child.id) for child in site.children.get(goal.id or "", [])],
                self.cards(direct),
                self.cards(below),
                self.findings(goal),
            )
        )

    def owner(self, owner: Document, members: list[Document]) -> str:
        site, fields = self.site, owner.fields
        return data_digest(
            (
                self.document(owner),
                self.owner_ref(fields["team"]) if "team" in fields else None,
                self.owner_ref(fields["lead"]) if "lead" in fields else None,
                [self.owner_ref(member.id) for member in members],
                self.cards(site.kpis_by_owner.get(owner.id or "", [])),
                [self.cards(site.kpis_by_owner.get(member.id or "", [])) for member in members],
                [self.goal_ref(g.id) for g in site.goals_by_owner.get(owner.id or "", [])],
                self.findings(owner),
            )
        )

    def changes(self, listed: list[tuple[Commit, list[Document], int]], available: bool) -> str:
        """changes.html: each listed commit's date, subject and number of files, the name of
        each KPI it names (what :meth:`Site.kpi_ref` shows of it) and how many it touched."""
        return data_digest(
            (
                available,
                [
                    (
                        commit.date,
                        commit.subject,
                        len(commit.files),
                        [(kpi.id, str(kpi.fields.get("name", kpi.id))) for kpi in kpis],
                        touched,
                    )
                    for commit, kpis, touched in listed
                ],
            )
        )

    def search_index(self) -> str:
        """assets/search-index.js: each KPI's name, owner, text, tags, perspective and status,
        all among its card's sources."""
        return data_digest(self.cards(self.site.kpis))

    def overview(self, **rest: Any) -> str:
        """index.html: the cards (by key) in the goal tree and in KPI order, and ``rest`` (the
        values of the overview not drawn from cards)."""
        site = self.site
        by_goal = active_kpis_by_goal(site.catalogue)
        tree = site.goal_tree_of(
            lambda goal: self.cards(sorted(by_goal.get(goal.id or "", []), key=_by_id))
        )
        return data_digest((tree, self.cards(site.kpis), sorted(rest.items())))


def _by_id(document: Document) -> str:
    return document.id or ""


def _names(documents: Mapping[str, Document]) -> dict[str, str]:
    """Each document's id -> the name a reference to it shows."""
    return {key: shown_name(document) for key, document in documents.items()}


def _reference(names: Mapping[str, str], object_id: Any) -> tuple[Any, str | None]:
    """A reference's part of a key: the id as written (a missing or empty one is shown as such)
    and the name of the object it names, None when there is none."""
    return object_id, names.get(object_id) if isinstance(object_id, str) else None
