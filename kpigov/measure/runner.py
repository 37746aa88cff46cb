"""Run each selected KPI's measure query for its periods and record the values.

One failing KPI (bad SQL, a database that cannot be reached, not one number) is reported with
its file and line, and the others are still measured. Queries run concurrently (a pool of
connections; DuckDB cursors on one database), each under a time limit.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fnmatch
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpigov.measure.connections import DEFAULT, Connection, ConnectionProblem, resolve
from kpigov.measure.periods import last_complete, period, period_ends, recorded_as
from kpigov.measure.record import Refused, Row, append, format_value, locked

PARAMETERS = ("period_start", "period_end")
_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
MAX_ABS = 1e15  # larger values cannot be recorded exactly as text


class QueryProblem(Exception):
    """The query ran but did not return one number (or did not run)."""


def parameters_of(query: str) -> list[str]:
    """The ``:name`` parameters a query uses (outside quoted text)."""
    return _PARAMETER.findall(_QUOTED.sub("''", query))


@dataclass
class Outcome:
    kpi: str
    file: str
    line: int
    status: str  # recorded | unchanged | would-record | failed
    rows: list[Row] = field(default_factory=list)
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "file": self.file,
            "line": self.line,
            "status": self.status,
            "rows": [
                {"date": r.date, "value": r.value, **({"note": r.note} if r.note else {})}
                for r in self.rows
            ],
            "message": self.message,
        }


@dataclass(frozen=True)
class Plan:
    """What to measure: one date, a range, or the last complete period."""

    date: dt.date | None = None
    first: dt.date | None = None
    last: dt.date | None = None

    def dates(self, frequency: str, today: dt.date) -> list[dt.date]:
        if self.date is not None:
            return [self.date]
        if self.first is not None and self.last is not None:
            return list(period_ends(frequency, self.first, self.last))
        return [last_complete(frequency, today)]


def select(kpis: dict[str, Any], patterns: Sequence[str]) -> list[Any]:
    """KPIs with a measure whose id matches one of ``patterns`` (all when none)."""
    chosen = []
    for kpi_id, kpi in sorted(kpis.items()):
        if not isinstance(kpi.fields.get("measure"), dict):
            continue
        if patterns and not any(fnmatch.fnmatchcase(kpi_id, p) for p in patterns):
            continue
        chosen.append(kpi)
    return chosen


class _Databases:
    """Open connections, shared by the worker threads: one DuckDB database per file, one
    SQLAlchemy engine (with a pool) per URL."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.lock = threading.Lock()
        self.duckdb: dict[str, Any] = {}
        self.engines: dict[str, Any] = {}

    def duckdb_cursor(self, connection: Connection) -> Any:
        import duckdb

        with self.lock:
            database = self.duckdb.get(connection.url)
            if database is None:
                target = connection.url.split("://", 1)[1]
                target = target[1:] if target.startswith("/") else target
                if target in ("", ":memory:"):
                    database = duckdb.connect(":memory:")
                else:
                    path = Path(target) if Path(target).is_absolute() else connection.root / target
                    if not path.exists():
                        raise ConnectionProblem(
                            f"connection {connection.name!r}: no DuckDB file {target}"
                        )
                    database = duckdb.connect(str(path), read_only=True)
                self.duckdb[connection.url] = database
            cursor = database.cursor()
        # CSV and Parquet files are read in place, relative to the catalogue root (a setting of
        # each cursor's session)
        root = str(connection.root).replace("'", "''")
        cursor.execute(f"SET file_search_path = '{root}'")
        return cursor

    def engine(self, connection: Connection) -> Any:
        from sqlalchemy import create_engine

        with self.lock:
            engine = self.engines.get(connection.url)
            if engine is None:
                arguments: dict[str, Any] = {}
                if connection.dialect == "postgres":
                    arguments["connect_args"] = {"connect_timeout": 10}
                engine = create_engine(
                    connection.url, pool_size=self.workers, max_overflow=0, **arguments
                )
                self.engines[connection.url] = engine
            return engine

    def close(self) -> None:
        for database in self.duckdb.values():
            database.close()
        for engine in self.engines.values():
            engine.dispose()


def _one_number(rows: list[Any]) -> tuple[float | int, str | None]:
    if not rows:
        raise QueryProblem("the query returned no row; it must return one row with a number")
    if len(rows) > 1:
        raise QueryProblem(f"the query returned {len(rows)} rows; it must return one")
    row = rows[0]
    if not row or len(row) > 2:
        raise QueryProblem("the row must hold a number and, optionally, a note")
    value = row[0]
    if value is None:
        raise QueryProblem("the query returned NULL, not a number (no data for the period?)")
    if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
        raise QueryProblem(
            f"the query returned {type(value).__name__} {str(value)[:40]!r}, not a number"
        )
    number: float | int = int(value) if isinstance(value, int) else float(value)
    if not math.isfinite(number) or abs(number) >= MAX_ABS:
        raise QueryProblem(
            f"the value {format_value(number) if math.isfinite(number) else value} is not a finite number below 10^15"
        )
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        number = int(value)
    note = row[1] if len(row) == 2 and row[1] is not None else None
    return number, (str(note) if note is not None else None)


