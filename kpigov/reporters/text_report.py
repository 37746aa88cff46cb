"""``--format text``: ``file:line:col: ID [severity] message (name)``, code frames, a summary."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kpigov.findings import Finding
from kpigov.reporters import Report

_COLOURS = {"error": "31", "warning": "33", "info": "36", "dim": "2", "bold": "1", "ok": "32"}


def _paint(text: str, style: str, on: bool) -> str:
    return f"\x1b[{_COLOURS[style]}m{text}\x1b[0m" if on else text


@cache
def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return []


def _frame(report: Report, finding: Finding) -> list[str]:
    lines = _lines(report.root / finding.file)
    if not 0 < finding.line <= len(lines):
        return []
    source = lines[finding.line - 1].replace("\t", " ")
    gutter = str(finding.line)
    end = finding.end_column if finding.end_line == finding.line else len(source) + 1
    width = max(1, min(end, len(source) + 1) - finding.column)
    caret = " " * (finding.column - 1) + "^" * width
    pad = " " * len(gutter)
    bar = _paint("|", "dim", report.colour)
    return [
        f" {pad} {bar}",
        f" {_paint(gutter, 'dim', report.colour)} {bar} {source}",
        f" {pad} {bar} {_paint(caret, finding.severity, report.colour)}",
    ]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(report: Report) -> str:
    out: list[str] = []
    for finding in report.findings:
        if finding.suppressed:
            continue
        location = f"{report.display_root}{finding.file}:{finding.line}:{finding.column}:"
        out.append(
            f"{_paint(location, 'bold', report.colour)} {finding.rule} "
            f"[{_paint(finding.severity, finding.severity, report.colour)}] "
            f"{finding.message} ({finding.name})"
        )
        if report.code_frames:
            out.extend(_frame(report, finding))
    if not report.quiet:
        counts = report.counts()
        files = _plural(report.files_checked, "file")
        if counts["error"] + counts["warning"] + counts["info"] == 0:
            out.append(_paint(f"All checks passed: {files}, no findings.", "ok", report.colour))
        else:
            summary = (
                f"Found {_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')}"
                f" and {counts['info']} info in {files}."
            )
            out.append(_paint(summary, "bold", report.colour))
        if counts["suppressed"]:
            out.append(f"{counts['suppressed']} suppressed.")
    return "\n".join(out) + ("\n" if out else "")
