"""Table-driven rule fixtures: tests/cases/<RULE>.yaml lists good and bad catalogues per rule.

A case gives either ``kpi`` (a whole file, kpis/case.yaml) or ``extra`` (lines appended to the
six-line BASE_KPI below, so they start at line 7), optional ``files`` (more files), ``options``
(the rule's options) and ``today``; ``expect`` lists the ``file:line:col`` of every finding of
the rule (empty for a good case) in the files the case writes or names in ``expect``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kpigov.loader import load_bytes
from tests.conftest import TODAY, catalogue_in_context, lint_findings

CASES_DIR = Path(__file__).parent / "cases"
BASE_KPI = """kind: kpi
id: case.kpi
name: Win rate
description: Share of qualified opportunities closed as won in the month, counted on close date.
owner: a.jansen
goals: [grow-revenue]
"""


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = load_bytes(path.name, path.read_bytes()).documents[0].data
        for case in data["cases"]:
            params.append(pytest.param(data["rule"], case, id=f"{data['rule']}-{case['name']}"))
    return params


@pytest.mark.parametrize(("rule_id", "case"), _cases())
def test_rule_case(rule_id: str, case: dict[str, Any], tmp_path: Path) -> None:
    files: dict[str, str] = dict(case.get("files") or {})
    if "kpi" in case:
        files["kpis/case.yaml"] = case["kpi"]
    elif "extra" in case:
        files["kpis/case.yaml"] = BASE_KPI + case["extra"]
    if case.get("options"):
        options = ", ".join(f"{k}: {v}" for k, v in case["options"].items())
        files["kpigov.yaml"] = f"version: 1\nrules:\n  options:\n    {rule_id}: {{{options}}}\n"
    root = catalogue_in_context(tmp_path, files)
    today = dt.date.fromisoformat(case["today"]) if case.get("today") else TODAY
    # Findings in context files count only when the case wrote them or expects something there.
    counted = set(files) | {entry.split(":")[0] for entry in case.get("expect") or []}
    found = sorted(
        f"{f.file}:{f.line}:{f.column}"
        for f in lint_findings(root, today=today)
        if f.rule == rule_id and f.file in counted
    )
    assert found == sorted(case.get("expect") or []), case["name"]
