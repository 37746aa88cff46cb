"""Which files are catalogue files: include/exclude globs, what is always left out, symbolic links."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kpigov.config import load_config
from kpigov.files import discover
from kpigov.globs import matches
from tests.conftest import lint_findings, write_tree

KPI = "kind: kpi\nid: {id}\nname: A KPI\n"


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("a.yaml", "**/*.yaml", True),
        ("kpis/x/a.yaml", "**/*.yaml", True),
        ("kpis/a.yaml", "kpis/*.yaml", True),
        ("kpis/x/a.yaml", "kpis/*.yaml", False),
        ("kpis/x/a.yaml", "kpis/**/*.yaml", True),
        ("kpis/a.yaml", "kpis/**/*.yaml", True),
        ("legacy/x/a.yaml", "legacy", True),
        ("legacy/x/a.yaml", "legacy/", True),
        ("legacyx/a.yaml", "legacy", False),
        ("a.yml", "*.y?ml", False),
        ("a.yml", "*.y[am]l", True),
        ("b.yaml", "[!a].yaml", True),
    ],
)
def test_globs(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, [pattern]) is expected


def test_include_exclude_and_what_is_always_left_out(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "kpigov.yaml": "include: ['**/*.yaml']\nexclude: ['drafts/**']\ncustom_rules: [house-rules]\n",
            "kpis/a.yaml": KPI.format(id="a"),
            "kpis/b.yml": KPI.format(id="b"),
            "drafts/c.yaml": KPI.format(id="c"),
            ".github/workflows/ci.yaml": "on: push\n",
            ".hidden.yaml": "x: 1\n",
            ".kpigov_cache/x.yaml": "x: 1\n",
            "house-rules/r.yaml": "id: ACME001\n",
            "history/a.csv": "date,value\n",
            "notes.txt": "not yaml",
        },
    )
    found = discover(load_config(tmp_path))
    assert found.yaml_files == ["kpis/a.yaml"]
    assert found.history_files == ["history/a.csv"]


def test_symbolic_link_leaving_the_catalogue_is_k007(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.yaml": KPI.format(id="secret")})
    root = write_tree(
        tmp_path / "cat", {"kpigov.yaml": "version: 1\n", "kpis/a.yaml": KPI.format(id="a")}
    )
    os.symlink(outside / "secret.yaml", root / "kpis" / "leak.yaml")
    os.symlink(outside, root / "linked-folder")
    os.symlink(root / "kpis" / "a.yaml", root / "kpis" / "inside.yaml")
    findings = lint_findings(root, select=["K"])
    k007 = sorted(f.file for f in findings if f.rule == "K007")
    assert k007 == ["kpis/leak.yaml", "linked-folder"]
    # a link that stays inside is read (and here duplicates an id)
    assert [f.file for f in findings if f.rule == "K004"] == ["kpis/inside.yaml"]
    assert not any(f.object == "secret" for f in findings)


def test_symbolic_link_loop_is_k007(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"kpigov.yaml": "version: 1\n"})
    os.symlink(root / "b.yaml", root / "a.yaml")
    os.symlink(root / "a.yaml", root / "b.yaml")
    rules = {f.file: f.rule for f in lint_findings(root, select=["K"])}
    assert rules == {"a.yaml": "K007", "b.yaml": "K007"}


def test_unreadable_file_is_k001_and_the_rest_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(
        tmp_path,
        {"kpigov.yaml": "version: 1\n", "a.yaml": KPI.format(id="a"), "b.yaml": KPI.format(id="b")},
    )

    # CI runs as root, for whom chmod 0 would not stop the read: both ways of opening refuse.
    def refusing(opener: Any) -> Any:
        def guarded(file: object, *args: object, **kwargs: object) -> Any:
            if str(file).endswith("a.yaml"):
                raise PermissionError(13, "Permission denied")
            return opener(file, *args, **kwargs)

        return guarded

    monkeypatch.setattr("builtins.open", refusing(open))
    monkeypatch.setattr("os.open", refusing(os.open))
    findings = lint_findings(root)
    monkeypatch.undo()
    assert any(f.rule == "K001" and f.file == "a.yaml" for f in findings)
    assert any(f.file == "b.yaml" and f.rule == "S101" for f in findings)


def test_fifo_named_yaml_is_skipped_not_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"kpigov.yaml": "version: 1\n", "c.yaml": KPI.format(id="c")})
    os.mkfifo(root / "pipe.yaml")
    assert discover(load_config(root)).yaml_files == ["c.yaml"]


def test_a_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "kpigov.yaml": "version: 1\n",
            "a.yaml": b"\x00\x01\x02binary\xff\xfe",
            "b.yaml": "kind: kpi\nid: [broken\n",
            "c.yaml": KPI.format(id="c"),
            "d.yaml": b"\xef\xbb\xbf" + KPI.format(id="d").encode(),
        },
    )
    findings = lint_findings(root)
    assert {f.file for f in findings if f.rule == "K001"} == {"a.yaml", "b.yaml"}
    assert {f.object for f in findings if f.rule == "S101"} == {"c", "d"}
