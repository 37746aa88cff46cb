"""SPEC §8.4's judgement changes that are not one rule's cases: suppressions found by YAML's
tokenizer, a first run on a large catalogue that can be read, Dutch all the way."""

from __future__ import annotations

from pathlib import Path

from kpigov.findings import Finding
from kpigov.reporters import Report, render
from tests.conftest import catalogue_in_context, json_findings, run_cli


def test_an_apostrophe_does_not_hide_a_suppression(tmp_path: Path) -> None:
    kpi = (
        "kind: kpi\nid: case.demos\nname: Demo's\n"
        "description: Demo's.  # kpigov: ignore[S101] demo's are counted per team, see wiki\n"
        "---\nkind: kpi\nid: case.kpis\nname: KPI's\n"
        "description: KPI's.  # kpigov: ignore[S101]\n"
        "---\nkind: kpi\nid: case.quoted\nname: Quoted\n"
        "description: 'a # kpigov: ignore[S101] inside a string is no comment'\n"
    )
    root = catalogue_in_context(tmp_path, {"kpis/a.yaml": kpi})
    code, out, _ = run_cli("lint", "--root", str(root), "--format", "json", "--today", "2026-11-23")
    findings = json_findings(out)
    s101 = {f["object"]: f["suppressed"] for f in findings if f["rule"] == "S101"}
    assert s101["case.demos"] == {"by": "inline", "reason": "demo's are counted per team, see wiki"}
    assert s101["case.kpis"]["by"] == "inline"
    assert s101["case.quoted"] is None
    assert any(f["rule"] == "X902" and f["line"] == 9 for f in findings)  # reason missing


def _finding(number: int, rule: str) -> Finding:
    return Finding(
        rule,
        "some-rule",
        "warning",
        "message",
        f"kpis/k{number}.yaml",
        1,
        1,
        1,
        2,
        "kpi",
        f"k{number}",
        None,
    )


def test_a_long_first_run_ends_with_counts_per_rule(tmp_path: Path) -> None:
    findings = [_finding(n, "S101") for n in range(90)] + [_finding(n, "F402") for n in range(30)]
    report = Report(findings, 120, tmp_path, "2026-11-23", "0.2.0", terminal=True)
    text = render("text", report)
    assert "Findings per rule:" in text
    assert "    90  S101" in text and "kpigov lint --select S101" in text
    short = Report(findings[:50], 50, tmp_path, "2026-11-23", "0.2.0", terminal=True)
    assert "Findings per rule:" not in render("text", short)
    piped = Report(findings, 120, tmp_path, "2026-11-23", "0.2.0", terminal=False)
    assert "Findings per rule:" not in render("text", piped)


def test_dutch_all_the_way(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "kpigov.yaml": "version: 1\nlanguage: nl\n",
            "kpis/a.yaml": "kind: kpi\nid: s.a\nname: A\nfrequency: elke-week\nownr: x\n"
            "---\nkind: kpi\nid: s.b\nname: B\nfrequency: monthly\nreview: daily\n",
        },
    )
    code, out, _ = run_cli("lint", "--root", str(root), "--select", "K002,F403")
    assert "is niet een van realtime" in out
    assert "onbekend veld 'ownr' (bedoelt u 'owner'?)" in out
    f403 = next(line for line in out.splitlines() if " F403 " in line)
    assert "dagelijks" in f403 and "maandelijks" in f403 and "daily" not in f403
    assert "Gevonden: 3 fouten" in out
