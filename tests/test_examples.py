"""The bundled examples: acme is clean, messy shows every category implemented so far."""

from __future__ import annotations

import json

from tests.conftest import REPO, json_findings, run_cli

ACME = REPO / "examples" / "acme"
MESSY = REPO / "examples" / "messy"


def test_acme_is_clean() -> None:
    code, out, _ = run_cli("lint", "--root", str(ACME), "--today", "2026-11-23", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["findings"] == [], report["findings"]
    assert report["summary"]["files"] > 50


def test_acme_is_a_realistic_catalogue() -> None:
    kpi_files = list((ACME / "kpis").rglob("*.yaml"))
    assert len(kpi_files) >= 25
    assert len(list((ACME / "history").glob("*.csv"))) >= 20


def test_messy_shows_findings_of_every_rule_category() -> None:
    code, out, _ = run_cli(
        "lint", "--root", str(MESSY), "--today", "2026-11-23", "--format", "json"
    )
    assert code == 1
    rules = {f["rule"] for f in json_findings(out)}
    assert {rule[0] for rule in rules} >= set("KSAOFZTGXM")  # M: the example's own house rule
    for expected in (
        "K001",
        "K002",
        "K003",
        "K004",
        "K005",
        "K006",
        "K007",
        "S101",
        "S102",
        "S111",
        "S113",
        "S114",
        "S121",
        "S122",
        "S143",
        "S151",
    ):
        assert expected in rules
