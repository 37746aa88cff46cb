"""History CSVs: rows with their lines; every malformed line located."""

from __future__ import annotations

import pytest

from kpigov.history import parse_history


def test_rows_with_lines_bom_blank_lines_and_notes() -> None:
    text = '\ufeffdate,value,note\n2026-01-31,12.5,\n\n2026-02-28,13,"launch, delayed"\n'
    history = parse_history("k", "history/k.csv", text.encode())
    assert not history.problems
    assert [(r.line, r.date, r.value, r.note) for r in history.rows] == [
        (2, "2026-01-31", 12.5, ""),
        (4, "2026-02-28", 13.0, "launch, delayed"),
    ]
    assert history.latest is not None and history.latest.value == 13.0


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("value,date\n2026-01-31,1\n", 1, "header"),
        ("date,value\n31-01-2026,1\n", 2, "not a date"),
        ("date,value\n2026-02-30,1\n", 2, "not a date"),
        ("date,value\n2026-01-31,abc\n", 2, "not a number"),
        ("date,value\n2026-01-31,nan\n", 2, "finite"),
        ("date,value\n2026-01-31,inf\n", 2, "finite"),
        ("date,value\n2026-01-31,1\n2026-01-31,2\n", 3, "strictly increasing"),
        ("date,value\n2026-02-28,1\n2026-01-31,2\n", 3, "strictly increasing"),
        ("date,value\n2026-01-31,1,extra\n", 2, "columns"),
        ("", 1, "empty"),
        ('date,value,note\n2026-01-31,1,"open\n', 2, "unreadable"),
    ],
)
def test_problems_are_located(text: str, line: int, words: str) -> None:
    history = parse_history("k", "history/k.csv", text.encode())
    assert history.problems, text
    assert history.problems[0].span.line == line
    assert words in history.problems[0].message


def test_bad_encoding() -> None:
    history = parse_history("k", "history/k.csv", b"date,value\n2026-01-31,\xff\n")
    assert history.problems[0].span.line == 2