def _run_query(
    databases: _Databases,
    connection: Connection,
    query: str,
    start: dt.date,
    end: dt.date,
    timeout: float,
) -> tuple[float | int, str | None]:
    if connection.is_duckdb:
        cursor = databases.duckdb_cursor(connection)
        sql = _PARAMETER.sub(lambda m: f"${m[1]}", query) if ":" in query else query
        timer = threading.Timer(timeout, cursor.interrupt)
        timer.start()
        try:
            rows = cursor.execute(
                sql,
                {p: v for p, v in (("period_start", start), ("period_end", end)) if f"${p}" in sql},
            ).fetchmany(3)
        except Exception as error:
            if not timer.is_alive():
                raise QueryProblem(f"the query ran longer than {timeout:g} s (--timeout)") from None
            raise QueryProblem(_first_line(error)) from None
        finally:
            timer.cancel()
            cursor.close()
        return _one_number(rows)
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

    engine = databases.engine(connection)
    try:
        with engine.connect() as live:
            if connection.dialect == "postgres":
                live.exec_driver_sql(f"SET statement_timeout = {int(timeout * 1000)}")
            params = {
                p: v for p, v in (("period_start", start), ("period_end", end)) if f":{p}" in query
            }
            rows = live.execute(text(query), params).fetchmany(3)
    except OperationalError as error:
        message = _first_line(error.orig or error)
        if "statement timeout" in message or "canceling statement" in message:
            raise QueryProblem(f"the query ran longer than {timeout:g} s (--timeout)") from None
        raise QueryProblem(message) from None
    except (DBAPIError, SQLAlchemyError) as error:
        raise QueryProblem(_first_line(getattr(error, "orig", None) or error)) from None
    return _one_number([tuple(r) for r in rows])


def _first_line(error: object) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def measure_kpis(
    kpis: list[Any],
    root: Path,
    connections: object,
    history_folder: str,
    plan: Plan,
    today: dt.date,
    *,
    dry_run: bool = False,
    timeout: float = 60.0,
    workers: int = 8,
) -> list[Outcome]:
    databases = _Databases(max(1, min(workers, len(kpis))))

    def one(kpi: Any) -> Outcome:
        spec = kpi.fields["measure"]
        line = kpi.position(("measure",)).line
        outcome = Outcome(kpi.id, kpi.file, line, "failed")
        connection: Connection | None = None
        try:
            frequency = kpi.fields.get("frequency")
            if not isinstance(frequency, str):
                raise QueryProblem("the KPI has no frequency, so no period to measure (F401)")
            connection = resolve(connections, str(spec.get("connection") or DEFAULT), root)
            unknown = sorted(set(parameters_of(spec["query"])) - set(PARAMETERS))
            if unknown:
                raise QueryProblem(
                    f"the query uses :{unknown[0]}; only :period_start and :period_end exist (M803)"
                )
            rows = []
            for day in plan.dates(frequency, today):
                start, end = period(frequency, day)
                value, note = _run_query(databases, connection, spec["query"], start, end, timeout)
                rows.append(Row(day.isoformat(), value, note))
            outcome.rows = rows
            if dry_run:
                outcome.status = "would-record"
                return outcome
            path = root / history_folder / f"{kpi.id}.csv"
            with locked(root, kpi.id):
                written, unchanged = append(path, rows)
            outcome.rows = written or unchanged
            outcome.status = "recorded" if written else "unchanged"
            frequency_note = (
                ""
                if recorded_as(frequency) == frequency
                else f" ({frequency} KPIs are recorded once a day)"
            )
            outcome.message = (
                f"{len(written)} new, {len(unchanged)} already recorded{frequency_note}"
            )
        except (QueryProblem, ConnectionProblem, Refused) as problem:
            message = str(problem)
            outcome.message = connection.mask(message) if connection is not None else message
        except Exception as error:  # a driver's own error type: still one KPI's failure
            message = f"{type(error).__name__}: {_first_line(error)}"
            outcome.message = connection.mask(message) if connection is not None else message
        return outcome

    try:
        if len(kpis) <= 1:
            return [one(kpi) for kpi in kpis]
        # Imported here: the lint imports this module for its parameters (M rules), and the
        # thread pool would bring logging and traceback into every pre-commit run.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=databases.workers) as pool:
            return list(pool.map(one, kpis))
    finally:
        databases.close()
