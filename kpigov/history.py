"""History CSV files: ``history/<kpi-id>.csv`` with header ``date,value`` (optional ``note``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

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


NO_PROBLEMS: list[HistoryProblem] = []  # never appended to: _add_problem replaces it


class Dates(Sequence[str]):
    """ISO dates (``YYYY-MM-DD``) packed ten bytes each into one buffer: a list of ``str`` costs
    67 bytes a date. Reads as a sequence of ``str``."""

    __slots__ = ("_packed",)
    WIDTH = 10

    def __init__(self, packed: bytes = b"") -> None:
        self._packed = packed  # immutable: appending (the general parser) copies

    @classmethod
    def of(cls, dates: Sequence[str]) -> Dates | list[str]:
        """The dates packed; as a plain list when one is not ten ASCII characters."""
        text = "".join(dates)
        if len(text) == cls.WIDTH * len(dates) and text.isascii():
            return cls(text.encode("ascii"))
        return list(dates)

    def __len__(self) -> int:
        return len(self._packed) // self.WIDTH

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError("date index out of range")
        start = index * self.WIDTH
        return self._packed[start : start + self.WIDTH].decode("ascii")

    def __iter__(self) -> Iterator[str]:
        text = self._packed.decode("ascii")
        width = self.WIDTH
        return (text[start : start + width] for start in range(0, len(text), width))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dates):
            return self._packed == other._packed
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, as a list

    def __repr__(self) -> str:
        return f"Dates({list(self)!r})"

    def append(self, date: str) -> None:
        encoded = date.encode("ascii")
        if len(encoded) != self.WIDTH:
            raise ValueError(f"{date!r} is not an ISO date")
        self._packed = self._packed + encoded


class History:
    """The rows of one history file, kept as columns of typed arrays: a catalogue holds hundreds
    of thousands of rows, and a row costs 22 bytes this way (line 4, value 8, date 10) against
    some 170 as lists of Python objects, and as little to send between processes.
    :attr:`rows` gives them as :class:`Measurement` objects when asked."""

    __slots__ = (
        "kpi_id",
        "_where",
        "lines",
        "dates",
        "values",
        "notes",
        "problems",
        "lowest",
        "highest",
        "_rows",
    )

    def __init__(self, kpi_id: str, file: str) -> None:
        self.kpi_id = kpi_id
        self.file = file
        self.lines: array[int] | range | list[int] = array("I")
        self.dates: Dates | list[str] = Dates()
        self.values: array[float] = array("d")
        self.notes: list[str] | None = None  # None: no row has a note
        # Shared and empty until a problem is added (most files have none).
        self.problems: list[HistoryProblem] = NO_PROBLEMS
        # The lowest and highest value: T602 reads the rows only when one is off the scale.
        self.lowest = math.inf
        self.highest = -math.inf
        self._rows: list[Measurement] | None = None

    @property
    def file(self) -> str:
        where = self._where
        return where if where.endswith(".csv") else f"{where}{self.kpi_id}.csv"

    @file.setter
    def file(self, file: str) -> None:
        # The folder part, shared by every history of a catalogue, instead of a path each.
        tail = f"{self.kpi_id}.csv"
        if file.endswith(tail) and not file[: -len(tail)].endswith(".csv"):
            self._where = sys.intern(file[: -len(tail)])
        else:
            self._where = file

    # Pickled without the rows built on demand (workers send histories back to the parent).
    _STATE = __slots__[:-1]

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._STATE)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self._STATE, state, strict=True):
            setattr(self, name, value)
        self._rows = None

    def __len__(self) -> int:
        return len(self.dates)

    @property
    def rows(self) -> list[Measurement]:
        if self._rows is None:
            notes = self.notes or [""] * len(self.dates)
            self._rows = [
                Measurement(line, date, value, note)
                for line, date, value, note in zip(
                    self.lines, self.dates, self.values, notes, strict=True
                )
            ]
        return self._rows

    @property
    def latest(self) -> Measurement | None:
        if not self.dates:
            return None
        return Measurement(
            self.lines[-1], self.dates[-1], self.values[-1], self.notes[-1] if self.notes else ""
        )

    def append(self, line: int, date: str, value: float, note: str) -> None:
        if note and self.notes is None:
            self.notes = [""] * len(self.dates)
        if isinstance(self.lines, range) or line >= 2**32:
            self.lines = list(self.lines)  # a plain file's lines, or four billion of them
        self.lines.append(line)
        if isinstance(self.dates, Dates) and not (len(date) == Dates.WIDTH and date.isascii()):
            self.dates = list(self.dates)
        self.dates.append(date)
        self.values.append(value)
        if self.notes is not None:
            self.notes.append(note)
        self.lowest = min(self.lowest, value)
        self.highest = max(self.highest, value)
        self._rows = None


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
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw_bytes[: error.start].count(b"\n") + 1
        _add_problem(history, line, "the file is not valid UTF-8; save it as UTF-8")
        return history
    if not _parse_plain(history, text):
        _parse_general(history, text)
    return history


def _add_problem(
    history: History, line: int, message: str, width: int = 1, date: str | None = None
) -> None:
    if history.problems is NO_PROBLEMS:
        history.problems = []
    history.problems.append(HistoryProblem(Span(line, 1, line, 1 + max(width, 1)), message, date))


def _parse_general(history: History, text: str) -> None:
    """Any file: CSV quoting, blank lines, notes, spaces; each problem on its line."""

    def problem(line: int, message: str, width: int = 1, date: str | None = None) -> None:
        _add_problem(history, line, message, width, date)

    try:
        _parse_rows(history, _records(text), problem)
    except _UnreadableCsv as error:
        problem(error.line, f"unreadable CSV ({error}); check the quotes on this line")


# The shape nearly every history file has: the header 'date,value', then rows of a date and a
# plain number, nothing else. One regular expression proves the shape, and the columns are then
# read with list comprehensions; any other file takes the general path, which says what is wrong.
_PLAIN_HEADER = "date,value\n"
_PLAIN_ROWS = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2},[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\n)*\Z"
)


def _parse_plain(history: History, text: str) -> bool:
    """Read a plain file into ``history``; False (and nothing read) when it is not plain or has
    any problem, so that the general path finds and locates it."""
    if not text.startswith(_PLAIN_HEADER):
        return False
    body = text[len(_PLAIN_HEADER) :]
    if body and body[-1] != "\n":
        body += "\n"
    if _PLAIN_ROWS.match(body) is None:
        return False
    rows = body.split("\n")
    rows.pop()
    dates = [row[:10] for row in rows]
    try:
        for date in dates:
            dt.date.fromisoformat(date)
    except ValueError:
        return False
    if any(earlier >= later for earlier, later in zip(dates, dates[1:], strict=False)):
        return False
    values = [float(row[11:]) for row in rows]
    lowest, highest = min(values, default=math.inf), max(values, default=-math.inf)
    if values and not (math.isfinite(lowest) and math.isfinite(highest)):
        return False  # a number too large for a float, such as 1e999
    history.lines = range(2, len(rows) + 2)  # 48 bytes, however many rows
    history.dates = Dates.of(dates)
    history.values = array("d", values)
    history.lowest, history.highest = lowest, highest
    return True


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
        history.append(line, date, value, cells[2] if len(cells) > 2 else "")
    if not header_seen:
        problem(1, "the file is empty; it needs the header 'date,value'")


class StoredHistory(History):
    """A history file unchanged since the last lint (see kpigov/incremental.py): its lowest and
    highest value, all that T602 reads of a history within the scale, come from the lint's state;
    its columns are parsed the first time anything reads them."""

    __slots__ = ("_read",)
    _COLUMNS = frozenset({"lines", "dates", "values", "notes"})

    def __init__(
        self,
        kpi_id: str,
        file: str,
        read: Callable[[], bytes | str],
        lowest: float,
        highest: float,
    ) -> None:
        # Not History.__init__: the columns stay unset, so that reading one comes to __getattr__.
        self.kpi_id = kpi_id
        self._where = file  # the whole path: a file's setter costs more than its bytes save here
        self._read = read  # the file's bytes (why not, should it have become unreadable since)
        self.lowest = lowest
        self.highest = highest
        self.problems = NO_PROBLEMS  # only a history without problems is stored this way
        self._rows = None

    def __getattr__(self, name: str) -> Any:
        if name not in self._COLUMNS:
            raise AttributeError(name)
        raw = self._read()
        parsed = parse_history(self.kpi_id, self.file, raw if isinstance(raw, bytes) else b"")
        for slot in History._STATE:
            setattr(self, slot, getattr(parsed, slot))
        return getattr(self, name)
