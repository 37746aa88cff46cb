"""`kpigov fmt`: canonical order, comments and blank lines kept, parsed data unchanged, idempotent."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kpigov.fmt import KPI_ORDER, FormatError, format_text
from kpigov.loader import load_text
from tests.conftest import REPO, catalogue_in_context, run_cli

COMMENTED = """# kpigov: ignore-file[S101] descriptions follow
# A second header line.

name: "Win rate"   # quoted, and it stays quoted
kind: kpi

# The target was agreed in the Q3 review.
target:
    deadline: 2027-12-31   # the deadline
    value: 28
# Identity comes first after formatting.
id: sales.win-rate
answer: 'yes'
goals: [grow-revenue]  # flow style stays
formula:
  inputs:
  - {source: CRM won, name: won}   # first input
  - source: CRM qualified
    # the name of the second input
    name: qualified
  expression: won / qualified * 100
unit: percent
"""


def _comments(text: str) -> list[str]:
    return sorted(match.strip() for match in re.findall(r"#[^\n]*", text))


def _data(text: str) -> list[object]:
    return [document.data for document in load_text("x.yaml", text).documents]


def test_round_trip_keeps_data_and_every_comment_and_is_idempotent() -> None:
    formatted = format_text("a.yaml", COMMENTED).formatted
    assert _data(formatted) == _data(COMMENTED)
    assert _comments(formatted) == _comments(COMMENTED)
    assert format_text("a.yaml", formatted).formatted == formatted
    lines = formatted.splitlines()
    assert lines[:3] == [
        "# kpigov: ignore-file[S101] descriptions follow",
        "# A second header line.",
        "",
    ]
    keys = [line.split(":")[0] for line in lines if re.match(r"^[a-z_]+:", line)]
    assert keys == ["kind", "id", "name", "goals", "unit", "formula", "target", "answer"]
    assert "# Identity comes first after formatting.\nid: sales.win-rate" in formatted
    assert "# The target was agreed in the Q3 review.\ntarget:" in formatted
    assert '"Win rate"' in formatted and "'yes'" in formatted and "[grow-revenue]" in formatted
    assert (
        "  expression: won / qualified * 100\n  inputs:\n    - {name: won, source: CRM won}"
        in formatted
    )
    assert "  value: 28\n  deadline: 2027-12-31" in formatted


def test_multi_document_files_and_other_kinds() -> None:
    text = "name: Grow\nid: grow\nkind: goal\n---\nteam: sales\nid: a\nkind: person\nname: A\n"
    formatted = format_text("g.yaml", text).formatted
    assert (
        formatted
        == "kind: goal\nid: grow\nname: Grow\n---\nkind: person\nid: a\nname: A\nteam: sales\n"
    )


def test_refuses_files_it_cannot_format_safely() -> None:
    for text in (
        "kind: kpi\nname: [unclosed\n",
        "a: 1\na: 2\n",
        "x: !!python/object:os.system {}\n",
    ):
        try:
            format_text("bad.yaml", text)
        except FormatError as error:
            assert str(error).startswith("bad.yaml:")
        else:
            raise AssertionError(f"formatted {text!r}")


def test_cli_check_and_write(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "kpis/a.yaml": COMMENTED,
            "kpis/b.yaml": "kind: kpi\nid: b\nname: B\n",
            "kpis/broken.yaml": "kind: [\n",
        },
    )
    code, out, err = run_cli("fmt", "--root", str(root), "--check")
    assert (
        code == 1 and "Would reformat" in out and "kpis/a.yaml" in out and "kpis/b.yaml" not in out
    )
    assert "kpis/broken.yaml:" in err
    assert (root / "kpis/a.yaml").read_text() == COMMENTED  # --check changes nothing
    code, out, _ = run_cli("fmt", str(root / "kpis" / "a.yaml"))
    assert code == 0 and "Reformatted" in out
    assert run_cli("fmt", "--root", str(root), "--check", str(root / "kpis" / "a.yaml"))[0] == 0


def test_shipped_catalogues_are_formatted() -> None:
    code, out, _ = run_cli("fmt", "--root", str(REPO / "examples" / "acme"), "--check")
    assert code == 0, out


@settings(max_examples=60, deadline=None)
@given(
    order=st.permutations(KPI_ORDER[:12]),
    comments=st.lists(st.booleans(), min_size=12, max_size=12),
)
def test_any_key_order_with_comments_formats_stably(order: list[str], comments: list[bool]) -> None:
    values = {
        "kind": "kpi",
        "id": "k",
        "name": "N",
        "description": "D",
        "tier": "pi",
        "owner": "o",
        "goals": "[g]",
        "perspective": "customer",
        "type": "quantitative",
        "indicator": "leading",
        "horizon": "short-term",
        "unit": "count",
    }
    lines = []
    for key, commented in zip(order, comments, strict=True):
        if commented:
            lines.append(f"# about {key}")
        lines.append(f"{key}: {values[key]}")
    text = "\n".join(lines) + "\n"
    formatted = format_text("p.yaml", text).formatted
    assert _data(formatted) == _data(text)
    assert _comments(formatted) == _comments(text)
    assert format_text("p.yaml", formatted).formatted == formatted
    for key, commented in zip(order, comments, strict=True):
        if commented and key != order[0]:
            assert f"# about {key}\n{key}:" in formatted, formatted


NESTED_BLOCKS = {
    "target": ["value: 5", "deadline: 2027-12-31", "commitment: committed"],
    "baseline": ["value: 3", "date: 2025-12-31"],
    "thresholds": ["red: 1", "amber: 2"],
}


@settings(max_examples=80, deadline=None)
@given(
    order=st.permutations(
        ["kind", "id", "name", "target", "baseline", "thresholds", "tags", "links"]
    ),
    inner=st.permutations([0, 1]),
    comments=st.lists(
        st.sampled_from(["", "line", "eol", "both", "blank"]), min_size=16, max_size=16
    ),
    flow_tags=st.booleans(),
)
def test_nested_blocks_with_comments_anywhere(
    order: list[str], inner: list[int], comments: list[str], flow_tags: bool
) -> None:
    scalars = {"kind": "kpi", "id": "k", "name": "N"}
    notes = iter(comments)
    lines: list[str] = []

    def emit(line: str, indent: str = "") -> None:
        style = next(notes, "")
        if style in ("line", "both"):
            lines.append(f"{indent}# before {line.split(':')[0].strip()} {len(lines)}")
        if style == "blank":
            lines.append("")
        lines.append(
            f"{indent}{line}" + (f"  # eol {len(lines)}" if style in ("eol", "both") else "")
        )

    for key in order:
        if key in scalars:
            emit(f"{key}: {scalars[key]}")
        elif key in NESTED_BLOCKS:
            emit(f"{key}:")
            children = NESTED_BLOCKS[key]
            for index in [*inner, *range(2, len(children))]:
                emit(children[index], "  ")
        elif key == "tags":
            if flow_tags:
                emit("tags: [a, b]")
            else:
                emit("tags:")
                emit("- a", "  ")
                emit("- b", "  ")
        else:
            emit("links:")
            emit("- url: https://example.com", "  ")
            emit("  title: Dashboard", "  ")
    text = "\n".join(lines) + "\n"
    formatted = format_text("n.yaml", text).formatted
    assert _data(formatted) == _data(text), formatted
    assert _comments(formatted) == _comments(text), formatted
    assert format_text("n.yaml", formatted).formatted == formatted
