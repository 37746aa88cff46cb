"""A run's large objects are kept until the process ends only when it ends with os._exit (the
CLI): a library caller's are freed as usual."""

from __future__ import annotations

import weakref

from kpigov import lifetime
from tests.conftest import run_python


class _Large:
    """An object a run made (a plain class: a weak reference tells when it is freed)."""


def test_a_library_caller_keeps_nothing() -> None:
    made = _Large()
    alive = weakref.ref(made)
    lifetime.keep(made)
    del made
    assert alive() is None


def test_the_cli_keeps_what_it_is_given_until_it_exits() -> None:
    script = (
        "import weakref\n"
        "from kpigov import lifetime\n"
        "class Large: pass\n"
        "lifetime.until_exit()\n"
        "made = Large()\n"
        "alive = weakref.ref(made)\n"
        "lifetime.keep(made)\n"
        "del made\n"
        "print(alive() is not None)\n"
    )
    assert run_python(script) == "True\n"
