"""History CSV files: ``history/<kpi-id>.csv`` with header ``date,value`` (optional ``note``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from kpigov.findings import Span

HEADERS = (("date", "value"), ("date", "value", "note"))


@dataclass(frozen=True)
class Measurement:
    line: int
    date: str
    value: float
    note: str = ""


@dataclass(frozen=True)
class HistoryProblem:
    """A T603 history-format problem, on its CSV line."""

    span: Span
    message: str
    date: str | None = None


@dataclass
class History:
    kpi_id: str
    file: str
    rows: list[Measurement] = field(default_factory=list)
    problems: list[HistoryProblem] = field(default_factory=list)

    @property
    def latest(self) -> Measurement | None:
        return self.rows[-1] if self.rows else None

    # The lowest and highest recorded value, kept while parsing: T602 reads the rows only when
    # one of them is off the scale.
    lowest: float = math.inf
    highest: float = -math.inf


def _is_date(text: str) -> bool:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


class _UnreadableCsv(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line


def _records(text: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line number, raw line, cells) of each CSV record; plain splitting unless quotes are used."""
    lines = text.splitlines()
    if '"' not in text:
        for number, raw_line in enumerate(lines, 1):
            yield number, raw_line, raw_line.split(",") if raw_line else []
        return
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        for record in reader:
            number = reader.line_num
            yield number, lines[number - 1] if number - 1 < len(lines) else "", record
    except csv.Error as error:
        raise _UnreadableCsv(reader.line_num or 1, str(error)) from None


def parse_history(kpi_id: str, file: str, raw_bytes: bytes) -> History:
    """Rows of a history file; every malformed line becomes a located problem."""
    history = History(kpi_id, file)

    def problem(line: int, message: str, width: int = 1, date: str | None = None) -> None:
        history.problems.append(
            HistoryProblem(Span(line, 1, line, 1 + max(width, 1)), message, date)
        )

    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw_bytes[: error.start].count(b"\n") + 1
        problem(line, "the file is not valid UTF-8; save it as UTF-8")
        return history
    try:
        _parse_rows(history, _records(text), problem)
    except _UnreadableCsv as error:
        problem(error.line, f"unreadable CSV ({error}); check the quotes on this line")
    return history


def _parse_rows(
    history: History,
    records: Iterator[tuple[int, str, list[str]]],
    problem: Callable[..., None],
) -> None:
    header_seen = False
    columns = 0
    previous: str | None = None
    for line, raw_line, cells in records:
        if not cells or all(not cell.strip() for cell in cells):
            continue  # blank lines are accepted
        cells = [cell.strip() for cell in cells]
        if not header_seen:
            header_seen = True
            if tuple(c.lower() for c in cells) not in HEADERS:
                problem(
                    line,
                    f"the header is {','.join(cells)!r}; "
                    "it must be 'date,value' or 'date,value,note'",
                    len(raw_line),
                )
                return
            columns = len(cells)
            continue
        if len(cells) > columns:
            problem(
                line,
                f"{len(cells)} columns where the header has {columns}; "
                "quote a note that contains a comma",
                len(raw_line),
            )
            continue
        date, value_text = cells[0], cells[1] if len(cells) > 1 else ""
        if not _is_date(date):
            problem(line, f"{date!r} is not a date; write YYYY-MM-DD", len(date))
            continue
        try:
            value = float(value_text)
        except ValueError:
            problem(line, f"{value_text!r} is not a number", len(raw_line), date)
            continue
        if not math.isfinite(value):
            problem(line, f"{value_text!r} is not a finite number", len(raw_line), date)
            continue
        if previous is not None and date <= previous:
            problem(
                line,
                f"{date} does not come after {previous}; dates must be strictly increasing",
                len(date),
                date,
            )
            continue
        previous = date
        history.rows.append(Measurement(line, date, value, cells[2] if len(cells) > 2 else ""))
        if value < history.lowest:
            history.lowest = value
        if value > history.highest:
            history.highest = value
    if not header_seen:
        problem(1, "the file is empty; it needs the header 'date,value'")
