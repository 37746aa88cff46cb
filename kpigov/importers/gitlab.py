"""GitLab-handbook performance-indicator files (``data/performance_indicators/*.yml``): a list of
indicators with ``name``, ``definition``, ``target``, ``org``, ``is_key``, ``public``, ``dri``,
``health`` {level, reasons}, ``urls``, ``parent`` (the URL of the indicator this one breaks down)
and ``sisense_data``.

Mapping: definition → description (as written, HTML included: S103 reports it); target → note
(S145 reads it); org → the area and a team that owns the indicator when there is no ``dri``;
is_key → tier kpi, else pi; public: false → visibility internal, else public; health level 3/2/1
→ assessment on-track/at-risk/off-track, 0 and -1 (confidential) → unknown, with the reasons as
its note; absolute urls → links; parent → the breakdown's parent when it names an imported
indicator (by its anchor), with the org as ``breakdown``. What has no field (base_path, relative
urls, sisense_data, a parent outside the import) is kept as a comment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kpigov.importers import ImportBatch, Imported, ImportProblem, load_yaml_source
from kpigov.importers.values import IdMaker, slug

_HEALTH = {3: "on-track", 2: "at-risk", 1: "off-track", 0: "unknown", -1: "unknown"}


def _anchor(name: str) -> str:
    """The anchor a handbook page gives the heading ``name`` (lower case, dashes)."""
    return slug(name)


def read_gitlab(path: Path, name: str, ids: IdMaker) -> ImportBatch:
    batch = ImportBatch(language="en")
    documents = load_yaml_source(path, name, batch)
    if batch.problems:
        return batch
    document = documents[0] if documents else None
    items = document.data if document is not None else None
    if not isinstance(items, list):
        batch.problems.append(
            ImportProblem(f"{name}:1", "not a list of performance indicators (- name: …)")
        )
        return batch
    area_default = slug(Path(name).stem)
    for index, item in enumerate(items):
        line = document.position((index,)).line if document is not None else 1
        where = f"{name}:{line}"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or not item["name"].strip()
        ):
            batch.problems.append(
                ImportProblem(where, "the indicator has no name; it was not imported")
            )
            continue
        batch.kpis.append(_indicator(item, where, area_default, ids, batch))
    return batch


def _indicator(
    item: dict[str, Any], where: str, area_default: str, ids: IdMaker, batch: ImportBatch
) -> Imported:
    name = " ".join(item["name"].split())
    org = item.get("org") if isinstance(item.get("org"), str) else None
    area = slug(org) if org else area_default
    kpi: dict[str, Any] = {
        "kind": "kpi",
        "id": ids.make(area, slug(name) or "indicator"),
        "name": name,
    }
    comments: list[str] = []
    if isinstance(item.get("definition"), str):
        kpi["description"] = " ".join(item["definition"].split())
    kpi["tier"] = "kpi" if item.get("is_key") in (True, "yes", "true") else "pi"
    dri = item.get("dri")
    if isinstance(dri, str) and dri.strip():
        person = slug(dri)
        kpi["owner"] = person
        batch.persons.setdefault(person, {"kind": "person", "id": person, "name": dri.strip()})
    elif org:
        kpi["owner"] = area
        batch.teams.setdefault(area, {"kind": "team", "id": area, "name": org})
    target = item.get("target")
    if target is not None and str(target).strip():
        kpi["target"] = {"note": str(target).strip()}
    health = item.get("health")
    if isinstance(health, dict) and health.get("level") in _HEALTH:
        assessment: dict[str, Any] = {"level": _HEALTH[health["level"]]}
        reasons = health.get("reasons")
        if isinstance(reasons, list) and reasons:
            assessment["note"] = "\n".join(f"- {' '.join(str(r).split())}" for r in reasons)
        kpi["assessment"] = assessment
    public = item.get("public")
    kpi["visibility"] = "internal" if public in (False, "no", "false") else "public"
    links = []
    for url in item.get("urls") or []:
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            links.append({"title": url.split("//", 1)[1].split("/", 1)[0], "url": url})
        elif isinstance(url, str):
            comments.append(f"url (relative to the handbook): {url}")
    if links:
        kpi["links"] = links
    parent = item.get("parent")
    if isinstance(parent, str) and "#" in parent:
        kpi["_parent_anchor"] = parent.rsplit("#", 1)[1]
        kpi["_parent_url"] = parent
        if org:
            kpi["breakdown"] = org
    elif isinstance(parent, str):
        comments.append(f"parent: {parent}")
    if isinstance(item.get("base_path"), str):
        comments.append(f"base_path: {item['base_path']}")
    for key, value in item.items():
        if key in (
            "name",
            "definition",
            "target",
            "org",
            "is_key",
            "public",
            "dri",
            "health",
            "urls",
            "parent",
            "base_path",
        ):
            continue
        comments.append(f"{key}: {_flat(value)}")
    kpi["source_ref"] = where
    return Imported(kpi, area, comments)


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_flat(v) for v in value)
    return " ".join(str(value).split())


def link_parents(batch: ImportBatch) -> None:
    """Point each breakdown at the imported indicator its parent URL's anchor names; a parent
    outside the import is kept as a comment."""
    by_anchor: dict[str, str] = {}
    for imported in batch.kpis:
        by_anchor.setdefault(_anchor(imported.fields["name"]), imported.fields["id"])
    for imported in batch.kpis:
        anchor = imported.fields.pop("_parent_anchor", None)
        url = imported.fields.pop("_parent_url", None)
        if anchor is None:
            continue
        parent = by_anchor.get(anchor)
        if parent is not None and parent != imported.fields["id"]:
            imported.fields["parent"] = parent
        else:
            imported.fields.pop("breakdown", None)
            imported.comments.append(f"parent (not among the imported indicators): {url}")
