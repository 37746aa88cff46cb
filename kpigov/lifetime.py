"""Large objects a run made, kept until the process ends when it ends without tearing down.

The CLI ends with ``os._exit`` once its output is flushed (kpigov/cli.py), so that a large run's
objects are never freed one by one. But the objects a function made are freed when it returns:
a 10,000-KPI catalogue, its state and the handbook's view model took a tenth of a second each
time, before the answer was printed. The CLI calls :func:`until_exit`; from then on the API
hands such objects to :func:`keep`. A library caller never calls it, and its objects are freed
as usual.
"""

from __future__ import annotations

from typing import Any

_kept: list[Any] | None = None


def until_exit() -> None:
    """Keep what :func:`keep` is given until the process ends (it must end with os._exit)."""
    global _kept
    if _kept is None:
        _kept = []


def keep(*objects: Any) -> None:
    """Keep ``objects`` alive when :func:`until_exit` was called; nothing otherwise."""
    if _kept is not None:
        _kept.append(objects)
