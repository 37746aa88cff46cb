"""`kpigov import`: existing catalogues in, kpigov documents out. One module per source format
(csv and xlsx share the register logic), each turning its rows into :class:`Imported` KPIs plus
the goals, persons and teams they name; ``writer`` plans and writes the files.

Rules every importer keeps (SPEC §8.5): nothing is invented — a value the source does not state
stays absent; what kpigov has no field for is kept as a comment (or ``target.note``); every KPI
gets a ``source_ref`` (file:line or sheet!row); every row that cannot be read is reported with
its location (:class:`ImportProblem`), never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMATS = ("csv", "xlsx", "gitlab", "dbt")


@dataclass
class Imported:
    """One KPI to write: its fields (kind, id, name, … in any order: the writer orders them),
    the area folder it goes to, and comment lines for what kpigov has no field for."""

    fields: dict[str, Any]
    area: str
    comments: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImportProblem:
    where: str  # file:line, or file sheet!row
    message: str


@dataclass
class ImportBatch:
    """What one source gave: KPIs, the goals, persons and teams they name, and its problems."""

    kpis: list[Imported] = field(default_factory=list)
    goals: dict[str, dict[str, Any]] = field(default_factory=dict)
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    language: str | None = None  # what the source's headers were written in, when it tells

    def extend(self, other: ImportBatch) -> None:
        self.kpis += other.kpis
        for mine, theirs in (
            (self.goals, other.goals),
            (self.persons, other.persons),
            (self.teams, other.teams),
        ):
            for key, value in theirs.items():
                mine.setdefault(key, value)
        self.problems += other.problems
        self.language = self.language or other.language


def load_yaml_source(path: Any, name: str, batch: ImportBatch) -> list[Any]:
    """The documents of a YAML source file; a file that does not parse is a located problem."""
    from kpigov.loader import load_bytes

    result = load_bytes(name, path.read_bytes())
    first = result.first_problem()
    if first is not None:
        problem, text = first
        span = problem.span
        batch.problems.append(ImportProblem(f"{name}:{span.line if span else 1}", text))
        return []
    return result.documents
