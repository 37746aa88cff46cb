"""``--format gitlab``: a GitLab Code Quality report (the Code Climate JSON subset GitLab reads)."""

from __future__ import annotations

import json

from kpigov.reporters import Report

_SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def render(report: Report) -> str:
    issues = [
        {
            "type": "issue",
            "description": f"{finding.rule} {finding.message}",
            "check_name": f"{finding.rule} {finding.name}",
            "categories": ["Style"],
            "fingerprint": finding.fingerprint,
            "severity": _SEVERITIES[finding.severity],
            "location": {
                "path": report.repository_path(finding.file),
                "lines": {"begin": finding.line, "end": max(finding.end_line, finding.line)},
            },
        }
        for finding in report.active()
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
