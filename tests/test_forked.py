"""Parallel loading: forked workers give exactly what one process gives, and never lose work."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import kpigov.catalogue
import kpigov.engine
import kpigov.forked
from kpigov.forked import _share_bounds, map_forked, usable_cores
from tests.conftest import REPO, run_cli

multicore = pytest.mark.skipif(
    usable_cores() < 2 or not hasattr(os, "fork"), reason="needs fork and two cores"
)


def _square_with_pid(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


@multicore
def test_results_come_back_in_order_from_several_processes() -> None:
    results = map_forked(_square_with_pid, range(100), min_share=10)
    assert [square for square, _ in results] == [n * n for n in range(100)]
    assert len({pid for _, pid in results}) >= 2  # the workers really ran


def test_small_inputs_stay_in_this_process() -> None:
    results = map_forked(_square_with_pid, range(100), min_share=1000)
    assert {pid for _, pid in results} == {os.getpid()}


def test_shares_are_cut_by_cost() -> None:
    assert _share_bounds([1, 1, 1, 10], [1, 1]) == [0, 3, 4]
    assert _share_bounds([10, 1, 1, 1], [1, 1]) == [0, 1, 4]
    assert _share_bounds([1] * 10, [1.5, 1]) == [0, 6, 10]
    assert _share_bounds([1] * 9, [1, 1, 1]) == [0, 3, 6, 9]


@multicore
def test_costly_items_get_a_share_of_their_own() -> None:
    results = map_forked(
        _square_with_pid,
        [1, 2, 3, 4],
        min_share=1,
        cost=lambda n: 1000 if n == 4 else 1,
        own_share_weight=1.0,
    )
    pids = [pid for _, pid in results]
    assert pids[0] == pids[1] == pids[2] != pids[3]


@multicore
def test_local_items_stay_in_this_process_and_count_in_its_share() -> None:
    results = map_forked(
        _square_with_pid, range(20), min_share=1, local=lambda n: n % 2 == 0, own_share_weight=1.0
    )
    assert [square for square, _ in results] == [n * n for n in range(20)]
    here = os.getpid()
    assert all(pid == here for n, (_, pid) in enumerate(results) if n % 2 == 0)
    # The ten local items are half the work: every other item goes to the worker.
    assert all(pid != here for n, (_, pid) in enumerate(results) if n % 2)


def test_a_share_that_carries_other_work_starts_later() -> None:
    assert _share_bounds([1] * 10, [1, 1], head=6) == [0, 2, 10]
    assert _share_bounds([1] * 4, [1, 1], head=10) == [0, 0, 4]


@multicore
def test_a_failing_worker_costs_only_time() -> None:
    parent = os.getpid()

    def fails_in_workers(number: int) -> int:
        if os.getpid() != parent:
            raise RuntimeError("worker trouble")
        return number + 1

    assert map_forked(fails_in_workers, range(50), min_share=5) == list(range(1, 51))


@multicore
def test_a_worker_that_dies_costs_only_time() -> None:
    parent = os.getpid()

    def dies_in_workers(number: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return -number

    assert map_forked(dies_in_workers, range(50), min_share=5) == [-n for n in range(50)]


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    return shutil.copytree(
        REPO / "examples" / "messy",
        tmp_path / "messy",
        ignore=shutil.ignore_patterns(".kpigov_cache"),
    )


def parsing_processes(monkeypatch: pytest.MonkeyPatch, log: Path) -> Callable[[], int]:
    """From now on, every process that parses a YAML file writes its pid to ``log`` (a file, so
    that forked workers are seen too); the function returned counts the processes seen."""
    real = kpigov.catalogue.load_bytes

    def tracked(rel: str, raw: bytes) -> object:
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real(rel, raw)

    monkeypatch.setattr(kpigov.catalogue, "load_bytes", tracked)
    return lambda: len(set(log.read_text().split()))


def _lint(root: Path, format_name: str, *args: str) -> tuple[int, str, str]:
    return run_cli(
        "lint", "--root", str(root), "--today", "2026-11-23", "--format", format_name, *args
    )


@multicore
@pytest.mark.parametrize("format_name", ["json", "text", "sarif", "junit", "github", "gitlab"])
def test_parallel_loading_gives_byte_identical_output(
    messy: Path, format_name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = _lint(messy, format_name, "--no-cache")
    parsers = parsing_processes(monkeypatch, tmp_path / "parsers")
    monkeypatch.setattr(kpigov.catalogue, "PARALLEL_SHARE", 1)
    parallel = _lint(messy, format_name, "--no-cache")
    assert parsers() >= 2  # the workers really parsed
    assert parallel == plain
    # Cache entries written by the workers are read back to the same result.
    filled = _lint(messy, format_name)
    shutil.rmtree(messy / ".kpigov_cache" / "runs")
    monkeypatch.setattr(kpigov.catalogue, "PARALLEL_SHARE", 10**9)
    from_worker_entries = _lint(messy, format_name)
    assert filled == from_worker_entries == plain


@multicore
@pytest.mark.parametrize("format_name", ["json", "text"])
def test_parallel_rules_give_byte_identical_output(
    messy: Path, format_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _lint(messy, format_name, "--no-cache")
    monkeypatch.setattr(kpigov.engine, "PARALLEL_SHARE", 1)
    monkeypatch.setattr(kpigov.engine, "KPI_CHUNKS", 3)
    assert _lint(messy, format_name, "--no-cache") == plain


@multicore
def test_pieces_taken_in_while_working_come_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kpigov.forked, "PIECE", 3)
    results = map_forked(_square_with_pid, range(200), min_share=10)
    assert [square for square, _ in results] == [n * n for n in range(200)]
    assert len({pid for _, pid in results}) >= 2


@multicore
def test_a_worker_that_dies_after_sending_some_pieces_costs_only_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kpigov.forked, "PIECE", 2)
    parent = os.getpid()

    def dies_halfway(number: int) -> int:
        if os.getpid() != parent and number == 45:
            os._exit(3)
        return -number

    assert map_forked(dies_halfway, range(50), min_share=5) == [-n for n in range(50)]
