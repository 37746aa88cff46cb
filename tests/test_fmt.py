"""`kpigov fmt`: canonical order, comments and blank lines kept, parsed data unchanged, idempotent."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpigov.comments import find_comments
from kpigov.fmt import KPI_ORDER, FormatError, LossError, format_text
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
        "parent": "p",
        "breakdown": "Development",
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


# -- nothing is ever lost (SPEC §8.1) ---------------------------------------------------------

LOSSLESS_CASES = {
    "commented-out document": "id: a\nkind: kpi\nname: A\n---\n# kind: person\n# id: future\n",
    "comment after the end marker": "name: A\nkind: kpi\nid: a\n...\n# after the end\n",
    "comment-only last document": "name: A\nkind: kpi\nid: a\n--- # next\n# nothing yet\n",
    "comments between documents": "name: A\nkind: kpi\nid: a\n---\n# the team\nname: T\nkind: team\nid: t\n",
    "apostrophe before a comment": "name: A\nkind: kpi\nid: a\ndescription: Demo's.  # kpigov: ignore[S101] r\n",
}


def test_every_comment_survives_where_the_documents_allow_formatting() -> None:
    for case, text in LOSSLESS_CASES.items():
        result = format_text("a.yaml", text)
        assert result.changed, case
        assert _data(result.formatted) == _data(text), case
        assert [c.text for c in find_comments(result.formatted)] == [
            c.text for c in find_comments(text)
        ], case
        assert format_text("a.yaml", result.formatted).formatted == result.formatted, case


def test_a_file_that_would_lose_a_comment_is_left_and_named(tmp_path: Path) -> None:
    flow = "name: A\nkind: kpi\nid: a\ntags: [a,  # the first tag\n  b]\n"
    with pytest.raises(LossError, match="the first tag"):
        format_text("flow.yaml", flow)
    root = catalogue_in_context(tmp_path, {"kpis/flow.yaml": flow})
    code, out, err = run_cli("fmt", "--root", str(root), "--check")
    assert code == 1 and "kpis/flow.yaml" in err and "left as it is" in err
    code, out, err = run_cli("fmt", "--root", str(root))
    assert code == 0 and "warning" in err and "kpis/flow.yaml" in err
    assert (root / "kpis" / "flow.yaml").read_text() == flow


def test_files_lint_refuses_are_never_rewritten(tmp_path: Path) -> None:
    huge = b"id: a\nkind: kpi\nname: A\ndescription: >\n" + b"  word\n" * 1_000_000
    broken = b"name: A\nkind: kpi\nid: [a\n"
    latin1 = "name: Caf\u00e9\nkind: kpi\nid: a\n".encode("latin-1")
    root = catalogue_in_context(
        tmp_path, {"kpis/huge.yaml": huge, "kpis/broken.yaml": broken, "kpis/latin1.yaml": latin1}
    )
    code, _, err = run_cli("fmt", "--root", str(root))
    assert code == 1
    assert "kpis/huge.yaml:1:1" in err and "K007" in err
    assert "kpis/broken.yaml:" in err and "kpis/latin1.yaml:1:" in err
    assert (root / "kpis" / "huge.yaml").read_bytes() == huge
    assert (root / "kpis" / "broken.yaml").read_bytes() == broken
    assert (root / "kpis" / "latin1.yaml").read_bytes() == latin1


def test_a_linked_file_is_written_through_the_link(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path / "cat", {"kpis/real.yaml": "name: A\nkind: kpi\nid: a\n"})
    os.symlink(root / "kpis" / "real.yaml", root / "kpis" / "link.yaml")
    assert run_cli("fmt", "--root", str(root), str(root / "kpis" / "link.yaml"))[0] == 0
    assert (root / "kpis" / "link.yaml").is_symlink()
    assert (root / "kpis" / "real.yaml").read_text().startswith("kind: kpi\n")


_COMMENT_WORDS = st.text(alphabet="abc #'\":-[]{}", min_size=0, max_size=12)


@st.composite
def _commented_yaml(draw: st.DrawFn) -> str:
    """Multi-document KPI-ish YAML with comments in every place YAML allows one."""
    lines: list[str] = []
    note = lambda: "# " + draw(_COMMENT_WORDS).replace("\n", " ")  # noqa: E731
    for number in range(draw(st.integers(1, 3))):
        if number or draw(st.booleans()):
            lines.append("---" + (f" {note()}" if draw(st.booleans()) else ""))
        shape = draw(st.sampled_from(["kpi", "commented-out", "comment-only", "empty"]))
        if shape != "kpi":
            if shape == "commented-out":
                lines += [f"# kind: person {number}", f"# id: future-{number}"]
            elif shape == "comment-only":
                lines.append(note())
            continue
        keys = draw(st.permutations(["name: N", "kind: kpi", f"id: k{number}", "tags", "target"]))
        for key in keys:
            if draw(st.booleans()):
                lines.append(note())
            eol = f"  {note()}" if draw(st.booleans()) else ""
            if key == "tags":
                if draw(st.booleans()):
                    lines += [f"tags: [a,{eol}", "  b]"] if eol else ["tags: [a, b]"]
                else:
                    lines += ["tags:" + eol, "  - a", f"  {note()}", "  - b"]
            elif key == "target":
                lines += ["target:" + eol, "  deadline: 2027-12-31", f"  {note()}", "  value: 5"]
            else:
                lines.append(key + eol)
        if draw(st.booleans()):
            lines += ["...", note()]
    if draw(st.booleans()):
        lines.append(note())
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(_commented_yaml())
def test_fmt_loses_nothing_or_leaves_the_file(text: str) -> None:
    try:
        result = format_text("p.yaml", text)
    except LossError:
        return  # left untouched, and named by the CLI
    except FormatError:
        return  # refused (K001/K003/K007), also untouched
    assert _data(result.formatted) == _data(text), result.formatted
    assert sorted(c.text for c in find_comments(result.formatted)) == sorted(
        c.text for c in find_comments(text)
    ), result.formatted
    assert format_text("p.yaml", result.formatted).formatted == result.formatted
