"""The lint cache: same output as without it, only changed files re-parsed, never trusted blindly."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import kpigov.catalogue
from kpigov.cache import LintCache
from tests.conftest import REPO, run_cli

ARGS = ("--today", "2026-11-23", "--format", "json")


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    root = shutil.copytree(
        REPO / "examples" / "messy",
        tmp_path / "messy",
        ignore=shutil.ignore_patterns(".kpigov_cache"),
    )
    return root


def _lint(root: Path, *args: str) -> tuple[int, str]:
    code, out, _ = run_cli("lint", "--root", str(root), *ARGS, *args)
    return code, out


@pytest.mark.parametrize("format_name", ["json", "text", "sarif", "junit", "github", "gitlab"])
def test_cached_output_is_byte_identical(messy: Path, format_name: str) -> None:
    args = ("--format", format_name)
    plain = run_cli("lint", "--root", str(messy), "--today", "2026-11-23", "--no-cache", *args)
    first = run_cli("lint", "--root", str(messy), "--today", "2026-11-23", *args)
    second = run_cli("lint", "--root", str(messy), "--today", "2026-11-23", *args)
    assert plain == first == second
    assert (messy / ".kpigov_cache" / "runs").is_dir()


def test_no_cache_writes_nothing(messy: Path) -> None:
    _lint(messy, "--no-cache")
    assert not (messy / ".kpigov_cache").exists()


def test_the_cache_folder_ignores_itself_in_git(messy: Path) -> None:
    _lint(messy)
    assert (messy / ".kpigov_cache" / ".gitignore").read_text().strip().endswith("*")


def test_only_the_changed_file_is_parsed_again(
    messy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lint(messy)
    parsed: list[str] = []
    real = kpigov.catalogue.load_bytes
    monkeypatch.setattr(
        kpigov.catalogue, "load_bytes", lambda rel, raw: parsed.append(rel) or real(rel, raw)
    )
    (messy / "goals.yaml").write_text(
        (messy / "goals.yaml").read_text() + "---\nkind: goal\nid: new\nname: New\n"
    )
    code, out = _lint(messy)
    assert parsed == ["goals.yaml"]
    assert any(f["object"] == "new" for f in json.loads(out)["findings"])
    parsed.clear()
    _, again = _lint(messy)
    assert parsed == [] and again == out


def test_edit_changes_the_result(messy: Path) -> None:
    _, before = _lint(messy)
    (messy / "kpis" / "service.yaml").write_text(
        "kind: kpi\nid: service.response-time\nname: Response time\n"
    )
    _, after = _lint(messy)
    assert before != after


def test_corrupt_and_foreign_entries_are_rebuilt(messy: Path) -> None:
    _, expected = _lint(messy, "--no-cache")
    _lint(messy)
    for path in (messy / ".kpigov_cache").rglob("*.json"):
        path.write_text(
            "{not json"
            if hash(path.name) % 2
            else json.dumps({"format": 99, "key": "x", "value": {}})
        )
    _, out = _lint(messy)
    assert out == expected


def test_planted_entry_for_another_key_is_not_trusted(messy: Path) -> None:
    _, expected = _lint(messy, "--no-cache")
    _lint(messy)
    for path in (messy / ".kpigov_cache" / "runs").rglob("*.json"):
        entry = json.loads(path.read_text())
        entry["key"] = "0" * 64  # a copy from somewhere else
        path.write_text(json.dumps(entry))
    assert _lint(messy)[1] == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_catalogue(messy: Path) -> None:
    for folder in [messy, *[p for p in messy.rglob("*") if p.is_dir()]]:
        folder.chmod(0o555)
    try:
        code, out, err = run_cli("lint", "--root", str(messy), *ARGS)
    finally:
        for folder in [messy, *[p for p in messy.rglob("*") if p.is_dir()]]:
            folder.chmod(0o755)
    assert code == 1 and json.loads(out)["findings"] and "running without it" in err


def test_unwritable_cache_is_a_note_not_an_error(messy: Path) -> None:
    (messy / ".kpigov_cache").write_text("a file where the cache folder should be")
    code, out, err = run_cli("lint", "--root", str(messy), *ARGS)
    assert code == 1 and json.loads(out)["findings"] and "running without it" in err


class _MadeMeanwhile(type(Path())):  # type: ignore[misc]
    """A cache folder that another process creates just after this one looked."""

    def exists(self, *args: object, **kwargs: object) -> bool:
        return False


def test_cache_folder_made_by_a_forked_loader_meanwhile(tmp_path: Path) -> None:
    cache = LintCache(tmp_path)
    cache.folder.mkdir()
    cache.folder = _MadeMeanwhile(cache.folder)
    cache.write("runs", "ab12", {"x": 1})
    assert cache.enabled and cache.note is None
    assert cache.read("runs", "ab12") == {"x": 1}


def test_a_large_first_run_leaves_its_entries_to_a_detached_writer(tmp_path: Path) -> None:
    """Entries of a first run over many files are written after the run has answered; they all
    arrive, and a later run that reads them answers exactly as the first did."""
    import subprocess
    import sys
    import time

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    from kpigov.cache import BACKGROUND_FROM

    root = generate(BACKGROUND_FROM + 50, tmp_path / "catalogue")
    command = [sys.executable, "-m", "kpigov", "lint", "--root", str(root), *ARGS]
    first = subprocess.run(command, capture_output=True, text=True, check=False)
    yaml_files = len(list((root / "kpis").rglob("*.yaml"))) + 2  # and goals.yaml, owners.yaml
    entries = root / ".kpigov_cache" / "files"
    deadline = time.monotonic() + 60
    while len(list(entries.rglob("*.json"))) < yaml_files and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(list(entries.rglob("*.json"))) == yaml_files
    shutil.rmtree(root / ".kpigov_cache" / "runs")  # so that the files' entries are read
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)


def test_the_finding_types_checked_are_a_findings_fields() -> None:
    from dataclasses import fields

    from kpigov.findings import FINDING_JSON_TYPES, RAW_FINDING_FIELDS, Finding

    assert list(FINDING_JSON_TYPES) == [f.name for f in fields(Finding)]
    assert set(RAW_FINDING_FIELDS) == set(FINDING_JSON_TYPES) - {"fingerprint", "suppressed"}


@pytest.mark.parametrize(
    "change",
    [{"line": "3"}, {"line": True}, {"related": [1]}, {"suppressed": {"x": 2}}, {"extra": 1}],
)
def test_a_kept_finding_of_the_wrong_types_is_not_trusted(change: dict) -> None:
    from kpigov.findings import (
        Finding,
        finding_from_json,
        raw_finding_from_row,
        raw_finding_row,
    )

    finding = Finding("K002", "n", "error", "m", "a.yaml", 1, 1, 1, 2, "kpi", "a", None, ("b",))
    row = raw_finding_row(finding)
    assert raw_finding_from_row(row) == finding
    values = {**finding.to_json(), "yaml_path": "", "suppressed": None}
    assert finding_from_json(values) == finding
    with pytest.raises(ValueError):
        finding_from_json({**values, **change})
    with pytest.raises(ValueError):
        raw_finding_from_row(row[:-1])


def test_a_lint_again_is_answered_from_the_cache(
    messy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept findings (suppressed ones among them) pass the codec's checks: were they
    rejected, every run would lint again with the same output, only slower."""
    import datetime as dt

    from kpigov import api

    first = api.lint(messy, today=dt.date(2026, 11, 23))
    assert any(f.suppressed for f in first.findings)
    answered = []
    real = LintCache.load_findings

    def recording(self: LintCache, key: str) -> object:
        found = real(self, key)
        answered.append(found is not None)
        return found

    monkeypatch.setattr(LintCache, "load_findings", recording)
    second = api.lint(messy, today=dt.date(2026, 11, 23))
    assert answered == [True]
    assert second.findings == first.findings
