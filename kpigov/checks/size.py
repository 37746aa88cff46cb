"""Z rules: few, simple KPIs; no "A320 cockpit" and no composite "multi-indicators"."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from kpigov.catalogue import Catalogue, iter_kind
from kpigov.checks.common import (
    NOTHING,
    Found,
    Options,
    active_goals,
    active_kpis,
    active_kpis_by_goal,
    active_kpis_by_owner,
    derived,
    ids,
    is_active_person,
    is_qualitative,
)
from kpigov.findings import Span, Violation, on_document
from kpigov.formula import normalised, parse_formula
from kpigov.loader import Document, to_span

# limits key -> the tiers it counts (None: every active KPI)
_TIER_LIMITS = {"key_kpis": ("kpi",), "kris": ("kri",), "pis": ("pi", "ri"), "total": None}


def _tier(kpi: Document) -> str:
    tier = kpi.fields.get("tier")
    return tier if isinstance(tier, str) else "kpi"


def too_many_kpis(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    config = catalogue.config
    file = config.config_file.name if config.config_file is not None else "kpigov.yaml"
    kpis = active_kpis(catalogue)
    for key, tiers in _TIER_LIMITS.items():
        limit = config.limits[key]
        counted = [kpi for kpi in kpis if tiers is None or _tier(kpi) in tiers]
        if len(counted) > limit:
            raw = config.positions.get(("limits", key)) if file == "kpigov.yaml" else None
            yield Violation(
                file=file,
                span=to_span(raw) if raw is not None else Span(1, 1, 1, 1),
                variant=key,
                args={"count": len(counted), "limit": limit, "key": key},
                related=ids(counted),
                fingerprint_path=f"limits.{key}",
            )


def goal_overloaded(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    limit = catalogue.config.limits["kpis_per_goal"]
    by_goal = active_kpis_by_goal(catalogue)
    for goal in active_goals(catalogue):
        kpis = by_goal.get(goal.id or "", [])
        if len(kpis) > limit:
            yield on_document(goal, args={"count": len(kpis), "limit": limit}, related=ids(kpis))


def team_overloaded(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    limit = catalogue.config.limits["kpis_per_team"]
    by_owner = active_kpis_by_owner(catalogue)
    members: dict[str, list[Document]] = {}
    for person in iter_kind(catalogue, "person"):
        team = person.fields.get("team")
        if isinstance(team, str) and is_active_person(person):
            members.setdefault(team, []).append(person)
    for team in iter_kind(catalogue, "team"):
        kpis = list(by_owner.get(team.id or "", []))
        for person in members.get(team.id or "", []):
            kpis.extend(by_owner.get(person.id or "", []))
        if len(kpis) > limit:
            yield on_document(team, args={"count": len(kpis), "limit": limit}, related=ids(kpis))


def _inputs(kpi: Document) -> list[Any]:
    formula = kpi.fields.get("formula")
    inputs = formula.get("inputs") if isinstance(formula, dict) else None
    return inputs if isinstance(inputs, list) else []


def complex_formula(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """Per KPI: more formula inputs than limits.formula_inputs (quantitative KPIs only)."""
    limit = catalogue.config.limits["formula_inputs"]
    inputs = _inputs(kpi)
    if len(inputs) > limit and not is_qualitative(kpi):
        return [
            on_document(kpi, ("formula", "inputs"), args={"count": len(inputs), "limit": limit})
        ]
    return NOTHING


# Punctuation and spacing go; what changes the measure stays: '%' and '#' ("Food Revenue %" is
# not "Food Revenue"), and words such as per, rate, ratio and share are words, so they stay.
_NOT_WORD = re.compile(r"[^\w%#]+|_+")


def normalised_name(name: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", name.casefold()).split())


def _stands_for(kpi: Document) -> dict[str, str]:
    """Each input's name -> what it stands for: ``kpi:<id>`` or ``source:<normalised text>``."""
    replacements = {}
    for item in _inputs(kpi):
        if item.__class__ is not dict:
            continue
        name = item.get("name")
        kpi_input = item.get("kpi")
        stands_for = kpi_input or item.get("source")
        if name.__class__ is str and stands_for.__class__ is str and stands_for:
            prefix = "kpi:" if kpi_input else "source:"
            text = prefix + " ".join(stands_for.casefold().split())
            description = item.get("description")
            if description.__class__ is str and description:
                # an input's description states its filters: two counts of orders that differ
                # only by a filter are two measures
                text += " | " + " ".join(description.casefold().split())
            replacements[name] = text
    return replacements


def _expression(kpi: Document) -> str | None:
    formula = kpi.fields.get("formula")
    expression = formula.get("expression") if isinstance(formula, dict) else None
    return expression if isinstance(expression, str) and not is_qualitative(kpi) else None


def normalised_definition(kpi: Document) -> str | None:
    """The formula with each input replaced by its source or KPI; None without a usable formula."""
    expression = _expression(kpi)
    if expression is None:
        return None
    return normalised(parse_formula(expression), _stands_for(kpi))


