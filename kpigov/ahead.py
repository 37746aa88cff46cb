"""Work started ahead on a thread of its own, for its result when asked.

Meant for work that mostly waits on other processes (git), so that it overlaps with work of
this process that holds the interpreter (decoding JSON): the thread needs the interpreter only
in between. A process that runs another thread must not fork (kpigov.forked.can_fork says so),
so the result is asked for before any worker is forked.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Ahead(Generic[T]):
    """``function()``, started now on a thread; calling this waits for it and gives its result
    (or raises its exception), every time."""

    def __init__(self, function: Callable[[], T]) -> None:
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function,), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[[], T]) -> None:
        try:
            self._result = function()
        except BaseException as error:  # raised where the result is asked for
            self._error = error

    def __call__(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]
