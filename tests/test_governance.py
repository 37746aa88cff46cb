"""G701-G706 against a scripted git history: create a repository, commit, change, compare."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    catalogue_in_context,
    commit_all,
    git,
    json_findings,
    lint_findings,
    run_cli,
)

KPI = "kind: kpi\nid: sales.win-rate\nname: Win rate\nunit: percent\n{extra}"


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = catalogue_in_context(tmp_path / "repo", files)
    commit_all(root, "base")
    return root


def _g(root: Path, since: str = "HEAD") -> list[tuple[str, str, int]]:
    return sorted((f.rule, f.file, f.line) for f in lint_findings(root, select=["G"], since=since))


def test_nothing_changed(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"kpis/win.yaml": KPI.format(extra="")})
    assert _g(root) == []


def test_deleted_kpi_sits_at_its_old_path(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"kpis/win.yaml": KPI.format(extra="")})
    (root / "kpis/win.yaml").unlink()
    assert _g(root) == [("G701", "kpis/win.yaml", 1)]


def test_deprecated_then_removed_is_fine(tmp_path: Path) -> None:
    root = _repo(
        tmp_path,
        {"kpis/win.yaml": KPI.format(extra="status: deprecated\nreplaced_by: context.win-rate\n")},
    )
    (root / "kpis/win.yaml").unlink()
    assert _g(root) == []


def test_renamed_file_keeps_the_kpi(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"kpis/win.yaml": KPI.format(extra="")})
    git(root, "mv", "kpis/win.yaml", "kpis/sales-win-rate.yaml")
    assert _g(root) == []
    (root / "kpis/sales-win-rate.yaml").write_text(KPI.format(extra="").replace("percent", "ratio"))
    assert _g(root) == [("G702", "kpis/sales-win-rate.yaml", 4)]


def test_version_bump_needs_changelog_and_target_change_needs_note(tmp_path: Path) -> None:
    root = _repo(
        tmp_path, {"kpis/win.yaml": KPI.format(extra="target: {value: 28, deadline: 2027-12-31}\n")}
    )
    (root / "kpis/win.yaml").write_text(
        KPI.format(extra="unit: ratio\n").replace("unit: percent\n", "")
        + "version: 2\ntarget: {value: 25, deadline: 2027-12-31}\n"
    )
    assert [rule for rule, _, _ in _g(root)] == ["G703", "G706"]
    (root / "kpis/win.yaml").write_text(
        KPI.format(extra="").replace("percent", "ratio")
        + "version: 2\ntarget: {value: 25, deadline: 2027-12-31}\n"
        + "changelog:\n  - {version: 2, date: 2026-11-01, change: Ratio; target lowered.}\n"
    )
    assert _g(root) == []


def test_history_rows_changed_or_deleted(tmp_path: Path) -> None:
    history = "date,value\n2026-08-31,23.5\n2026-09-30,24.1\n2026-10-31,24.8\n"
    root = _repo(tmp_path, {"history/context.win-rate.csv": history})
    (root / "history/context.win-rate.csv").write_text(
        "date,value\n2026-08-31,23.5\n2026-10-31,25\n2026-11-20,25.2\n"
    )
    assert _g(root) == [
        ("G704", "history/context.win-rate.csv", 1),
        ("G704", "history/context.win-rate.csv", 3),
    ]
    (root / "history/context.win-rate.csv").write_text(history + "2026-11-20,25.2\n")
    assert _g(root) == []


def test_staged_and_committed_compare_with_earlier_revisions(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"kpis/win.yaml": KPI.format(extra="")})
    (root / "kpis/win.yaml").write_text(KPI.format(extra="status: retired\n"))
    commit_all(root, "retire")
    assert _g(root) == []  # against HEAD nothing changed
    assert _g(root, "HEAD~1") == [("G701", "kpis/win.yaml", 5)]


def test_repository_without_commits_has_an_empty_base(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path / "repo", {"kpis/win.yaml": KPI.format(extra="")})
    git(root, "init", "-q")
    assert _g(root) == []


def test_catalogue_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = catalogue_in_context(repo / "kpi-catalogue", {"kpis/win.yaml": KPI.format(extra="")})
    commit_all(repo, "base")
    (root / "kpis/win.yaml").unlink()
    assert _g(root) == [("G701", "kpis/win.yaml", 1)]


@pytest.mark.parametrize(
    ("setup", "words"), [("git", "not a revision"), ("none", "not inside a git repository")]
)
def test_bad_revision_or_no_git_is_a_usage_error(tmp_path: Path, setup: str, words: str) -> None:
    root = catalogue_in_context(tmp_path / "cat", {})
    if setup == "git":
        commit_all(root)
    code, _, err = run_cli("lint", "--root", str(root), "--since", "no-such-rev")
    assert code == 2 and words in err


def test_g_findings_are_reported_whatever_the_paths(tmp_path: Path) -> None:
    root = _repo(
        tmp_path,
        {"kpis/win.yaml": KPI.format(extra=""), "kpis/other.yaml": "kind: kpi\nid: o\nname: O\n"},
    )
    (root / "kpis/win.yaml").unlink()
    code, out, _ = run_cli(
        "lint",
        str(root / "kpis/other.yaml"),
        "--since",
        "HEAD",
        "--format",
        "json",
        "--select",
        "G",
    )
    assert [f["rule"] for f in json_findings(out)] == ["G701"]
