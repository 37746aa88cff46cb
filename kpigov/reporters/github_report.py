"""``--format github``: GitHub Actions workflow commands, shown as annotations on the pull request."""

from __future__ import annotations

from kpigov.reporters import Report

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message: %, CR and LF are escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ':' and ','."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for finding in report.active():
        properties = {
            "file": report.repository_path(finding.file),
            "line": str(finding.line),
            "col": str(finding.column),
            "endLine": str(finding.end_line),
            "endColumn": str(finding.end_column),
            "title": f"{finding.rule} {finding.name}",
        }
        listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
        lines.append(f"::{_COMMANDS[finding.severity]} {listed}::{escape_data(finding.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
