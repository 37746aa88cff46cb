"""A catalogue's own declarative rules (config ``custom_rules``): house rules without Python.

Same file format as ``rules/``, with ``given`` (which documents: a kind and a ``where`` filter)
and ``then`` (a field and a function: required, pattern, enum, min, max, min_length,
max_length, min_items, max_items). Every file is validated against ``schemas/rule.schema.json``;
a broken rule is a configuration error (exit 2) at its file, line and column.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any

from kpigov.config import Config, ConfigError
from kpigov.findings import Violation, format_yaml_path, on_document
from kpigov.loader import Document
from kpigov.rulebook import Rule, read_rule_document, rule_from_data, template_problem
from kpigov.schema import describe_value, validate

# Defaults that `where` sees for fields a document leaves out (SPEC §2).
_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "kpi": {
        "status": "active",
        "tier": "kpi",
        "type": "quantitative",
        "visibility": "internal",
        "version": 1,
    },
    "goal": {"status": "active"},
    "person": {"active": True},
    "team": {},
}
# Without a status in `where`, KPIs are checked when draft or active and goals when active.
_DEFAULT_STATUSES = {"kpi": ("draft", "active"), "goal": ("active",)}
_COUNTED = {"min_length": str, "max_length": str, "min_items": list, "max_items": list}


def load_custom_rules(config: Config, builtin: Mapping[str, Rule]) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for folder in config.custom_rules:
        path = config.root / folder
        if not path.is_dir():
            raise ConfigError(
                f"custom_rules: {folder!r} is not a folder of the catalogue", config.config_file
            )
        for file in sorted([*path.glob("*.yaml"), *path.glob("*.yml")]):
            rule = _read_custom_rule(file)
            if rule.id in builtin or rule.id in rules:
                clash = "a built-in rule" if rule.id in builtin else "another custom rule"
                raise ConfigError(
                    f"id {rule.id} is already used by {clash}; choose another id", file
                )
            rules[rule.id] = rule
    return rules


def _read_custom_rule(file: Path) -> Rule:
    document = read_rule_document(file)
    data = document.data
    errors = validate("rule", data)
    if errors:
        first = errors[0]
        raise ConfigError(first.message, file, document.position(first.path, first.on_key))
    if "check" in data:
        raise ConfigError(
            "custom rules are declarative: use given and then, not check",
            file,
            document.position(("check",)),
        )
    if "scope" in data:
        raise ConfigError(
            "custom rules choose their documents with given; scope is for built-in checks",
            file,
            document.position(("scope",), on_key=True),
        )
    _check_function_value(data["then"], file, document)
    _check_templates(data, file, document)
    return rule_from_data({"category": "C", **data}, file)


def _check_templates(data: Mapping[str, Any], file: Path, document: Document) -> None:
    """Every message template of the rule (variants and translations) fills only plain fields."""
    places: list[tuple[tuple[str | int, ...], Any]] = [(("message",), data.get("message"))]
    for language, texts in (data.get("translations") or {}).items():
        if isinstance(texts, Mapping):
            places.append((("translations", language, "message"), texts.get("message")))
    for path, message in places:
        variants = message.items() if isinstance(message, Mapping) else [(None, message)]
        for variant, template in variants:
            if not isinstance(template, str):
                continue
            problem = template_problem(template)
            if problem:
                where = (*path, variant) if variant is not None else path
                raise ConfigError(problem, file, document.position(where))


def _check_function_value(then: Mapping[str, Any], file: Path, document: Document) -> None:
    function, argument = then["function"], then.get("value")
    where = document.position(("then", "value") if "value" in then else ("then",))
    if function == "required":
        return
    if function == "pattern":
        if not isinstance(argument, str):
            raise ConfigError(
                "then.value of a pattern is a regular expression in quotes", file, where
            )
        if linear_regex(argument) is None:
            raise ConfigError(
                "then.value is not a regular expression this linear-time engine (RE2) accepts; "
                "back-references and look-arounds are not available",
                file,
                where,
            )
    elif function == "enum":
        if not isinstance(argument, list) or not argument:
            raise ConfigError("then.value of enum is a list of allowed values", file, where)
    elif isinstance(argument, bool) or not isinstance(argument, (int, float)):
        raise ConfigError(f"then.value of {function} is a number", file, where)
    elif function in _COUNTED and (argument < 0 or argument != int(argument)):
        raise ConfigError(f"then.value of {function} is a whole number of at least 0", file, where)


@cache
def linear_regex(pattern: str) -> Any:
    """The pattern compiled by RE2, whose matching time is linear in the text (a house rule can
    never hang lint the way a backtracking engine can on ``^(a|a)+$``); None when RE2 refuses it."""
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def check_function(rule: Rule) -> Any:
    """The check of a declarative rule, with the standard (catalogue, options) signature."""
    return partial(run_declarative, rule.given, rule.then)


def _lookup(data: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def _missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def _matches(document: Document, where: Mapping[str, Any]) -> bool:
    defaults = _DEFAULTS.get(document.kind or "", {})
    for field, wanted in where.items():
        actual = _lookup(document.data, field.split("."))
        if _missing(actual):
            actual = defaults.get(field)
        if (
            isinstance(wanted, list)
            and actual not in wanted
            or not isinstance(wanted, list)
            and actual != wanted
        ):
            return False
    return True


def run_declarative(
    given: Mapping[str, Any], then: Mapping[str, Any], catalogue: Any, options: Mapping[str, Any]
) -> Iterator[Violation]:
    from kpigov.catalogue import iter_kind

    kind = given["kind"]
    where = given.get("where") or {}
    statuses = None if "status" in where else _DEFAULT_STATUSES.get(kind)
    path = then["field"].split(".")
    function, argument = then["function"], then.get("value")
    for document in iter_kind(catalogue, kind):
        if path[0] in document.invalid:
            continue  # K002 reports the field; the house rule would only repeat it
        status = _lookup(document.data, ["status"]) or "active"
        if statuses is not None and status not in statuses or not _matches(document, where):
            continue
        value = _lookup(document.data, path)
        shown = repr(value) if isinstance(value, str) else describe_value(value)
        args = {"field": then["field"], "value": shown, "expected": argument}
        if function == "required":
            if _missing(value):
                yield on_document(document, args=args, fingerprint_path=then["field"])
            continue
        if _missing(value) or not _breaks(function, argument, value):
            continue
        yield on_document(
            document, tuple(path), args=args, fingerprint_path=format_yaml_path(tuple(path))
        )


def _breaks(function: str, argument: Any, value: Any) -> bool:
    """Whether a present value breaks the rule; values of the wrong type are left to K002."""
    if function == "pattern":
        compiled = linear_regex(argument)
        return isinstance(value, str) and compiled is not None and compiled.search(value) is None
    if function == "enum":
        return value not in argument
    if function in ("min", "max"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return value < argument if function == "min" else value > argument
    expected = _COUNTED[function]
    if not isinstance(value, expected):
        return False
    return len(value) < argument if function.startswith("min") else len(value) > argument
