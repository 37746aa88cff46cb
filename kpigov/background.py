"""Work that nobody waits for: done by a detached process after the command has its answer."""

from __future__ import annotations

import os
from collections.abc import Callable


def run_detached(work: Callable[[], None]) -> bool:
    """Run ``work`` in a detached grandchild and return at once; False when it cannot (no fork).

    The grandchild (a double fork, so no zombie is left) runs at the lowest priority, so that it
    yields the processor to whatever runs next, and has /dev/null for standard input and output: a
    caller that reads kpigov's output to the end (pre-commit, a CI step, ``subprocess.run``) is not
    kept waiting for it. It stays in kpigov's session on purpose: Linux shares the processor
    fairly between sessions, so a session of its own would take a full core whatever its
    priority. If it is killed (Ctrl-C reaches it too), nothing is lost that a later run cannot
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
                work()
        finally:
            os._exit(0)
    os.waitpid(child, 0)
    return True


def process_alive(pid: int) -> bool:
    """Whether a process runs (a folder or record it left may only be cleared when it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
