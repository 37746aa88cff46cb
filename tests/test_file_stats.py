"""The cache keeps each file's stat with the digest of its bytes, as git's index does: a warm run
reads only the files whose stat changed, and never lets a kept digest stand for bytes it does not
name (a file written again with its old times, within a tick of the clock, or during the run)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

import kpigov.cache
import kpigov.files
from kpigov.api import load_settings
from kpigov.cache import STATS_KEY, LintCache
from kpigov.files import KeptContents, read_files
from tests.conftest import REPO, run_cli

ARGS = ("--today", "2026-11-23", "--format", "json")
# The window within which a file's times are too recent to keep its stat: 3 s in use, shorter
# here so that the tests need not wait as long.
WINDOW = 0.2


EDITED = "kpis/customer/ces.yaml"


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = shutil.copytree(
        REPO / "examples" / "acme",
        tmp_path / "acme",
        ignore=shutil.ignore_patterns(".kpigov_cache"),
    )
    monkeypatch.setattr(kpigov.cache, "RACY_NS", int(WINDOW * 1e9))
    time.sleep(WINDOW * 1.5)  # the copied files are older than the window now
    return root


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The catalogue files read by the runs that follow (with the cache)."""
    read: list[str] = []
    real = kpigov.files._read_file

    def recording(
        root: str, rel: str, with_stat: bool
    ) -> tuple[bytes | str, os.stat_result | None]:
        read.append(rel)
        return real(root, rel, with_stat)

    monkeypatch.setattr(kpigov.files, "_read_file", recording)
    return read


def _lint(root: Path, *args: str) -> str:
    return run_cli("lint", "--root", str(root), *ARGS, *args)[1]


def _written_after_its_stat(acme: Path) -> KeptContents:
    """The catalogue's contents with every stat taken (from the kept ones: nothing read), and
    then EDITED written."""
    _lint(acme)  # keeps the stats
    contents = read_files(load_settings(acme).config).contents
    assert isinstance(contents, KeptContents)
    LintCache(acme).file_digests(contents)
    edited = acme / EDITED
    edited.write_text(edited.read_text() + "# written meanwhile\n")
    return contents


def _kept_paths(root: Path) -> set[str]:
    (entry,) = (root / ".kpigov_cache" / "stats").rglob(f"{STATS_KEY}.json")
    return {key.split("\0")[0] for key in json.loads(entry.read_text())["value"]}


def _same_size_edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    edited = text.replace("\nowner: r.meijer\n", "\nowner: r.meijex\n", 1)  # unknown
    assert len(edited) == len(text) and edited != text
    path.write_text(edited, encoding="utf-8")


def test_a_warm_run_reads_only_the_files_whose_stat_changed(acme: Path, reads: list[str]) -> None:
    _lint(acme)
    kept = _kept_paths(acme)
    assert EDITED in kept and len(kept) >= 40
    reads.clear()
    again = _lint(acme)
    assert reads == []  # answered from the cache without reading a file
    _same_size_edit(acme / EDITED)
    edited = _lint(acme)
    # The edited file, and the history of its KPI, which the rules on the edited KPI read.
    assert reads[0] == EDITED and set(reads) <= {EDITED, "history/customer.ces.csv"}
    assert edited != again
    assert edited == _lint(acme, "--no-cache")


