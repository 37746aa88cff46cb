"""``--format json``: the stable, versioned JSON report of SPEC §3.1."""

from __future__ import annotations

import json

from kpigov.reporters import Report

JSON_FORMAT_VERSION = 1


def render(report: Report) -> str:
    counts = report.counts()
    document = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": "kpigov", "version": report.version},
        "root": str(report.root),
        "today": report.today,
        "findings": [finding.to_json() for finding in report.findings],
        "summary": {**counts, "files": report.files_checked},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
