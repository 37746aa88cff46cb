"""``--format text``: ``file:line:col: ID [severity] message (name)``, code frames, a summary."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from kpigov.findings import Finding
from kpigov.reporters import Report, one_line

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
    source = one_line(lines[finding.line - 1].replace("\t", " "))
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


_WORDS_NL = {
    "file": ("bestand", "bestanden"),
    "error": ("fout", "fouten"),
    "warning": ("waarschuwing", "waarschuwingen"),
}


def _plural(count: int, word: str, language: str = "en") -> str:
    if language == "nl":
        one, many = _WORDS_NL[word]
        return f"{count} {one if count == 1 else many}"
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(report: Report) -> str:
    out: list[str] = []
    nl = report.language == "nl"
    for finding in report.findings:
        if finding.suppressed:
            continue
        location = one_line(f"{report.display_root}{finding.file}:{finding.line}:{finding.column}:")
        out.append(
            f"{_paint(location, 'bold', report.colour)} {finding.rule} "
            f"[{_paint(finding.severity, finding.severity, report.colour)}] "
            f"{one_line(finding.message)} ({finding.name})"
        )
        if report.code_frames:
            out.extend(_frame(report, finding))
    if not report.quiet:
        counts = report.counts()
        files = _plural(report.files_checked, "file", report.language)
        errors = _plural(counts["error"], "error", report.language)
        warnings = _plural(counts["warning"], "warning", report.language)
        if counts["error"] + counts["warning"] + counts["info"] == 0:
            text = (
                f"Alles in orde: {files}, geen bevindingen."
                if nl
                else f"All checks passed: {files}, no findings."
            )
            out.append(_paint(text, "ok", report.colour))
        else:
            summary = (
                f"Gevonden: {errors}, {warnings} en {counts['info']} info in {files}."
                if nl
                else f"Found {errors}, {warnings} and {counts['info']} info in {files}."
            )
            out.append(_paint(summary, "bold", report.colour))
        if counts["suppressed"]:
            out.append(f"{counts['suppressed']} {'onderdrukt' if nl else 'suppressed'}.")
        shown = counts["error"] + counts["warning"] + counts["info"]
        if report.terminal and shown > LONG_RUN:
            out.extend(_per_rule(report))
    return "\n".join(out) + ("\n" if out else "")


# More findings than this on a terminal: the summary adds the count per rule, so that a first
# run on a large catalogue can be read from the bottom up.
LONG_RUN = 100


def _per_rule(report: Report) -> list[str]:
    from kpigov.reporters import render_statistics

    table = render_statistics("text", replace(report, quiet=True)).rstrip("\n").splitlines()
    top = table[0].split()[1] if table else "S101"
    if report.language == "nl":
        return [
            "",
            "Bevindingen per regel:",
            *table,
            f"Toon de bevindingen van één regel met `kpigov lint --select {top}`; "
            "accepteer de rest voorlopig met `kpigov lint --update-baseline`.",
        ]
    return [
        "",
        "Findings per rule:",
        *table,
        f"List one rule's findings with `kpigov lint --select {top}`; "
        "accept the rest for now with `kpigov lint --update-baseline`.",
    ]
