"""Benchmarks of SPEC §6: prints one table of medians over fresh processes.

    python bench/run.py [--large] [--sizes 1000 10000] [--runs 5] [--workdir /tmp/kpigov-bench]

--large adds a catalogue of 100,000 KPIs, measured once (not RUNS times) and without
check-jsonschema, which would take minutes there; its cold lint's peak memory is checked against
SPEC §8.8's 800 MB.

Each figure is the median wall time of RUNS fresh processes, with the OS file cache warm (one
untimed run first). "cold" runs with --no-cache; "first run" with an empty cache folder (it also
has every file's entry to write, after answering); "again" with kpigov's cache warm and nothing
changed; the pre-commit case edits and stages one KPI file each run and lints it with
--since HEAD (cache warm for the other files). Peak memory is the largest resident set of those
processes. Ratios to the floor (libyaml's C composer alone over the same files) travel between
machines; seconds do not: a SPEC target in seconds is scaled to this run's floor (see scaled).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

TARGETS = {
    "cold": {10_000: 2.0, 100_000: 25.0},
    "warm": {10_000: 0.5},
    "staged": {1_000: 0.35},
    "build": {10_000: 4.0},
}
PEAK_LARGE_MB = 800  # a cold lint of 100,000 KPIs (SPEC §8.8)
# SPEC §6: "Absolute seconds hold for this 2-core machine; ratios travel." Its seconds were set
# where the floor (the C composer alone over 10,000 KPI files) took 1.3 s. A target in seconds
# is judged here as the same share of this run's floor: scaled by floor / (1.3 s per 10,000).
SPEC_FLOOR_S = 1.3
COLD_RATIO = 2.0  # SPEC §8.8: a cold lint at most 2x the floor
SPEC_FLOOR_FILES = 10_000


def scaled(target: float | None, floor: float, size: int) -> float | None:
    """A SPEC target in seconds, as the same share of this run's floor."""
    if target is None:
        return None
    return target * floor / (SPEC_FLOOR_S * size / SPEC_FLOOR_FILES)


GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


def _commit(root: Path) -> None:
    """The catalogue as a git repository, so that --since HEAD has a base."""
    if not (root / ".git").exists():
        _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "catalogue")


