"""Run one function over many items on every core, with forked workers.

Forked workers inherit everything already loaded (code, schemas, the file contents), so only the
results travel back: pickled in small pieces through a pipe, which the calling process takes in
between the items of its own share, so that little is left to unpickle when it is done. A
worker that fails for any reason costs nothing but time: its share is done again here, so the
result is always the one a plain loop would give.
"""

from __future__ import annotations

import bisect
import contextlib
import itertools
import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

fcntl: Any
try:
    import fcntl
except ImportError:  # Windows: no fork either, so workers never start
    fcntl = None

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 8
PIECE = 100  # results per piece a worker sends while it works
PIPE_SIZE = 1 << 20  # bytes
# The calling process's share against a worker's: equal, since the worker pickles what it sends
# about as long as the caller takes to unpickle it.
OWN_SHARE_WEIGHT = 1.0


def can_fork() -> bool:
    """Whether this process may fork a worker: the system has fork, and this process runs no
    other thread (forking a threaded process can deadlock in the child)."""
    return hasattr(os, "fork") and threading.active_count() == 1


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
    if workers < 2 or not can_fork():
        return [function(item) for item in items]
    weights = [own_share_weight] + [1.0] * (workers - 1)
    bounds = _share_bounds([costs[i] for i in sent], weights, head=sum(costs[i] for i in kept))
    shares = [[items[i] for i in sent[bounds[w] : bounds[w + 1]]] for w in range(workers)]
    children = [_start(function, share, worker_done) if share else None for share in shares[1:]]
    running = [child for child in children if child is not None]
    results: list[R | None] = [None] * len(items)
    for index in [*kept, *sent[: bounds[1]]]:
        results[index] = function(items[index])
        for child in running:  # take in what the workers have sent so far, while they work
            child.poll()
    for worker, child in enumerate(children, start=1):
        received = child.finish() if child is not None else None
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


def start_worker(
    function: Callable[[T], R], share: Sequence[T], done: Callable[[], None] | None = None
) -> _Worker[R] | None:
    """A forked worker doing ``function`` over ``share`` while the caller goes on (None when
    none can start): :meth:`_Worker.finish` gives its results, or None when it failed."""
    if not can_fork():
        return None
    return _start(function, share, done)


def _start(
    function: Callable[[T], R], share: Sequence[T], done: Callable[[], None] | None = None
) -> _Worker[R] | None:
    """Fork a worker for ``share``; None when no process can be started."""
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the worker: never returns, never runs the parent's clean-up
        status = 1
        try:
            os.close(read_end)
            _widen(write_end)
            piece: list[R] = []
            for item in share:
                piece.append(function(item))
                if len(piece) == PIECE:
                    _send(write_end, piece)
                    piece = []
            _send(write_end, piece)
            os.close(write_end)
            status = 0
            if done is not None:
                done()
        finally:
            os._exit(status)
    os.close(write_end)
    return _Worker(pid, read_end)


def _widen(pipe: int) -> None:
    """A pipe that holds a whole piece, so that a worker seldom waits for the reader (Linux)."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, PIPE_SIZE)  # type: ignore[attr-defined]


def _send(pipe: int, results: list[R]) -> None:
    """One piece: its length, then its pickle. Pieces are small because one pickle of a hundred
    thousand results spends most of its time in its ever larger table of objects seen, and so
    that the caller can take them in while the worker goes on."""
    if not results:
        return
    payload = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(payload).to_bytes(_LENGTH, "little") + payload)
    while view:
        view = view[os.write(pipe, view) :]


_LENGTH = 8  # bytes of a piece's length


class _Worker(Generic[R]):
    """A worker as the calling process sees it: the pipe its pieces arrive through, the bytes
    read so far, and the results taken in."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe = pid, pipe
        self.buffer = bytearray()
        self.results: list[R] = []
        self.ended = self.broken = False
        os.set_blocking(pipe, False)

    def poll(self) -> None:
        """Take in whatever has arrived, without waiting."""
        while not self.ended:
            try:
                chunk = os.read(self.pipe, PIPE_SIZE)
            except BlockingIOError:
                break
            self._take(chunk)

    def finish(self) -> list[R] | None:
        """All the worker's results, or None when it failed (its share is then done again)."""
        os.set_blocking(self.pipe, True)
        while not self.ended:
            self._take(os.read(self.pipe, PIPE_SIZE))
        os.close(self.pipe)
        _, status = os.waitpid(self.pid, 0)
        if status != 0 or self.broken or self.buffer:  # failed, or sent half a piece
            return None
        return self.results

    def stop(self) -> None:
        """End the worker, whatever it is doing, and forget its results."""
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.pipe)
        with contextlib.suppress(OSError):
            os.waitpid(self.pid, 0)
        self.ended = True

    def _take(self, chunk: bytes) -> None:
        if not chunk:
            self.ended = True
            return
        buffer = self.buffer
        buffer += chunk
        start = 0
        while not self.broken and len(buffer) - start >= _LENGTH:
            size = int.from_bytes(buffer[start : start + _LENGTH], "little")
            end = start + _LENGTH + size
            if len(buffer) < end:
                break
            try:
                self.results.extend(pickle.loads(buffer[start + _LENGTH : end]))  # noqa: S301 - our own child, over a private pipe
            except Exception:  # a damaged piece: the share is done again
                self.broken = True
            start = end
        del buffer[:start]
