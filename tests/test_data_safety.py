"""Never lose a user's data (SPEC §8.1): `build --out` refuses before it touches anything, the
site swap leaves no moment without a site, only folders kpigov marked are ever removed, and
`--public` publishes only what a public KPI links to."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from kpigov.handbook import publish
from tests.conftest import REPO, catalogue_in_context, commit_all, json_findings, run_cli

ACME = REPO / "examples" / "acme"


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder below ``folder`` with a digest of its content."""
    out = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink() or not path.is_file():
            out[relative] = "folder" if path.is_dir() else "other"
        else:
            out[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A copy of the example catalogue as the top of a git repository."""
    root = tmp_path / "repo"
    shutil.copytree(ACME, root, ignore=shutil.ignore_patterns("site", ".kpigov_cache"))
    commit_all(root, "catalogue")
    return root


def _build(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    return run_cli("build", str(root), "--today", "2026-11-23", *args, cwd=root, env=env)


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        (".", "catalogue root"),
        ("", "catalogue root"),
        ("kpis", "holds catalogue files"),
        ("kpis/customer", "holds catalogue files"),
        ("history", "holds catalogue files (history)"),
        ("house-rules", "holds catalogue files"),
        ("..", "holds the catalogue"),
        ("/", "file-system root"),
        (".git", "inside a git repository's .git folder"),
        (".git/site", "inside a git repository's .git folder"),
        (".kpigov_cache", "inside kpigov's cache"),
        (".kpigov_cache/site", "inside kpigov's cache"),
    ],
)
def test_build_refuses_to_write_over_the_catalogue(repository: Path, out: str, reason: str) -> None:
    before = _snapshot(repository.parent)
    code, _, err = _build(repository, "--out", out)
    assert code == 2
    assert reason in err and "choose a new folder" in err
    assert _snapshot(repository.parent) == before  # nothing was touched, .git included


def test_build_refuses_the_folder_a_linked_catalogue_file_lies_in(repository: Path) -> None:
    # kpis/customer/ces.yaml is a link to notes/ces.yaml, which the catalogue does not list
    # itself (it excludes notes/): writing notes/ would delete what the link reads.
    with (repository / "kpigov.yaml").open("a", encoding="utf-8") as config:
        config.write('exclude: ["notes/**"]\n')
    ces = repository / "kpis" / "customer" / "ces.yaml"
    (repository / "notes").mkdir()
    ces.rename(repository / "notes" / "ces.yaml")
    os.symlink(Path("..", "..", "notes", "ces.yaml"), ces)
    before = _snapshot(repository)
    code, _, err = _build(repository, "--out", "notes")
    assert code == 2 and "holds catalogue files (ces.yaml)" in err
    assert _snapshot(repository) == before


def test_build_refuses_the_home_folder(repository: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "todo.txt").write_text("keep me")
    before = _snapshot(home)
    code, _, err = _build(repository, "--out", str(home), env={"HOME": str(home)})
    assert code == 2 and "home folder" in err
    assert _snapshot(home) == before


def test_build_refuses_a_folder_with_a_git_repository(repository: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / ".git").mkdir()
    code, _, err = _build(repository, "--out", str(other))
    assert code == 2 and ".git" in err
    assert (other / ".git").is_dir()


def test_build_refuses_a_non_empty_folder_it_did_not_make(repository: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "report.pdf").write_bytes(b"%PDF")
    code, _, err = _build(repository, "--out", str(docs))
    assert code == 2 and "not empty" in err and publish.MARKER in err
    assert [p.name for p in docs.iterdir()] == ["report.pdf"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".docs.")]


def test_build_writes_a_new_or_empty_folder_and_replaces_its_own(repository: Path) -> None:
    code, out, _ = _build(repository, "--out", "site")
    assert code == 0, out
    site = repository / "site"
    assert (site / publish.MARKER).is_file() and (site / "index.html").is_file()
    (repository / "empty").mkdir()
    assert _build(repository, "--out", "empty")[0] == 0
    assert (repository / "empty" / "index.html").is_file()
    (site / "stale.html").write_text("from the last build")
    assert _build(repository, "--out", "site")[0] == 0  # a marked folder is replaced whole
    assert not (site / "stale.html").exists()
    assert (site / "index.html").is_file()


def test_the_handbook_is_never_read_as_catalogue(repository: Path) -> None:
    assert _build(repository, "--out", "kpis/site")[0] == 0  # a new folder anywhere is fine
    (repository / "kpis" / "site" / "stray.yaml").write_text("kind: kpi\nid: stray\nname: Stray\n")
    code, out, _ = run_cli("lint", str(repository), "--today", "2026-11-23", "--format", "json")
    assert code == 0, out
    assert not [f for f in json_findings(out) if "stray" in f["file"]]


def test_builds_in_one_process_follow_each_other(repository: Path) -> None:
    # The old site of one build may still be being removed when the next one starts.
    for _ in range(4):
        assert _build(repository, "--out", "site")[0] == 0
    assert (repository / "site" / "index.html").is_file()


def test_leftovers_are_removed_only_when_kpigov_made_them(tmp_path: Path) -> None:
    out = tmp_path / "site"
    dead = 2**22 + 12345  # above the default pid_max: no such process
    own = tmp_path / f".site.old-{dead}-1"
    own.mkdir()
    (own / publish.MARKER).write_text("")
    foreign = tmp_path / f".site.building-{dead}-2"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("years of work")
    publish.clear_leftovers(out)
    assert not own.exists()
    assert (foreign / "thesis.tex").read_text() == "years of work"


def test_the_swap_exchanges_in_one_step(tmp_path: Path) -> None:
    old, new = tmp_path / "site", tmp_path / "staging"
    for folder, text in ((old, "old"), (new, "new")):
        folder.mkdir()
        (folder / publish.MARKER).write_text("")
        (folder / "index.html").write_text(text)
    assert publish._exchange(new, old), "renameat2(RENAME_EXCHANGE) is available on Linux"
    assert (old / "index.html").read_text() == "new"
    assert (new / "index.html").read_text() == "old"


def test_the_swap_falls_back_to_two_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "_exchange", lambda first, second: False)
    out = tmp_path / "site"
    out.mkdir()
    (out / publish.MARKER).write_text("")
    (out / "index.html").write_text("old")
    staging = publish.staging_folder(out)
    (staging / "index.html").write_text("new")
    publish.swap_in(staging, out)
    assert (out / "index.html").read_text() == "new"


# -- --public is deny-by-default --------------------------------------------------------------

PUBLIC_KPI = """kind: kpi
id: open.visitors
name: Website visitors
description: Visitors of the public website in the month, counted by the web analytics tool.
owner: b.smit
goals: [grow-revenue]
unit: count
direction: higher-is-better
visibility: public
"""
INTERNAL_GOAL = """kind: goal
id: secret-merger
name: Merge with Zebra Holdings
"""
INTERNAL_KPI = """kind: kpi
id: merger.progress
name: Merger progress
owner: a.jansen
goals: [secret-merger]
unit: percent
"""


def test_public_build_publishes_only_what_public_kpis_link_to(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path / "cat",
        {
            "kpis/open.yaml": PUBLIC_KPI,
            "kpis/merger.yaml": INTERNAL_KPI,
            "strategy/merger.yaml": INTERNAL_GOAL,
            "kpis/broken-internal.yaml": "kind: kpi\nid: internal.broken\nname: [unclosed\n",
        },
    )
    out = tmp_path / "site"
    code, stdout, err = run_cli(
        "build", str(root), "--out", str(out), "--public", "--today", "2026-11-23"
    )
    assert code == 0, err
    assert not (out / "goals" / "secret-merger.html").exists()
    assert not (out / "owners" / "a.jansen.html").exists()  # owns only internal KPIs
    assert (out / "owners" / "b.smit.html").is_file()
    assert (out / "goals" / "grow-revenue.html").is_file()
    everything = "\n".join(
        p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".html", ".js")
    )
    for secret in ("Zebra Holdings", "secret-merger", "broken-internal", "merger.progress", "Anna"):
        assert secret not in everything, secret
    team_page = (out / "owners" / "b.smit.html").read_text(encoding="utf-8")
    assert "Website visitors" in team_page


# -- configuration that would read or write outside the catalogue -----------------------------


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ("version: 1\nhistory: /etc\n", "kpigov.yaml:2:10"),
        ("version: 1\nhistory: ../elsewhere\n", "kpigov.yaml:2:10"),
        ("version: 1\ncustom_rules: [rules, ../../x]\n", "kpigov.yaml:2:23"),
        ("version: 1\ncustom_rules:\n  - ~/rules\n", "kpigov.yaml:3:5"),
    ],
)
def test_folders_outside_the_catalogue_are_refused(tmp_path: Path, config: str, where: str) -> None:
    root = catalogue_in_context(tmp_path, {"kpigov.yaml": config})
    code, _, err = run_cli("lint", str(root))
    assert code == 2
    assert f"{where}:" in err and "inside the catalogue" in err


def test_pyproject_errors_are_located_at_their_line(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path, {})
    (root / "kpigov.yaml").unlink()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.kpigov]\nversion = 1\n\n[tool.kpigov.rules]\n'
        'select = ["S"]\nseverity = {F404 = "loud"}\n'
    )
    code, _, err = run_cli("lint", str(root))
    assert code == 2
    assert "pyproject.toml:9:1:" in err and "loud" in err


def test_a_history_link_leaving_the_catalogue_is_reported(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path / "cat", {})
    outside = tmp_path / "outside.csv"
    outside.write_text("date,value\n2026-01-31,1\n")
    os.symlink(outside, root / "history" / "context.leak.csv")
    code, out, _ = run_cli("lint", str(root), "--format", "json", "--today", "2026-11-23")
    located = {(f["rule"], f["file"]) for f in json_findings(out)}
    assert ("K007", "history/context.leak.csv") in located
