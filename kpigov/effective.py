"""What each document means once the catalogue's configuration and its parents are applied.

- ``units`` in kpigov.yaml: a unit word listed there is valid (the schema knows only the
  built-in ones), so its K002 is dropped.
- ``handle_pattern``: person and team handles are checked against it instead of the schema's
  default pattern (GitHub and GitLab handles).
- ``defaults``: a KPI in a matching file gets each field it does not set (later entries win).
- ``parent``: a breakdown KPI takes every definition field it does not set from its parent
  (recursively; a loop is K006's and stops the walk).

Precedence for a KPI field: its own value, then its parent's (own, inherited or default), then
the defaults of its own file. Each taken value is recorded in ``Document.origins``, for
``explain`` and the handbook. Nothing here changes a document's data: only ``fields`` (what the
rules read), ``invalid`` (with the schema's own kept in ``schema_invalid`` for the cache) and
the K002 findings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kpigov.findings import Violation, format_yaml_path
from kpigov.globs import matches
from kpigov.packing import whole_fields

if TYPE_CHECKING:
    from kpigov.catalogue import Catalogue
    from kpigov.config import Config
    from kpigov.loader import Document

# The definition fields a breakdown takes from its parent (SPEC §8.4).
INHERITED = (
    "description",
    "unit",
    "scale",
    "direction",
    "formula",
    "frequency",
    "review",
    "indicator",
    "horizon",
    "perspective",
)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _handle_ok(config: Config, value: Any) -> bool | None:
    """Whether a handle matches the configured pattern; None without one (the schema decides)."""
    if config.handle_pattern is None or not isinstance(value, str):
        return None
    from kpigov.custom import linear_regex

    compiled = linear_regex(config.handle_pattern)
    return compiled is not None and compiled.fullmatch(value) is not None


def accepted_by_config(config: Config, violation: Violation) -> bool:
    """A schema error that the catalogue's configuration makes valid (a listed unit, a handle
    its pattern allows)."""
    document = violation.document
    if document is None or len(violation.path) != 1:
        return False
    field = violation.path[0]
    value = document.get(field)
    if field == "unit" and document.kind == "kpi":
        return isinstance(value, str) and value in config.units
    if field == "handle" and document.kind in ("person", "team"):
        return bool(_handle_ok(config, value))
    return False


def configured_schema_errors(
    config: Config, schema_errors: Iterable[Violation], documents: Iterable[Document]
) -> Iterator[Violation]:
    """The K002 findings of a file under this configuration: the schema's, less the ones the
    configuration accepts, plus handles that break the configured pattern."""
    if not config.units and config.handle_pattern is None:
        yield from schema_errors
        return
    for violation in schema_errors:
        if accepted_by_config(config, violation):
            _set_invalid(violation.document, violation.path[0], False)  # type: ignore[arg-type]
        else:
            yield violation
    if config.handle_pattern is None:
        return
    for document in documents:
        if document.kind not in ("person", "team") or "handle" in document.invalid:
            continue
        value = document.get("handle")
        if _present(value) and _handle_ok(config, value) is False:
            _set_invalid(document, "handle", True)
            yield Violation(
                file=document.file,
                document=document,
                path=("handle",),
                args={
                    "message": f"handle: {value!r} does not match handle_pattern "
                    f"{config.handle_pattern!r} of kpigov.yaml; fix the handle or the pattern",
                    "message_nl": f"handle: {value!r} past niet bij handle_pattern "
                    f"{config.handle_pattern!r} van kpigov.yaml; verbeter de handle of het patroon",
                },
                fingerprint_path=format_yaml_path(("handle",)),
            )


def _set_invalid(document: Document, field: str, invalid: bool) -> None:
    if document.schema_invalid is None:
        document.schema_invalid = document.invalid
    document.invalid = document.invalid | {field} if invalid else document.invalid - {field}


def own_fields(document: Document) -> dict[str, Any]:
    """The document's fields, to write to: a copy when they are still its data itself (the
    catalogue shares the data when no field is left out)."""
    if document.fields is document.data:
        document.fields = dict(document.data)
    return document.fields


def apply_defaults_and_parents(catalogue: Catalogue) -> None:
    """Fill each KPI's ``fields`` from its parent and from the catalogue's ``defaults``."""
    config = catalogue.config
    kpis = catalogue.kpis
    if not config.defaults and not any("parent" in kpi.fields for kpi in kpis.values()):
        return
    done: set[str] = set()
    # A packed parent's whole fields, unpacked once however many children it has.
    unpacked: dict[str, dict[str, Any]] = {}

    def fields_of(parent: Document) -> dict[str, Any]:
        if parent.packed is None:
            return parent.fields
        found = unpacked.get(parent.id or "")
        if found is None:
            found = unpacked[parent.id or ""] = whole_fields(parent)
        return found

    def inherit(kpi: Document) -> None:
        parent_id = kpi.fields.get("parent")
        parent = kpis.get(parent_id) if isinstance(parent_id, str) else None
        if parent is not None and parent is not kpi and (parent.id or "") in done:
            parent_fields = fields_of(parent)
            for field in INHERITED:
                if field in kpi.fields or field in kpi.invalid or field not in parent_fields:
                    continue
                own_fields(kpi)[field] = parent_fields[field]
                kpi.origins[field] = f"parent {parent_id}"
        for index, (pattern, values) in reversed(list(enumerate(config.defaults))):
            if not matches(kpi.file, (pattern,)):
                continue
            for field, value in values.items():
                if field in kpi.fields or field in kpi.invalid or not _present(value):
                    continue
                own_fields(kpi)[field] = value
                kpi.origins[field] = f"defaults[{index}] ({pattern})"
        done.add(kpi.id or "")

    for kpi in kpis.values():
        # The chain of parents up to one already done (or none, or a loop), then down again:
        # no recursion, however long the chain.
        chain: list[Document] = []
        seen: set[str] = set()
        current: Document | None = kpi
        while current is not None and (current.id or "") not in done and current.id not in seen:
            chain.append(current)
            seen.add(current.id or "")
            parent_id = current.fields.get("parent")
            current = kpis.get(parent_id) if isinstance(parent_id, str) else None
        for member in reversed(chain):
            inherit(member)
