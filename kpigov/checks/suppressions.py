"""X rules: suppression comments that suppress nothing, give no reason, or name no rule.

They read what the engine recorded while it applied the comments (after every other rule ran),
so they run last and cannot themselves be suppressed.
"""

from __future__ import annotations

from collections.abc import Iterator

from kpigov.catalogue import Catalogue
from kpigov.checks.common import Options
from kpigov.findings import Violation
from kpigov.suppressions import SuppressionOutcome

OUTCOME_KEY = "suppression_outcome"


def _outcome(catalogue: Catalogue) -> SuppressionOutcome:
    return catalogue.memo(OUTCOME_KEY, lambda: SuppressionOutcome([], {}, {}))


def unused_suppression(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    outcome = _outcome(catalogue)
    for comment in outcome.suppressions:
        ran = outcome.ran_on.get(comment.file, frozenset())
        for selector, rule_id in outcome.resolved[id(comment)].items():
            if rule_id is not None and rule_id in ran and rule_id not in comment.used:
                where = "in this file" if comment.file_wide else "on the line it covers"
                yield Violation(
                    file=comment.file,
                    span=comment.span,
                    args={"rule": selector, "where": where},
                    fingerprint_path=f"suppression:{comment.span.line}:{selector}",
                )


def suppression_without_reason(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for comment in _outcome(catalogue).suppressions:
        if not comment.reason:
            yield Violation(
                file=comment.file,
                span=comment.span,
                args={"rules": ",".join(comment.selectors)},
                fingerprint_path=f"suppression:{comment.span.line}",
            )


def unknown_rule_in_suppression(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    outcome = _outcome(catalogue)
    for comment in outcome.suppressions:
        for selector, rule_id in outcome.resolved[id(comment)].items():
            if rule_id is None:
                yield Violation(
                    file=comment.file,
                    span=comment.span,
                    args={"rule": selector},
                    fingerprint_path=f"suppression:{comment.span.line}:{selector}",
                )
