"""Render the handbook into a staging folder and swap it in (kpigov/handbook/publish.py).

A page whose key (kpigov/handbook/keys.py) is the one the last build into the same folder
recorded (kpigov/handbook/pages.py) is linked from that build instead of rendered. The KPI, goal
and owner pages are written here, or on every core when many must be rendered
(kpigov/handbook/processes.py); the overview pages meanwhile, by a process of their own on a large
catalogue, from the pieces of each KPI kept between builds (kpigov/handbook/overview.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kpigov.checks.common import active_kpis_by_goal, status
from kpigov.handbook import pages as page_reuse
from kpigov.handbook import processes
from kpigov.handbook import site as views
from kpigov.handbook.keys import PageKeys
from kpigov.handbook.overview import Pieces
from kpigov.handbook.publish import remove_marked, staging_folder, swap_in
from kpigov.handbook.templating import handbook_environment, handbook_templates
from kpigov.lifetime import keep
from kpigov.loader import Document

Page = tuple[str, page_reuse.Entry]  # a file of the site, and its manifest entry


def render_site(
    given: views.BuildInput,
    out: Path,
    progress: bool = False,
    manifest: Path | None = None,
    trusted: Callable[[], bool] = lambda: True,
) -> int:
    """Write the handbook to ``out`` (checked by the caller) atomically; the number of pages.
    With ``manifest``, a page whose sources did not change since the last build into ``out`` is
    taken from it rather than rendered; the pages are recorded there for the next build unless
    ``trusted()`` says, once they are written, that a file they were made of was written during
    the build (its digest, taken from its stat, would not name what the pages show)."""
    # The caller checked ``out`` (publish.check_out_folder); only marked folders are replaced.
    staging = staging_folder(out)
    try:
        writer = _SiteWriter(given, out, staging, manifest, trusted)
        written = writer.write_all(progress)
        swap_in(staging, out)
    except BaseException:
        remove_marked(staging)
        raise
    page_reuse.write_manifest(
        manifest if trusted() else None,
        out,
        written,
        detached=len(writer.jobs) >= processes.PARALLEL_FROM,
    )
    keep(writer, written)  # the view model, until a CLI run's fast exit (kpigov/lifetime.py)
    return len(writer.jobs) + 4  # and the overview, rules, findings and changes pages


class _SiteWriter:
    """One build's pages, written into ``staging``."""

    def __init__(
        self,
        given: views.BuildInput,
        out: Path,
        staging: Path,
        manifest: Path | None,
        trusted: Callable[[], bool] = lambda: True,
    ) -> None:
        self.given, self.staging, self.trusted = given, staging, trusted
        # Paths as text, joined with "/" (both are absolute folders, never "/" itself):
        # pathlib, and even os.path.join, cost as much as the links, fifteen thousand times.
        self.out_text, self.staging_text = str(out), str(staging)
        self.templates = handbook_templates()
        self.site = site = views.Site(given)
        self.keys = PageKeys(site, given.digests)
        if given.compiled is not None:
            given.compiled.wait()  # before any process is forked (they would share its pipe)
        self.env = handbook_environment(self.templates, site.labels, given.compiled)
        self.common = {
            "title": given.catalogue.config.name,
            "labels": site.labels,
            "language": given.language,
            "generated": given.generated,
            "public": given.public,
        }
        self.before = page_reuse.read_manifest(manifest, out)
        self.shared = page_reuse.shared_digest(
            self.templates,
            {
                **self.common,
                "config": repr(given.catalogue.config),
                "rules": [(rule.id, rule.name, rule.smart) for rule in given.rules],
            },
        )
        self.pieces_path = manifest.with_name(manifest.stem + "-pieces.json") if manifest else None
        self.jobs: list[processes.Job] = [
            *(("kpi", kpi) for kpi in site.kpis),
            *(("goal", goal) for goal in site.goals),
            *(("owner", owner) for owner in [*site.persons, *site.teams]),
        ]
        self.by_goal = active_kpis_by_goal(site.catalogue)

    def write_all(self, progress: bool) -> dict[str, page_reuse.Entry]:
        """Every page of the site; the manifest's entries."""
        for folder in ("kpis", "goals", "owners", "assets"):
            (self.staging / folder).mkdir(parents=True)
        written: dict[str, page_reuse.Entry] = {}
        large = len(self.jobs) >= processes.PARALLEL_FROM
        # Every card's key, before the overview's process is forked: both sides need them all
        # (the overview for its pieces, KPI, goal and owner pages for theirs), and made here
        # they are made once, not once on each side.
        for kpi in self.site.kpis:
            self.keys.card(kpi)
        with processes.beside(self.write_overview_pages, large) as overview:
            # The pages that can be taken from the last build are taken here first (a key and a
            # link each), so that workers start only when many pages must be rendered: forked
            # workers touching the whole view model cost more than the links.
            to_render = self.jobs
            if self.before:
                to_render = []
                for job in self.jobs:
                    page = self.taken(job)
                    if page is None:
                        to_render.append(job)
                    else:
                        written[page[0]] = page[1]
            written.update(processes.write_pages(to_render, self.write_job, progress))
            written.update(overview())
        return written

    # -- one file -----------------------------------------------------------------------------
    def write(self, relative: str, key: str, make: Callable[[], bytes]) -> Page:
        """Write the file ``relative`` of the site: taken from the last build when its key is
        the one recorded then, made by ``make`` otherwise."""
        inputs = page_reuse.page_digest(self.shared, relative, key)
        path = f"{self.staging_text}/{relative}"
        last = self.before.get(relative)
        if last is not None and last[0] == inputs:
            kept = page_reuse.reuse(f"{self.out_text}/{relative}", path, last)
            if kept is not None:
                return relative, kept
        data = make()
        with open(path, "wb") as page:
            page.write(data)
        return relative, [inputs, page_reuse.bytes_digest(data), ""]

    def render(self, relative: str, template: str, context: dict[str, Any]) -> bytes:
        html = self.env.get_template(template).render(
            **self.common, root="../" * relative.count("/"), page=relative, **context
        )
        return html.encode("utf-8")

    def write_page(
        self, relative: str, template: str, key: str, view: Callable[[], dict[str, Any]]
    ) -> Page:
        return self.write(relative, key, lambda: self.render(relative, template, view()))

    def write_viewed(self, relative: str, template: str, **context: Any) -> Page:
        """A page keyed by its whole view (one page, cheap to make)."""
        key = page_reuse.view_digest(template, context)
        return self.write_page(relative, template, key, lambda: context)

    # -- the pages of KPIs, goals and owners ----------------------------------------------------
    def page_of(self, job: processes.Job) -> tuple[str, str, str, Callable[[], Any]]:
        """A KPI's, goal's or owner's page: its path, template, key and view."""
        site, keys = self.site, self.keys
        kind, document = job
        if kind == "kpi":
            return (
                f"kpis/{document.id}.html",
                "kpi.html",
                keys.kpi(document),
                lambda: {"kpi": site.kpi_view(document)},
            )
        if kind == "goal":
            direct = sorted(self.by_goal.get(document.id or "", []), key=_by_id)
            below = views.descendant_kpis(site, document, direct)
            return (
                f"goals/{document.id}.html",
                "goal.html",
                keys.goal(document, direct, below),
                lambda: {"goal": views.goal_view(site, document, direct, below)},
            )
        members = site.members.get(document.id or "", []) if document.kind == "team" else []
        return (
            f"owners/{document.id}.html",
            "owner.html",
            keys.owner(document, members),
            lambda: {"owner": views.owner_view(site, document, members)},
        )

    def write_job(self, job: processes.Job) -> Page:
        return self.write_page(*self.page_of(job))

    def taken(self, job: processes.Job) -> Page | None:
        """The page of ``job`` taken from the last build, when it can be."""
        relative, _, key, _ = self.page_of(job)
        last = self.before.get(relative)
        if last is None or last[0] != page_reuse.page_digest(self.shared, relative, key):
            return None
        old = f"{self.out_text}/{relative}"
        kept = page_reuse.reuse(old, f"{self.staging_text}/{relative}", last)
        return None if kept is None else (relative, kept)

    # -- the overview ---------------------------------------------------------------------------
    def write_overview_pages(self) -> list[Page]:
        """The overview, search index, rules, findings and changes pages."""
        site, keys, given = self.site, self.keys, self.given
        for asset in sorted((self.templates / "assets").iterdir()):
            shutil.copyfile(asset, self.staging / "assets" / asset.name)
        # Each KPI's card, chip and search entry, from the last build when its card is
        # unchanged (kpigov/handbook/overview.py).
        macros = self.env.get_template("macros.html").module
        store = Pieces(self.pieces_path, self.shared)
        pieces = {
            kpi.id: store.get(keys.card(kpi), lambda kpi=kpi: site.overview_piece(kpi, macros))
            for kpi in site.kpis
        }
        ordered = [pieces[kpi.id] for kpi in site.kpis]
        search = self.write(
            "assets/search-index.js",
            keys.search_index(),
            lambda: site.search_index([piece[5] for piece in ordered]).encode(),
        )
        # Of the overview, what its cards do not decide (the key takes the cards by theirs).
        rest = {
            "health": site.health(),
            "unreadable": site.unreadable(),
            "owners": [
                site.owner_ref(o.id, "") | {"id": o.id}
                for o in [*site.persons, *site.teams]
                if site.kpis_by_owner.get(o.id or "")
            ],
            "perspectives": sorted(
                {c for c in (k.fields.get("perspective") for k in site.kpis) if isinstance(c, str)}
            ),
            "tiers": sorted({str(k.fields.get("tier", "kpi")) for k in site.kpis}),
            "statuses": sorted({status(k) for k in site.kpis}),
        }

        def overview_view() -> dict[str, Any]:
            # Each list of pieces joined here, into one Markup: the template writes it as it is,
            # instead of escaping (and so copying) ten thousand cards and chips one by one.
            def chips(goal: Document) -> Markup:
                kpis = sorted(self.by_goal.get(goal.id or "", []), key=_by_id)
                return Markup("".join([pieces[kpi.id][1] for kpi in kpis]))

            return {
                **rest,
                "goal_tree": site.goal_tree_of(chips),
                "cards": Markup("".join([piece[0] for piece in ordered])),
                "key_cards": Markup(
                    "".join([piece[0] for piece in ordered if piece[2] and piece[3] == "active"])
                ),
                "rag_counts": _rag_counts(ordered),
            }

        index = self.write_page("index.html", "index.html", keys.overview(**rest), overview_view)
        # Kept by their key: right even if this build fails. Only a large catalogue's by a
        # detached process: a test or a small build reads them back at once.
        if self.trusted():
            store.save(detached=len(site.kpis) >= processes.PARALLEL_FROM)
        rules = [views.rule_view(rule, given.language) for rule in given.rules]
        listed = views.changed_kpis(site)
        return [
            search,
            index,
            self.write_viewed("rules.html", "rules.html", rules=rules),
            self.write_viewed("findings.html", "findings.html", groups=site.finding_groups()),
            self.write_page(
                "changes.html",
                "changes.html",
                keys.changes(listed, given.git.available),
                lambda: {
                    "commits": views.changes_view(site, listed),
                    "available": given.git.available,
                },
            ),
        ]


def _by_id(document: Document) -> str:
    return document.id or ""


def _rag_counts(pieces: list[list[Any]]) -> dict[str, int]:
    """How many active KPIs are green, amber, red, invalid or without a status."""
    counts = dict.fromkeys(("green", "amber", "red", "invalid", "none"), 0)
    for piece in pieces:
        if piece[3] == "active":
            counts[piece[4] or "none"] += 1
    return counts
