"""G rules: definitions evolve under control. G705 needs no git; the others compare the catalogue
with a base revision (``--since REV``), read by :mod:`kpigov.gitdiff`. Renamed files keep a KPI's
identity: KPIs are matched by id.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kpigov.catalogue import Catalogue, iter_kind
from kpigov.checks.common import Options, is_invalid, missing, status
from kpigov.findings import Span, Violation, on_document
from kpigov.loader import Document

# Changing any of these changes what the KPI measures (SPEC §3 G702).
DEFINING_FIELDS = ("formula", "unit", "scale", "direction")


def deprecated_without_replacement(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in iter_kind(catalogue, "kpi"):
        if (
            status(kpi) == "deprecated"
            and not is_invalid(kpi, "status")
            and missing(kpi, "replaced_by")
        ):
            yield on_document(kpi, ("status",), fingerprint_path="replaced_by")


def _base_status(document: Document) -> str:
    found = document.data.get("status") if isinstance(document.data, dict) else None
    return found if isinstance(found, str) and found else "active"


def _version(data: Any) -> int:
    found = data.get("version") if isinstance(data, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else 1


def _new_changelog_entries(base: Any, current: Any) -> list[Any]:
    before = base.get("changelog") if isinstance(base, dict) else None
    after = current.get("changelog") if isinstance(current, dict) else None
    before = before if isinstance(before, list) else []
    return [entry for entry in (after if isinstance(after, list) else []) if entry not in before]


def _pairs(catalogue: Catalogue) -> Iterator[tuple[Document, Document]]:
    """(base, current) for every KPI that exists at both sides and whose file changed."""
    base = catalogue.base
    if base is None:
        return
    for kpi_id, before in sorted(base.kpis.items()):
        current = catalogue.kpis.get(kpi_id)
        if current is not None:
            yield before, current


def removed_without_deprecation(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    base = catalogue.base
    if base is None:
        return
    for kpi_id, before in sorted(base.kpis.items()):
        if _base_status(before) != "active":
            continue
        current = catalogue.kpis.get(kpi_id)
        if current is None and kpi_id in catalogue.unreadable_ids:
            continue  # its file does not parse (K001): unknown, not removed
        if current is None:
            yield Violation(
                file=base.kpi_files[kpi_id],
                span=Span(1, 1, 1, 1),
                variant="removed",
                args={"id": kpi_id, "revision": base.revision},
                fingerprint_path=f"kpi[{kpi_id}]",
            )
        elif status(current) == "retired":
            yield on_document(
                current,
                ("status",),
                variant="retired",
                args={"id": kpi_id, "revision": base.revision},
            )


def unversioned_change(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for before, current in _pairs(catalogue):
        changed = [
            name for name in DEFINING_FIELDS if before.data.get(name) != current.data.get(name)
        ]
        if changed and _version(current.data) <= _version(before.data):
            path = (
                (changed[0],)
                if changed[0] in current.data
                else ("version",)
                if "version" in current.data
                else ()
            )
            yield on_document(
                current,
                path,
                args={
                    "fields": ", ".join(changed),
                    "version": _version(current.data),
                    "revision": catalogue.base.revision,
                },  # type: ignore[union-attr]
                fingerprint_path="version",
            )


def version_without_changelog(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for before, current in _pairs(catalogue):
        version = _version(current.data)
        if version > _version(before.data) and not _new_changelog_entries(
            before.data, current.data
        ):
            yield on_document(
                current, ("version",), args={"version": version}, fingerprint_path="changelog"
            )


def target_change_without_note(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for before, current in _pairs(catalogue):
        if before.data.get("target") != current.data.get("target") and not _new_changelog_entries(
            before.data, current.data
        ):
            path = ("target",) if "target" in current.data else ()
            yield on_document(current, path, fingerprint_path="target")


def history_rewritten(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    base = catalogue.base
    if base is None:
        return
    for kpi_id, before in sorted(base.history.items()):
        if before.problems and not before.rows:
            continue
        current = catalogue.history.get(kpi_id)
        rows = {row.date: row for row in current.rows} if current is not None else {}
        kpi = catalogue.kpis.get(kpi_id)
        for row in before.rows:
            now = rows.get(row.date)
            if now is not None and now.value == row.value and now.note == row.note:
                continue
            if now is None or current is None:
                variant, file, span = (
                    "deleted",
                    current.file if current else before.file,
                    Span(1, 1, 1, 1),
                )
            else:
                variant, file, span = "changed", current.file, Span(now.line, 1, now.line, 2)
            yield Violation(
                file=file,
                document=kpi,
                span=span,
                variant=variant,
                args={
                    "date": row.date,
                    "old": f"{row.value:g}",
                    "new": f"{now.value:g}" if now is not None else "",
                    "revision": base.revision,
                },
                fingerprint_path=f"history[{row.date}]",
            )
