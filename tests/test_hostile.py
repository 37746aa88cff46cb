"""Hostile input: every case of tests/hostile gives its located finding, no traceback, the rest of
the catalogue is still checked, in under a second and within 2 GiB of address space."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kpigov.loader import load_bytes
from tests.conftest import CONTEXT

HOSTILE = Path(__file__).parent / "hostile"
CASES = load_bytes("cases.yaml", (HOSTILE / "cases.yaml").read_bytes()).documents[0].data
GOOD = "kind: kpi\nid: good.kpi\nname: Good\n"  # no unit: S112 proves the file was checked


def _catalogue(tmp_path: Path) -> Path:
    root = shutil.copytree(CONTEXT, tmp_path / "catalogue")
    (root / "kpis" / "good.yaml").write_text(GOOD)
    return root


HOUSE_CONFIG = "version: 1\nname: Rule example context\ncustom_rules: [house]\n"


def _place(case: dict[str, Any]) -> str:
    name = case["file"]
    if "as" in case:
        return str(case["as"])
    if name.startswith("config-"):
        return "kpigov.yaml"
    if name.startswith("rule-"):
        return "house/HOUSE001.yaml"
    return "history/good.kpi.csv" if name.endswith(".csv") else "kpis/hostile.yaml"


def _prepare(root: Path, case: dict[str, Any]) -> str:
    """Put the case's file in place (and what a house rule needs); the path it went to."""
    place = _place(case)
    if place.startswith("house/"):
        (root / "house").mkdir()
        (root / "kpigov.yaml").write_text(HOUSE_CONFIG)
    if "kpi_name" in case:
        (root / "kpis" / "hostile.yaml").write_text(
            f"kind: kpi\nid: hostile.a\nname: {case['kpi_name']}\n"
        )
    (root / place).parent.mkdir(parents=True, exist_ok=True)
    (root / place).write_bytes((HOSTILE / "files" / case["file"]).read_bytes())
    return place


def _lint(root: Path, unreadable: str = "") -> dict[str, Any]:
    env = {**os.environ, "NO_COLOR": "1", "KPIGOV_TEST_UNREADABLE": unreadable}
    process = subprocess.run(
        [sys.executable, str(HOSTILE / "run_case.py"), str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert process.returncode == 0, process.stderr
    outcome: dict[str, Any] = json.loads(process.stdout.splitlines()[-1])
    assert "Traceback" not in outcome["stderr"], outcome["stderr"]
    assert outcome["exit"] in (1, 2), outcome
    assert outcome["seconds"] < 1.0, f"took {outcome['seconds']:.2f} s"
    return outcome


def _check(outcome: dict[str, Any], file: str, expect: str) -> None:
    assert outcome["exit"] == 1, outcome["stderr"]
    findings = json.loads(outcome["stdout"])["findings"]
    assert any(f["object"] == "good.kpi" and f["rule"] == "S112" for f in findings), (
        "the rest was not checked"
    )
    located = {f"{f['rule']}:{f['line']}:{f['column']}" for f in findings if f["file"] == file}
    if expect == "accepted":
        assert not [x for x in located if x.startswith(("K", "T603"))], located
    else:
        assert expect in located, located
        rule = expect.split(":")[0]
        message = next(f["message"] for f in findings if f["file"] == file and f["rule"] == rule)
        assert len(message) > 20


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) + 6 > 100  # six more are built below
    assert {case["file"] for case in CASES} == {path.name for path in (HOSTILE / "files").iterdir()}


@pytest.mark.parametrize("case", CASES, ids=[case["file"] for case in CASES])
def test_hostile_file(case: dict[str, Any], tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    place = _prepare(root, case)
    outcome = _lint(root)
    if "error" in case:
        assert outcome["exit"] == 2, outcome
        assert f"{place}:{case['error']}:" in outcome["stderr"], outcome["stderr"]
    else:
        _check(outcome, case.get("at", place), case["expect"])


def test_file_over_5_mib(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    (root / "kpis" / "huge.yaml").write_bytes(
        b"kind: kpi\nid: huge\nname: Huge\ndescription: >\n" + b"  word\n" * 1_000_000
    )
    _check(_lint(root), "kpis/huge.yaml", "K007:1:1")


def test_symbolic_link_leaving_the_catalogue(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text("kind: kpi\nid: secret\nname: Secret\n")
    os.symlink(secret, root / "kpis" / "leak.yaml")
    _check(_lint(root), "kpis/leak.yaml", "K007:1:1")


def test_symbolic_link_loop(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    os.symlink(root / "kpis" / "b.yaml", root / "kpis" / "a.yaml")
    os.symlink(root / "kpis" / "a.yaml", root / "kpis" / "b.yaml")
    _check(_lint(root), "kpis/a.yaml", "K007:1:1")


def test_unreadable_file(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    (root / "kpis" / "locked.yaml").write_text(GOOD.replace("good.kpi", "locked.kpi"))
    _check(_lint(root, unreadable="kpis/locked.yaml"), "kpis/locked.yaml", "K001:1:1")


def test_history_link_leaving_the_catalogue(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    secret = tmp_path / "payroll.csv"
    secret.write_text("date,value\n2026-01-31,1\n")
    os.symlink(secret, root / "history" / "good.kpi.csv")
    _check(_lint(root), "history/good.kpi.csv", "K007:1:1")


def test_corrupt_cache_entry_nested_100000_deep(tmp_path: Path) -> None:
    root = _catalogue(tmp_path)
    first = subprocess.run(
        [sys.executable, "-m", "kpigov", "lint", "--root", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    entries = [p for p in (root / ".kpigov_cache").rglob("*.json")]
    assert entries
    for entry in entries:
        entry.write_text("[" * 100_000 + "]" * 100_000)
    for _ in range(2):  # and every later run
        again = subprocess.run(
            [sys.executable, "-m", "kpigov", "lint", "--root", str(root), "--format", "json"],
            capture_output=True,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        assert "Traceback" not in again.stderr, again.stderr
        assert again.stdout == first.stdout