def definition_keys(kpi: Document) -> list[Any]:
    """What Z505 compares of a KPI, derived once (and kept between lints): whether its name is
    text, its normalised name, a digest of its normalised description (when it has its own of
    40 characters or more), and a digest of what its formula's inputs stand for (when it has a
    formula of its own): two formulas can only be equal when those are."""
    name = kpi.fields.get("name")
    description = kpi.fields.get("description")
    description_key = None
    if isinstance(description, str) and "description" not in kpi.origins:
        text = " ".join(description.casefold().split())
        if len(text) >= 40:  # a short description ("Count of orders.") is no fingerprint
            description_key = _digest(text)
    bucket = None
    if _expression(kpi) is not None and "formula" not in kpi.origins:
        bucket = _digest("\0".join(sorted(_stands_for(kpi).values())))
    return [
        isinstance(name, str),
        normalised_name(str(kpi.fields.get("name", ""))),
        description_key,
        bucket,
    ]


def formula_definition(kpi: Document) -> str:
    """A digest of Z505's normalised formula of a KPI: each input replaced by what it stands
    for ("" without a formula of its own that parses). Derived once, and kept between lints."""
    expression = _expression(kpi)
    if expression is None or "formula" in kpi.origins:
        return ""
    definition = normalised(parse_formula(expression), _stands_for(kpi))
    return _digest(definition) if definition is not None else ""


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def duplicate_definition(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    """Active KPIs that define the same thing twice, found by hashing (linear).

    KPIs are grouped by normalised name, by normalised formula, and by normalised description
    (for KPIs with different names); in each group of two or more, every KPI but the first by id
    is reported, with the member whose name is closest to its own as its twin. A breakdown and
    its parent share their definition by design: a formula or description a KPI takes from its
    parent is not compared.
    """
    by_name: dict[str, list[Document]] = {}
    by_description: dict[str, list[Document]] = {}
    # Two formulas can only be equal when their inputs stand for the same things, so the full
    # normalised formula is computed only for KPIs that share such a bucket.
    by_bucket: dict[str, list[Document]] = {}
    plain_names: dict[str, str] = {}
    for kpi in active_kpis(catalogue):
        name_is_text, plain_name, description_key, bucket = derived(kpi, "Z505", definition_keys)
        plain_names[kpi.id or ""] = plain_name
        if name_is_text and plain_name:
            by_name.setdefault(plain_name, []).append(kpi)
        if description_key is not None:
            by_description.setdefault(description_key, []).append(kpi)
        if bucket is not None:
            by_bucket.setdefault(bucket, []).append(kpi)
    by_formula: dict[str, list[Document]] = {}
    for sharing in by_bucket.values():
        if len(sharing) < 2:
            continue
        for kpi in sharing:
            definition = derived(kpi, "Z505/formula", formula_definition)
            if definition:
                by_formula.setdefault(definition, []).append(kpi)
    reported: set[str] = set()
    for variant, groups in (
        ("name", by_name),
        ("formula", by_formula),
        ("description", by_description),
    ):
        for group in groups.values():
            if len(group) < 2:
                continue
            if variant == "description":
                names = {plain_names[k.id or ""] for k in group}
                if len(names) < 2:
                    continue  # same name too: the name variant says it
            group = [k for k in group if not _family(k, group)]
            if len(group) < 2:
                continue
            ordered = sorted(group, key=lambda d: d.id or "")  # ids are unique here
            for position, kpi in enumerate(ordered[1:], 1):
                if variant == "description" and kpi.id in reported:
                    continue
                twin = _closest(kpi, ordered[max(0, position - _TWIN_CANDIDATES) : position])
                reported.add(kpi.id or "")
                yield on_document(
                    kpi,
                    variant=variant,
                    args={"first": twin.id, "first_file": f"{twin.file}:{twin.line}"},
                    related=(twin.id or "",),
                    fingerprint_path=variant,
                )


def _family(kpi: Document, group: list[Document]) -> bool:
    """A breakdown whose parent is in the same group (they share a definition on purpose)."""
    parent = kpi.fields.get("parent")
    return isinstance(parent, str) and any(other.id == parent for other in group)


_TWIN_CANDIDATES = 50


def _closest(kpi: Document, candidates: list[Document]) -> Document:
    """The candidate whose name is most like ``kpi``'s; the earliest of equals. The caller passes
    the (at most 50) group members just before it by id, so that a description copied to
    thousands of KPIs costs a bounded time per KPI.

    A candidate whose cheap upper bounds (length, then letters) cannot beat the best so far is
    skipped without the full comparison: groups of a catalogue that copied one description to
    hundreds of KPIs stay cheap.
    """
    from difflib import SequenceMatcher

    name = str(kpi.fields.get("name", "")).casefold()
    matcher = SequenceMatcher(None)
    matcher.set_seq1(name)
    best, best_ratio = candidates[0], -1.0
    for other in candidates:
        matcher.set_seq2(str(other.fields.get("name", "")).casefold())
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = other, ratio
            if ratio == 1.0:
                break
    return best
