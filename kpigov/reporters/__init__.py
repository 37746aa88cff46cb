"""Output formats, one module each, imported by name only when chosen."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kpigov.findings import Finding, repository_prefix
from kpigov.rulebook import Rule

__all__ = ["FORMATS", "Report", "one_line", "render", "render_statistics", "repository_prefix"]

FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")


@dataclass(frozen=True)
class Report:
    """Everything a reporter may show: the findings and the run they came from."""

    findings: Sequence[Finding]
    files_checked: int
    root: Path
    today: str
    version: str
    rules: Sequence[Rule] = ()
    colour: bool = False
    code_frames: bool = False
    quiet: bool = False
    display_root: str = ""  # prefix that makes root-relative paths relative to the working dir
    repository_prefix: str = ""  # the root relative to the git top-level ("" or "sub/dir/")
    warnings: Sequence[str] = field(default_factory=tuple)
    include_suppressed: bool = False  # SARIF: keep baseline-suppressed findings
    terminal: bool = False  # the text goes to a person at a terminal (long runs get a summary)
    language: str = "en"  # of the summary lines (the findings' messages are already translated)

    def repository_path(self, file: str) -> str:
        """A finding's file relative to the git top-level (SARIF, github, gitlab)."""
        return self.repository_prefix + file

    def active(self) -> list[Finding]:
        """The findings that are not suppressed."""
        return [finding for finding in self.findings if not finding.suppressed]

    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0, "suppressed": 0}
        for finding in self.findings:
            counts["suppressed" if finding.suppressed else finding.severity] += 1
        return counts


_CONTROL = {
    **{code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))},
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def one_line(text: str) -> str:
    """``text`` with control characters written as escapes (``\\n``, ``\\x07``): a message stays
    one line, and XML and terminals get nothing they would refuse or obey."""
    return text.translate(_CONTROL)


class Reporter(Protocol):
    def __call__(self, report: Report) -> str: ...


def render(format_name: str, report: Report) -> str:
    if format_name not in FORMATS:
        raise ValueError(f"unknown format {format_name!r}")
    module = importlib.import_module(f"kpigov.reporters.{format_name}_report")
    output: str = module.render(report)
    return output


def render_statistics(format_name: str, report: Report) -> str:
    """``--statistics``: the number of unsuppressed findings per rule, most frequent first."""
    counts: dict[str, list[object]] = {}
    for finding in report.findings:
        if not finding.suppressed:
            entry = counts.setdefault(
                finding.rule, [finding.rule, finding.name, finding.severity, 0]
            )
            entry[3] = int(entry[3]) + 1  # type: ignore[call-overload]
    rows = sorted(counts.values(), key=lambda row: (-int(row[3]), str(row[0])))  # type: ignore[call-overload]
    if format_name == "json":
        import json

        return (
            json.dumps(
                {
                    "version": 1,
                    "statistics": [
                        {"rule": rule, "name": name, "severity": severity, "count": count}
                        for rule, name, severity, count in rows
                    ],
                    "summary": {**report.counts(), "files": report.files_checked},
                },
                indent=2,
            )
            + "\n"
        )
    lines = [f"{count:>6}  {rule}  {name:32} [{severity}]" for rule, name, severity, count in rows]
    total = sum(int(row[3]) for row in rows)  # type: ignore[call-overload]
    if not report.quiet:
        lines.append(f"{total:>6}  findings in {report.files_checked} files")
    return "\n".join(lines) + "\n"
