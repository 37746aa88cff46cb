"""A build after an edit renders only the pages whose inputs changed, takes the others from the
last build, and is byte for byte a clean build (kpigov/handbook/pages.py); the new site is still
swapped in whole."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from pathlib import Path

import pytest

from kpigov import api
from kpigov.handbook import pages as page_reuse
from tests.test_incremental import OPERATIONS, _edit

REPO = Path(__file__).parents[1]
TODAY = dt.date(2026, 11, 23)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _inodes(folder: Path) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): path.stat().st_ino for path in folder.rglob("*.html")
    }


@pytest.fixture()
def acme(tmp_path: Path) -> Path:
    root = tmp_path / "acme"
    shutil.copytree(
        REPO / "examples" / "acme", root, ignore=shutil.ignore_patterns(".kpigov_cache")
    )
    return root


@pytest.mark.parametrize("operation", ["name", "target", "owner", "status", "line-above"])
def test_a_build_after_an_edit_equals_a_clean_build(
    acme: Path, tmp_path: Path, operation: str
) -> None:
    site = tmp_path / "site"
    api.build(acme, site, today=TODAY)
    before = _inodes(site)
    for seed in range(3):
        _edit(acme, operation, random.Random(seed))
        api.build(acme, site, today=TODAY)
        clean = tmp_path / f"clean-{seed}"  # a new folder: every page rendered
        api.build(acme, clean, today=TODAY)
        assert _tree(site) == _tree(clean)
    after = _inodes(site)
    kept = [page for page, inode in after.items() if before.get(page) == inode]
    # An edit of one KPI leaves most pages as they were: they are taken, not rendered again.
    assert len(kept) >= len(after) // 2, kept


def _rename_in(path: Path, rng: random.Random) -> None:
    """Rename one goal, person or team of ``path``: pages that show its name change too."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    names = [index for index, line in enumerate(lines) if line.startswith("name: ")]
    index = rng.choice(names)
    lines[index] = lines[index].rstrip("\n") + " (renamed)\n"
    path.write_text("".join(lines), encoding="utf-8")


def _move_person(root: Path, rng: random.Random) -> None:
    """Move a person to another team: both teams' pages list other members and their KPIs."""
    path = root / "owners.yaml"
    text = path.read_text(encoding="utf-8")
    teams = sorted({line[6:].strip() for line in text.splitlines() if line.startswith("team: ")})
    old, new = rng.sample(teams, 2)
    path.write_text(text.replace(f"team: {old}\n", f"team: {new}\n", 1), encoding="utf-8")


@pytest.mark.slow  # 28 edits, each compared with a clean build of a copy: 20 s a seed
@pytest.mark.parametrize("seed", range(2))
def test_every_kind_of_edit_builds_as_a_clean_build(acme: Path, tmp_path: Path, seed: int) -> None:
    """Page keys are made from the sources a page reads (kpigov/handbook/keys.py): each kind of
    source is edited in turn — every field of a KPI, a history, a goal's or owner's name, a team's
    members, a file added, removed or broken, a commit — and the site compared with a clean one."""
    import subprocess

    rng = random.Random(seed)
    site = tmp_path / "site"
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(acme)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    api.build(acme, site, today=TODAY)
    edits = [*OPERATIONS, "goal-name", "person-name", "move-person", "commit"]
    rng.shuffle(edits)
    for number, operation in enumerate(edits):
        if operation == "goal-name":
            _rename_in(acme / "goals.yaml", rng)
        elif operation == "person-name":
            _rename_in(acme / "owners.yaml", rng)
        elif operation == "move-person":
            _move_person(acme, rng)
        elif operation == "commit":
            subprocess.run([*git, "add", "-A"], check=True)
            # another day than the first commit: the pages of the KPIs it touched say so
            day = {**os.environ, "GIT_COMMITTER_DATE": "2026-01-20T12:00:00"}
            subprocess.run([*git, "commit", "-qm", "edits"], check=True, env=day)
        else:
            _edit(acme, operation, rng)
        api.build(acme, site, today=TODAY)
        # A clean build of a copy without the cache: no state, no manifest, no kept pieces.
        copy, clean = tmp_path / f"copy-{number}", tmp_path / f"clean-{number}"
        shutil.copytree(acme, copy, ignore=shutil.ignore_patterns(".kpigov_cache"))
        api.build(copy, clean, today=TODAY)
        assert _tree(site) == _tree(clean), operation
        shutil.rmtree(clean)
        shutil.rmtree(copy)


def test_a_page_changed_in_the_site_is_rendered_again(acme: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    api.build(acme, site, today=TODAY)
    page = next((site / "kpis").glob("*.html"))
    original = page.read_bytes()
    page.write_bytes(b"<p>edited by hand</p>")
    api.build(acme, site, today=TODAY)
    assert page.read_bytes() == original


def test_a_broken_manifest_renders_every_page(acme: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    api.build(acme, site, today=TODAY)
    for manifest in (acme / ".kpigov_cache" / "pages").glob("*.json"):
        manifest.write_text('{"format": 1, "out": 5, "pages": []}')
    reference = _tree(site)
    api.build(acme, site, today=TODAY)
    assert _tree(site) == reference


def _age(site: Path, seconds: int = 3600) -> None:
    """Every page of the site as if written an hour ago (settled: kpigov/handbook/pages.py)."""
    for path in site.rglob("*"):
        if path.is_file():
            status = path.stat()
            os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns - seconds * 10**9))


