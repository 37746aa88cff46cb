"""S rules: each KPI is Specific, Measurable, Achievable, (Relevant: A201) and Time-bound.

These are per-KPI checks (``scope: kpi`` in their rule files): the engine calls each one for every
draft and active KPI in a single pass over the catalogue.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any

from kpigov.catalogue import Catalogue
from kpigov.checks.common import (
    NOTHING,
    Found,
    Options,
    format_number,
    format_scale,
    has_target_number,
    is_invalid,
    is_missing,
    is_qualitative,
    is_standing,
    missing,
    number,
    scale_of,
    sub_value,
    to_date,
)
from kpigov.findings import on_document
from kpigov.formula import parse_formula
from kpigov.loader import Document

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# Whole words in English, Dutch, German and French; symbols only with a space on both sides.
_COMPOUND = re.compile(r"\b(?:and|en|und|et)\b|\s[/&+]\s", re.IGNORECASE)


def count_words(text: str, enough: int | None = None) -> int:
    """Words in ``text``; with ``enough``, counting stops there (all S101 needs to know)."""
    return sum(1 for _ in itertools.islice(_WORD.finditer(text), enough))


@lru_cache(maxsize=16)
def _at_least(words: int) -> re.Pattern[str]:
    """Matches a text of at least ``words`` words, in one pass of the regex engine."""
    # Each word starts after a character that is not a letter or digit and is taken whole, as
    # finditer takes it: an atomic group, written as a look-ahead and a back-reference because
    # Python 3.10 has no (?>...).
    return re.compile(rf"(?:.*?(?<![^\W_])(?=({_WORD.pattern}))\1){{{words}}}", re.DOTALL)


def vague_description(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    minimum = options["min_words"]
    if missing(kpi, "description"):
        return [
            on_document(
                kpi, variant="missing", args={"min_words": minimum}, fingerprint_path="description"
            )
        ]
    description = kpi.fields.get("description")
    if (
        isinstance(description, str)
        and not _at_least(minimum).match(description)
        and (words := count_words(description, minimum)) < minimum
    ):
        return [
            on_document(
                kpi,
                ("description",),
                variant="one-word" if words == 1 else "default",
                args={"words": words, "min_words": minimum},
            )
        ]
    return NOTHING


# A joiner after one of these words joins parts of the population or scope ("Women in Senior
# Leadership and Executive Roles", "Share of new and returning customers"), not two measures.
_SCOPE_WORDS = frozenset(
    [
        "in",
        "of",
        "for",
        "within",
        "from",
        "among",
        "across",
        "between",
        "by",
        "per",
        "at",
        "on",
        "van",
        "voor",
        "binnen",
        "uit",
        "onder",
        "bij",
        "over",
        "tussen",
        "per",
        "op",
        "von",
        "für",
        "im",
        "der",
        "des",
    ]
)
# "Revenue by region", "Omzet per regio": one measure broken down by a dimension. "per" also makes
# rates ("cost per user", "new customers per month"), so only a dimension word counts after it.
_DIMENSIONS = (
    r"regions?|teams?|departments?|countr(?:y|ies)|products?|channels?|segments?|locations?|"
    r"categor(?:y|ies)|business units?|sites?|brands?|stores?|regio'?s?|afdelingen|afdeling|"
    r"landen|land|kanalen|kanaal|locaties?|categorie(?:ën|en)?|vestigingen|vestiging|merken|merk"
)
_BREAKDOWN = re.compile(
    rf"\s(?:(?:by|naar|volgens)\s+(?!(?:the\s+)?(?:end|start|date|deadline)\b)\w|per\s+(?:{_DIMENSIONS})\b)",
    re.IGNORECASE,
)


def _known_names(catalogue: Catalogue) -> list[str]:
    """Names of teams and goals, lower case: an '&' or 'and' inside one joins nothing."""

    def build() -> list[str]:
        names = [
            str(d.fields.get("name", "")).casefold()
            for table in (catalogue.teams, catalogue.goals)
            for d in table.values()
        ]
        return [n for n in names if _COMPOUND.search(n)]

    return catalogue.memo("compound_known_names", build)


def compound_name(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    name = kpi.fields.get("name")
    if not isinstance(name, str):
        return NOTHING
    lowered = name.casefold()
    protected = [*_known_names(catalogue)]
    breakdown = kpi.fields.get("breakdown")
    if isinstance(breakdown, str):
        protected.append(breakdown.casefold())
    spans = [
        (start, start + len(phrase))
        for phrase in protected
        if phrase and (start := lowered.find(phrase)) >= 0
    ]
    joins = []
    for match in _COMPOUND.finditer(name):
        if any(start <= match.start() and match.end() <= end for start, end in spans):
            continue  # inside the name of a team, goal or the KPI's own breakdown
        joiner = match.group().strip()
        words_before = re.findall(r"[\w']+", name[: match.start()].casefold())
        if joiner.isalpha() and _SCOPE_WORDS & set(words_before):
            continue  # joins two parts of the scope: one measure
        joins.append(joiner)
    if joins == ["/"]:
        joins = []  # one ' / ' between two measures is a ratio: one measure
    words = name.split()
    if (
        len(words) == 3
        and joins
        and words[1].casefold() in ("and", "en", "und", "et", "&")
        and all(w.casefold().endswith(("en", "ing", "ion")) for w in (words[0], words[2]))
    ):
        joins = []  # "Beoordelen en interveniëren", "Monitoring and evaluation": one process
    if joins:
        return [on_document(kpi, ("name",), args={"name": name, "joiner": joins[0]})]
    if (match := _BREAKDOWN.search(name)) is not None:
        return [
            on_document(
                kpi,
                ("name",),
                variant="breakdown",
                args={"name": name, "by": name[match.start() :].strip()},
            )
        ]
    return NOTHING


_HTML_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9-]*)(?:\s[^<>]*)?/?>|</[a-zA-Z][a-zA-Z0-9-]*\s*>")


def raw_html(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """S103: a Markdown field holds raw HTML (the handbook shows it as text)."""
    found = []
    for field in ("description", "risks"):
        value = kpi.fields.get(field)
        if field in kpi.origins or not isinstance(value, str) or "<" not in value:
            continue
        tags = _HTML_TAG.findall(value)
        if tags:
            found.append(
                on_document(
                    kpi,
                    (field,),
                    args={"field": field, "tag": tags[0][:40], "count": len(tags)},
                    fingerprint_path=field,
                )
            )
    return found


# A target or comparator in a name ("50% or more", "at least", "≥", "below 5"), or a plan period
# ("FY23 Plan", "Q3 2026"): the name should say what is measured; the target has its own field.
_TARGET_IN_NAME = re.compile(
    r"(?:[≥≤<>]=?\s*\d|\d+(?:[.,]\d+)?\s*%\s*(?:or|of)\s+(?:more|less|higher|lower|meer|minder)"
    r"|\b(?:at least|at most|no more than|no less than|more than|less than|greater than|"
    r"fewer than|minimaal|maximaal|ten minste|tenminste|minder dan|meer dan)\b"
    r"|\b(?:below|above|under|over|onder|boven)\s+\d"
    r"|\bfy\s?\d{2,4}\b|\bq[1-4]\s?'?\d{2,4}\b|\b(?:plan|budget|target|doel)\s+(?:19|20)\d{2}\b"
    r"|\((?:fy|q[1-4])[^)]*\))",
    re.IGNORECASE,
)


def target_in_name(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    """S104: the name states a target or comparator, or a plan period."""
    name = kpi.fields.get("name")
    if isinstance(name, str) and (match := _TARGET_IN_NAME.search(name)):
        return [on_document(kpi, ("name",), args={"name": name, "phrase": match.group().strip()})]
    return NOTHING


def _formula(kpi: Document) -> dict[str, Any] | None:
    formula = kpi.fields.get("formula")
    return formula if isinstance(formula, dict) else None


def _inputs(formula: dict[str, Any]) -> list[Any]:
    inputs = formula.get("inputs")
    return inputs if isinstance(inputs, list) else []


def no_formula(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    if is_qualitative(kpi) or is_invalid(kpi, "formula"):
        return NOTHING
    formula = _formula(kpi)
    if formula is None or is_missing(formula.get("expression")):
        return [on_document(kpi, fingerprint_path="formula")]
    return NOTHING


def no_unit(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    return [on_document(kpi, fingerprint_path="unit")] if missing(kpi, "unit") else NOTHING


def no_data_source(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    formula = _formula(kpi)
    if is_qualitative(kpi) or formula is None:
        return NOTHING
    return [
        on_document(
            kpi, ("formula", "inputs", index), args={"input": item.get("name", f"#{index + 1}")}
        )
        for index, item in enumerate(_inputs(formula))
        if isinstance(item, dict) and is_missing(item.get("source")) and is_missing(item.get("kpi"))
    ]


def undefined_input(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    formula = _formula(kpi)
    if is_qualitative(kpi) or formula is None:
        return NOTHING
    expression = formula.get("expression")
    if not isinstance(expression, str) or not expression.strip():
        return NOTHING
    expression_path = ("formula", "expression")
    parsed = parse_formula(expression)
    if parsed.error:
        return [
            on_document(
                kpi,
                expression_path,
                variant="syntax",
                args={"expression": expression, "problem": parsed.error},
            )
        ]
    declared = {
        item.get("name"): index
        for index, item in enumerate(_inputs(formula))
        if isinstance(item, dict)
    }
    if declared.keys() == set(parsed.names):
        return NOTHING
    found = [
        on_document(
            kpi,
            expression_path,
            variant="undefined",
            args={"input": name},
            fingerprint_path=f"formula.expression:{name}",
        )
        for name in parsed.names
        if name not in declared
    ]
    found += [
        on_document(
            kpi, ("formula", "inputs", index, "name"), variant="unused", args={"input": name}
        )
        for name, index in declared.items()
        if isinstance(name, str) and name not in parsed.names
    ]
    return found


def no_direction(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    return (
        [on_document(kpi, fingerprint_path="direction")] if missing(kpi, "direction") else NOTHING
    )


def _numbers_against_scale(kpi: Document) -> list[tuple[tuple[str, str], float]]:
    """(path, value) of the target, baseline and thresholds that S121 holds against the scale."""
    found: list[tuple[tuple[str, str], float]] = []
    fields = kpi.fields
    target = fields.get("target")
    direction = fields.get("direction")
    if isinstance(target, dict):
        for key in ("min", "max") if direction == "target-range" else ("value",):
            if (value := number(target.get(key))) is not None:
                found.append((("target", key), value))
    baseline = fields.get("baseline")
    if isinstance(baseline, dict) and (value := number(baseline.get("value"))) is not None:
        found.append((("baseline", "value"), value))
    thresholds = fields.get("thresholds")
    # Target-range thresholds are distances outside the range, not values on the scale.
    if isinstance(thresholds, dict) and direction != "target-range":
        for key in ("red", "amber"):
            if (value := number(thresholds.get(key))) is not None:
                found.append((("thresholds", key), value))
    return found


def _outside(found: float, bounds: tuple[float | None, float | None]) -> bool:
    low, high = bounds
    return (low is not None and found < low) or (high is not None and found > high)


def target_out_of_scale(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    bounds = scale_of(kpi)
    if bounds is None:
        return NOTHING
    return [
        on_document(
            kpi,
            path,
            args={
                "field": ".".join(path),
                "value": format_number(value),
                "scale": format_scale(bounds),
            },
        )
        for path, value in _numbers_against_scale(kpi)
        if _outside(value, bounds)
    ]


def _target_and_baseline(kpi: Document) -> tuple[dict[str, Any], float, float] | None:
    target, baseline = kpi.fields.get("target"), kpi.fields.get("baseline")
    if not isinstance(target, dict) or not isinstance(baseline, dict):
        return None
    target_value, baseline_value = number(target.get("value")), number(baseline.get("value"))
    if target_value is None or baseline_value is None:
        return None
    return target, target_value, baseline_value


def target_not_improvement(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    direction = kpi.fields.get("direction")
    if direction not in ("higher-is-better", "lower-is-better"):
        return NOTHING
    found = _target_and_baseline(kpi)
    if found is None:
        return NOTHING
    _, target_value, baseline_value = found
    if direction == "higher-is-better":
        worse_or_equal = target_value <= baseline_value
    else:
        worse_or_equal = target_value >= baseline_value
    if not worse_or_equal:
        return NOTHING
    args = {"target": format_number(target_value), "baseline": format_number(baseline_value)}
    return [on_document(kpi, ("target", "value"), variant=direction, args=args)]


def implausible_target(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    if kpi.fields.get("direction") == "target-range":
        return NOTHING
    found = _target_and_baseline(kpi)
    if found is None:
        return NOTHING
    target, target_value, baseline_value = found
    if target.get("commitment") == "aspirational" or baseline_value == 0:
        return NOTHING
    change = abs(target_value - baseline_value) / abs(baseline_value) * 100
    max_change = options["max_change"]
    if change <= max_change:
        return NOTHING
    args = {
        "change": f"{change:.0f}",
        "max_change": format_number(max_change),
        "target": format_number(target_value),
        "baseline": format_number(baseline_value),
    }
    return [on_document(kpi, ("target", "value"), args=args)]


def no_target(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    if is_invalid(kpi, "target"):
        return NOTHING
    target = kpi.fields.get("target")
    if target is None:
        return [on_document(kpi, fingerprint_path="target")]
    if is_invalid(kpi, "direction"):
        return NOTHING
    if sub_value(target, "note") is not None and not has_target_number(target):
        return NOTHING  # a target stated in words: S145 judges it
    if kpi.fields.get("direction") == "target-range":
        if sub_value(target, "min") is None or sub_value(target, "max") is None:
            return [on_document(kpi, variant="range", fingerprint_path="target.min")]
    elif sub_value(target, "value") is None:
        return [on_document(kpi, variant="value", fingerprint_path="target.value")]
    return NOTHING


# Placeholders people write where a target should be (lower case, spaces squeezed).
_PLACEHOLDERS = frozenset(
    {
        "tbd",
        "tbc",
        "to be determined",
        "to be defined",
        "unknown",
        "n/a",
        "na",
        "none",
        "-",
        "--",
        "?",
        "??",
        "confidential",
        "not set",
        "nader te bepalen",
        "n.t.b.",
        "ntb",
        "onbekend",
        "n.v.t.",
        "nvt",
        "vertrouwelijk",
        "nog te bepalen",
    }
)
_PLACEHOLDER_START = (
    "see ",
    "zie ",
    "tbd ",
    "tbd:",
    "tbd,",
    "identified in ",
    "to be ",
    "confidential",
    "vertrouwelijk",
)
_NUMBER_IN_WORDS = re.compile(
    r"(?<![\w.,])([-+]?(?:\d+(?:[.,]\d+)?|[.,]\d+))\s*(%|percent|procent)?"
)


def target_in_words(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    target = kpi.fields.get("target")
    note = sub_value(target, "note")
    if not isinstance(note, str) or has_target_number(target) or is_invalid(kpi, "target"):
        return NOTHING
    text = " ".join(note.lower().split())
    where = ("target", "note")
    if text.strip(" .") in _PLACEHOLDERS or text.startswith(_PLACEHOLDER_START):
        return [on_document(kpi, where, variant="placeholder", args={"note": note})]
    numbers = _NUMBER_IN_WORDS.findall(note)
    if len(numbers) == 1:
        value = numbers[0][0].replace(",", ".")
        value = value[:-2] if value.endswith(".0") else value
        value = "0" + value if value.startswith(".") else value
        return [on_document(kpi, where, variant="number", args={"note": note, "value": value})]
    return [on_document(kpi, where, args={"note": note})]


def no_deadline(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    target = kpi.fields.get("target")
    if (
        isinstance(target, dict)
        and sub_value(target, "deadline") is None
        and not is_standing(target)
        and has_target_number(target)  # a target only in words is S145's first
    ):
        return [on_document(kpi, fingerprint_path="target.deadline")]
    return NOTHING


def deadline_passed(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    if kpi.fields.get("status", "active") != "active" or is_standing(kpi.fields.get("target")):
        return NOTHING
    deadline = to_date(sub_value(kpi.fields.get("target"), "deadline"))
    today = catalogue.today
    if deadline is None or deadline >= today:
        return NOTHING
    return [
        on_document(
            kpi,
            ("target", "deadline"),
            args={"deadline": deadline.isoformat(), "days": (today - deadline).days},
        )
    ]


def review_overdue(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    review_by = to_date(kpi.fields.get("review_by"))
    today = catalogue.today
    if review_by is None or review_by >= today:
        return NOTHING
    return [
        on_document(
            kpi,
            ("review_by",),
            args={"review_by": review_by.isoformat(), "days": (today - review_by).days},
        )
    ]


def _pair_args(red: float, amber: float) -> dict[str, str]:
    # Formatted only for a finding: most KPIs have none.
    return {"red": format_number(red), "amber": format_number(amber)}


def thresholds_inconsistent(kpi: Document, catalogue: Catalogue, options: Options) -> Found:
    fields = kpi.fields
    thresholds, direction = fields.get("thresholds"), fields.get("direction")
    if not isinstance(thresholds, dict) or direction is None:
        return NOTHING
    red, amber = number(thresholds.get("red")), number(thresholds.get("amber"))
    if red is None or amber is None:
        return NOTHING
    target = fields.get("target")
    target_value = number(target.get("value")) if isinstance(target, dict) else None
    if direction == "target-range":
        if not 0 <= amber < red:
            return [
                on_document(
                    kpi, ("thresholds",), variant="target-range", args=_pair_args(red, amber)
                )
            ]
        bounds = scale_of(kpi)
        if bounds and isinstance(target, dict):
            low, high = number(target.get("min")), number(target.get("max"))
            edges = [
                edge
                for edge in (
                    None if low is None else low - red,
                    None if high is None else high + red,
                )
                if edge is not None
            ]
            if any(_outside(edge, bounds) for edge in edges):
                return [
                    on_document(
                        kpi,
                        ("thresholds", "red"),
                        variant="range-scale",
                        args={**_pair_args(red, amber), "scale": format_scale(bounds)},
                    )
                ]
        return NOTHING
    if direction == "higher-is-better":
        if not red < amber:
            return [
                on_document(
                    kpi, ("thresholds",), variant="higher-order", args=_pair_args(red, amber)
                )
            ]
        if target_value is not None and amber > target_value:
            return [
                on_document(
                    kpi,
                    ("thresholds", "amber"),
                    variant="higher-target",
                    args={**_pair_args(red, amber), "target": format_number(target_value)},
                )
            ]
    elif direction == "lower-is-better":
        if not red > amber:
            return [
                on_document(
                    kpi, ("thresholds",), variant="lower-order", args=_pair_args(red, amber)
                )
            ]
        if target_value is not None and amber < target_value:
            return [
                on_document(
                    kpi,
                    ("thresholds", "amber"),
                    variant="lower-target",
                    args={**_pair_args(red, amber), "target": format_number(target_value)},
                )
            ]
    return NOTHING
