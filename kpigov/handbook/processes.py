"""The handbook's pages written on every core: forked workers inherit the view model, so only
the pages' manifest entries travel back. Each worker ends with its build (PR_SET_PDEATHSIG)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from kpigov.files import FileChangedDuringRun

if TYPE_CHECKING:
    from kpigov.loader import Document

# A page to write: its kind (kpi, goal, owner) and its document.
Job = tuple[str, "Document"]

# What writing a page returns: its path and its manifest entry.
Written = tuple[str, list[str]]
# Set just before forking: the page writer the worker processes inherit.
_WORKER_WRITE: Callable[[Job], Written] | None = None
_WORKER_JOBS: list[Job] = []
PARALLEL_FROM = 400  # pages; below this, starting workers costs more than it saves


@contextlib.contextmanager
def beside(
    work: Callable[[], list[Written]], parallel: bool
) -> Iterator[Callable[[], list[Written]]]:
    """Start ``work`` in a forked process (when ``parallel`` and the system can fork) and give
    a function that waits for its result; without a process, or when the process failed, that
    function does the work here (and so raises its error). The process ends with the block.

    A plain fork with a pipe (kpigov/forked.py), not a multiprocessing pool: a pool's threads
    would make the process that forks the page writers next a threaded one, which can deadlock
    in the child."""
    from kpigov import forked

    if not parallel or (os.cpu_count() or 1) < 2:
        yield work
        return
    parent = os.getpid()

    def in_child(_: None) -> list[Written]:
        _die_with_parent(parent)
        return work()

    worker = forked.start_worker(in_child, [None])
    if worker is None:
        yield work
        return

    def wait() -> list[Written]:
        received = worker.finish()
        return received[0] if received else work()

    try:
        yield wait
    finally:
        if not worker.ended:
            worker.stop()


def _write_chunk(bounds: tuple[int, int]) -> list[Written]:
    assert _WORKER_WRITE is not None
    return [_WORKER_WRITE(job) for job in _WORKER_JOBS[bounds[0] : bounds[1]]]


def write_pages(
    jobs: list[Job],
    write_page: Callable[[Job], Written],
    show_progress: bool,
) -> list[Written]:
    """Write the pages of ``jobs``: on every core when there are many (forked workers inherit the
    view model, so nothing is copied), in this process otherwise. The output is the same. What
    each page write returned."""
    global _WORKER_WRITE, _WORKER_JOBS
    import multiprocessing
    import sys

    import click

    workers = min(os.cpu_count() or 1, 8)
    with (
        click.progressbar(length=len(jobs), label="Writing pages", file=sys.stderr)
        if show_progress
        else contextlib.nullcontext() as bar
    ):

        def here() -> list[Written]:
            done = []
            for job in jobs:
                done.append(write_page(job))
                if bar is not None:
                    bar.update(1)
            return done

        if (
            len(jobs) < PARALLEL_FROM
            or workers < 2
            or "fork" not in multiprocessing.get_all_start_methods()
        ):
            return here()
        _WORKER_WRITE, _WORKER_JOBS = write_page, jobs
        size = -(-len(jobs) // (workers * 8))  # small chunks keep the workers evenly busy
        chunks = [(start, min(start + size, len(jobs))) for start in range(0, len(jobs), size)]
        try:
            with multiprocessing.get_context("fork").Pool(
                workers, initializer=_die_with_parent, initargs=(os.getpid(),)
            ) as pool:
                results = pool.imap_unordered(_write_chunk, chunks)
                done = []
                for result in results:
                    done += result
                    if bar is not None:
                        bar.update(len(result))
        except FileChangedDuringRun:
            # A worker read a catalogue file written since its stat was taken: the pages are
            # written again here, where reading it marks the run's cache as untrusted.
            return here()
        finally:
            _WORKER_WRITE, _WORKER_JOBS = None, []
        return done


def _die_with_parent(parent: int) -> None:
    """A page writer ends when its build does (Linux: PR_SET_PDEATHSIG). A killed build's
    writers would otherwise finish their pages into its temporary folder while the next build
    removes that folder as a leftover, and leave it behind."""
    with contextlib.suppress(OSError, AttributeError, TypeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the call above
        os._exit(1)


_PR_SET_PDEATHSIG = 1
