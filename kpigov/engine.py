"""Runs the selected rules over a catalogue and turns their violations into findings.

The engine owns everything between a check and a reporter: severity overrides, rule options,
message templates, positions (resolved from the loader's map), per-file ignores, the PATHS scope,
ordering and fingerprints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from kpigov.baseline import apply_baseline
from kpigov.catalogue import Catalogue
from kpigov.checks.common import checked_kpis
from kpigov.checks.suppressions import OUTCOME_KEY
from kpigov.config import Config
from kpigov.findings import (
    Finding,
    Violation,
    fingerprints,
    format_yaml_path,
    repository_prefix,
    with_fingerprints,
)
from kpigov.forked import map_forked
from kpigov.globs import matches
from kpigov.loader import DOCUMENT_START, Document
from kpigov.packing import unpacked
from kpigov.rulebook import Rule, expand_selectors, find_rule, select_rules
from kpigov.suppressions import SuppressionOutcome, apply_suppressions

# KPI-rule visits per worker below which the rules stay in one process (about 0.1 s of work):
# a pre-commit run on a thousand KPIs is over before a worker would have started.
PARALLEL_SHARE = 100_000
# The per-KPI pass is cut into this many jobs, so that shares can be evened out.
KPI_CHUNKS = 32
# Per KPI, a catalogue-wide rule costs about 0.8 of a per-KPI rule (measured on the bench
# catalogue: 0.68 against 0.87 microseconds).
CATALOGUE_RULE_COST = 0.8


@dataclass(frozen=True)
class LintResult:
    findings: list[Finding]
    files_checked: int
    rules_run: tuple[Rule, ...]


def make_scope(paths: Iterable[str] | None) -> Callable[[str], bool] | None:
    """A predicate for root-relative files named by PATHS (a folder stands for all below it)."""
    if paths is None:
        return None
    files = set()
    folders = []
    for path in paths:
        clean = path.strip("/")
        if clean in ("", "."):
            return None
        files.add(clean)
        folders.append(clean + "/")
    return lambda file: file in files or file.startswith(tuple(folders))


def to_finding(rule: Rule, violation: Violation, severity: str, language: str) -> Finding:
    document = violation.document
    if violation.span is not None:
        span = violation.span
    elif document is not None:
        span = document.position(violation.path, violation.on_key)
    else:
        span = (1, 1, 1, 1)  # type: ignore[assignment]
    path = () if violation.path == DOCUMENT_START else violation.path
    if rule.variant_severity and severity == rule.severity:  # unless configured otherwise
        severity = rule.variant_severity.get(violation.variant, severity)
    return Finding(
        rule=rule.id,
        name=rule.name,
        severity=severity,
        message=rule.format_message(violation.variant, _message_args(violation), language),
        file=violation.file,
        line=span[0],
        column=span[1],
        end_line=span[2],
        end_column=span[3],
        kind=document.kind if document is not None else None,
        object=document.id if document is not None else None,
        smart=rule.smart,
        related=tuple(violation.related),
        yaml_path=violation.fingerprint_path
        if violation.fingerprint_path is not None
        else format_yaml_path(path),
    )


def _message_args(violation: Violation) -> dict[str, object]:
    """The check's arguments, plus the document's id as ``{id}`` and under its kind (``{goal}``)."""
    document = violation.document
    if document is None or document.id is None:
        return dict(violation.args)
    defaults: dict[str, object] = {"id": document.id}
    if document.kind:
        defaults[document.kind] = document.id
    return {**defaults, **violation.args}


def _files_by_object(catalogue: Catalogue) -> dict[str, set[str]]:
    files: dict[str, set[str]] = {}
    for table in (catalogue.kpis, catalogue.goals, catalogue.persons, catalogue.teams):
        for object_id, document in table.items():
            files.setdefault(object_id, set()).add(document.file)
    return files


# Built-in rules whose findings in a file depend only on that file (its loader problems): with
# the built-in per-KPI rules, what an incremental lint reruns for the edited files alone.
FILE_PROBLEM_RULES = frozenset({"K001", "K002", "K003", "K007"})


def is_local(rule: Rule) -> bool:
    """Whether a rule's findings in a file depend only on that file's documents (and on what
    the catalogue holds besides KPIs). A house rule may read anything, so it is never local."""
    builtin = rule.check is not None and rule.check.startswith("kpigov.checks.")
    return builtin and (rule.scope == "kpi" or rule.id in FILE_PROBLEM_RULES)


@dataclass(frozen=True)
class RulePlan:
    """The configured rules and how to run them: selection, severities, options, ignores."""

    rules: Mapping[str, Rule]
    selected: list[Rule]
    severities: Mapping[str, str]
    options: Mapping[str, Mapping[str, object]]
    per_file: list[tuple[str, set[str]]]
    language: str

    def ignored_in(self, file: str) -> set[str]:
        return {
            rule_id for pattern, ids in self.per_file if matches(file, [pattern]) for rule_id in ids
        }

    def finding(self, rule: Rule, violation: Violation) -> Finding:
        return to_finding(
            rule, violation, self.severities.get(rule.id, rule.severity), self.language
        )


def plan_rules(rules: Mapping[str, Rule], config: Config) -> RulePlan:
    return RulePlan(
        rules=rules,
        selected=select_rules(rules, config.select, config.ignore),
        severities={find_rule(rules, key).id: value for key, value in config.severity.items()},  # type: ignore[union-attr]
        options={find_rule(rules, key).id: value for key, value in config.options.items()},  # type: ignore[union-attr]
        per_file=[
            (pattern, expand_selectors(rules, selectors, "per_file_ignores"))
            for pattern, selectors in config.per_file_ignores.items()
        ],
        language=config.language,
    )


def run_rules(
    catalogue: Catalogue,
    rules: Mapping[str, Rule],
    config: Config,
    paths: Iterable[str] | None = None,
    baseline: Mapping[str, Mapping[str, object]] | None = None,
) -> LintResult:
    """Findings of the configured rules, in output order, with fingerprints and suppressions."""
    plan = plan_rules(rules, config)
    return finish(catalogue, plan, raw_findings(catalogue, plan), paths, baseline)


def raw_findings(
    catalogue: Catalogue,
    plan: RulePlan,
    rules: Sequence[Rule] | None = None,
    kpis: Sequence[Document] | None = None,
) -> list[Finding]:
    """The findings of ``rules`` (default: every selected rule but the suppression rules, X),
    before ignores, PATHS and suppressions; the per-KPI rules among them on ``kpis`` (default:
    every checked KPI)."""
    selected = plan.selected if rules is None else rules

    def run(rule: Rule) -> list[Finding]:
        check = rule.check_function()
        options = rule.option_values(plan.options.get(rule.id))
        return [plan.finding(rule, violation) for violation in check(catalogue, options)]

    # Per-KPI rules run together in one pass over the KPIs: each KPI is read from memory once
    # for all of them, instead of once per rule.
    per_kpi = [rule for rule in selected if rule.scope == "kpi"]
    if not per_kpi:
        kpis = []
    elif kpis is None:
        kpis = checked_kpis(catalogue)

    def kpi_pass(chunk: Sequence[Document]) -> list[Finding]:
        return _kpi_pass(catalogue, chunk, per_kpi, plan)

    # The work as independent jobs with their cost in KPI-rule visits, so that a large
    # catalogue's rules run on every core.
    jobs: list[tuple[float, Callable[[], list[Finding]]]] = [
        (CATALOGUE_RULE_COST * len(catalogue.kpis) + 1, partial(run, rule))
        for rule in selected
        if rule.category != "X" and rule.scope != "kpi"
    ]
    step = max(len(kpis) // KPI_CHUNKS, 1)
    chunks = [kpis[start : start + step] for start in range(0, len(kpis), step)]
    jobs += [(len(chunk) * len(per_kpi), partial(kpi_pass, chunk)) for chunk in chunks]
    done = map_forked(
        lambda job: job[1](),
        jobs,
        min_share=PARALLEL_SHARE,
        cost=lambda job: job[0],
        own_share_weight=0.9,  # this process also sets the work up and gathers it
    )
    return [finding for found in done for finding in found]


def finish(
    catalogue: Catalogue,
    plan: RulePlan,
    raw: list[Finding],
    paths: Iterable[str] | None = None,
    baseline: Mapping[str, Mapping[str, object]] | None = None,
) -> LintResult:
    """The findings a run reports, from its raw findings: per-file ignores and PATHS applied,
    suppressions applied and reported on (X rules, run last: they report on what the comments
    did to the other findings), sorted, with fingerprints and the baseline."""
    in_scope = make_scope(paths)
    ignored: dict[str, set[str]] = {}
    object_files: dict[str, set[str]] = {}

    def wanted(finding: Finding) -> bool:
        ignored_here = ignored.get(finding.file)
        if ignored_here is None:
            ignored_here = ignored[finding.file] = plan.ignored_in(finding.file)
        if finding.rule in ignored_here:
            return False
        if in_scope is None or in_scope(finding.file) or finding.rule.startswith("G"):
            return True
        if finding.related and not object_files:  # only for findings outside PATHS
            object_files.update(_files_by_object(catalogue))
        return any(in_scope(file) for key in finding.related for file in object_files.get(key, ()))

    findings = [finding for finding in raw if wanted(finding)]
    findings = _suppress(catalogue, plan.rules, plan.selected, plan.ignored_in, findings)
    for rule in plan.selected:
        if rule.category == "X":
            check = rule.check_function()
            options = rule.option_values(plan.options.get(rule.id))
            findings += [
                finding
                for violation in check(catalogue, options)
                if wanted(finding := plan.finding(rule, violation))
            ]
    findings.sort(key=Finding.sort_key)
    prefix = repository_prefix(catalogue.root)
    findings = with_fingerprints(findings, prefix)
    if baseline is not None:
        # A baseline written by kpigov 0.1 holds fingerprints without the prefix.
        legacy = fingerprints(findings) if prefix else None
        findings = apply_baseline(findings, baseline, legacy)
    files = catalogue.files if in_scope is None else [f for f in catalogue.files if in_scope(f)]
    return LintResult(findings, len(files), tuple(plan.selected))


def _kpi_pass(
    catalogue: Catalogue, kpis: Sequence[Document], rules: list[Rule], plan: RulePlan
) -> list[Finding]:
    prepared = [
        (
            rule,
            rule.check_function(),
            plan.severities.get(rule.id, rule.severity),
            rule.option_values(plan.options.get(rule.id)),
        )
        for rule in rules
    ]
    language = plan.language
    found = []
    for kpi in kpis:
        if kpi.packed is not None:  # whole for the moment (kpigov/packing.py)
            kpi = unpacked(kpi)
        for rule, check, severity, rule_options in prepared:
            for violation in check(kpi, catalogue, rule_options):  # type: ignore[call-arg,arg-type]
                found.append(to_finding(rule, violation, severity, language))
    return found


def _suppress(
    catalogue: Catalogue,
    rules: Mapping[str, Rule],
    selected: list[Rule],
    ignored_in: Callable[[str], set[str]],
    findings: list[Finding],
) -> list[Finding]:
    """Apply the inline suppressions and record their outcome for the X rules."""
    comments = [
        comment for file_comments in catalogue.suppressions.values() for comment in file_comments
    ]
    resolved = {
        id(comment): {selector: _rule_id(rules, selector) for selector in comment.selectors}
        for comment in comments
    }
    resolve = {
        selector: rule_id for table in resolved.values() for selector, rule_id in table.items()
    }
    selected_ids = frozenset(rule.id for rule in selected)
    ran_on = {file: selected_ids - ignored_in(file) for file in catalogue.suppressions}
    catalogue.memo(OUTCOME_KEY, lambda: SuppressionOutcome(comments, resolved, ran_on))
    return apply_suppressions(findings, catalogue.suppressions, resolve)


def _rule_id(rules: Mapping[str, Rule], selector: str) -> str | None:
    rule = find_rule(rules, selector)
    return rule.id if rule is not None else None
