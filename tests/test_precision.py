"""The precision corpus (tests/precision/expectations.yaml): real KPI definitions, each judged.

Reports precision per rule (of the judged findings kpigov reports, the share that is right) and
holds it at a floor, so that a change that makes kpigov noisier on real catalogues fails here.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from kpigov import api
from kpigov.loader import load_bytes

HERE = Path(__file__).parent
FIXTURES = HERE / "importers"
CORPUS = HERE / "precision"
EXPECTATIONS = (
    load_bytes("expectations.yaml", (CORPUS / "expectations.yaml").read_bytes()).documents[0].data
)
FLOOR = 0.75  # per rule; every rule in the corpus is above it today (see the closing note)


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, str]]]:
    root = tmp_path_factory.mktemp("precision")
    sources = {
        "gitlab": ("gitlab", sorted((FIXTURES / "gitlab").glob("*.yml"))),
        "dbt": ("dbt", sorted((FIXTURES / "dbt").glob("*.yml"))),
        "register": ("csv", [FIXTURES / "csv" / "provincie-utrecht-indicatoren.csv"]),
    }
    today = dt.date(2026, 11, 23)
    found = {}
    for corpus, (fmt, paths) in sources.items():
        api.import_catalogue(fmt, paths, root / corpus, today=today)
        if corpus == "gitlab":
            shutil.copy(CORPUS / "extra-gitlab-names.yaml", root / corpus / "extra.yaml")
        result = api.lint(root / corpus, today=today, use_cache=False)
        found[corpus] = {(f.rule, f.object or "") for f in result.findings}
    return found


def precision_table(findings: dict[str, set[tuple[str, str]]]) -> dict[str, tuple[int, int, int]]:
    """Per rule: (right findings, wrong findings, expectations)."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for case in EXPECTATIONS:
        fired = (case["rule"], case["object"]) in findings[case["corpus"]]
        row = table[case["rule"]]
        row[2] += 1
        if fired and case["fires"]:
            row[0] += 1
        elif fired:
            row[1] += 1
    return {rule: (right, wrong, total) for rule, (right, wrong, total) in sorted(table.items())}


def test_precision_per_rule(findings: dict[str, set[tuple[str, str]]], capsys) -> None:  # type: ignore[no-untyped-def]
    table = precision_table(findings)
    lines = ["rule   right wrong judged precision"]
    for rule, (right, wrong, total) in table.items():
        reported = right + wrong
        precision = right / reported if reported else 1.0
        lines.append(f"{rule:6} {right:5} {wrong:5} {total:6} {precision:9.2f}")
        assert precision >= FLOOR, f"{rule}: precision {precision:.2f} on the corpus"
    right = sum(r for r, _, _ in table.values())
    wrong = sum(w for _, w, _ in table.values())
    lines.append(f"all    {right:5} {wrong:5} {len(EXPECTATIONS):6} {right / (right + wrong):9.2f}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))


def test_every_expected_finding_is_found(findings: dict[str, set[tuple[str, str]]]) -> None:
    missed = [
        f"{case['corpus']}: {case['rule']} on {case['object']} ({case['reason']})"
        for case in EXPECTATIONS
        if case["fires"] and (case["rule"], case["object"]) not in findings[case["corpus"]]
    ]
    assert not missed, missed


def test_the_corpus_judges_enough() -> None:
    rules = {case["rule"] for case in EXPECTATIONS}
    assert len(EXPECTATIONS) >= 30 and len(rules) >= 10
    assert all(case["reason"].strip() for case in EXPECTATIONS)
