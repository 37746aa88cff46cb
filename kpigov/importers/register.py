"""A KPI register (a spreadsheet, one KPI a row) into KPIs, goals and persons.

Headers are recognised in English and Dutch, case- and accent-insensitively; ``--map
COLUMN=FIELD`` names the rest. The header row need not be the first: the first row naming at
least a KPI name and one other field is taken (registers often open with a title). Values are
read as people write them: Dutch and English numbers, percentages, dates with the day first,
and the usual words for units, frequencies, directions, perspectives and statuses. What does not
read as a value kpigov knows is kept, as written, in a comment of the KPI's file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kpigov.importers import ImportBatch, Imported, ImportProblem
from kpigov.importers.values import (
    DIRECTIONS,
    FREQUENCIES,
    PERSPECTIVES,
    REVIEWS,
    STATUSES,
    UNITS,
    IdMaker,
    as_id,
    lookup,
    plain,
    read_date,
    read_number,
    slug,
)

# Register columns kpigov reads, by the words people head them with (compared in plain form).
HEADERS: Mapping[str, tuple[str, ...]] = {
    "name": (
        "name",
        "naam",
        "kpi",
        "kpi name",
        "kpi naam",
        "indicator",
        "naam indicator",
        "indicator name",
        "indicatornaam",
        "measure",
        "metric",
        "performance indicator",
        "prestatie indicator",
        "prestatieindicator",
        "kengetal",
    ),
    "description": (
        "description",
        "definition",
        "omschrijving",
        "definitie",
        "beschrijving",
        "toelichting",
    ),
    "owner": (
        "owner",
        "eigenaar",
        "dri",
        "kpi owner",
        "responsible",
        "accountable",
        "verantwoordelijke",
        "verantwoordelijk",
    ),
    "goal": (
        "goal",
        "doel",
        "doelstelling",
        "objective",
        "strategic goal",
        "strategisch doel",
        "beleidsdoel",
    ),
    "target": (
        "target",
        "norm",
        "streefwaarde",
        "streef waarde",
        "doelwaarde",
        "target value",
        "normwaarde",
    ),
    "deadline": ("deadline", "termijn", "target date", "due date", "einddatum", "datum gereed"),
    "unit": ("unit", "eenheid", "unit of measure", "meeteenheid"),
    "frequency": (
        "frequency",
        "frequentie",
        "meetfrequentie",
        "measurement frequency",
        "meetfrequency",
    ),
    "review": ("review", "bespreking", "review frequency", "besprekingsfrequentie"),
    "direction": ("direction", "richting", "polarity", "polariteit"),
    "source": ("source", "bron", "data source", "databron", "gegevensbron"),
    "formula": ("formula", "formule", "berekening", "calculation", "rekenregel"),
    "perspective": ("perspective", "perspectief", "bsc perspective", "bsc perspectief"),
    "status": ("status",),
    "baseline": ("baseline", "nulmeting", "uitgangswaarde", "startwaarde"),
    "area": (
        "area",
        "afdeling",
        "domein",
        "domain",
        "department",
        "team",
        "programma",
        "programme",
        "program",
        "category",
        "categorie",
    ),
}
_DUTCH = {
    "naam",
    "omschrijving",
    "eigenaar",
    "doel",
    "doelstelling",
    "streefwaarde",
    "norm",
    "eenheid",
    "frequentie",
    "meetfrequentie",
    "bron",
    "berekening",
    "perspectief",
    "afdeling",
    "definitie",
    "termijn",
    "richting",
    "naam indicator",
    "nulmeting",
}
_BY_WORD = {plain(word): field for field, words in HEADERS.items() for word in words}
FIELDS = tuple(HEADERS)


def recognise(header: str, mapping: Mapping[str, str]) -> str | None:
    """The register field a column heading names (``--map`` first), or None."""
    text = plain(header)
    for column, field in mapping.items():
        if plain(column) == text:
            return field
    return _BY_WORD.get(text)


def header_language(headers: Iterable[str]) -> str | None:
    words = {plain(h) for h in headers}
    return "nl" if words & _DUTCH else None


@dataclass(frozen=True)
class Row:
    where: str  # the row's location for source_ref and problems: "file:5" or "file Sheet!5"
    cells: tuple[Any, ...]


def find_header(rows: Sequence[Row], mapping: Mapping[str, str]) -> int | None:
    """Index of the first row that names a KPI name and one more field."""
    for index, row in enumerate(rows[:50]):
        fields = [recognise(str(c), mapping) for c in row.cells if isinstance(c, str) and c.strip()]
        if "name" in fields and len([f for f in fields if f]) >= 2:
            return index
    return None


def read_register(
    rows: Sequence[Row],
    source: str,
    mapping: Mapping[str, str],
    language: str | None,
    ids: IdMaker,
) -> ImportBatch:
    """KPIs, goals and persons of a register; every row it cannot read is a problem."""
    batch = ImportBatch()
    header_at = find_header(rows, mapping)
    if header_at is None:
        batch.problems.append(
            ImportProblem(
                source,
                "no header row found in the first 50 rows (one naming the KPI and another field, "
                "such as name/naam and target/streefwaarde); name the columns with --map "
                "COLUMN=FIELD",
            )
        )
        return batch
    header = rows[header_at]
    columns: list[tuple[int, str, str | None]] = []
    for position, cell in enumerate(header.cells):
        heading = str(cell).strip() if cell is not None else ""
        if heading:
            columns.append((position, heading, recognise(heading, mapping)))
    batch.language = language or header_language(h for _, h, _ in columns) or "en"
    area_default = slug(source.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "register"
    for row in rows[header_at + 1 :]:
        values = {
            position: cell
            for position, cell in enumerate(row.cells)
            if cell is not None and not (isinstance(cell, str) and not cell.strip())
        }
        if not values:
            continue  # a blank line separates groups in many registers; it holds nothing
        _read_row(row, columns, values, batch, ids, area_default)
    return batch


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_row(
    row: Row,
    columns: list[tuple[int, str, str | None]],
    values: dict[int, Any],
    batch: ImportBatch,
    ids: IdMaker,
    area_default: str,
) -> None:
    named = {field: values[pos] for pos, _, field in columns if field and pos in values}
    name = named.get("name")
    if name is None or not _text(name):
        batch.problems.append(
            ImportProblem(row.where, "the row has no KPI name; it was not imported")
        )
        return
    language = batch.language or "en"
    name_text = " ".join(_text(name).split())
    area = slug(_text(named["area"])) if "area" in named else area_default
    area = area or area_default
    name_slug = slug(name_text)
    if not name_slug:
        batch.problems.append(
            ImportProblem(
                row.where, f"the name {name_text!r} gives no id; it was imported as row-N"
            )
        )
        name_slug = "row-" + row.where.rsplit(":", 1)[-1].rsplit("!", 1)[-1]
    kpi: dict[str, Any] = {"kind": "kpi", "id": ids.make(area, name_slug), "name": name_text}
    comments: list[str] = []

    def keep(label: str, value: Any) -> None:
        comments.append(f"{label} (as written in the register): {_text(value)}")

    if "description" in named:
        kpi["description"] = _text(named["description"])
    if "owner" in named:
        owner_text = _text(named["owner"])
        owner_id = as_id(owner_text.split("@")[0] if "@" in owner_text else owner_text)
        if owner_id:
            kpi["owner"] = owner_id
            person: dict[str, Any] = {"kind": "person", "id": owner_id, "name": owner_text}
            if "@" in owner_text and " " not in owner_text:
                person = {
                    "kind": "person",
                    "id": owner_id,
                    "name": owner_text.split("@")[0],
                    "email": owner_text,
                }
            batch.persons.setdefault(owner_id, person)
        else:
            keep("owner", owner_text)
    if "goal" in named:
        goal_text = " ".join(_text(named["goal"]).split())
        goal_id = as_id(goal_text)
        if goal_id:
            kpi["goals"] = [goal_id]
            batch.goals.setdefault(goal_id, {"kind": "goal", "id": goal_id, "name": goal_text})
        else:
            keep("goal", goal_text)
    for field, table in (
        ("perspective", PERSPECTIVES),
        ("direction", DIRECTIONS),
        ("frequency", FREQUENCIES),
        ("review", REVIEWS),
        ("status", STATUSES),
    ):
        if field in named:
            found = lookup(table, named[field])
            if found:
                kpi[field] = found
            else:
                keep(field, named[field])
    unit_from_target = None
    if "target" in named:
        number, percent = read_number(named["target"], language)
        if number is not None:
            kpi["target"] = {"value": number}
            unit_from_target = "percent" if percent else None
        else:
            kpi["target"] = {"note": _text(named["target"])}
    if "unit" in named:
        found = lookup(UNITS, named["unit"])
        if found:
            kpi["unit"] = found
        else:
            keep("unit", named["unit"])
    elif unit_from_target:
        kpi["unit"] = unit_from_target
    if "baseline" in named:
        number, _ = read_number(named["baseline"], language)
        if number is not None:
            comments.append(
                f"baseline value (date not stated in the register): {_text(named['baseline'])}"
            )
        else:
            keep("baseline", named["baseline"])
    if "deadline" in named:
        date = read_date(named["deadline"])
        if date and "target" in kpi:
            kpi["target"]["deadline"] = date
        else:
            keep("deadline", named["deadline"])
    if "source" in named:
        keep("source", named["source"])
    if "formula" in named:
        keep("formula", named["formula"])
    for position, heading, field in columns:
        if field is None and position in values:
            comments.append(f"{heading}: {_text(values[position])}")
    kpi["source_ref"] = row.where
    batch.kpis.append(Imported(kpi, area, comments))
