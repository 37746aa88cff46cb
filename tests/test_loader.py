"""The loader: plain data, hand-counted positions, YAML 1.2 core schema, and safety limits."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpigov.findings import Span
from kpigov.loader import MAX_FILE_BYTES, Document, load_bytes, resolve_plain_scalar

SAMPLE = """\
# a comment line
kind: kpi
id: sales.win-rate
name: "Wïn rate"
goals:
  - grow
  - keep
target: {value: 28, deadline: 2027-12-31}
"""


def test_data_is_plain_and_dates_stay_strings() -> None:
    result = load_bytes("a.yaml", SAMPLE.encode())
    assert not result.problems
    (document,) = result.documents
    assert document.data == {
        "kind": "kpi",
        "id": "sales.win-rate",
        "name": "Wïn rate",
        "goals": ["grow", "keep"],
        "target": {"value": 28, "deadline": "2027-12-31"},
    }
    assert type(document.data["target"]["deadline"]) is str


def test_positions_of_keys_values_and_items_are_hand_counted() -> None:
    (document,) = load_bytes("a.yaml", SAMPLE.encode()).documents
    # line 2 "kind: kpi": key at col 1, value at col 7..10 (end exclusive)
    assert document.position(("kind",)) == Span(2, 7, 2, 10)
    assert document.position(("kind",), on_key=True) == Span(2, 1, 2, 5)
    # line 4 'name: "Wïn rate"': the value starts at the quote, col 7; ï counts as one column
    assert document.position(("name",)) == Span(4, 7, 4, 17)
    # line 7 "  - keep": the item's value at col 5
    assert document.position(("goals", 1)) == Span(7, 5, 7, 9)
    # line 8: target: {value: 28, deadline: 2027-12-31}
    assert document.position(("target", "value"))[:2] == (8, 17)
    assert document.position(("target", "deadline"))[:2] == (8, 31)
    # the document itself sits on its id value
    assert document.position(())[:2] == (3, 5)
    # an unknown path falls back to its nearest ancestor
    assert document.position(("target", "nope"))[:2] == (8, 9)


def test_columns_count_code_points_after_multibyte_text() -> None:
    text = 'name: "€€€"\nx: {a: 1, b: 2}\ny: "日本" \nz: 3\n'
    (document,) = load_bytes("a.yaml", text.encode()).documents
    assert document.position(("y",))[:2] == (3, 4)
    assert document.position(("z",))[:2] == (4, 4)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("12", 12),
        ("-3", -3),
        ("0o17", 15),
        ("0x1F", 31),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("2026-11-23", "2026-11-23"),
        ("1_000", "1_000"),
        ("12:30", "12:30"),
        (".5", 0.5),
        ("+7", 7),
    ],
)
def test_yaml_core_schema(text: str, value: object) -> None:
    assert resolve_plain_scalar(text) == value
    assert type(resolve_plain_scalar(text)) is type(value)


def test_quoted_and_tagged_scalars() -> None:
    (document,) = load_bytes(
        "a.yaml", b'a: "12"\nb: !!str 12\nc: !!int "7"\nd: !!float 2\n'
    ).documents
    assert document.data == {"a": "12", "b": "12", "c": 7, "d": 2.0}


def test_multi_document_file_and_positions_per_document() -> None:
    text = "kind: goal\nid: a\nname: A\n---\nkind: goal\nid: b\nname: B\n"
    documents = load_bytes("g.yaml", text.encode()).documents
    assert [d.data["id"] for d in documents] == ["a", "b"]
    assert documents[1].position(("id",))[:2] == (6, 5)
    assert documents[1].line == 5


def test_duplicate_keys_keep_the_first_and_report_the_second() -> None:
    result = load_bytes("a.yaml", b"a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert result.documents[0].data == {"a": 1, "b": {"c": 1}}
    spans = sorted(v.span for v in result.problems["K003"])  # type: ignore[type-var]
    assert [s[:2] for s in spans] == [(4, 3), (5, 1)]


def test_syntax_error_is_located_and_earlier_documents_are_kept() -> None:
    result = load_bytes("a.yaml", b"a: 1\n---\nb: [1, 2\nc: 3\n")
    assert [d.data for d in result.documents] == [{"a": 1}]
    (problem,) = result.problems["K001"]
    assert problem.span is not None and problem.span.line == 4


def test_tabs_are_a_syntax_error() -> None:
    result = load_bytes("a.yaml", b"a:\n\tb: 1\n")
    assert result.problems["K001"][0].span.line == 2  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "rule", "line"),
    [
        (b"a: !!python/object:os.system {}\n", "K007", 1),
        (b"x: 1\nname: !custom 3\n", "K007", 2),
        (b"base: &b {a: 1}\nother:\n  <<: *b\n", "K007", 3),
        (b"a: \xff\n", "K001", 1),
        (b"\xff\xfea\x00:\x00", "K001", 1),
        (b"a: b\x00c\n", "K001", 1),
        (b"", "K002", 1),
        (b"# only a comment\n", "K002", 1),
    ],
)
def test_refused_and_unreadable_input(raw: bytes, rule: str, line: int) -> None:
    result = load_bytes("bad.yaml", raw)
    assert rule in result.problems
    assert result.problems[rule][0].span.line == line  # type: ignore[union-attr]


def test_utf8_byte_order_mark_is_accepted() -> None:
    result = load_bytes("a.yaml", "\ufeffa: 1\n".encode())
    assert result.documents[0].data == {"a": 1} and not result.problems


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    result = load_bytes("bomb.yaml", "\n".join(lines).encode())
    assert time.perf_counter() - started < 1
    assert "K007" in result.problems and not result.documents


def test_small_aliases_are_fine() -> None:
    (document,) = load_bytes("a.yaml", b"a: &x [1, 2]\nb: *x\n").documents
    assert document.data == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize("depth", [101, 10_000, 1_000_000])
def test_deep_nesting_is_refused(depth: int) -> None:
    started = time.perf_counter()
    result = load_bytes("deep.yaml", b"[" * depth + b"]" * depth)
    assert time.perf_counter() - started < 1
    assert "K007" in result.problems


def test_nesting_of_100_is_allowed() -> None:
    result = load_bytes("deep.yaml", b"[" * 99 + b"]" * 99)
    assert not result.problems


def test_files_over_5_mib_are_refused() -> None:
    result = load_bytes("big.yaml", b"# " + b"x" * MAX_FILE_BYTES)
    assert "K007" in result.problems


def test_positions_after_skipped_keys_stay_in_step() -> None:
    # A repeated key and a key that is not text are left out of the data; the positions of the
    # nodes after them must still be their own.
    result = load_bytes("a.yaml", b"a: 1\na: 2\n[x]: 3\nb:\n  - 4\n  - {c: 5}\n")
    (document,) = result.documents
    assert document.data == {"a": 1, "b": [4, {"c": 5}]}
    assert document.position(("b",), on_key=True)[:2] == (4, 1)
    assert document.position(("b", 1, "c"))[:2] == (6, 9)


def test_positions_inside_an_alias_are_where_the_values_are_written() -> None:
    (document,) = load_bytes("a.yaml", b"a: &x\n  b: 1\nc: *x\nd: 2\n").documents
    # libyaml gives an alias the anchored node itself: its values sit where they are written.
    assert document.position(("c",))[:2] == (1, 4)
    assert document.position(("c", "b"))[:2] == (2, 6)
    assert document.position(("d",))[:2] == (4, 4)


def test_positions_survive_the_cache_encoding() -> None:
    (document,) = load_bytes("a.yaml", SAMPLE.encode()).documents
    copy = Document(document.file, document.data, document.root, document.encoded_positions())
    assert copy.values == document.values and copy.keys == document.keys


def test_without_libyaml_the_python_composer_gives_the_same_documents(tmp_path: Path) -> None:
    # PyYAML built without libyaml: the loader composes the same nodes in Python.
    script = tmp_path / "probe.py"
    script.write_text(
        "import json, sys\n"
        "sys.modules['yaml.cyaml'] = None\n"
        "from kpigov.loader import _Parser, load_bytes\n"
        "assert _Parser.__module__ != 'yaml._yaml'\n"
        "(document,) = load_bytes('a.yaml', sys.stdin.buffer.read()).documents\n"
        "print(json.dumps([document.data, sorted(map(list, document.values.items()))]))\n"
    )
    probe = subprocess.run(
        [sys.executable, str(script)], input=SAMPLE.encode(), capture_output=True, check=True
    )
    (document,) = load_bytes("a.yaml", SAMPLE.encode()).documents
    expected = [document.data, sorted(map(list, document.values.items()))]
    assert json.loads(probe.stdout) == json.loads(json.dumps(expected))
