"""Detached work: the caller gets its answer at once, and a reader of the output is not kept waiting."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.conftest import run_python

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_detached_work_runs_and_nobody_waits_for_it(tmp_path: Path) -> None:
    marker = tmp_path / "done"
    script = (
        "import time\n"
        "from pathlib import Path\n"
        "from kpigov.background import run_detached\n"
        f"marker = Path({str(marker)!r})\n"
        # Written aside and renamed: the marker never exists half-written, so the poll below
        # cannot find it empty.
        "def work():\n"
        "    time.sleep(3)\n"
        "    aside = marker.with_suffix('.part')\n"
        "    aside.write_text('yes')\n"
        "    aside.replace(marker)\n"
        "run_detached(work)\n"
        "print('answered')\n"
    )
    started = time.monotonic()
    # capture_output reads until every holder of the pipe closes it: the detached process must not.
    answered = run_python(script)
    assert time.monotonic() - started < 2.5
    assert answered == "answered\n" and not marker.exists()
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.read_text() == "yes"


def test_detached_work_keeps_no_inherited_pipe_open() -> None:
    """A forked worker's caller reads its results to the end: detached work the worker starts
    (the overview's pieces, kept by a detached writer) must not hold the worker's pipe open."""
    script = (
        "import os, time\n"
        "from kpigov.background import run_detached\n"
        "read_end, write_end = os.pipe()\n"
        "run_detached(lambda: time.sleep(5))\n"
        "os.close(write_end)\n"
        "started = time.monotonic()\n"
        "assert os.read(read_end, 1) == b''\n"
        "print(round(time.monotonic() - started))\n"
    )
    assert run_python(script) == "0\n"
