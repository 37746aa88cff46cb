"""A catalogue's own declarative rules: every function, and clear errors for broken rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import catalogue_in_context, json_findings, run_cli

DOCS = "docs: {what: w, why: y, bad: b, good: g, fix: f}\n"


def _rule(rule_id: str, given: str, then: str, message: str = "'{field}' is {value}") -> str:
    return f'id: {rule_id}\nname: house-rule\nseverity: warning\ngiven: {given}\nthen: {then}\nmessage: "{message}"\n{DOCS}'


def _lint(root: Path, *args: str) -> tuple[int, list[dict], str]:
    code, out, err = run_cli(
        "lint", "--root", str(root), "--today", "2026-11-23", "--format", "json", *args
    )
    return code, json_findings(out) if out else [], err


KPI = "kind: kpi\nid: {id}\nname: {name}\n{extra}"


@pytest.mark.parametrize(
    ("then", "extra", "fires"),
    [
        ("{field: tags, function: required}", "", True),
        ("{field: tags, function: required}", "tags: [x]\n", False),
        ("{field: name, function: pattern, value: '^[A-Z]'}", "", True),
        ("{field: unit, function: enum, value: [percent, count]}", "unit: score\n", True),
        ("{field: unit, function: enum, value: [percent, count]}", "", False),
        (
            "{field: target.value, function: min, value: 10}",
            "target: {value: 5, deadline: 2027-12-31}\n",
            True,
        ),
        (
            "{field: target.value, function: max, value: 10}",
            "target: {value: 5, deadline: 2027-12-31}\n",
            False,
        ),
        ("{field: name, function: max_length, value: 3}", "", True),
        ("{field: name, function: min_length, value: 3}", "", False),
        ("{field: tags, function: min_items, value: 2}", "tags: [x]\n", True),
        ("{field: tags, function: max_items, value: 2}", "tags: [x]\n", False),
    ],
)
def test_functions(tmp_path: Path, then: str, extra: str, fires: bool) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "kpigov.yaml": "version: 1\ncustom_rules: [house]\n",
            "house/HOUSE001.yaml": _rule("HOUSE001", "{kind: kpi}", then),
            "kpis/a.yaml": KPI.format(id="case.a", name="win rate", extra=extra),
        },
    )
    code, findings, err = _lint(root, "--select", "HOUSE001")
    assert not err
    assert [f["object"] for f in findings if f["file"] == "kpis/a.yaml"] == (
        ["case.a"] if fires else []
    )


def test_where_filter_with_defaults_and_status(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "kpigov.yaml": "version: 1\ncustom_rules: [house]\n",
            "house/HOUSE001.yaml": _rule(
                "HOUSE001",
                "{kind: kpi, where: {tier: kpi, visibility: [internal, public]}}",
                "{field: tags, function: required}",
            ),
            "kpis/a.yaml": KPI.format(id="a", name="A", extra="")
            + "---\n"
            + KPI.format(id="b", name="B", extra="tier: pi\n")
            + "---\n"
            + KPI.format(id="c", name="C", extra="visibility: confidential\n")
            + "---\n"
            + KPI.format(id="d", name="D", extra="status: retired\n"),
        },
    )
    _, findings, _ = _lint(root, "--select", "C")
    findings = [f for f in findings if f["file"] == "kpis/a.yaml"]
    assert [f["object"] for f in findings] == ["a"]
    assert findings[0]["message"] == "'tags' is nothing" and findings[0]["line"] == 2


def test_custom_rules_are_listed_explained_and_selectable(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "kpigov.yaml": "version: 1\ncustom_rules: [house]\n",
            "house/HOUSE001.yaml": _rule(
                "HOUSE001", "{kind: person}", "{field: email, function: required}"
            ),
        },
    )
    assert "HOUSE001" in run_cli("rules", "--root", str(root))[1]
    assert run_cli("explain", "HOUSE001", "--root", str(root))[0] == 0
    _, findings, _ = _lint(root, "--select", "house-rule")
    assert {f["object"] for f in findings} == {"a.jansen", "b.smit"}
    _, findings, _ = _lint(root, "--ignore", "C")
    assert not [f for f in findings if f["rule"] == "HOUSE001"]


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        ("id: HOUSE001\nname: x\n", ":1:5:", "missing required field"),
        (
            _rule("HOUSE001", "{kind: kpi}", "{field: id, function: pattern, value: '([a-z'}"),
            ":5:",
            "regular expression",
        ),
        (
            _rule("HOUSE001", "{kind: metric}", "{field: id, function: required}"),
            ":4:",
            "not one of kpi",
        ),
        (
            _rule("HOUSE001", "{kind: kpi}", "{field: id, function: longest}"),
            ":5:",
            "not one of required",
        ),
        (
            _rule("HOUSE001", "{kind: kpi}", "{field: tags, function: min_items, value: many}"),
            ":5:",
            "number",
        ),
        (
            _rule("S101", "{kind: kpi}", "{field: id, function: required}"),
            "",
            "already used by a built-in rule",
        ),
        (
            "scope: kpi\n" + _rule("HOUSE001", "{kind: kpi}", "{field: id, function: required}"),
            ":1:1:",
            "scope is for built-in checks",
        ),
        ("id: [unclosed\n", ":2:", "fix the rule file"),
    ],
)
def test_broken_custom_rules_are_config_errors(
    tmp_path: Path, content: str, where: str, words: str
) -> None:
    root = catalogue_in_context(
        tmp_path, {"kpigov.yaml": "version: 1\ncustom_rules: [house]\n", "house/rule.yaml": content}
    )
    code, _, err = run_cli("lint", "--root", str(root))
    assert code == 2, err
    assert "house/rule.yaml" + where in err and words in err and "Traceback" not in err


def test_missing_custom_rules_folder(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path, {"kpigov.yaml": "version: 1\ncustom_rules: [nowhere]\n"})
    code, _, err = run_cli("lint", "--root", str(root))
    assert code == 2 and "nowhere" in err


def test_custom_rule_files_are_not_catalogue_files(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "kpigov.yaml": "version: 1\ncustom_rules: [house]\n",
            "house/HOUSE001.yaml": _rule(
                "HOUSE001", "{kind: kpi}", "{field: id, function: required}"
            ),
        },
    )
    code, findings, _ = _lint(root)
    assert code == 0 and not [f for f in findings if f["file"].startswith("house/")]
