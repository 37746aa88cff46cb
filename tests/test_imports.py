"""Start-up hygiene: `kpigov lint` imports neither jinja2 nor the handbook."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, run_python

PROBE = """
import contextlib
import sys
from kpigov.cli import main
with contextlib.suppress(SystemExit):  # lint ends with sys.exit(code); the modules are what matter
    main(["lint", "--root", sys.argv[1], "--today", "2026-11-23", "--quiet"])
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"jinja2", "markdown_it"} or m.startswith("kpigov.handbook"))
print("HEAVY:" + ",".join(heavy))
"""


def test_lint_does_not_import_jinja2() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(REPO / "examples" / "acme")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "HEAVY:\n" in result.stdout, result.stdout


def test_version_imports_only_click() -> None:
    probe = "import sys\nfrom kpigov.cli import main\nprint(sorted(m for m in sys.modules if m.startswith('kpigov')))"
    assert run_python(probe).strip() == "['kpigov', 'kpigov.cli']"
