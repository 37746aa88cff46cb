"""The format fields real catalogues need (SPEC §8.4): defaults, parent breakdowns with
inheritance, extra units, handle patterns, standing targets and targets in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import catalogue_in_context, lint_findings, run_cli

PARENT = """kind: kpi
id: eng.mr-rate
name: Engineering MR rate
description: Merge requests merged in the month per engineer, counted on the merge date of each request.
owner: a.jansen
goals: [grow-revenue]
unit: count
direction: higher-is-better
frequency: monthly
review: monthly
formula:
  expression: merged / engineers
  inputs:
    - {name: merged, source: GitLab API merged merge requests}
    - {name: engineers, source: Workday headcount}
"""
CHILD = """kind: kpi
id: dev.mr-rate
name: Development MR rate
parent: eng.mr-rate
breakdown: Development department
owner: b.smit
goals: [grow-revenue]
"""


def _rules(root: Path, *rules: str) -> set[tuple[str, str, str]]:
    return {(f.rule, f.file, f.object or "") for f in lint_findings(root) if f.rule in rules}


def test_a_breakdown_inherits_its_parents_definition(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path, {"kpis/eng.yaml": PARENT, "kpis/dev.yaml": CHILD})
    found = _rules(root, "S101", "S111", "S112", "S115", "F401", "F402", "K005")
    assert not {f for f in found if f[2] == "dev.mr-rate"}, found
    assert ("S101", "kpis/dev.yaml", "dev.mr-rate") not in found


def test_an_unknown_or_looping_parent_is_reported(tmp_path: Path) -> None:
    loop_a = CHILD.replace("dev.mr-rate", "a.loop").replace("parent: eng.mr-rate", "parent: b.loop")
    loop_b = CHILD.replace("dev.mr-rate", "b.loop").replace("parent: eng.mr-rate", "parent: a.loop")
    unknown = CHILD.replace("parent: eng.mr-rate", "parent: eng.nothing")
    root = catalogue_in_context(
        tmp_path, {"kpis/a.yaml": loop_a, "kpis/b.yaml": loop_b, "kpis/dev.yaml": unknown}
    )
    found = {
        (f.rule, f.object, f.line, f.column)
        for f in lint_findings(root)
        if f.rule in ("K005", "K006")
    }
    assert ("K005", "dev.mr-rate", 4, 9) in found
    assert ("K006", "a.loop", 4, 9) in found


def test_a_long_chain_of_parents_needs_no_recursion(tmp_path: Path) -> None:
    files = {"kpis/k0.yaml": PARENT.replace("eng.mr-rate", "k.0")}
    for number in range(1, 3000):
        files[f"kpis/k{number}.yaml"] = (
            f"kind: kpi\nid: k.{number}\nname: K {number}\nparent: k.{number - 1}\n"
        )
    root = catalogue_in_context(tmp_path, files)
    found = {f.object for f in lint_findings(root) if f.rule == "S112"}
    assert "k.2999" not in found


def test_defaults_fill_what_a_kpi_leaves_out(tmp_path: Path) -> None:
    config = (
        "version: 1\ndefaults:\n"
        "  - files: 'kpis/**'\n    set: {review: quarterly, frequency: monthly}\n"
        "  - files: 'kpis/eng/**'\n    set: {review: monthly}\n"
    )
    kpi = "kind: kpi\nid: eng.a\nname: A\nfrequency: weekly\n"
    root = catalogue_in_context(tmp_path, {"kpigov.yaml": config, "kpis/eng/a.yaml": kpi})
    assert not _rules(root, "F401", "F402")
    from kpigov.catalogue import build_catalogue
    from kpigov.config import load_config
    from tests.conftest import TODAY

    catalogue = build_catalogue(load_config(root), TODAY)
    document = catalogue.kpis["eng.a"]
    assert document.fields["frequency"] == "weekly"  # its own value wins
    assert document.fields["review"] == "monthly"  # the later entry wins
    assert document.origins["review"] == "defaults[1] (kpis/eng/**)"


@pytest.mark.parametrize(
    ("config", "where"),
    [
        (
            "version: 1\ndefaults:\n  - files: 'kpis/**'\n    set: {review: elke-week}\n",
            "kpigov.yaml:4:19:",
        ),
        ("version: 1\ndefaults:\n  - files: 'kpis/**'\n    set: {id: x}\n", "kpigov.yaml:4:15:"),
        ("version: 1\nhandle_pattern: '(a)\\1'\n", "kpigov.yaml:2:17:"),
    ],
)
def test_bad_defaults_and_patterns_are_located(tmp_path: Path, config: str, where: str) -> None:
    root = catalogue_in_context(tmp_path, {"kpigov.yaml": config})
    code, _, err = run_cli("lint", "--root", str(root))
    assert code == 2 and where in err, err


def test_extra_units_and_handle_patterns(tmp_path: Path) -> None:
    kpi = "kind: kpi\nid: eng.mrs\nname: MRs per engineer\nunit: mrs-per-engineer\n"
    people = (
        "kind: person\nid: n.vh\nname: Nick\nhandle: '@nick_vh'\n---\n"
        "kind: team\nid: infra\nname: Infra\nhandle: '@gitlab-com/gl-infra/sre'\n"
    )
    root = catalogue_in_context(tmp_path, {"kpis/a.yaml": kpi, "people.yaml": people})
    k002 = {(f.file, f.line) for f in lint_findings(root) if f.rule == "K002"}
    assert k002 == {("kpis/a.yaml", 4)}  # GitLab handles are fine by default; the unit is not
    (root / "kpigov.yaml").write_text(
        "version: 1\nunits: [mrs-per-engineer]\nhandle_pattern: '@[a-z]+'\n"
    )
    k002 = {(f.file, f.line) for f in lint_findings(root) if f.rule == "K002"}
    assert k002 == {("people.yaml", 4), ("people.yaml", 9)}
    code, out, _ = run_cli("lint", "--root", str(root), "--select", "K002", "--today", "2026-11-23")
    assert "does not match handle_pattern" in out


def test_explain_and_the_handbook_show_where_a_value_comes_from(tmp_path: Path) -> None:
    config = "version: 1\ndefaults:\n  - files: 'kpis/dev/**'\n    set: {owner: b.smit}\n"
    child = (
        CHILD.replace("owner: b.smit\n", "")
        + "assessment: {level: at-risk, note: Two teams short.}\n"
    )
    root = catalogue_in_context(
        tmp_path / "cat",
        {
            "kpigov.yaml": config,
            "kpis/eng.yaml": PARENT
            + "target: {note: Greater than 6 MRs per month, standing: true}\n",
            "kpis/dev/dev.yaml": child,
        },
    )
    code, out, _ = run_cli("explain", "dev.mr-rate", "--root", str(root))
    assert code == 0
    assert "unit: count    # from parent eng.mr-rate" in out
    assert "owner: b.smit    # from defaults[0] (kpis/dev/**)" in out
    site = tmp_path / "site"
    assert run_cli("build", str(root), "--out", str(site), "--today", "2026-11-23")[0] == 0
    page = (site / "kpis" / "dev.mr-rate.html").read_text()
    assert (
        "Breakdown of" in page and "eng.mr-rate.html" in page and "Development department" in page
    )
    assert "Taken from elsewhere" in page and "from its parent" in page
    assert "at risk" in page and "Two teams short." in page
    parent_page = (site / "kpis" / "eng.mr-rate.html").read_text()
    assert "Greater than 6 MRs per month" in parent_page and "standing service level" in parent_page
    assert "Breakdowns" in parent_page and "dev.mr-rate.html" in parent_page