def test_a_file_written_back_with_its_old_times_is_read_again(acme: Path) -> None:
    _lint(acme)
    service = acme / EDITED
    before = os.stat(service)
    _same_size_edit(service)
    os.utime(service, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` would
    assert os.stat(service).st_mtime_ns == before.st_mtime_ns  # only its change time tells
    assert _lint(acme) == _lint(acme, "--no-cache")


def test_a_file_written_within_the_window_keeps_no_stat(acme: Path) -> None:
    service = acme / EDITED
    _same_size_edit(service)
    _lint(acme)
    kept = _kept_paths(acme)
    assert EDITED not in kept and "goals.yaml" in kept


def test_a_file_written_during_the_run_keeps_nothing_that_its_kept_digest_keys(
    acme: Path,
) -> None:
    _lint(acme)
    contents = read_files(load_settings(acme).config).contents
    assert isinstance(contents, KeptContents)
    cache = LintCache(acme)
    digests = cache.file_digests(contents)  # from the kept stats: nothing read
    assert contents._kept == {}
    service = acme / EDITED
    service.write_text(service.read_text() + "# written meanwhile\n")
    raw = contents[EDITED]
    assert isinstance(raw, bytes) and raw.endswith(b"# written meanwhile\n")
    assert contents.changed_during_run and not cache.trusted()
    assert cache.note is not None and "changed while kpigov ran" in cache.note
    runs = acme / ".kpigov_cache" / "runs"
    before = sorted(runs.rglob("*.json"))
    cache.store_findings("f" * 64, [], len(digests), [])
    assert sorted(runs.rglob("*.json")) == before


def test_kept_stats_of_another_shape_are_not_trusted(acme: Path) -> None:
    expected = _lint(acme, "--no-cache")
    _lint(acme)
    (entry,) = (acme / ".kpigov_cache" / "stats").rglob("*.json")
    kept = json.loads(entry.read_text())
    kept["value"] = {key: 42 for key in kept["value"]}  # digests of the wrong type
    entry.write_text(json.dumps(kept))
    assert _lint(acme) == expected
    entry.write_text(json.dumps({**kept, "value": ["not", "a", "mapping"]}))
    assert _lint(acme) == expected


def test_a_file_written_during_the_run_is_found_when_a_forked_worker_reads_it(
    acme: Path,
) -> None:
    from kpigov.forked import map_forked, usable_cores

    contents = _written_after_its_stat(acme)
    others = [rel for rel in contents if rel != EDITED][:20]
    # The edited file is in the worker's share, the last: the worker fails on it, and this
    # process reads the share again itself, where the change is seen.
    read = map_forked(contents.__getitem__, [*others, EDITED], min_share=1)
    assert read[-1] == (acme / EDITED).read_bytes()
    assert contents.changed_during_run
    if usable_cores() < 2:
        pytest.skip("one core: no worker was forked")


def test_without_a_change_time_every_file_is_read_and_hashed(
    acme: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kpigov.cache, "STAT_HAS_CHANGE_TIME", False)  # as on Windows
    first = _lint(acme)
    reads.clear()
    assert _lint(acme) == first
    assert len(reads) >= 40 and not (acme / ".kpigov_cache" / "stats").exists()


def test_a_file_swapped_for_a_fifo_after_discovery_reads_as_empty(acme: Path) -> None:
    import signal

    contents = read_files(load_settings(acme).config).contents
    (acme / EDITED).unlink()
    os.mkfifo(acme / EDITED)  # no writer: a blocking open would wait forever
    signal.alarm(10)
    try:
        assert contents[EDITED] == b""
    finally:
        signal.alarm(0)


def test_a_history_written_during_a_build_leaves_no_manifest_that_names_it(
    acme: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build reads a history only when a page that shows it is rendered, after the stats were
    taken: written in between, the pages show bytes its kept digest does not name, so neither
    the manifest nor the overview's pieces are kept, and the next build renders them again."""
    import datetime as dt

    import kpigov.handbook.render
    from kpigov import api

    today = dt.date(2026, 11, 23)
    site = tmp_path / "site"
    api.build(acme, site, today=today)
    (manifest,) = (acme / ".kpigov_cache" / "pages").glob("*[0-9a-f].json")
    recorded = manifest.read_bytes()
    service = acme / EDITED
    service.write_text(service.read_text().replace("name: Customer effort", "name: Client effort"))
    # CSAT shares CES's goal: its card on the goal page, rendered again for CES's new name, reads
    # its history (which no rule of this incremental build read).
    history = acme / "history" / "customer.csat.csv"
    real = kpigov.handbook.render.render_site

    def written_meanwhile(*args: object, **kwargs: object) -> int:
        history.write_text(history.read_text() + "2026-11-30,91.7\n")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kpigov.handbook.render, "render_site", written_meanwhile)
    api.build(acme, site, today=today)
    assert "91.7" in (site / "goals" / "fast-helpful-service.html").read_text()  # read lazily
    assert manifest.read_bytes() == recorded  # not rewritten with the stale digest
    monkeypatch.setattr(kpigov.handbook.render, "render_site", real)
    api.build(acme, site, today=today)
    clean = tmp_path / "clean"
    api.build(acme, clean, today=today)
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()} == {
        p.relative_to(clean): p.read_bytes() for p in clean.rglob("*") if p.is_file()
    }


def test_a_file_written_during_a_build_is_found_when_a_page_writer_reads_it(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kpigov.forked import usable_cores
    from kpigov.handbook import processes

    contents = _written_after_its_stat(acme)
    monkeypatch.setattr(processes, "PARALLEL_FROM", 2)
    jobs = [("kpi", rel) for rel in contents if rel != EDITED][:20] + [("kpi", EDITED)]
    # A writer that fails on the edited file makes this process write every page itself.
    written = processes.write_pages(jobs, lambda job: contents[job[1]], False)  # type: ignore[arg-type,index]
    assert sorted(written) == sorted(contents[rel] for _, rel in jobs)
    assert contents.changed_during_run
    if usable_cores() < 2:
        pytest.skip("one core: no worker was forked")
