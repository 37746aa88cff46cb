"""The baseline file: accepted findings by fingerprint (rule, file, object, YAML path; no lines).

``--baseline FILE`` marks the findings it lists as suppressed (``by: baseline``);
``--update-baseline`` rewrites it with the current findings, dropping stale entries.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kpigov.atomic import write_atomic
from kpigov.config import ConfigError
from kpigov.findings import Finding

BASELINE_VERSION = 1
DEFAULT_BASELINE = ".kpigov-baseline.json"
DEFAULT_REASON = "accepted in the baseline"


def read_baseline(path: Path) -> dict[str, Mapping[str, Any]]:
    """Entries by fingerprint; a missing or unreadable file is a usage error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"baseline {path} does not exist; create it with --update-baseline", path
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(
            f"cannot read the baseline ({error}); recreate it with --update-baseline", path
        ) from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if data.get("version") != BASELINE_VERSION or not isinstance(entries, list):
        raise ConfigError(
            "not a kpigov baseline (version 1 with a findings list); recreate it with --update-baseline",
            path,
        )
    return {
        entry["fingerprint"]: entry
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str)
    }


def apply_baseline(
    findings: Iterable[Finding],
    entries: Mapping[str, Mapping[str, Any]],
    legacy: Sequence[str] | None = None,
) -> list[Finding]:
    """Mark the findings the baseline accepts; ``legacy`` holds each finding's fingerprint as
    kpigov 0.1 computed it (without the catalogue's folder), so that old baselines keep working."""
    out = []
    for index, finding in enumerate(findings):
        entry = entries.get(finding.fingerprint)
        if entry is None and legacy is not None:
            entry = entries.get(legacy[index])
        if entry is not None and not finding.suppressed and not finding.rule.startswith("X"):
            reason = entry.get("reason") or DEFAULT_REASON
            finding = replace(finding, suppressed={"by": "baseline", "reason": str(reason)})
        out.append(finding)
    return out


def write_baseline(
    path: Path, findings: Iterable[Finding], previous: Mapping[str, Mapping[str, Any]]
) -> int:
    """Write the current unsuppressed findings (keeping reasons already given); their count."""
    entries = []
    for finding in findings:
        if finding.rule.startswith("X") or (
            finding.suppressed and finding.suppressed.get("by") == "inline"
        ):
            continue
        entry: dict[str, Any] = {
            "fingerprint": finding.fingerprint,
            "rule": finding.rule,
            "file": finding.file,
            "object": finding.object,
            "path": finding.yaml_path,
            "message": finding.message,
        }
        reason = previous.get(finding.fingerprint, {}).get("reason")
        if not reason and finding.suppressed and finding.suppressed.get("by") == "baseline":
            reason = finding.suppressed.get("reason")  # matched by an 0.1 fingerprint
            reason = None if reason == DEFAULT_REASON else reason
        if reason:
            entry["reason"] = reason
        entries.append(entry)
    entries.sort(
        key=lambda e: (e["file"], e["rule"], e["object"] or "", e["path"], e["fingerprint"])
    )
    document = {"version": BASELINE_VERSION, "tool": "kpigov", "findings": entries}
    write_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(entries)
