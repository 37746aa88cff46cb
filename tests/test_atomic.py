"""Atomic writes: a process killed at any moment leaves the old file or the new one, never half.

kpigov writes every file it changes (fmt, the baseline, the cache, CODEOWNERS, --output) through
kpigov.atomic.write_atomic: these tests kill writers with SIGKILL at random moments.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpigov.fmt import format_text
from kpigov.loader import load_text
from tests.conftest import catalogue_in_context

WRITER = """
import sys
from pathlib import Path
from kpigov.atomic import write_atomic
target, size = Path(sys.argv[1]), int(sys.argv[2])
for version in range(1, 1_000_000):
    write_atomic(target, f"v{version}:" + "x" * size + f":v{version}\\n")
"""
WHOLE = re.compile(r"v(\d+):x+:v\1\n\Z")


def test_write_atomic_killed_at_random_moments(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("v0:x:v0\n")
    rng = random.Random(7)
    for _ in range(15):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target), "2000000"])
        time.sleep(0.15 + rng.random() * 0.3)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        content = target.read_text()
        assert WHOLE.match(content), f"a half-written file: {content[:30]!r}…{content[-30:]!r}"


COMMENTED = """# a header comment
name: Win rate {n}   # the name
kind: kpi
# why the target
target: {{deadline: 2027-12-31, value: 28}}
id: sales.k{n}
"""


@pytest.mark.slow
def test_fmt_killed_mid_run_leaves_each_file_old_or_new(tmp_path: Path) -> None:
    files = {f"kpis/k{n}.yaml": COMMENTED.format(n=n) for n in range(1000)}
    root = catalogue_in_context(tmp_path, files)
    formatted = {name: format_text(name, text).formatted for name, text in files.items()}
    rng = random.Random(3)
    mixed = 0
    for _ in range(4):
        for name, text in files.items():
            (root / name).write_text(text)
        fmt = subprocess.Popen(
            [sys.executable, "-m", "kpigov", "fmt", "--root", str(root)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5 + rng.random() * 0.5)
        fmt.send_signal(signal.SIGKILL)
        fmt.wait()
        states = {"old": 0, "new": 0}
        for name, text in files.items():
            now = (root / name).read_text()
            assert now in (text, formatted[name]), f"{name} is neither the old nor the new file"
            states["old" if now == text else "new"] += 1
            assert load_text(name, now).documents[0].data == load_text(name, text).documents[0].data
        assert states["old"] + states["new"] == len(files)
        mixed += bool(states["old"] and states["new"])
    assert mixed, "no kill landed while fmt was writing; the test proves nothing"


def test_no_temporary_file_is_left_after_a_normal_write(tmp_path: Path) -> None:
    from kpigov.atomic import write_atomic

    write_atomic(tmp_path / "a.txt", "one")
    write_atomic(tmp_path / "a.txt", "two")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "two"


def test_write_atomic_keeps_the_file_mode(tmp_path: Path) -> None:
    from kpigov.atomic import write_atomic

    target = tmp_path / "CODEOWNERS"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640
    assert os.access(target, os.R_OK)


@pytest.mark.slow
def test_build_killed_mid_run_leaves_the_old_site_or_the_new(tmp_path: Path) -> None:
    """The handbook is written to a temporary folder and swapped in: a killed build leaves the
    previous site whole (or, when the kill came after the swap, the new one whole)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    from generate import generate

    root = generate(1500, tmp_path / "catalogue")
    out = tmp_path / "site"
    command = [
        sys.executable,
        "-m",
        "kpigov",
        "build",
        str(root),
        "--out",
        str(out),
        "--today",
        "2026-11-23",
    ]
    subprocess.run(command, check=True, capture_output=True)
    # The kills land at random moments of a build as long as this machine takes for one.
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    duration = time.perf_counter() - started
    (out / "marker.txt").write_text("old")
    old_pages = sorted(p.relative_to(out) for p in out.rglob("*.html"))
    rng = random.Random(11)
    kept_old = 0
    for _ in range(5):
        build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * (0.1 + 0.8 * rng.random()))
        build.send_signal(signal.SIGKILL)
        build.wait()
        assert out.is_dir(), "the site disappeared"
        pages = sorted(p.relative_to(out) for p in out.rglob("*.html"))
        assert pages == old_pages, "a half-written site is in place"
        if (out / "marker.txt").exists():
            kept_old += 1
        else:  # the kill came after the swap: the new site is complete, so start again from the old
            (out / "marker.txt").write_text("old")
    assert kept_old, "no kill landed while building; the test proves nothing"
    subprocess.run(
        command, check=True, capture_output=True
    )  # a later build clears what killed ones left
    # ...and the site it replaced is removed by a detached low-priority process, soon after.
    deadline = time.monotonic() + 30
    while len(list(tmp_path.iterdir())) > 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalogue", "site"]
