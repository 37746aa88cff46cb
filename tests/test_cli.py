"""`kpigov` end to end: exit codes, both output formats, options, and the helper commands."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from kpigov import __version__
from tests.conftest import REPO, json_findings, run_cli, write_tree

BAD_KPI = """kind: kpi
id: sales.win-rate
name: Win rate
description: Deals won.
frequency: elke-week
"""


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "cat",
        {
            "kpigov.yaml": "version: 1\n",
            "kpis/bad.yaml": BAD_KPI,
            "kpis/other.yaml": "kind: kpi\nid: other\nname: Other\n",
        },
    )


def test_version() -> None:
    code, out, _ = run_cli("--version")
    assert code == 0 and __version__ in out


def test_exit_1_with_errors_and_text_format(catalogue: Path) -> None:
    code, out, _ = run_cli("lint", cwd=catalogue)
    assert code == 1
    assert (
        "kpis/bad.yaml:5:12: K002 [error] frequency: 'elke-week' is not one of realtime, "
        "hourly, daily, weekly, monthly, quarterly, yearly (schema)"
    ) in out.splitlines()
    assert "kpis/bad.yaml:4:14: S101 [warning] description has 2 words" in out
    assert out.rstrip().splitlines()[-1].startswith("Found ")
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_paths_from_another_working_directory_are_clickable(catalogue: Path) -> None:
    code, out, _ = run_cli("lint", "cat", cwd=catalogue.parent)
    assert code == 1 and "cat/kpis/bad.yaml:5:12:" in out


def test_exit_0_when_clean(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"kpigov.yaml": "version: 1\n"})
    code, out, _ = run_cli("lint", "--root", str(root))
    assert code == 0 and "All checks passed" in out


def test_json_format(catalogue: Path) -> None:
    code, out, _ = run_cli("lint", "--format", "json", "--today", "2026-11-23", cwd=catalogue)
    assert code == 1
    report = json.loads(out)
    assert report["version"] == 1 and report["tool"] == {"name": "kpigov", "version": __version__}
    assert report["today"] == "2026-11-23" and report["root"] == str(catalogue.resolve())
    first = report["findings"][0]
    assert set(first) == {
        "rule",
        "name",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "kind",
        "object",
        "smart",
        "related",
        "fingerprint",
        "suppressed",
    }
    keys = [(f["file"], f["line"], f["column"], f["rule"]) for f in report["findings"]]
    assert keys == sorted(keys)
    s101 = next(f for f in report["findings"] if f["rule"] == "S101")
    assert s101 == {
        **s101,
        "name": "vague-description",
        "severity": "warning",
        "file": "kpis/bad.yaml",
        "line": 4,
        "column": 14,
        "end_line": 4,
        "end_column": 24,
        "kind": "kpi",
        "object": "sales.win-rate",
        "smart": "S",
        "related": [],
        "suppressed": None,
    }
    summary = report["summary"]
    assert summary["files"] == 2 and summary["suppressed"] == 0
    assert summary["error"] == sum(f["severity"] == "error" for f in report["findings"])


def test_fingerprints_survive_edits_above_the_finding(catalogue: Path) -> None:
    before = {
        f["rule"]: f["fingerprint"]
        for f in json_findings(run_cli("lint", "--format", "json", cwd=catalogue)[1])
    }
    bad = catalogue / "kpis/bad.yaml"
    bad.write_text("# a new comment\n\n" + bad.read_text())
    after = {
        f["rule"]: f["fingerprint"]
        for f in json_findings(run_cli("lint", "--format", "json", cwd=catalogue)[1])
    }
    assert before == after


def test_select_ignore_and_fail_on(catalogue: Path) -> None:
    code, out, _ = run_cli("lint", "--format", "json", "--select", "S101", cwd=catalogue)
    assert {f["rule"] for f in json_findings(out)} == {"S101"}
    assert code == 0  # warnings do not fail by default
    code, _, _ = run_cli("lint", "--select", "S101", "--fail-on", "warning", cwd=catalogue)
    assert code == 1
    code, out, _ = run_cli("lint", "--format", "json", "--ignore", "K,S1,A,O,F,T", cwd=catalogue)
    assert json_findings(out) == [] and code == 0
    code, _, _ = run_cli("lint", "--fail-on", "never", cwd=catalogue)
    assert code == 0


def test_paths_limit_the_report(catalogue: Path) -> None:
    code, out, _ = run_cli("lint", "--format", "json", "kpis/other.yaml", cwd=catalogue)
    assert {f["file"] for f in json_findings(out)} == {"kpis/other.yaml"}
    assert json.loads(out)["summary"]["files"] == 1
    code, out, _ = run_cli("lint", "--format", "json", "kpis", cwd=catalogue)
    assert {f["file"] for f in json_findings(out)} == {"kpis/bad.yaml", "kpis/other.yaml"}


def test_severity_options_and_per_file_ignores_from_config(catalogue: Path) -> None:
    (catalogue / "kpigov.yaml").write_text(
        "version: 1\nrules:\n  severity: {vague-description: error}\n  options: {S101: {min_words: 1}}\n"
        "per_file_ignores: {'kpis/other.yaml': [S]}\n"
    )
    _, out, _ = run_cli("lint", "--format", "json", cwd=catalogue)
    findings = json_findings(out)
    assert not [f for f in findings if f["rule"] == "S101" and f["file"] == "kpis/bad.yaml"]
    assert not [f for f in findings if f["file"] == "kpis/other.yaml" and f["rule"].startswith("S")]
    (catalogue / "kpigov.yaml").write_text(
        "version: 1\nrules:\n  severity: {vague-description: error}\n"
    )
    _, out, _ = run_cli("lint", "--format", "json", cwd=catalogue)
    assert {f["severity"] for f in json_findings(out) if f["rule"] == "S101"} == {"error"}


def test_exclude_skips_named_files(catalogue: Path) -> None:
    (catalogue / "kpigov.yaml").write_text("version: 1\nexclude: [kpis/bad.yaml]\n")
    _, out, _ = run_cli("lint", "--format", "json", "kpis/bad.yaml", cwd=catalogue)
    assert json_findings(out) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "23-11-2026"], "not a date"),
        (["--select", "nonsense"], "not a rule id"),
        (["--format", "xml"], "Invalid value"),
    ],
)
def test_usage_errors_exit_2(catalogue: Path, args: list[str], message: str) -> None:
    code, out, err = run_cli("lint", *args, cwd=catalogue)
    assert code == 2 and message in err


def test_bad_config_exits_2_with_location(catalogue: Path) -> None:
    (catalogue / "kpigov.yaml").write_text("version: 1\nlimits: {total: -3}\n")
    code, _, err = run_cli("lint", cwd=catalogue)
    assert code == 2 and "kpigov.yaml:2:17:" in err and "Traceback" not in err


def test_no_catalogue_exits_2(tmp_path: Path) -> None:
    code, _, err = run_cli("lint", cwd=tmp_path)
    assert code == 2 and "kpigov init" in err


def test_today_from_environment(catalogue: Path) -> None:
    _, out, _ = run_cli(
        "lint", "--format", "json", cwd=catalogue, env={"KPIGOV_TODAY": "2030-01-02"}
    )
    assert json.loads(out)["today"] == "2030-01-02"


def test_output_file(catalogue: Path) -> None:
    code, out, _ = run_cli("lint", "--format", "json", "--output", "report.json", cwd=catalogue)
    assert code == 1 and out == ""
    assert json.loads((catalogue / "report.json").read_text())["version"] == 1


def test_rules_command_formats() -> None:
    code, out, _ = run_cli("rules")
    assert code == 0 and "S101  vague-description" in out
    code, out, _ = run_cli("rules", "--format", "json")
    assert {r["id"] for r in json.loads(out)} >= {"K001", "S151"}
    code, out, _ = run_cli("rules", "--format", "markdown")
    assert out.startswith("# kpigov rule reference")


def test_explain() -> None:
    code, out, _ = run_cli("explain", "S101")
    assert code == 0 and "Why it matters" in out and "min_words" in out
    assert run_cli("explain", "vague-description")[1] == out
    code, _, err = run_cli("explain", "S1O1")
    assert code == 2 and "did you mean" in err


def test_schema_command() -> None:
    code, out, _ = run_cli("schema", "kpi")
    jsonschema.Draft202012Validator.check_schema(json.loads(out))
    code, out, _ = run_cli("schema")
    assert code == 0 and "config" in out
    assert run_cli("schema", "nope")[0] == 2


@pytest.mark.parametrize("language", ["en", "nl"])
def test_init_creates_a_catalogue_that_passes(tmp_path: Path, language: str) -> None:
    target = tmp_path / "new"
    code, out, _ = run_cli("init", str(target), "--lang", language)
    assert code == 0
    assert (target / ".pre-commit-config.yaml").is_file()
    assert (target / ".github/workflows/kpigov.yml").is_file()
    code, out, _ = run_cli("lint", "--root", str(target))
    assert code == 0, out
    assert "Found" not in out
    assert run_cli("init", str(target))[0] == 2  # never overwrites


def test_readme_documents_every_command() -> None:
    readme = (REPO / "README.md").read_text()
    for command in (
        "kpigov lint",
        "kpigov rules",
        "kpigov explain",
        "kpigov schema",
        "kpigov init",
    ):
        assert command in readme


def test_text_code_frame_and_colour_on_a_terminal(catalogue: Path) -> None:
    from kpigov.findings import Finding
    from kpigov.reporters import Report, render

    finding = Finding(
        "K002",
        "schema",
        "error",
        "frequency: bad",
        "kpis/bad.yaml",
        5,
        12,
        5,
        21,
        "kpi",
        "sales.win-rate",
        None,
    )
    plain = render("text", Report([finding], 2, catalogue, "2026-11-23", "0", code_frames=True))
    assert plain.splitlines()[1:4] == [
        "   |",
        " 5 | frequency: elke-week",
        "   |            ^^^^^^^^^",
    ]
    coloured = render("text", Report([finding], 2, catalogue, "2026-11-23", "0", colour=True))
    assert "\x1b[31m" in coloured


def test_no_color_environment(catalogue: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpigov.cli import _wants_colour

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert _wants_colour(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not _wants_colour(Terminal())


def test_ci_examples_are_valid_yaml() -> None:
    from kpigov.loader import load_text

    for name in ("github-actions.yml", "gitlab-ci.yml", "pre-commit-config.yaml"):
        text = (REPO / "examples" / "ci" / name).read_text()
        result = load_text(name, text)
        assert not result.problems and isinstance(result.documents[0].data, dict), name
    assert "--output sarif:" in (REPO / "examples" / "ci" / "github-actions.yml").read_text()
    assert "codequality:" in (REPO / "examples" / "ci" / "gitlab-ci.yml").read_text()


def test_hooks_file_matches_the_commands() -> None:
    from kpigov.loader import load_text

    hooks = load_text("h", (REPO / ".pre-commit-hooks.yaml").read_text()).documents[0].data
    assert {hook["id"]: hook["entry"] for hook in hooks} == {
        "kpigov-lint": "kpigov lint --since HEAD",
        "kpigov-fmt": "kpigov fmt",
    }
    assert all(hook["require_serial"] for hook in hooks)
