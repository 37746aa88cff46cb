"""``--format sarif``: SARIF 2.1.0 for code scanning, with rule metadata and suppressions."""

from __future__ import annotations

import json
from typing import Any

from kpigov.findings import SEVERITY_RANK, Finding
from kpigov.project import HOME, rule_reference_url
from kpigov.reporters import Report
from kpigov.rulebook import CATEGORIES, Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = HOME
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# GitHub code scanning refuses a run of more than 25,000 results.
MAX_RESULTS = 25_000


def shown_findings(report: Report) -> list[Finding]:
    """The findings a SARIF run holds: baseline-suppressed ones only on request (code scanning
    would list them as closed alerts), and at most MAX_RESULTS, the most severe first."""
    findings = [
        f
        for f in report.findings
        if report.include_suppressed or not f.suppressed or f.suppressed.get("by") != "baseline"
    ]
    if len(findings) <= MAX_RESULTS:
        return findings
    ranked = sorted(
        range(len(findings)),
        key=lambda i: (bool(findings[i].suppressed), -SEVERITY_RANK[findings[i].severity], i),
    )
    keep = sorted(ranked[:MAX_RESULTS])
    return [findings[i] for i in keep]


def overflow(report: Report) -> tuple[int, int]:
    """How many results the run keeps and how many the limit leaves out."""
    total = sum(
        1
        for f in report.findings
        if report.include_suppressed or not f.suppressed or f.suppressed.get("by") != "baseline"
    )
    return min(total, MAX_RESULTS), max(total - MAX_RESULTS, 0)


def _text(text: str) -> str:
    return " ".join(text.split())


def _descriptor(rule: Rule) -> dict[str, Any]:
    docs = rule.docs
    help_markdown = (
        f"**What it does.** {_text(docs['what'])}\n\n**Why it matters.** {_text(docs['why'])}\n\n"
        f"**Example** (fires):\n\n```yaml\n{docs['bad'].rstrip()}\n```\n\n"
        f"**Use instead:**\n\n```yaml\n{docs['good'].rstrip()}\n```\n\n**How to fix.** {_text(docs['fix'])}"
    )
    category = CATEGORIES.get(rule.category, rule.category)
    properties: dict[str, Any] = {
        "kpigovName": rule.name,
        "category": category,
        "tags": [category, *([f"SMART-{rule.smart}"] if rule.smart else [])],
    }
    if rule.smart:
        properties["smart"] = rule.smart
    return {
        "id": rule.id,
        # SARIF wants a PascalCase identifier here (the multitool's SARIF2012): kpi-without-goal
        # becomes KpiWithoutGoal; the kebab-case name stays in the properties.
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": _text(docs["what"])},
        "fullDescription": {"text": _text(docs["why"])},
        "help": {"text": f"{_text(docs['what'])} {_text(docs['fix'])}", "markdown": help_markdown},
        **_help_uri(rule),
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": properties,
    }


def _help_uri(rule: Rule) -> dict[str, str]:
    """Built-in rules link to their section of the rule reference; house rules to their ``url``."""
    if rule.given is None:
        return {"helpUri": rule_reference_url(rule.id, rule.name)}
    return {"helpUri": rule.url} if rule.url else {}


def _result(report: Report, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    region = {
        "startLine": finding.line,
        "startColumn": finding.column,
        "endLine": max(finding.end_line, finding.line),
        "endColumn": max(
            finding.end_column, finding.column + 1 if finding.end_line <= finding.line else 1
        ),
    }
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": report.repository_path(finding.file),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {"kpigovFingerprint/v1": finding.fingerprint},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.object:
        result["properties"] = {
            "kind": finding.kind,
            "object": finding.object,
            "related": list(finding.related),
        }
    if finding.suppressed:
        kind = "inSource" if finding.suppressed.get("by") == "inline" else "external"
        result["suppressions"] = [
            {"kind": kind, "justification": finding.suppressed.get("reason", "")}
        ]
    return result


def render(report: Report) -> str:
    rules = sorted({rule.id: rule for rule in report.rules}.values(), key=lambda rule: rule.id)
    index = {rule.id: position for position, rule in enumerate(rules)}
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kpigov",
                        "fullName": f"kpigov {report.version}: KPI catalogue linter",
                        "version": report.version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(rule) for rule in rules],
                    }
                },
                "automationDetails": {
                    # One analysis category per catalogue: two catalogues in one repository
                    # keep separate alert lists.
                    "id": f"kpigov/{report.repository_prefix or './'}"
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The top of the git work tree."}}
                },
                "results": [_result(report, finding, index) for finding in shown_findings(report)],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
