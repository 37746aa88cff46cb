"""Benchmarks of SPEC §6: prints one table of medians over fresh processes.

    python bench/run.py [--sizes 1000 10000] [--runs 5] [--workdir /tmp/kpigov-bench]

Each figure is the median wall time of RUNS fresh processes, with the OS file cache warm (one
untimed run first). Peak memory is the largest resident set of those processes. Ratios to the
floor (libyaml's C composer alone over the same files) travel between machines; seconds do not.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

TARGETS = {"lint cold": {10_000: 2.0}}


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median seconds and peak memory (MB) of ``runs`` fresh processes."""
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times, peaks = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kpigov-bench"))
    arguments = parser.parse_args()
    kpigov = [sys.executable, "-m", "kpigov"]
    rows = []
    for size in arguments.sizes:
        root = arguments.workdir / f"kpis-{size}"
        marker = root / ".generated"
        if not marker.exists():
            generate(size, root)
            marker.write_text(str(size))
        floor, _ = timed(
            [sys.executable, str(HERE / "floor.py"), str(root / "kpis")], arguments.runs
        )
        lint, peak = timed(
            [
                *kpigov,
                "lint",
                "--root",
                str(root),
                "--today",
                "2026-11-23",
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
            arguments.runs,
        )
        version, _ = timed([*kpigov, "--version"], arguments.runs)
        target = TARGETS["lint cold"].get(size)
        rows.append((f"lint {size:,} KPIs cold, all rules", lint, lint / floor, target, peak))
        rows.append((f"C composer alone, {size:,} KPI files (floor)", floor, 1.0, None, None))
        rows.append(("kpigov --version start-up", version, None, None, None))
    print(f"{'work':48} {'median s':>9} {'x floor':>8} {'target s':>9} {'peak MB':>8}")
    for work, seconds, ratio, target, peak in rows:
        ratio_text = f"{ratio:.2f}" if ratio is not None else ""
        target_text = f"{target:.2f}" if target is not None else ""
        peak_text = f"{peak:.0f}" if peak is not None else ""
        print(f"{work:48} {seconds:9.3f} {ratio_text:>8} {target_text:>9} {peak_text:>8}")
    print(
        f"\n{os.cpu_count()} cores; medians of {arguments.runs} fresh processes, OS file cache warm."
    )


if __name__ == "__main__":
    main()
