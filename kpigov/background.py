"""Work that nobody waits for: done by a detached process after the command has its answer."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable


def run_detached(work: Callable[[], None]) -> bool:
    """Run ``work`` in a detached grandchild and return at once; False when it cannot (no fork).

    The grandchild (a double fork, so no zombie is left) runs at the lowest priority, so that it
    yields the processor to whatever runs next, and has /dev/null for standard input and output: a
    caller that reads kpigov's output to the end (pre-commit, a CI step, ``subprocess.run``) is not
    kept waiting for it. Nor is one that reads any other pipe it inherited (a forked worker's
    results, read to the end by the worker's caller): it closes them. It stays in kpigov's
    session on purpose: Linux shares the processor fairly between sessions, so a session of its
    own would take a full core whatever its priority. If it is killed (Ctrl-C reaches it too), nothing is lost that a later run cannot
    redo.
    """
    if not hasattr(os, "fork"):
        return False
    try:
        child = os.fork()
    except OSError:
        return False
    if child == 0:
        try:
            if os.fork() == 0:
                os.nice(19)
                null = os.open(os.devnull, os.O_RDWR)
                for stream in (0, 1, 2):
                    os.dup2(null, stream)
                _close_inherited_pipes()
                work()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    return True


def run_detached_or_here(work: Callable[[], None], detached: bool) -> None:
    """Run ``work`` in a detached process when ``detached`` (and the system can), else here."""
    if not (detached and run_detached(work)):
        work()


def _close_inherited_pipes() -> None:
    """Close every pipe above the standard streams: detached work talks to no one, and a
    process reading such a pipe to its end would wait for this one to finish."""
    folder = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    try:
        descriptors = [int(name) for name in os.listdir(folder)]
    except (OSError, ValueError):
        return
    for descriptor in descriptors:
        if descriptor <= 2:
            continue
        try:
            if stat.S_ISFIFO(os.fstat(descriptor).st_mode):
                os.close(descriptor)
        except OSError:
            continue  # the listing's own descriptor, closed by now


def process_alive(pid: int) -> bool:
    """Whether a process runs (a folder or record it left may only be cleared when it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
