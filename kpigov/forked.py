"""Run one function over many items on every core, with forked workers.

Forked workers inherit everything already loaded (code, schemas, the file contents), so only the
results travel back, pickled through a pipe. The calling process does the first share itself, a
larger one by default, since workers also pickle what they send back. A worker that fails for
any reason costs nothing but time: its share is done again here, so the result is always the one
a plain loop would give.
"""

from __future__ import annotations

import bisect
import io
import itertools
import os
import pickle
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 8
PICKLE_PIECE = 1000  # results per pickle sent back
OWN_SHARE_WEIGHT = 1.2


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_forked(
    function: Callable[[T], R],
    items: Sequence[T],
    *,
    min_share: float,
    cost: Callable[[T], float] | None = None,
    own_share_weight: float = OWN_SHARE_WEIGHT,
    local: Callable[[T], bool] | None = None,
    worker_done: Callable[[], None] | None = None,
) -> list[R]:
    """``[function(item) for item in items]``, spread over the usable cores.

    ``cost`` estimates an item's work (its size, say) so that shares take equal time when items
    differ; by default every item costs 1. Workers start only when each gets at least
    ``min_share`` of cost (below that, starting them costs more than it saves), when fork exists,
    and when this process runs no other thread (forking a threaded process can deadlock). The
    calling process's share weighs ``own_share_weight`` against a worker's 1. Items for which
    ``local`` is true (their results cost more to send back than to compute) are always done by
    the calling process, as part of its share. ``worker_done`` runs in each worker after its
    results are sent (to leave work that nobody waits for to a detached process, say).
    """
    costs = [cost(item) for item in items] if cost else [1.0] * len(items)
    kept = [index for index, item in enumerate(items) if local(item)] if local else []
    kept_set = set(kept)
    sent = [index for index in range(len(items)) if index not in kept_set]
    workers = min(usable_cores(), MAX_WORKERS, len(sent) + 1, int(sum(costs) // max(min_share, 1)))
    if workers < 2 or not hasattr(os, "fork") or threading.active_count() > 1:
        return [function(item) for item in items]
    weights = [own_share_weight] + [1.0] * (workers - 1)
    bounds = _share_bounds([costs[i] for i in sent], weights, head=sum(costs[i] for i in kept))
    shares = [[items[i] for i in sent[bounds[w] : bounds[w + 1]]] for w in range(workers)]
    children = [_start(function, share, worker_done) if share else None for share in shares[1:]]
    results: list[R | None] = [None] * len(items)
    for index in [*kept, *sent[: bounds[1]]]:
        results[index] = function(items[index])
    for worker, child in enumerate(children, start=1):
        received = _collect(child) if child is not None else None
        done = received if received is not None else [function(item) for item in shares[worker]]
        for index, result in zip(sent[bounds[worker] : bounds[worker + 1]], done, strict=True):
            results[index] = result
    return results  # type: ignore[return-value]


def _share_bounds(costs: list[float], weights: list[float], head: float = 0.0) -> list[int]:
    """Where each share of ``costs`` starts (and the last ends): cut where the running cost comes
    nearest to each share's part of the total. The first share also carries ``head``, work it
    does besides these items."""
    total_weight = sum(weights)
    running = list(itertools.accumulate(costs, initial=head))[1:]
    total = running[-1] if running else head
    bounds = [0]
    for share in range(1, len(weights)):
        goal = total * sum(weights[:share]) / total_weight
        cut = bisect.bisect_left(running, goal)
        # running[cut - 1] < goal <= running[cut]: end the share after whichever item is nearer
        before = running[cut - 1] if cut else head
        if cut < len(running) and running[cut] - goal < goal - before:
            cut += 1
        bounds.append(max(cut, bounds[-1]))
    return [*bounds, len(costs)]


def _start(
    function: Callable[[T], R], share: Sequence[T], done: Callable[[], None] | None = None
) -> tuple[int, int] | None:
    """Fork a worker for ``share``; its pid and the pipe its results come through."""
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the worker: never returns, never runs the parent's clean-up
        status = 1
        try:
            os.close(read_end)
            results = [function(item) for item in share]
            # Pickled in pieces: one pickle of a hundred thousand results spends most of its time
            # in its ever larger table of objects seen. All pieces are made before any is sent,
            # so that the work is not held up by a full pipe.
            pieces = [
                pickle.dumps(
                    results[start : start + PICKLE_PIECE], protocol=pickle.HIGHEST_PROTOCOL
                )
                for start in range(0, len(results), PICKLE_PIECE)
            ]
            with os.fdopen(write_end, "wb") as pipe:
                for piece in pieces:
                    pipe.write(piece)
            status = 0
            if done is not None:
                done()
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int]) -> list[R] | None:
    """A worker's results, or None when it failed (the caller then does its share itself)."""
    pid, read_end = child
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    stream = io.BytesIO(payload)
    results: list[R] = []
    try:
        while stream.tell() < len(payload):
            results.extend(pickle.load(stream))  # noqa: S301 - our own child, over a private pipe
    except Exception:  # a truncated payload: redo the share
        return None
    return results
