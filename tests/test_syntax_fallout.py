"""One YAML syntax error is one finding (K001): the ids its file held are unknown, not gone, so
no orphan history (T605), no removal without deprecation (G701) and no unknown reference (K005,
O302) follows from it. And a misspelt field is K002 only (SPEC §8.4)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import catalogue_in_context, commit_all, lint_findings

KPI = """kind: kpi
id: sales.win-rate
name: Win rate
owner: a.jansen
goals: [grow-revenue]
"""


def test_a_syntax_error_gives_k001_and_nothing_that_follows_from_it(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "kpis/win-rate.yaml": KPI,
            "history/sales.win-rate.csv": "date,value\n2026-10-31,27\n",
            "kpis/uses-it.yaml": "kind: kpi\nid: sales.pipeline\nname: Pipeline\nreplaced_by: sales.win-rate\n",
            "extra-goals.yaml": "kind: goal\nid: win-more\nname: Win more\n",
            "kpis/goal-user.yaml": "kind: kpi\nid: sales.deals\nname: Deals\ngoals: [win-more]\n",
        },
    )
    commit_all(root)
    (root / "kpis" / "win-rate.yaml").write_text(KPI + "target: {value: 30, deadline: [2027\n")
    (root / "extra-goals.yaml").write_text("kind: goal\nid: win-more\nname: 'Win more\n")
    rules = {(f.rule, f.file) for f in lint_findings(root, since="HEAD")}
    assert ("K001", "kpis/win-rate.yaml") in rules
    assert ("K001", "extra-goals.yaml") in rules
    assert not {r for r in rules if r[0] in ("T605", "G701", "K005")}, rules


def test_the_lines_of_ids_are_read_from_broken_files() -> None:
    from kpigov.catalogue import ids_written_in

    raw = b"kind: kpi\nid: sales.a  # note\n---\n- id: 'sales.b'\nname: [\n"
    assert ids_written_in(raw) == {"sales.a", "sales.b"}
