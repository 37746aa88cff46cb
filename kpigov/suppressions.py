"""Inline suppressions: ``# kpigov: ignore[S101,F404] reason`` and ``# kpigov: ignore-file[...]``.

A comment at the end of a line covers that line; a comment alone on its line covers the next
line with content; ``ignore-file`` in the file's first comment block covers the whole file. A
reason is required (X902), but a comment without one still suppresses. Suppressed findings are
kept and marked, never dropped; X9xx findings cannot be suppressed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from kpigov.findings import Finding, Span

_COMMENT = re.compile(
    r"(?:^|(?<=\s))#\s*kpigov:\s*ignore(?P<scope>-file)?\[(?P<rules>[^\]]*)\](?P<reason>[^\n]*)"
)
UNSUPPRESSIBLE_CATEGORY = "X"


@dataclass
class Suppression:
    file: str
    span: Span  # where the comment is
    selectors: tuple[str, ...]
    reason: str
    covers: int | None  # the line it covers; None: the whole file
    used: set[str] = field(default_factory=set)  # rule ids it suppressed

    @property
    def file_wide(self) -> bool:
        return self.covers is None

    def to_json(self) -> dict[str, object]:
        return {
            "span": list(self.span),
            "selectors": list(self.selectors),
            "reason": self.reason,
            "covers": self.covers,
        }

    @classmethod
    def from_json(cls, file: str, item: dict[str, object]) -> Suppression:
        return cls(
            file,
            Span(*item["span"]),
            tuple(item["selectors"]),
            str(item["reason"]),  # type: ignore[misc,arg-type]
            item["covers"],
        )  # type: ignore[arg-type]


def find_suppressions(file: str, text: str) -> list[Suppression]:
    """Every suppression comment of a YAML file's text (comments as YAML's tokenizer sees them)."""
    if "kpigov:" not in text:
        return []
    from kpigov.comments import find_comments

    lines = text.splitlines()
    found = []
    first_content = next(
        (n for n, line in enumerate(lines) if line.strip() and not line.strip().startswith("#")),
        len(lines),
    )
    for comment in find_comments(text):
        match = _COMMENT.search(comment.text)
        if match is None:
            continue
        selectors = tuple(part.strip() for part in match["rules"].split(",") if part.strip())
        reason = match["reason"].strip()
        index = comment.line
        span = Span(index + 1, comment.column + 1, index + 1, len(lines[index]) + 1)
        if match["scope"]:
            # ignore-file counts only in the first comment block; elsewhere it covers nothing.
            covers = None if index < first_content else -1
        elif comment.alone:
            covers = _next_content_line(lines, index)
        else:
            covers = index + 1
        found.append(Suppression(file, span, selectors, reason, covers))
    return found


def _next_content_line(lines: list[str], index: int) -> int:
    for following in range(index + 1, len(lines)):
        stripped = lines[following].strip()
        if stripped and not stripped.startswith("#"):
            return following + 1
    return -1


@dataclass
class SuppressionOutcome:
    """What the suppressions did, for the X rules: each comment with its resolved rule ids."""

    suppressions: list[Suppression]
    resolved: dict[int, dict[str, str | None]]  # id(suppression) -> selector -> rule id or None
    ran_on: Mapping[str, frozenset[str]]  # file -> rule ids that ran on it


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: Mapping[str, list[Suppression]],
    resolve: Mapping[str, str | None],
) -> list[Finding]:
    """Mark the findings that a comment covers; record which rules each comment suppressed.

    ``resolve`` maps each selector written in a comment to a rule id (None when unknown).
    """
    out = []
    for finding in findings:
        comments = suppressions.get(finding.file)
        if not comments or finding.rule.startswith(UNSUPPRESSIBLE_CATEGORY):
            out.append(finding)
            continue
        marked = finding
        for comment in comments:
            if comment.covers is not None and comment.covers != finding.line:
                continue
            if any(resolve.get(selector) == finding.rule for selector in comment.selectors):
                comment.used.add(finding.rule)
                marked = replace(finding, suppressed={"by": "inline", "reason": comment.reason})
                break
        out.append(marked)
    return out
