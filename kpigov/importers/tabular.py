"""Rows of a CSV or XLSX register, each with its location, for ``register.read_register``.

CSV: UTF-8 with or without a byte-order mark, or cp1252 (what Excel writes when it saves a Dutch
sheet as CSV), detected by whether the bytes are valid UTF-8; the separator (``,`` ``;`` or tab)
is sniffed from the first lines. XLSX (openpyxl): the cells' computed values are read (a formula
without a stored value is reported); a merged cell's value stands in every cell it spans.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from kpigov.importers import ImportProblem
from kpigov.importers.register import Row


class SourceError(Exception):
    """The source cannot be read at all (not a spreadsheet, no such sheet, …)."""


def decode_text(raw: bytes) -> tuple[str, str, list[int]]:
    """The text, the encoding it was read in, and for a file that mixes UTF-8 and cp1252 lines
    (pasted together from two exports) the numbers of the lines read as cp1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16", []
    with contextlib.suppress(UnicodeDecodeError):  # not UTF-8 throughout: read line by line
        return raw.decode("utf-8"), "utf-8", []
    lines = raw.split(b"\n")
    utf8_lines = 0
    fallback: list[int] = []
    decoded = []
    for number, line in enumerate(lines, 1):
        try:
            text = line.decode("utf-8")
            utf8_lines += any(byte >= 0x80 for byte in line)
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
            fallback.append(number)
        decoded.append(text)
    if utf8_lines:  # both kinds of line: each read in its own encoding, and said so
        return "\n".join(decoded), "mixed", fallback
    return raw.decode("cp1252", errors="replace"), "cp1252", []


def csv_rows(path: Path, name: str) -> tuple[list[Row], list[ImportProblem]]:
    raw = path.read_bytes()
    text, encoding, cp1252_lines = decode_text(raw)
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # one column, or too little to tell: the comma
    problems: list[ImportProblem] = []
    if encoding == "mixed":
        shown = ", ".join(map(str, cp1252_lines[:10])) + (" …" if len(cp1252_lines) > 10 else "")
        problems.append(
            ImportProblem(
                f"{name}:{cp1252_lines[0]}",
                f"the file mixes encodings: lines {shown} are not UTF-8 and were read as "
                "Windows-1252 (Excel's), the others as UTF-8; check their accents, and save the "
                "file as UTF-8",
            )
        )
    rows: list[Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for cells in reader:
            rows.append(Row(f"{name}:{reader.line_num}", tuple(cells)))
    except csv.Error as error:
        problems.append(
            ImportProblem(f"{name}:{reader.line_num}", f"the CSV cannot be read from here: {error}")
        )
    return rows, problems


def xlsx_rows(path: Path, name: str, sheet: str | None) -> tuple[list[Row], list[ImportProblem]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SourceError(
            f"{name}: not an Excel workbook (.xlsx) that can be read ({type(error).__name__})"
        ) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise SourceError(
            f"{name}: no sheet named {sheet!r}; the sheets are {', '.join(book.sheetnames)}"
        )
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    merged: dict[tuple[int, int], object] = {}
    for cell_range in worksheet.merged_cells.ranges:
        value = worksheet.cell(cell_range.min_row, cell_range.min_col).value
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for column in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, column)] = value
    formulas = _formula_cells(path, worksheet.title)
    problems: list[ImportProblem] = []
    rows: list[Row] = []
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), 1):
        values = list(cells)
        for column, _ in enumerate(values, 1):
            if (number, column) in merged:
                values[column - 1] = merged[(number, column)]
            elif values[column - 1] is None and (number, column) in formulas:
                problems.append(
                    ImportProblem(
                        f"{name} {worksheet.title}!{formulas[(number, column)]}",
                        "the cell holds a formula whose value was never computed; open the "
                        "workbook in a spreadsheet program and save it, then import again",
                    )
                )
        rows.append(Row(f"{name} {worksheet.title}!{number}", tuple(values)))
    return rows, problems


def _formula_cells(path: Path, title: str) -> dict[tuple[int, int], str]:
    """Cells holding a formula (to tell one without a stored value from an empty cell)."""
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=False)
    worksheet = book[title]
    found = {}
    for row in worksheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                found[(cell.row, cell.column)] = cell.coordinate
    return found
