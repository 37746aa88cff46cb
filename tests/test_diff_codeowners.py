"""`kpigov diff` between revisions, and `kpigov codeowners`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import catalogue_in_context, commit_all, git, run_cli

KPI = "kind: kpi\nid: {id}\nname: {name}\nowner: a.jansen\nunit: percent\n{extra}"


def _history(tmp_path: Path) -> Path:
    root = catalogue_in_context(
        tmp_path / "repo",
        {
            "kpis/a.yaml": KPI.format(id="a", name="A", extra=""),
            "kpis/b.yaml": KPI.format(id="b", name="B", extra=""),
            "kpis/c.yaml": KPI.format(
                id="c", name="C", extra="status: deprecated\nreplaced_by: a\n"
            ),
        },
    )
    commit_all(root, "v1")
    git(root, "tag", "v1")
    (root / "kpis/a.yaml").write_text(
        KPI.format(id="a", name="A", extra="").replace("percent", "ratio") + "version: 2\n"
    )
    (root / "kpis/b.yaml").unlink()
    (root / "kpis/c.yaml").unlink()
    (root / "kpis/d.yaml").write_text(KPI.format(id="d", name="D", extra=""))
    git(root, "mv", "kpis/../goals.yaml", "objectives.yaml")
    commit_all(root, "v2")
    return root


def test_diff_two_revisions_json(tmp_path: Path) -> None:
    root = _history(tmp_path)
    code, out, err = run_cli("diff", "v1", "HEAD", "--root", str(root), "--format", "json")
    assert code == 0, err
    changes = {c["id"]: c for c in json.loads(out)["changes"]}
    assert set(changes) == {"a", "b", "c", "d"}
    assert changes["d"]["change"] == "added"
    assert changes["b"]["change"] == "removed" and changes["b"]["breaking"]
    assert changes["c"]["change"] == "removed" and not changes["c"]["breaking"]  # it was deprecated
    fields = {f["field"]: f for f in changes["a"]["fields"]}
    assert fields["unit"] == {"field": "unit", "old": "percent", "new": "ratio", "breaking": True}
    assert fields["version"]["new"] == 2


def test_diff_against_the_working_tree_and_renames(tmp_path: Path) -> None:
    root = _history(tmp_path)
    git(root, "mv", "kpis/d.yaml", "kpis/renamed.yaml")
    code, out, _ = run_cli("diff", "HEAD", "--root", str(root))
    assert code == 0 and out.startswith("No KPI changes")  # a moved file is the same KPI
    (root / "kpis/renamed.yaml").write_text(
        KPI.format(id="d", name="D", extra="status: deprecated\n")
    )
    _, out, _ = run_cli("diff", "HEAD", "--root", str(root))
    assert "CHANGED  d (D) kpis/renamed.yaml" in out and "status: — -> deprecated" in out
    assert "1 deprecated" in out


def test_diff_markdown_for_a_pull_request(tmp_path: Path) -> None:
    root = _history(tmp_path)
    _, out, _ = run_cli("diff", "v1", "HEAD", "--root", str(root), "--format", "markdown")
    assert out.startswith("### KPI changes: 1 added, 2 removed, 1 changed")
    assert "> [!WARNING]" in out and "| `a` | unit ⚠️ | `percent` | `ratio` |" in out


def test_diff_bad_revision(tmp_path: Path) -> None:
    root = _history(tmp_path)
    code, _, err = run_cli("diff", "nope", "--root", str(root))
    assert code == 2 and "not a revision" in err


def test_codeowners(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    root = catalogue_in_context(
        repo / "catalogue",
        {
            "owners.yaml": "kind: person\nid: a.jansen\nname: A\nhandle: '@ajansen'\nteam: sales\n---\n"
            "kind: person\nid: b.smit\nname: B\nteam: sales\n---\n"
            "kind: person\nid: c.visser\nname: C\n---\n"
            "kind: team\nid: sales\nname: Sales\nlead: a.jansen\nhandle: '@acme/sales'\n",
            "kpis/a.yaml": KPI.format(id="a", name="A", extra=""),
            "kpis/b.yaml": KPI.format(id="b", name="B", extra="").replace("a.jansen", "b.smit"),
            "kpis/c.yaml": KPI.format(id="c", name="C", extra="").replace("a.jansen", "c.visser"),
            "history/a.csv": "date,value\n2026-10-31,1\n",
        },
    )
    (repo / ".git").mkdir()
    codeowners = repo / ".github" / "CODEOWNERS"
    codeowners.parent.mkdir()
    codeowners.write_text("# maintained by hand\n*.py @platform\n")
    code, out, err = run_cli("codeowners", "--root", str(root), "--output", str(codeowners))
    assert code == 0, err
    text = codeowners.read_text()
    assert text.startswith("# maintained by hand\n*.py @platform\n\n# BEGIN kpigov")
    assert (
        "/catalogue/kpis/a.yaml @ajansen\n" in text
        and "/catalogue/history/a.csv @ajansen\n" in text
    )
    assert "/catalogue/kpis/b.yaml @acme/sales\n" in text  # a person without a handle: their team's
    assert "c.visser" in err and "/catalogue/kpis/c.yaml" not in text
    assert (
        run_cli("codeowners", "--root", str(root), "--output", str(codeowners), "--check")[0] == 0
    )
    (root / "kpis/a.yaml").write_text(
        KPI.format(id="a", name="A", extra="").replace("a.jansen", "b.smit")
    )
    assert (
        run_cli("codeowners", "--root", str(root), "--output", str(codeowners), "--check")[0] == 1
    )
    run_cli("codeowners", "--root", str(root), "--output", str(codeowners))
    rewritten = codeowners.read_text()
    assert (
        rewritten.count("# BEGIN kpigov") == 1 and "/catalogue/kpis/a.yaml @acme/sales" in rewritten
    )
    assert rewritten.startswith("# maintained by hand\n*.py @platform\n")
