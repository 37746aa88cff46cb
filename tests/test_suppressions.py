"""Inline suppressions, the baseline file, --statistics and the language of messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpigov.suppressions import find_suppressions
from tests.conftest import catalogue_in_context, json_findings, run_cli

NO_UNIT = "kind: kpi\nid: case.kpi{comment}\nname: Win rate\n"


def _lint_json(root: Path, *args: str) -> tuple[int, dict]:
    code, out, err = run_cli(
        "lint", "--root", str(root), "--today", "2026-11-23", "--format", "json", *args
    )
    assert not err or "warning" in err, err
    return code, json.loads(out)


def test_comment_grammar() -> None:
    text = (
        "# kpigov: ignore-file[Z504, complex-formula] generated formulas\n"
        "kind: kpi\n"
        "id: a  # kpigov: ignore[S101,S112] agreed with the owner\n"
        "# kpigov:ignore[O301]\n"
        "\n"
        "name: A\n"
        "description: 'not a # kpigov: ignore[S101] comment'\n"
    )
    found = find_suppressions("a.yaml", text)
    assert [(s.selectors, s.reason, s.covers) for s in found] == [
        (("Z504", "complex-formula"), "generated formulas", None),
        (("S101", "S112"), "agreed with the owner", 3),
        (("O301",), "", 6),
    ]


def test_suppressed_findings_are_marked_not_dropped_and_do_not_fail(tmp_path: Path) -> None:
    comment = "  # kpigov: ignore[S112] unit agreed next quarter"
    root = catalogue_in_context(tmp_path, {"kpis/case.yaml": NO_UNIT.format(comment=comment)})
    code, report = _lint_json(root, "--select", "S112")
    (finding,) = report["findings"]
    assert finding["suppressed"] == {"by": "inline", "reason": "unit agreed next quarter"}
    assert report["summary"]["suppressed"] == 1 and report["summary"]["error"] == 0
    assert code == 0
    _, text, _ = run_cli("lint", "--root", str(root), "--select", "S112", "--today", "2026-11-23")
    assert "S112" not in text.splitlines()[0] and "1 suppressed." in text


def test_comment_alone_covers_the_next_line_and_names_work(tmp_path: Path) -> None:
    text = "kind: kpi\n# kpigov: ignore[no-unit] agreed\n\nid: case.kpi\nname: Win rate\n"
    root = catalogue_in_context(tmp_path, {"kpis/case.yaml": text})
    _, report = _lint_json(root, "--select", "S112,X")
    assert [(f["rule"], bool(f["suppressed"])) for f in report["findings"]] == [("S112", True)]


def test_ignore_file_in_the_first_comment_block_only(tmp_path: Path) -> None:
    first = "# header comment\n# kpigov: ignore-file[S112] units come later\nkind: kpi\nid: case.kpi\nname: A\n"
    later = "kind: kpi\n# kpigov: ignore-file[S112] units come later\nid: case.kpi\nname: A\n"
    root = catalogue_in_context(tmp_path / "a", {"kpis/case.yaml": first})
    assert [f["suppressed"]["by"] for f in _lint_json(root, "--select", "S112")[1]["findings"]] == [
        "inline"
    ]
    root = catalogue_in_context(tmp_path / "b", {"kpis/case.yaml": later})
    rules = [
        (f["rule"], f["suppressed"]) for f in _lint_json(root, "--select", "S112,X")[1]["findings"]
    ]
    assert ("S112", None) in rules and ("X901", None) in rules


def test_suppression_rules_cannot_be_suppressed(tmp_path: Path) -> None:
    text = "kind: kpi\nid: case.kpi  # kpigov: ignore[X903,S999] reason\nname: A\n"
    root = catalogue_in_context(tmp_path, {"kpis/case.yaml": text})
    code, report = _lint_json(root, "--select", "X")
    # X903 cannot be suppressed, so naming it suppresses nothing (X901) and S999 is unknown (X903).
    assert [(f["rule"], f["suppressed"]) for f in report["findings"]] == [
        ("X901", None),
        ("X903", None),
    ]
    assert code == 1


def test_baseline_round_trip(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path, {"kpis/case.yaml": NO_UNIT.format(comment="")})
    baseline = tmp_path / "accepted.json"
    code, out, _ = run_cli(
        "lint", "--root", str(root), "--baseline", str(baseline), "--update-baseline"
    )
    assert code == 0 and "Wrote" in out
    written = json.loads(baseline.read_text())
    assert written["version"] == 1 and all("line" not in entry for entry in written["findings"])
    # an edit above the findings keeps them matched
    (root / "kpis/case.yaml").write_text("# moved down\n\n" + NO_UNIT.format(comment=""))
    code, report = _lint_json(root, "--baseline", str(baseline))
    assert code == 0 and report["findings"]
    assert {f["suppressed"]["by"] for f in report["findings"]} == {"baseline"}
    # a new finding is not in the baseline
    (root / "kpis/new.yaml").write_text("kind: kpi\nid: new\nname: New\n")
    code, report = _lint_json(root, "--baseline", str(baseline))
    assert code == 1
    assert {f["object"] for f in report["findings"] if not f["suppressed"]} == {"new"}
    # updating drops stale entries
    (root / "kpis/case.yaml").unlink()
    (root / "kpis/new.yaml").unlink()
    run_cli("lint", "--root", str(root), "--baseline", str(baseline), "--update-baseline")
    assert json.loads(baseline.read_text())["findings"] == []


def test_update_baseline_defaults_to_the_root(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path, {"kpis/case.yaml": NO_UNIT.format(comment="")})
    code, _, _ = run_cli("lint", "--root", str(root), "--update-baseline")
    assert code == 0 and (root / ".kpigov-baseline.json").is_file()
    assert (
        run_cli("lint", "--root", str(root), "--baseline", str(root / ".kpigov-baseline.json"))[0]
        == 0
    )


@pytest.mark.parametrize("content", ["not json", '{"version": 2, "findings": []}', None])
def test_bad_baseline_is_a_usage_error(tmp_path: Path, content: str | None) -> None:
    root = catalogue_in_context(tmp_path / "cat", {})
    baseline = tmp_path / "b.json"
    if content is not None:
        baseline.write_text(content)
    code, _, err = run_cli("lint", "--root", str(root), "--baseline", str(baseline))
    assert code == 2 and "--update-baseline" in err


def test_statistics(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path, {"kpis/a.yaml": "kind: kpi\nid: a\nname: A\n---\nkind: kpi\nid: b\nname: B\n"}
    )
    code, out, _ = run_cli("lint", "--root", str(root), "--statistics", "--select", "S112,S101")
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["2", "S101"] and lines[1].split()[:2] == ["2", "S112"]
    assert code == 1
    code, out, _ = run_cli(
        "lint", "--root", str(root), "--statistics", "--select", "S112", "--format", "json"
    )
    assert json.loads(out)["statistics"] == [
        {"rule": "S112", "name": "no-unit", "severity": "error", "count": 2}
    ]


def test_messages_in_dutch(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {"kpigov.yaml": "version: 1\nlanguage: nl\n", "kpis/a.yaml": "kind: kpi\nid: a\nname: A\n"},
    )
    _, report = _lint_json(root, "--select", "S112")
    assert json_findings(json.dumps(report))[0]["message"].startswith("geen eenheid")


def test_counting_findings_follow_the_documents_they_count(tmp_path: Path) -> None:
    """With PATHS, a goal's finding is reported when one of the KPIs it counts is named."""
    files = {
        "kpigov.yaml": "version: 1\nlimits: {kpis_per_goal: 1}\n",
        "kpis/a.yaml": "kind: kpi\nid: a\nname: A\ngoals: [grow-revenue]\n",
        "kpis/b.yaml": "kind: kpi\nid: b\nname: B\n",
    }
    root = catalogue_in_context(tmp_path, files)
    _, out, _ = run_cli("lint", str(root / "kpis/a.yaml"), "--format", "json", "--select", "Z502")
    (finding,) = json_findings(out)
    assert finding["file"] == "goals.yaml" and "a" in finding["related"]
    _, out, _ = run_cli("lint", str(root / "kpis/b.yaml"), "--format", "json", "--select", "Z502")
    assert json_findings(out) == []
