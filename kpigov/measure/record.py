"""Append measured values to ``history/<id>.csv``: append-only, atomic, one writer at a time.

May create ``history/<id>.csv`` (when absent) and replace it with its own bytes plus new rows at
the end; may create lock files under ``.kpigov_cache/locks/``. It never changes or removes a
row: a date already recorded with the same value is skipped; with another value, or a date
before the last one recorded (rows must stay in date order), the KPI is refused and its file is
left as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kpigov.atomic import write_atomic
from kpigov.config import CACHE_DIR


class Refused(Exception):
    """The value cannot be recorded without rewriting history."""


@dataclass(frozen=True)
class Row:
    date: str
    value: float | int
    note: str | None = None


def format_value(value: float | int) -> str:
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) < 1e15
    ):
        return str(int(value))
    return repr(float(value))


@contextlib.contextmanager
def locked(root: Path, kpi_id: str) -> Iterator[None]:
    """Hold the KPI's lock: a second `kpigov measure` on the same KPI waits for the first."""
    folder = root / CACHE_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{kpi_id}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _existing(text: str) -> tuple[list[str], dict[str, str], str | None]:
    """The header's columns, value by date, and the last date of a history file's text."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return [], {}, None
    header = [cell.strip() for cell in lines[0].split(",")]
    values: dict[str, str] = {}
    last = None
    for line in lines[1:]:
        cells = line.split(",", 2)
        if len(cells) >= 2:
            values[cells[0].strip()] = cells[1].strip()
            last = cells[0].strip()
    return header, values, last


def append(path: Path, rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """Append ``rows`` (in date order) to the history file; (written, already there).

    ``Refused`` when a row would change the past; nothing is written then."""
    for row in rows:
        if isinstance(row.value, float) and not math.isfinite(row.value):
            raise Refused(f"{row.date}: the value is not a finite number")
    raw = path.read_bytes() if path.exists() else b""
    text = raw.decode("utf-8-sig") if raw else ""
    header, recorded, last = _existing(text)
    if text and header[:2] != ["date", "value"]:
        raise Refused(f"{path.name} does not start with the header date,value; fix it first (T603)")
    new: list[Row] = []
    skipped: list[Row] = []
    for row in rows:
        shown = format_value(row.value)
        if row.date in recorded:
            previous = recorded[row.date]
            if _same(previous, shown):
                skipped.append(row)
                continue
            raise Refused(
                f"{row.date} is recorded as {previous} and now measures {shown}; history is "
                "append-only, so the recorded value stays (correct the source, or add a note "
                "to the KPI's changelog)"
            )
        if last is not None and row.date <= last:
            raise Refused(
                f"{row.date} comes before the last recorded date {last}; history rows stay in "
                "date order, so values can only be added after it"
            )
        new.append(row)
        last = row.date
    if not new:
        return [], skipped
    with_note = "note" in header or (not header and any(r.note for r in new))
    lines = []
    if not text:
        lines.append("date,value,note" if with_note else "date,value")
    for row in new:
        line = f"{row.date},{format_value(row.value)}"
        if with_note:
            line += "," + _csv_cell(row.note or "")
        lines.append(line)
    prefix = text if (not text or text.endswith("\n")) else text + "\n"
    bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, bom + prefix + "\n".join(lines) + "\n")
    return new, skipped


def _same(recorded: str, measured: str) -> bool:
    try:
        return math.isclose(float(recorded), float(measured), rel_tol=1e-12, abs_tol=1e-12)
    except ValueError:
        return recorded == measured


def _csv_cell(text: str) -> str:
    text = " ".join(text.split())
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"') else text
