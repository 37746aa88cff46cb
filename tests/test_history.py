"""History CSVs: rows with their lines; every malformed line located."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpigov.history import History, _parse_general, _parse_plain, parse_history


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


# Text that is nearly a plain history file: the fast path must read it exactly as the general
# path does, or leave it to the general path.
_row = st.tuples(
    st.sampled_from(
        ["2025-01-31", "2025-02-29", "2024-02-29", "2026-12-01", "2025-13-01", "2025-01-3"]
    ),
    st.sampled_from(["12.5", "-3", "+.5", "1e999", "1.", "abc", " 4", "1e-3", "nan", "0"]),
)


@settings(max_examples=300, deadline=None)
@given(
    header=st.sampled_from(["date,value\n", "Date,Value\n", "date,value,note\n", "value,date\n"]),
    rows=st.lists(_row, max_size=6),
    sorted_dates=st.booleans(),
    final_newline=st.booleans(),
)
def test_fast_path_reads_as_the_general_path(
    header: str, rows: list[tuple[str, str]], sorted_dates: bool, final_newline: bool
) -> None:
    if sorted_dates:
        rows = sorted(rows)
    text = header + "\n".join(f"{date},{value}" for date, value in rows)
    if rows and final_newline:
        text += "\n"
    fast = History("k", "history/k.csv")
    general = History("k", "history/k.csv")
    _parse_general(general, text)
    if _parse_plain(fast, text):
        assert not general.problems
        assert fast.rows == general.rows
    else:
        assert not fast.rows and not fast.problems


def test_plain_files_take_the_fast_path() -> None:
    history = History("k", "history/k.csv")
    assert _parse_plain(history, "date,value\n2026-01-31,12.5\n2026-02-28,-3e2\n")
    assert [(r.line, r.date, r.value, r.note) for r in history.rows] == [
        (2, "2026-01-31", 12.5, ""),
        (3, "2026-02-28", -300.0, ""),
    ]
    assert (history.lowest, history.highest) == (-300.0, 12.5)
    assert len(history) == 2


def test_history_survives_pickling() -> None:
    history = parse_history("k", "history/k.csv", b"date,value,note\n2026-01-31,1,a\n")
    copy = pickle.loads(pickle.dumps(history))
    assert copy.rows == history.rows and copy.file == history.file


def test_dates_are_packed_and_read_as_a_list_of_text() -> None:
    from kpigov.history import Dates

    dates = Dates.of(["2025-01-31", "2025-02-28", "2025-03-31"])
    assert isinstance(dates, Dates)
    assert len(dates) == 3 and dates[0] == "2025-01-31" and dates[-1] == "2025-03-31"
    assert dates[1:] == ["2025-02-28", "2025-03-31"] and list(dates) == dates
    assert dates == ["2025-01-31", "2025-02-28", "2025-03-31"]
    with pytest.raises(IndexError):
        dates[3]
    dates.append("2025-04-30")
    assert dates[-1] == "2025-04-30" and len(dates) == 4
    assert Dates.of(["2025-1-1"]) == ["2025-1-1"]  # not ten characters: kept as a list


def test_a_history_row_costs_at_most_40_bytes() -> None:
    """SPEC §8.8, with everything a parsed history holds counted, on 200 files of 24 rows."""
    import tracemalloc

    files = []
    for number in range(200):
        rows = "".join(
            f"20{10 + month // 12:02d}-{month % 12 + 1:02d}-01,{month * 1.5}\n"
            for month in range(24)
        )
        files.append((f"kpi-{number}", ("date,value\n" + rows).encode()))
    tracemalloc.start()
    histories = [parse_history(kpi, f"history/{kpi}.csv", raw) for kpi, raw in files]
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sum(len(h) for h in histories) == 4800
    assert held / 4800 <= 40
    assert histories[7].file == "history/kpi-7.csv" and histories[7].dates[-1] == "2011-12-01"
