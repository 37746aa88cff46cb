"""Run kpigov lint on one catalogue in a fresh process with a memory ceiling; print the outcome.

    python run_case.py ROOT [MEMORY_LIMIT_MB]

Prints JSON: exit code, seconds spent in kpigov (start-up excluded), standard output and error.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time

limit = int(sys.argv[2]) if len(sys.argv) > 2 else 2048
resource.setrlimit(resource.RLIMIT_AS, (limit * 1024 * 1024, limit * 1024 * 1024))

import builtins  # noqa: E402
import os  # noqa: E402

from kpigov.cli import main  # noqa: E402  (after the limit, so that imports count too)

# Test hook: a file that cannot be read (CI runs as root, for whom permissions stop nothing).
_unreadable = os.environ.get("KPIGOV_TEST_UNREADABLE")
if _unreadable:

    def _refusing(opener):  # type: ignore[no-untyped-def]
        def guarded(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if str(file).endswith(_unreadable):
                raise PermissionError(13, "Permission denied", str(file))
            return opener(file, *args, **kwargs)

        return guarded

    builtins.open = _refusing(builtins.open)
    os.open = _refusing(os.open)

out, err = io.StringIO(), io.StringIO()
started = time.perf_counter()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    try:
        main(
            [
                "lint",
                "--root",
                sys.argv[1],
                "--format",
                "json",
                "--no-cache",
                "--today",
                "2026-11-23",
            ]
        )
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:  # a crash must show as one, with its traceback
        import traceback

        traceback.print_exc()
        code = 99
elapsed = time.perf_counter() - started
print(
    json.dumps(
        {"exit": code, "seconds": elapsed, "stdout": out.getvalue(), "stderr": err.getvalue()}
    )
)
