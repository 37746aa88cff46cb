"""Turn imported KPIs into catalogue files and write them.

May create, and only when absent: ``DIR/kpigov.yaml`` (a new catalogue), ``DIR/kpis/<area>/<id>.yaml``
for each KPI, ``DIR/imported-goals.yaml``, ``DIR/imported-owners.yaml``. It never replaces a
file: when any path it would write exists, it writes nothing and names them all
(:class:`Conflicts`). Goals, persons and teams whose ids the catalogue at DIR already has are
not written again. Each file is written atomically, formatted as ``kpigov fmt`` would.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpigov.fmt import KPI_ORDER, NESTED_ORDERS, ORDERS, _yaml
from kpigov.importers import ImportBatch, Imported

CONFIG = """version: 1
name: {name}
language: {language}
"""


class Conflicts(Exception):
    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__(", ".join(paths))
        self.paths = list(paths)


@dataclass
class Planned:
    files: dict[str, str]  # root-relative path -> text
    kpis: int
    goals: int
    owners: int
    taken: list[str]  # KPI ids the catalogue already has (a conflict, like an existing file)


def _ordered(mapping: Mapping[str, Any], order: Sequence[str]) -> dict[str, Any]:
    rank = {key: position for position, key in enumerate(order)}
    keys = sorted(mapping, key=lambda key: (rank.get(key, len(order)), key))
    out: dict[str, Any] = {}
    for key in keys:
        value = mapping[key]
        nested = NESTED_ORDERS.get(key)
        if nested and isinstance(value, dict):
            value = _ordered(value, nested)
        elif nested and isinstance(value, list):
            value = [_ordered(v, nested) if isinstance(v, dict) else v for v in value]
        if key == "formula" and isinstance(value, dict) and isinstance(value.get("inputs"), list):
            value["inputs"] = [
                _ordered(v, NESTED_ORDERS["inputs"]) if isinstance(v, dict) else v
                for v in value["inputs"]
            ]
        out[key] = value
    return out


def _dump(documents: Sequence[Mapping[str, Any]], header: Sequence[str] = ()) -> str:
    yaml = _yaml()
    stream = io.StringIO()
    for line in header:
        stream.write(f"# {line}\n" if line else "#\n")
    for index, document in enumerate(documents):
        if index:
            stream.write("---\n")
        yaml.dump(document, stream)
    return stream.getvalue()


def _kpi_text(imported: Imported) -> str:
    header = [f"Imported by kpigov from {imported.fields.get('source_ref', '?')}."]
    if imported.comments:
        header.append("The source also says (kpigov has no field for it):")
        header += [f"  {' '.join(line.split())}" for line in imported.comments]
    return _dump([_ordered(imported.fields, KPI_ORDER)], header)


def plan(batch: ImportBatch, into: Path, catalogue_name: str, language: str) -> Planned:
    """The files to write (nothing is written)."""
    from kpigov.forked import map_forked

    existing = _existing_ids(into)
    files: dict[str, str] = {}
    if not (into / "kpigov.yaml").exists() and not (into / "pyproject.toml").exists():
        files["kpigov.yaml"] = CONFIG.format(name=catalogue_name, language=language)
    paths = [f"kpis/{imported.area}/{imported.fields['id']}.yaml" for imported in batch.kpis]
    # ruamel.yaml's round-trip dumper takes about 2 ms a file: spread 10,000 over the cores.
    texts = map_forked(_kpi_text, batch.kpis, min_share=400)
    files.update(zip(paths, texts, strict=True))
    goals = [g for gid, g in sorted(batch.goals.items()) if gid not in existing.get("goal", set())]
    owners = [
        owner
        for kind, table in (("person", batch.persons), ("team", batch.teams))
        for oid, owner in sorted(table.items())
        if oid not in existing.get("owner", set())
    ]
    if goals:
        files["imported-goals.yaml"] = _dump(
            [_ordered(g, ORDERS["goal"]) for g in goals],
            ["Goals named by the imported KPIs; add owners, deadlines and parents."],
        )
    if owners:
        files["imported-owners.yaml"] = _dump(
            [_ordered(o, ORDERS[o["kind"]]) for o in owners],
            ["Owners named by the imported KPIs; add e-mail addresses, teams and handles."],
        )
    taken = sorted(
        f"{path} (the catalogue already has KPI {imported.fields['id']})"
        for path, imported in zip(paths, batch.kpis, strict=True)
        if imported.fields["id"] in existing.get("kpi", set())
    )
    return Planned(files, len(batch.kpis), len(goals), len(owners), taken)


def _existing_ids(into: Path) -> dict[str, set[str]]:
    """Ids the catalogue at ``into`` already has, so that import adds and never repeats."""
    if not (into / "kpigov.yaml").is_file():
        return {}
    import datetime as dt

    from kpigov.catalogue import build_catalogue
    from kpigov.config import load_config

    try:
        catalogue = build_catalogue(load_config(into), dt.date.today())
    except Exception:  # a catalogue that cannot be read is the user's to fix; add regardless
        return {}
    return {
        "kpi": set(catalogue.kpis),
        "goal": set(catalogue.goals),
        "owner": set(catalogue.persons) | set(catalogue.teams),
    }


def write(planned: Planned, into: Path) -> None:
    """Write every planned file, or none when any of them exists."""
    from kpigov.atomic import write_atomic

    conflicts = sorted(path for path in planned.files if (into / path).exists())
    if conflicts or planned.taken:
        raise Conflicts([*conflicts, *planned.taken])
    for path, text in planned.files.items():
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        # Each file whole or absent (atomic rename); one sync at the end instead of one per file.
        write_atomic(target, text, durable=False)
    os.sync()
