"""Import a register into a fresh folder (removed first), for bench/run.py's import row."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

register, into = sys.argv[1], Path(sys.argv[2])
shutil.rmtree(into, ignore_errors=True)
subprocess.run(
    [
        sys.executable,
        "-m",
        "kpigov",
        "import",
        "csv",
        register,
        "--into",
        str(into),
        "--today",
        "2026-11-23",
    ],
    check=True,
    stdout=subprocess.DEVNULL,
)
