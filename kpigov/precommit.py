"""Governance findings once per pre-commit run, however many batches pre-commit makes.

pre-commit passes the staged files to a hook in batches when they do not fit on one command line
(several thousand files), and runs the hook once per batch, one after the other
(``require_serial``). kpigov reports the findings of the files in its batch, plus every
governance finding (a KPI removed without deprecation sits at a path that no batch holds). So
that those are printed once, the first batch of a run records their fingerprints, and later
batches of the same run leave out the ones already shown. A run is recognised by the process
that started the batches (pre-commit itself: the parent process, the same for all batches).

Writes only ``.kpigov_cache/pre-commit-<pid>.json``, atomically, and deletes such files whose
process has ended.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from pathlib import Path

from kpigov.background import process_alive
from kpigov.config import CACHE_DIR
from kpigov.findings import Finding


def _in_scope(file: str, scope: Sequence[str]) -> bool:
    return any(file == path or file.startswith(path.rstrip("/") + "/") for path in scope)


def governance_once(
    findings: list[Finding], scope: Sequence[str], root: Path, run_id: int
) -> list[Finding]:
    """``findings`` without the governance findings outside ``scope`` that an earlier batch of
    the same run (``run_id``) already printed."""
    folder = root / CACHE_DIR
    record = folder / f"pre-commit-{run_id}.json"
    try:
        shown = set(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        shown = set()
    kept = [
        finding
        for finding in findings
        if not finding.rule.startswith("G")
        or _in_scope(finding.file, scope)
        or finding.fingerprint not in shown
    ]
    now_shown = shown | {f.fingerprint for f in findings if f.rule.startswith("G")}
    if now_shown != shown:
        from kpigov.atomic import write_atomic
        from kpigov.cache import LintCache

        with contextlib.suppress(OSError):
            LintCache(root).prepare_folder()  # with its .gitignore
            write_atomic(record, json.dumps(sorted(now_shown)), durable=False)
            _forget_ended_runs(folder, run_id)
    return kept


def _forget_ended_runs(folder: Path, current: int) -> None:
    for entry in folder.glob("pre-commit-*.json"):
        pid = entry.stem.removeprefix("pre-commit-")
        if pid.isdigit() and int(pid) != current and not process_alive(int(pid)):
            with contextlib.suppress(OSError):
                entry.unlink()