def _pre_commit_case(root: Path, kpigov: list[str], runs: int) -> tuple[float, float]:
    """What the pre-commit hook runs after one KPI file was edited and staged (cache warm), and
    the same with nothing changed since: median seconds of each."""
    victim = sorted((root / "kpis").rglob("*.yaml"))[0]
    original = victim.read_text()
    times = []
    try:
        for run in range(runs + 1):
            victim.write_text(
                original.replace("\nname: ", f"\nname: Edit {time.time_ns()} ", 1)
            )  # never seen before
            _git(root, "add", str(victim))
            command = [
                *kpigov,
                "lint",
                "--root",
                str(root),
                "--since",
                "HEAD",
                str(victim),
                "--today",
                "2026-11-23",
                "--fail-on",
                "never",
                "--quiet",
            ]
            started = time.perf_counter()
            subprocess.run(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
            if run:  # the first edit warms the cache for the other files
                times.append(time.perf_counter() - started)
    finally:
        victim.write_text(original)
        _git(root, "add", str(victim))
    # The same command with nothing changed since the last run: what the edit is compared with
    # (SPEC §8.8: at most 2x).
    unchanged, _ = timed(command, runs)
    return statistics.median(times), unchanged


def _edited_build_case(root: Path, build: list[str], runs: int) -> float:
    """A build into the last build's folder after one KPI was renamed (SPEC §8.8: at most 1 s,
    only the changed pages rewritten): median seconds."""
    victim = sorted((root / "kpis").rglob("*.yaml"))[0]
    original = victim.read_text()
    times = []
    try:
        subprocess.run(build, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for _ in range(runs):
            victim.write_text(original.replace("\nname: ", f"\nname: Edit {time.time_ns()} ", 1))
            started = time.perf_counter()
            subprocess.run(build, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - started)
    finally:
        victim.write_text(original)
    return statistics.median(times)


# Runs a command and prints its peak resident memory: a wrapper per measurement, because a
# process's RUSAGE_CHILDREN keeps the largest child it ever had.
_PEAK = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Median seconds and peak memory (MB) of ``runs`` fresh processes."""
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    measured = subprocess.run(
        [sys.executable, "-c", _PEAK, *command], capture_output=True, text=True, check=False
    )
    peaks.append(int(measured.stdout.strip() or 0) / 1024)
    return statistics.median(times), max(peaks)


LARGE = 100_000


def _first_run_case(root: Path, lint: list[str], runs: int) -> float:
    """A first lint with an empty cache folder (a fresh clone in CI): it also leaves every file's
    entry to write. Each run waits until the detached writer is done, so runs do not overlap."""
    import shutil

    expected = len(list(root.rglob("*.yaml"))) - 1  # every catalogue file but kpigov.yaml
    entries = root / ".kpigov_cache" / "files"
    times = []
    for _ in range(runs):
        shutil.rmtree(root / ".kpigov_cache", ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(lint, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            not entries.is_dir() or sum(1 for _ in entries.rglob("*.json")) < expected
        ):
            time.sleep(0.5)
    return statistics.median(times)


def _check_jsonschema() -> str | None:
    """The peer, when installed (pip install -e ".[bench]")."""
    import shutil

    beside = Path(sys.executable).parent / "check-jsonschema"
    return str(beside) if beside.exists() else shutil.which("check-jsonschema")


def _register(workdir: Path, size: int) -> Path:
    """A Dutch KPI register of ``size`` rows, as Excel exports it (cp1252, ';')."""
    path = workdir / f"register-{size}.csv"
    if not path.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        lines = ["Naam;Omschrijving;Eigenaar;Doel;Streefwaarde;Eenheid;Frequentie;Afdeling"]
        for number in range(size):
            lines.append(
                f"Indicator {number};Aantal afgehandelde verzoeken binnen de termijn, team "
                f"{number % 40};Medewerker {number % 300};Doel {number % 25};{number % 97},5%;%;"
                f"maandelijks;Afdeling {number % 12}"
            )
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kpigov-bench"))
    parser.add_argument("--large", action="store_true", help="add 100,000 KPIs (measured once)")
    parser.add_argument(
        "--mix",
        type=float,
        default=0.2,
        help="share of invalid KPI files in the realistic-mix catalogue (SPEC §8.8)",
    )
    arguments = parser.parse_args()
    # Measured as installed: with the bytecode written once. A shell that sets
    # PYTHONDONTWRITEBYTECODE would make every run compile the modules changed since.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if arguments.large and LARGE not in arguments.sizes:
        arguments.sizes.append(LARGE)
    kpigov = [sys.executable, "-m", "kpigov"]
    rows = []
    for size in arguments.sizes:
        runs = 1 if size >= LARGE else arguments.runs
        root = arguments.workdir / f"kpis-{size}"
        marker = root / ".generated"
        if not marker.exists():
            generate(size, root)
            _commit(root)
            marker.write_text(str(size))
        lint = [
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
        ]
        floor, _ = timed([sys.executable, str(HERE / "floor.py"), str(root / "kpis")], runs)
        cold, peak = timed([*lint, "--no-cache"], runs)
        first = _first_run_case(root, lint, runs)  # leaves the cache filled
        warm, warm_peak = timed(lint, runs)
        staged, staged_unchanged = _pre_commit_case(root, kpigov, runs)
        site = arguments.workdir / f"site-{size}"
        build_command = [*kpigov, "build", str(root), "--today", "2026-11-23", "--out", str(site)]
        build, build_peak = timed(build_command, runs)
        edited_build = _edited_build_case(root, build_command, runs)
        version, _ = timed([*kpigov, "--version"], runs)
        register = _register(arguments.workdir, size)
        imported, import_peak = timed(
            [
                sys.executable,
                str(HERE / "fresh_import.py"),
                str(register),
                str(arguments.workdir / f"imported-{size}"),
            ],
            1 if size >= LARGE else min(runs, 3),
        )
        rows.append(
            (
                f"import a {size:,}-row CSV register (+ lint)",
                imported,
                imported / floor,
                None,
                import_peak,
            )
        )
        over = "  MISSED (target <= 2x the floor)" if cold / floor > COLD_RATIO else ""
        rows.append(
            (
                f"lint {size:,} KPIs cold, all rules{over}",
                cold,
                cold / floor,
                scaled(TARGETS["cold"].get(size), floor, size),
                peak,
            )
        )
        if size >= LARGE:  # SPEC §8.8: at most 800 MB
            flag = "" if peak <= PEAK_LARGE_MB else f"  MISSED (target <= {PEAK_LARGE_MB} MB)"
            rows.append((f"  peak memory of the cold lint{flag}", cold, None, None, peak))
        rows.append(
            (f"lint {size:,} KPIs first run, empty cache", first, first / floor, None, None)
        )
        rows.append(
            (
                f"lint {size:,} KPIs again, nothing changed",
                warm,
                warm / floor,
                scaled(TARGETS["warm"].get(size), floor, size),
                warm_peak,
            )
        )
        rows.append(
            (
                f"pre-commit: one staged file of {size:,}",
                staged,
                staged / floor,
                scaled(TARGETS["staged"].get(size), floor, size),
                None,
            )
        )
        rows.append(
            (
                "  the same, nothing changed since",
                staged_unchanged,
                staged_unchanged / floor,
                None,
                None,
            )
        )
        edit_ratio = staged / staged_unchanged
        staged_cap = scaled(0.35, floor, size) or 0.0  # SPEC §8.8: 0.35 s at its floor
        flag = (
            ""
            if edit_ratio <= 2 and staged <= staged_cap
            else f"  MISSED (target <= 2x and {staged_cap:.2f} s)"
        )
        rows.append(
            (
                f"  one edit costs {edit_ratio:.2f}x the unchanged run, cap {staged_cap:.2f} s{flag}",
                staged,
                None,
                None,
                None,
            )
        )
        rows.append(
            (
                f"build handbook, {size:,} KPIs",
                build,
                build / floor,
                scaled(TARGETS["build"].get(size), floor, size),
                build_peak,
            )
        )
        build_cap = scaled(1.0, floor, size) or 0.0  # SPEC §8.8: 1 s at its floor
        flag = "" if edited_build <= build_cap else f"  MISSED (target <= {build_cap:.2f} s)"
        rows.append(
            (
                f"  build again after one KPI changed, cap {build_cap:.2f} s{flag}",
                edited_build,
                edited_build / floor,
                None,
                None,
            )
        )
        rows.append((f"C composer alone, {size:,} KPI files (floor)", floor, 1.0, None, None))
        per_row = subprocess.run(
            [sys.executable, str(HERE / "history_memory.py"), str(root / "history")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        flag = "" if float(per_row) <= 40 else "  MISSED (target <= 40 B)"
        rows.append((f"  history: {per_row} bytes per row{flag}", floor, None, None, None))
        peer = _check_jsonschema() if size < LARGE else None
        if peer:
            kpi_files = sorted(str(p) for p in (root / "kpis").rglob("*.yaml"))
            schema = str(HERE.parent / "schemas" / "kpi.schema.json")
            checked, _ = timed([peer, "--schemafile", schema, *kpi_files], runs)
            rows.append(
                (
                    f"check-jsonschema (schema only), {size:,} files",
                    checked,
                    checked / floor,
                    None,
                    None,
                )
            )
            rows.append(
                (f"  kpigov cold lint is {checked / cold:.1f}x faster", cold, None, None, None)
            )
        rows.append(("kpigov --version start-up", version, None, None, None))
    measured_root = arguments.workdir / "measure-1000"
    if not (measured_root / "kpigov.yaml").exists():
        subprocess.run(
            [sys.executable, str(HERE / "measure_catalogue.py"), str(measured_root), "1000"],
            check=True,
        )
    measured, measure_peak = timed(
        [*kpigov, "measure", "--root", str(measured_root), "--date", "2026-06-30", "--dry-run"],
        arguments.runs,
    )
    rows.append(("measure 1,000 KPIs in DuckDB (dry run)", measured, None, None, measure_peak))
    rows.append((f"  {measured / 1000 * 1000:.2f} ms per KPI", measured, None, None, None))
    # SPEC §8.8: the realistic mix, a fifth of the KPI files invalid in some field, against
    # check-jsonschema on the same files (target: kpigov at least 6x faster).
    mixed_root = arguments.workdir / f"mix-10000-{arguments.mix}"
    if not (mixed_root / ".generated").exists():
        generate(10_000, mixed_root, invalid_share=arguments.mix)
        _commit(mixed_root)
        (mixed_root / ".generated").write_text("10000")
    mixed_lint = [
        *kpigov,
        "lint",
        "--root",
        str(mixed_root),
        "--today",
        "2026-11-23",
        "--format",
        "json",
        "--fail-on",
        "never",
        "--no-cache",
    ]
    mixed, mixed_peak = timed(mixed_lint, arguments.runs)
    mixed_floor, _ = timed(
        [sys.executable, str(HERE / "floor.py"), str(mixed_root / "kpis")], arguments.runs
    )
    over = "  MISSED (target <= 2x the floor)" if mixed / mixed_floor > COLD_RATIO else ""
    rows.append(
        (
            f"lint 10,000 cold, {arguments.mix:.0%} invalid{over}",
            mixed,
            mixed / mixed_floor,
            None,
            mixed_peak,
        )
    )
    peer = _check_jsonschema()
    if peer:
        kpi_files = sorted(str(p) for p in (mixed_root / "kpis").rglob("*.yaml"))
        schema = str(HERE.parent / "schemas" / "kpi.schema.json")
        checked, _ = timed([peer, "--schemafile", schema, *kpi_files], max(1, arguments.runs // 2))
        ratio = checked / mixed
        flag = "" if ratio >= 6 else "  MISSED (target >= 6x)"
        rows.append(
            (
                f"  mix: check-jsonschema {checked:.1f} s: kpigov {ratio:.1f}x faster{flag}",
                checked,
                None,
                None,
                None,
            )
        )
    print(f"{'work':48} {'median s':>9} {'x floor':>8} {'target s':>9} {'peak MB':>8}")
    for work, seconds, ratio, target, peak in rows:
        ratio_text = f"{ratio:.2f}" if ratio is not None else ""
        target_text = f"{target:.2f}" if target is not None else ""
        peak_text = f"{peak:.0f}" if peak is not None else ""
        missed = "  MISSED" if target is not None and seconds > target else ""
        print(f"{work:48} {seconds:9.3f} {ratio_text:>8} {target_text:>9} {peak_text:>8}{missed}")
    print(
        f"\n{os.cpu_count()} cores; medians of {arguments.runs} fresh processes, OS file cache warm."
    )
    print(
        f"Targets in seconds (SPEC §6 and §8.8) hold where the floor of {SPEC_FLOOR_FILES:,} files"
        f" took {SPEC_FLOOR_S} s; each is shown and judged as the same share of this run's floor"
        " (ratios travel, seconds do not)."
    )


if __name__ == "__main__":
    main()
