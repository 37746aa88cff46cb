"""Run the loader's atheris fuzz target for a bounded time (KPIGOV_FUZZ_SECONDS, default 60)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

atheris = pytest.importorskip("atheris", reason="atheris is a Linux test extra")


@pytest.mark.slow
def test_fuzz_the_loader(tmp_path: Path) -> None:
    seconds = int(os.environ.get("KPIGOV_FUZZ_SECONDS", "60"))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    seeds = [
        *(REPO / "tests" / "hostile" / "files").iterdir(),
        *(REPO / "examples" / "acme").rglob("*.yaml"),
    ]
    for index, seed in enumerate(seeds):
        if seed.stat().st_size < 100_000:
            shutil.copy(seed, corpus / f"seed-{index}")
    process = subprocess.run(
        [
            sys.executable,
            str(REPO / "tests" / "fuzz" / "fuzz_loader.py"),
            f"-max_total_time={seconds}",
            "-rss_limit_mb=2048",
            "-timeout=5",
            str(corpus),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
    )
    crashes = [
        path for path in tmp_path.iterdir() if path.name.startswith(("crash-", "timeout-", "oom-"))
    ]
    report = process.stderr[-3000:]
    assert process.returncode == 0 and not crashes, report + "".join(
        f"\n{path.name}: {path.read_bytes()[:500]!r}" for path in crashes
    )
    done = re.findall(r"#(\d+)\s+DONE", process.stderr)
    print(f"fuzzed the loader for {seconds} s: {done[-1] if done else '?'} inputs, no crash")
