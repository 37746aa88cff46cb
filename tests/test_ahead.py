"""kpigov.ahead: work started on a thread gives its result, or its exception, when asked."""

from __future__ import annotations

import threading

import pytest

from kpigov.ahead import Ahead
from kpigov.forked import can_fork


def test_the_result_is_given_every_time_it_is_asked_for() -> None:
    calls = []

    def work() -> int:
        calls.append(1)
        return 42

    ahead = Ahead(work)
    assert ahead() == 42
    assert ahead() == 42
    assert calls == [1]


def test_the_exception_is_raised_where_the_result_is_asked_for() -> None:
    def work() -> None:
        raise ValueError("not a revision")

    ahead = Ahead(work)
    with pytest.raises(ValueError, match="not a revision"):
        ahead()


def test_no_worker_is_forked_while_the_thread_runs() -> None:
    threads = threading.active_count()
    release = threading.Event()
    ahead = Ahead(release.wait)
    assert not can_fork()  # kpigov.forked runs the work here instead
    release.set()
    ahead()
    assert threading.active_count() == threads  # asked for, the thread is done
