"""Every output format: validated against its official schema, escaped, complete."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from kpigov.findings import Finding
from kpigov.reporters import Report, render, repository_prefix
from kpigov.reporters.github_report import escape_data, escape_property
from kpigov.rulebook import builtin_rules
from tests.conftest import REPO, run_cli

EXTERNAL = Path(__file__).parent / "external"  # copies of ../shared/external
MESSY = REPO / "examples" / "messy"


def _messy(format_name: str, *args: str) -> str:
    code, out, err = run_cli(
        "lint", "--root", str(MESSY), "--today", "2026-11-23", "--format", format_name, *args
    )
    assert code == 1, err
    return out


def test_sarif_validates_against_the_official_schema() -> None:
    document = json.loads(_messy("sarif"))
    schema = json.loads((EXTERNAL / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    run = document["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["S101"]["help"]["markdown"].startswith("**What it does.**")
    assert rules["S101"]["defaultConfiguration"]["level"] == "warning"
    result = run["results"][0]
    assert result["partialFingerprints"]["kpigovFingerprint/v1"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    # the example sits in examples/messy of this repository: paths are relative to the git top-level
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
        "examples/messy/"
    )
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert suppressed and suppressed[0]["suppressions"][0]["kind"] == "inSource"


def test_junit_validates_against_the_xsd() -> None:
    schema = xmlschema.XMLSchema(str(EXTERNAL / "junit-10.xsd"))
    output = _messy("junit")
    schema.validate(output)
    assert 'failures="' in output and "<skipped" in output


def test_junit_without_findings_is_valid(tmp_path: Path) -> None:
    (tmp_path / "kpigov.yaml").write_text("version: 1\n")
    code, out, _ = run_cli("lint", "--root", str(tmp_path), "--format", "junit")
    assert code == 0
    xmlschema.XMLSchema(str(EXTERNAL / "junit-10.xsd")).validate(out)


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("100% done", "100%25 done", "100%25 done"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("file: a, b", "file: a, b", "file%3A a%2C b"),
    ],
)
def test_github_escaping(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data and escape_property(text) == prop


def test_github_commands() -> None:
    lines = _messy("github").splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    first = lines[0]
    assert "file=examples/messy/" in first and ",line=" in first and ",title=" in first
    finding = Finding(
        "S101",
        "vague-description",
        "info",
        "50% of it\nis: vague, really",
        "a,b.yaml",
        3,
        4,
        3,
        9,
        "kpi",
        "x",
        "S",
    )
    out = render("github", Report([finding], 1, REPO, "2026-11-23", "0"))
    assert out == (
        "::notice file=a%2Cb.yaml,line=3,col=4,endLine=3,endColumn=9,title=S101 vague-description"
        "::50%25 of it%0Ais: vague, really\n"
    )


def test_github_is_chosen_under_github_actions() -> None:
    code, out, _ = run_cli(
        "lint", "--root", str(MESSY), "--today", "2026-11-23", env={"GITHUB_ACTIONS": "true"}
    )
    assert out.startswith("::")


def test_gitlab_code_quality() -> None:
    issues = json.loads(_messy("gitlab"))
    assert issues
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["path"]
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    sarif, report = tmp_path / "out.sarif", tmp_path / "out.json"
    code, out, _ = run_cli(
        "lint",
        "--root",
        str(MESSY),
        "--today",
        "2026-11-23",
        "--output",
        f"sarif:{sarif}",
        "--output",
        f"json:{report}",
    )
    assert code == 1 and "Found" in out  # the text report still goes to the terminal
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert json.loads(report.read_text())["version"] == 1
    assert run_cli("lint", "--root", str(MESSY), "--output", "a.txt", "--output", "b.txt")[0] == 2


def test_every_rule_has_sarif_metadata() -> None:
    from kpigov.reporters.sarif_report import _descriptor

    for rule in builtin_rules().values():
        descriptor = _descriptor(rule)
        assert descriptor["shortDescription"]["text"] and descriptor["help"]["text"]


def test_repository_prefix(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "kpis" / "cat").mkdir(parents=True)
    assert repository_prefix(tmp_path / "kpis" / "cat") == "kpis/cat/"
    assert repository_prefix(tmp_path) == ""
