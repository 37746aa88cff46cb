"""S rules: each KPI is Specific, Measurable, Achievable, (Relevant: A201) and Time-bound."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from typing import Any

from kpigov.catalogue import Catalogue
from kpigov.checks.common import (
    checked_kpis,
    format_number,
    format_scale,
    is_invalid,
    is_missing,
    is_qualitative,
    missing,
    number,
    scale_of,
    status,
    sub_value,
    to_date,
)
from kpigov.findings import Violation, on_document
from kpigov.formula import parse_formula
from kpigov.loader import Document

Options = Mapping[str, Any]

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
# Whole words in English, Dutch, German and French; symbols only with a space on both sides.
_COMPOUND = re.compile(r"\b(?:and|en|und|et)\b|\s[/&+]\s", re.IGNORECASE)


def count_words(text: str, enough: int | None = None) -> int:
    """Words in ``text``; with ``enough``, counting stops there (all S101 needs to know)."""
    return sum(1 for _ in itertools.islice(_WORD.finditer(text), enough))


def vague_description(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    minimum = options["min_words"]
    for kpi in checked_kpis(catalogue):
        if missing(kpi, "description"):
            yield on_document(
                kpi, variant="missing", args={"min_words": minimum}, fingerprint_path="description"
            )
            continue
        description = kpi.fields.get("description")
        if isinstance(description, str) and (words := count_words(description, minimum)) < minimum:
            yield on_document(
                kpi,
                ("description",),
                variant="one-word" if words == 1 else "default",
                args={"words": words, "min_words": minimum},
            )


def compound_name(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        name = kpi.fields.get("name")
        if isinstance(name, str) and (match := _COMPOUND.search(name)):
            yield on_document(kpi, ("name",), args={"name": name, "joiner": match.group().strip()})


def _formula(kpi: Document) -> dict[str, Any] | None:
    formula = kpi.fields.get("formula")
    return formula if isinstance(formula, dict) else None


def no_formula(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        if is_qualitative(kpi) or is_invalid(kpi, "formula"):
            continue
        formula = _formula(kpi)
        if formula is None or is_missing(formula.get("expression")):
            yield on_document(kpi, fingerprint_path="formula")


def no_unit(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        if missing(kpi, "unit"):
            yield on_document(kpi, fingerprint_path="unit")


def _inputs(formula: dict[str, Any]) -> list[Any]:
    inputs = formula.get("inputs")
    return inputs if isinstance(inputs, list) else []


def no_data_source(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        formula = _formula(kpi)
        if is_qualitative(kpi) or formula is None:
            continue
        for index, item in enumerate(_inputs(formula)):
            if (
                isinstance(item, dict)
                and is_missing(item.get("source"))
                and is_missing(item.get("kpi"))
            ):
                yield on_document(
                    kpi,
                    ("formula", "inputs", index),
                    args={"input": item.get("name", f"#{index + 1}")},
                )


def undefined_input(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        formula = _formula(kpi)
        if is_qualitative(kpi) or formula is None:
            continue
        expression = formula.get("expression")
        if not isinstance(expression, str) or not expression.strip():
            continue
        expression_path = ("formula", "expression")
        parsed = parse_formula(expression)
        if parsed.error:
            yield on_document(
                kpi,
                expression_path,
                variant="syntax",
                args={"expression": expression, "problem": parsed.error},
            )
            continue
        declared = {
            item.get("name"): index
            for index, item in enumerate(_inputs(formula))
            if isinstance(item, dict)
        }
        for name in parsed.names:
            if name not in declared:
                yield on_document(
                    kpi,
                    expression_path,
                    variant="undefined",
                    args={"input": name},
                    fingerprint_path=f"formula.expression:{name}",
                )
        for name, index in declared.items():
            if isinstance(name, str) and name not in parsed.names:
                yield on_document(
                    kpi,
                    ("formula", "inputs", index, "name"),
                    variant="unused",
                    args={"input": name},
                )


def no_direction(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        if missing(kpi, "direction"):
            yield on_document(kpi, fingerprint_path="direction")


def _numbers_against_scale(kpi: Document) -> Iterator[tuple[tuple[str, ...], float]]:
    """(path, value) of the target, baseline and thresholds that S121 holds against the scale."""
    target = kpi.fields.get("target")
    direction = kpi.fields.get("direction")
    if isinstance(target, dict):
        keys = ("min", "max") if direction == "target-range" else ("value",)
        for key in keys:
            found = number(target.get(key))
            if found is not None:
                yield ("target", key), found
    baseline = kpi.fields.get("baseline")
    if isinstance(baseline, dict) and (found := number(baseline.get("value"))) is not None:
        yield ("baseline", "value"), found
    thresholds = kpi.fields.get("thresholds")
    # Target-range thresholds are distances outside the range, not values on the scale.
    if isinstance(thresholds, dict) and direction != "target-range":
        for key in ("red", "amber"):
            found = number(thresholds.get(key))
            if found is not None:
                yield ("thresholds", key), found


def _outside(found: float, bounds: tuple[float | None, float | None]) -> bool:
    low, high = bounds
    return (low is not None and found < low) or (high is not None and found > high)


def target_out_of_scale(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        bounds = scale_of(kpi)
        if bounds is None:
            continue
        for path, found in _numbers_against_scale(kpi):
            if _outside(found, bounds):
                yield on_document(
                    kpi,
                    path,
                    args={
                        "field": ".".join(path),
                        "value": format_number(found),
                        "scale": format_scale(bounds),
                    },
                )


def _target_and_baseline(kpi: Document) -> tuple[dict[str, Any], float, float] | None:
    target, baseline = kpi.fields.get("target"), kpi.fields.get("baseline")
    if not isinstance(target, dict) or not isinstance(baseline, dict):
        return None
    target_value, baseline_value = number(target.get("value")), number(baseline.get("value"))
    if target_value is None or baseline_value is None:
        return None
    return target, target_value, baseline_value


def target_not_improvement(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        direction = kpi.fields.get("direction")
        found = _target_and_baseline(kpi)
        if direction not in ("higher-is-better", "lower-is-better") or found is None:
            continue
        _, target_value, baseline_value = found
        worse_or_equal = (
            target_value <= baseline_value
            if direction == "higher-is-better"
            else target_value >= baseline_value
        )
        if worse_or_equal:
            yield on_document(
                kpi,
                ("target", "value"),
                variant=direction,
                args={
                    "target": format_number(target_value),
                    "baseline": format_number(baseline_value),
                },
            )


def implausible_target(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    max_change = options["max_change"]
    for kpi in checked_kpis(catalogue):
        direction = kpi.fields.get("direction")
        found = _target_and_baseline(kpi)
        if direction == "target-range" or found is None:
            continue
        target, target_value, baseline_value = found
        if target.get("commitment") == "aspirational" or baseline_value == 0:
            continue
        change = abs(target_value - baseline_value) / abs(baseline_value) * 100
        if change > max_change:
            yield on_document(
                kpi,
                ("target", "value"),
                args={
                    "change": f"{change:.0f}",
                    "max_change": format_number(max_change),
                    "target": format_number(target_value),
                    "baseline": format_number(baseline_value),
                },
            )


def no_target(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        if is_invalid(kpi, "target"):
            continue
        target = kpi.get("target")
        if is_missing(target):
            yield on_document(kpi, fingerprint_path="target")
            continue
        if is_invalid(kpi, "direction"):
            continue
        if kpi.fields.get("direction") == "target-range":
            if sub_value(target, "min") is None or sub_value(target, "max") is None:
                yield on_document(kpi, variant="range", fingerprint_path="target.min")
        elif sub_value(target, "value") is None:
            yield on_document(kpi, variant="value", fingerprint_path="target.value")


def no_deadline(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        target = kpi.fields.get("target")
        if isinstance(target, dict) and sub_value(target, "deadline") is None:
            yield on_document(kpi, fingerprint_path="target.deadline")


def deadline_passed(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    today = catalogue.today
    for kpi in checked_kpis(catalogue):
        if status(kpi) != "active":
            continue
        deadline = to_date(sub_value(kpi.fields.get("target"), "deadline"))
        if deadline is not None and deadline < today:
            yield on_document(
                kpi,
                ("target", "deadline"),
                args={"deadline": deadline.isoformat(), "days": (today - deadline).days},
            )


def review_overdue(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    today = catalogue.today
    for kpi in checked_kpis(catalogue):
        review_by = to_date(kpi.fields.get("review_by"))
        if review_by is not None and review_by < today:
            yield on_document(
                kpi,
                ("review_by",),
                args={"review_by": review_by.isoformat(), "days": (today - review_by).days},
            )


def thresholds_inconsistent(catalogue: Catalogue, options: Options) -> Iterator[Violation]:
    for kpi in checked_kpis(catalogue):
        thresholds, direction = kpi.fields.get("thresholds"), kpi.fields.get("direction")
        if not isinstance(thresholds, dict) or direction is None:
            continue
        red, amber = number(thresholds.get("red")), number(thresholds.get("amber"))
        if red is None or amber is None:
            continue
        target = kpi.fields.get("target")
        target_value = number(target.get("value")) if isinstance(target, dict) else None
        args = {"red": format_number(red), "amber": format_number(amber)}
        if direction == "target-range":
            if not 0 <= amber < red:
                yield on_document(kpi, ("thresholds",), variant="target-range", args=args)
            elif (bounds := scale_of(kpi)) and isinstance(target, dict):
                low, high = number(target.get("min")), number(target.get("max"))
                edges = [
                    edge
                    for edge in (
                        low - red if low is not None else None,
                        high + red if high is not None else None,
                    )
                    if edge is not None
                ]
                if any(_outside(edge, bounds) for edge in edges):
                    yield on_document(
                        kpi,
                        ("thresholds", "red"),
                        variant="range-scale",
                        args={**args, "scale": format_scale(bounds)},
                    )
        elif direction == "higher-is-better":
            if not red < amber:
                yield on_document(kpi, ("thresholds",), variant="higher-order", args=args)
            elif target_value is not None and amber > target_value:
                yield on_document(
                    kpi,
                    ("thresholds", "amber"),
                    variant="higher-target",
                    args={**args, "target": format_number(target_value)},
                )
        elif direction == "lower-is-better":
            if not red > amber:
                yield on_document(kpi, ("thresholds",), variant="lower-order", args=args)
            elif target_value is not None and amber < target_value:
                yield on_document(
                    kpi,
                    ("thresholds", "amber"),
                    variant="lower-target",
                    args={**args, "target": format_number(target_value)},
                )
