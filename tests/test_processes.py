"""The handbook's processes (kpigov/handbook/processes.py): the overview written beside the pages."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from kpigov.handbook import processes


def test_work_beside_gives_its_result_from_another_process(tmp_path: Path) -> None:
    here = os.getpid()

    def work() -> list[tuple[str, list[str]]]:
        (tmp_path / "by").write_text(str(os.getpid()))
        return [("index.html", ["a", "b", ""])]

    with processes.beside(work, parallel=True) as wait:
        assert threading.active_count() == 1  # nothing that makes forking the writers unsafe
        assert wait() == [("index.html", ["a", "b", ""])]
    if (os.cpu_count() or 1) >= 2:
        assert int((tmp_path / "by").read_text()) != here


def test_work_that_fails_beside_raises_its_error_here() -> None:
    def work() -> list[tuple[str, list[str]]]:
        raise RuntimeError("the disk is full, say")

    with processes.beside(work, parallel=True) as wait, pytest.raises(RuntimeError):
        wait()


def test_work_beside_ends_with_its_block(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def work() -> list[tuple[str, list[str]]]:
        started.write_text(str(os.getpid()))
        threading.Event().wait(60)  # longer than the test
        return []

    with pytest.raises(KeyError), processes.beside(work, parallel=True):
        for _ in range(500):  # until the worker runs
            if started.exists() and started.read_text():
                break
            threading.Event().wait(0.01)
        raise KeyError("the build failed")
    if started.exists():
        pid = int(started.read_text())
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # killed and reaped