@pytest.fixture()
def pages_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages of the current site read to compare their bytes."""
    read: list[str] = []
    real = page_reuse.bytes_digest

    def counting(data: bytes) -> str:
        read.append(data[:40].decode(errors="replace"))
        return real(data)

    monkeypatch.setattr(page_reuse, "bytes_digest", counting)
    return read


def test_a_settled_page_is_taken_without_reading_it(
    acme: Path, tmp_path: Path, pages_read: list[str]
) -> None:
    site = tmp_path / "site"
    api.build(acme, site, today=TODAY)
    rendered = len(pages_read)  # a digest of every page written
    assert rendered > 10
    pages_read.clear()
    api.build(acme, site, today=TODAY)
    # Just written: too recent to trust their times, so each page is read and compared.
    assert len(pages_read) == rendered
    _age(site)
    api.build(acme, site, today=TODAY)  # records the settled pages' sizes, times and inodes
    pages_read.clear()
    api.build(acme, site, today=TODAY)
    assert pages_read == []
    clean = tmp_path / "clean"
    api.build(acme, clean, today=TODAY)
    assert _tree(site) == _tree(clean)


def test_a_settled_page_changed_in_the_site_is_rendered_again(acme: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    api.build(acme, site, today=TODAY)
    _age(site)
    api.build(acme, site, today=TODAY)
    page = next((site / "kpis").glob("*.html"))
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<", b"[", 1))  # the same size, a new time
    api.build(acme, site, today=TODAY)
    assert page.read_bytes() == original


def test_renaming_a_kpi_renders_only_the_pages_that_show_its_name(
    acme: Path, tmp_path: Path
) -> None:
    """Its page, the pages of its goal and owner (and the owner's team), the overview and the
    search index; every other page is the last build's file, linked."""
    site = tmp_path / "site"
    api.build(acme, site, today=TODAY)
    before = _inodes(site) | {
        "assets/search-index.js": (site / "assets/search-index.js").stat().st_ino
    }
    path = acme / "kpis" / "sales" / "average-deal-size.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "name: Average first-year deal size", "name: Average deal size in the first year"
        ),
        encoding="utf-8",
    )
    api.build(acme, site, today=TODAY)
    after = _inodes(site) | {
        "assets/search-index.js": (site / "assets/search-index.js").stat().st_ino
    }
    rendered = sorted(page for page, inode in after.items() if before.get(page) != inode)
    assert rendered == [
        "assets/search-index.js",
        "goals/grow-profitably.html",  # its goal's parent: the KPIs of sub-goals
        "goals/win-new-customers.html",
        "index.html",
        "kpis/sales.average-deal-size.html",
        "owners/s.bakker.html",
        "owners/sales.html",  # the team's members' KPIs
    ]


def test_the_overview_pieces_are_kept_by_card_key(tmp_path: Path) -> None:
    from kpigov.handbook.overview import Pieces

    path = tmp_path / "pieces.json"
    piece = ["<li>card</li>", "<li>chip</li>", True, "active", "green", '{"id":"a"}']
    made: list[str] = []

    def make(name: str) -> list[object]:
        made.append(name)
        return [*piece[:5], f'{{"id":"{name}"}}']

    first = Pieces(path, "shared")
    assert first.get("key-a", lambda: make("a"))[5] == '{"id":"a"}'
    first.get("key-b", lambda: make("b"))
    first.save()
    again = Pieces(path, "shared")
    assert again.get("key-a", lambda: make("a again"))[5] == '{"id":"a"}'
    assert made == ["a", "b"]  # taken from the store
    again.save()  # only key-a used: the store forgets key-b
    assert set(Pieces(path, "shared").known) == {"key-a"}
    # Made with other labels, language or code: none is taken.
    assert Pieces(path, "other shared").known == {}
    for broken in ("{", '{"format": 2, "shared": "shared", "pieces": {"k": [1, 2]}}', "[]"):
        path.write_text(broken)
        assert Pieces(path, "shared").known == {}
    assert Pieces(None, "shared").known == {}


def test_a_build_that_starts_before_the_last_manifest_is_written_equals_a_clean_build(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large build leaves its manifest to a detached writer; the next build may start before
    it is written and read the one before, which names pages the site no longer holds."""
    from kpigov import background
    from kpigov.handbook import processes

    monkeypatch.setattr(processes, "PARALLEL_FROM", 2)  # this small site counts as large
    asked: list[str] = []

    def written_at_once(work):  # type: ignore[no-untyped-def]
        asked.append("written")
        work()
        return True

    def never_written(work):  # type: ignore[no-untyped-def]
        asked.append("dropped")
        return True

    site = tmp_path / "site"
    monkeypatch.setattr(background, "run_detached", written_at_once)
    api.build(acme, site, today=TODAY)
    monkeypatch.setattr(background, "run_detached", never_written)
    rng = random.Random(7)
    for number in range(2):  # the site moves on; the manifest stays the first build's
        _edit(acme, "name", rng)
        api.build(acme, site, today=TODAY)
        clean = tmp_path / f"clean-{number}"
        api.build(acme, clean, today=TODAY)
        assert _tree(site) == _tree(clean)
    assert "written" in asked and "dropped" in asked
