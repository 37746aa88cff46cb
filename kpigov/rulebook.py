"""Rules as data: ``rules/*.yaml`` holds each rule's metadata, message, options and docs.

Each built-in rule names the pure Python check that implements it (``module:function``); the check
takes the catalogue and the rule's options and yields Violations.
"""

from __future__ import annotations

import importlib
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kpigov.config import ConfigError
from kpigov.resources import data_dir

if TYPE_CHECKING:
    from kpigov.catalogue import Catalogue
    from kpigov.findings import Violation
    from kpigov.loader import Document

    CheckFunction = Callable[[Catalogue, Mapping[str, Any]], Iterable[Violation]]

CATEGORIES: Mapping[str, str] = MappingProxyType(
    {
        "K": "Catalogue",
        "S": "SMART",
        "A": "Alignment",
        "O": "Ownership",
        "F": "Frequency",
        "Z": "Size and simplicity",
        "T": "Trend and history",
        "G": "Governance",
        "M": "Measurement",
        "X": "Suppressions",
        "C": "Custom",
    }
)
SMART_LETTERS: Mapping[str, str] = MappingProxyType(
    {
        "S": "Specific",
        "M": "Measurable",
        "A": "Achievable",
        "R": "Relevant",
        "T": "Time-bound",
    }
)
_ID_LIKE = re.compile(r"[A-Za-z]+[0-9]*\Z")


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: str
    default: Any
    description: str
    minimum: float | None = None

    def check(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable for this option, or None."""
        expected: dict[str, Any] = {
            "integer": int,
            "number": (int, float),
            "string": str,
            "boolean": bool,
        }
        if (
            isinstance(value, bool)
            and self.type != "boolean"
            or not isinstance(value, expected[self.type])
        ):
            return f"must be {'a whole number' if self.type == 'integer' else 'a ' + self.type}"
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum:g}"
        return None


# Words of the catalogue format that messages quote (frequency: daily), as a Dutch sentence says
# them; only arguments that hold such a word are translated, never a user's text.
VALUE_WORDS_NL: Mapping[str, str] = MappingProxyType(
    {
        "realtime": "realtime",
        "hourly": "elk uur",
        "daily": "dagelijks",
        "weekly": "wekelijks",
        "monthly": "maandelijks",
        "quarterly": "elk kwartaal",
        "yearly": "jaarlijks",
        "financial": "financieel",
        "customer": "klant",
        "internal-process": "interne processen",
        "learning-growth": "leren en groeien",
        "active": "actief",
        "draft": "concept",
        "deprecated": "uitgefaseerd",
        "retired": "vervallen",
        "achieved": "bereikt",
        "abandoned": "opgegeven",
        "on-track": "op koers",
        "at-risk": "risico",
        "off-track": "uit koers",
        "unknown": "onbekend",
        "red": "rood",
        "amber": "oranje",
        "green": "groen",
    }
)
_TRANSLATED_ARGS = frozenset(
    ("frequency", "review", "floor", "level", "perspective", "status", "goal_status")
)
_FORMATTER = string.Formatter()
_LONGEST_VALUE = 120  # characters of a user's text quoted in a message


def template_problem(template: str) -> str | None:
    """Why a message template is refused, or None: only plain ``{name}`` fields (and ``{name!r}``)
    are allowed, so a template can neither reach an attribute nor build a huge string."""
    try:
        fields = list(_FORMATTER.parse(template))
    except ValueError as error:
        return f"the message is not a valid template ({error}); write {{{{ and }}}} for braces"
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion not in (None, "r"):
            return (
                f"the message field {_field_text(name, conversion, spec)} is not allowed; use plain fields such as {{field}} "
                "(no attributes, indexes, conversions or widths)"
            )
    return None


def _field_text(name: str, conversion: str | None, spec: str | None) -> str:
    return (
        "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    )


def fill_template(template: str, args: Mapping[str, Any]) -> str:
    """The template with its ``{name}`` fields filled; an unknown or refused field stays as text."""
    try:
        fields = list(_FORMATTER.parse(template))
    except ValueError:
        return template
    out: list[str] = []
    for literal, name, spec, conversion in fields:
        out.append(literal)
        if name is None:
            continue
        if name.isidentifier() and not spec and conversion in (None, "r") and name in args:
            value = args[name]
            if isinstance(value, str) and len(value) > _LONGEST_VALUE:
                value = value[: _LONGEST_VALUE - 1] + "…"  # a message stays readable
            out.append(repr(value) if conversion == "r" else str(value))
        else:
            out.append(_field_text(name, conversion, spec))
    return "".join(out)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    category: str
    severity: str
    message: Mapping[str, str]
    docs: Mapping[str, str]
    smart: str | None = None
    options: Mapping[str, OptionSpec] = field(default_factory=dict)
    check: str | None = None
    scope: str = "catalogue"  # "kpi": check(kpi, catalogue, options), run in the engine's KPI pass
    source: Path | None = None
    translations: Mapping[str, Any] = field(default_factory=dict)
    # Declarative (custom) rules: which documents, and what must hold of them.
    given: Mapping[str, Any] | None = None
    then: Mapping[str, Any] | None = None
    url: str | None = None  # a house rule's documentation (built-in rules: the rule reference)
    # A variant of a different weight (S102's breakdown is information, its join a warning).
    variant_severity: Mapping[str, str] = field(default_factory=dict)

    def format_message(self, variant: str, args: Mapping[str, Any], language: str = "en") -> str:
        if language == "nl":
            args = {
                key: VALUE_WORDS_NL.get(value, value)
                if key in _TRANSLATED_ARGS and isinstance(value, str)
                else value
                for key, value in args.items()
            }
        templates = self.message
        translated = self.translations.get(language, {}).get("message")
        if translated:
            templates = translated if isinstance(translated, Mapping) else {"default": translated}
        template = templates.get(variant) or templates.get("default") or self.message["default"]
        return fill_template(template, args)

    def docs_in(self, language: str = "en") -> Mapping[str, str]:
        translated = self.translations.get(language, {}).get("docs") or {}
        return {**self.docs, **translated}

    def check_function(self) -> CheckFunction:
        if self.check is None:
            from kpigov.custom import check_function

            function: CheckFunction = check_function(self)
            return function
        module_name, function_name = self.check.split(":")
        module = importlib.import_module(module_name)
        checked: CheckFunction = getattr(module, function_name)
        return checked

    def option_values(self, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
        values = {name: spec.default for name, spec in self.options.items()}
        values.update(overrides or {})
        return values


def rule_from_data(data: Mapping[str, Any], source: Path | None = None) -> Rule:
    message = data["message"]
    options = {
        name: OptionSpec(
            name, spec["type"], spec["default"], spec["description"], spec.get("minimum")
        )
        for name, spec in (data.get("options") or {}).items()
    }
    return Rule(
        id=data["id"],
        name=data["name"],
        category=data.get("category") or data["id"][0],
        severity=data["severity"],
        smart=data.get("smart"),
        message=MappingProxyType(
            dict(message) if isinstance(message, Mapping) else {"default": message}
        ),
        docs=MappingProxyType(dict(data["docs"])),
        options=MappingProxyType(options),
        check=data.get("check"),
        scope=data.get("scope", "catalogue"),
        source=source,
        translations=MappingProxyType(dict(data.get("translations") or {})),
        given=data.get("given"),
        then=data.get("then"),
        url=data.get("url"),
        variant_severity=MappingProxyType(dict(data.get("variant_severity") or {})),
    )


def read_rule_document(path: Path) -> Document:
    """The one YAML mapping of a rule file, with positions; a located ConfigError otherwise."""
    from kpigov.loader import load_bytes

    try:
        result = load_bytes(path.name, path.read_bytes())
    except OSError as error:
        raise ConfigError(f"cannot read the rule file: {error.strerror}", path) from None
    first = result.first_problem()
    if first is not None:
        problem, text = first
        raise ConfigError(f"{text}; fix the rule file", path, problem.span)
    if len(result.documents) != 1 or not isinstance(result.documents[0].data, dict):
        raise ConfigError("a rule file holds one YAML mapping (see `kpigov schema rule`)", path)
    return result.documents[0]


def read_rule_file(path: Path) -> Mapping[str, Any]:
    data: Mapping[str, Any] = read_rule_document(path).data
    return data


@cache
def builtin_rules() -> Mapping[str, Rule]:
    """Every built-in rule by id, in id order."""
    rules = {}
    for path in sorted(data_dir("rules").glob("*.yaml")):
        rule = rule_from_data(read_rule_file(path), path)
        rules[rule.id] = rule
    return MappingProxyType(dict(sorted(rules.items())))


def find_rule(rules: Mapping[str, Rule], key: str) -> Rule | None:
    """A rule by id (any case) or by name."""
    rule = rules.get(key.upper())
    if rule is not None:
        return rule
    return next((r for r in rules.values() if r.name == key.lower()), None)


def expand_selectors(
    rules: Mapping[str, Rule],
    selectors: Sequence[str],
    where: str,
    setting: tuple[str | int, ...] = (),
) -> set[str]:
    """Rule ids meant by ids, names, categories or id prefixes (``S1`` = S101..S199)."""
    chosen: set[str] = set()
    for selector in selectors:
        key = selector.strip()
        rule = find_rule(rules, key)
        if rule is not None:
            chosen.add(rule.id)
            continue
        if _ID_LIKE.match(key):
            prefix = key.upper()
            hits = {
                rule_id
                for rule_id, rule in rules.items()
                if rule_id.startswith(prefix) or rule.category == prefix
            }
            if hits or prefix in CATEGORIES:
                chosen |= hits
                continue
        raise ConfigError(
            f"{where}: {selector!r} is not a rule id, rule name or category "
            f"({', '.join(CATEGORIES)}); see `kpigov rules`",
            setting=(*setting, list(selectors).index(selector)) if setting else (),
        )
    return chosen


def select_rules(
    rules: Mapping[str, Rule], select: Sequence[str], ignore: Sequence[str]
) -> list[Rule]:
    """The rules to run: ``select`` (all when empty) minus ``ignore``; ignore wins."""
    chosen = expand_selectors(rules, select, "select") if select else set(rules)
    chosen -= expand_selectors(rules, ignore, "ignore")
    return [rules[rule_id] for rule_id in sorted(chosen)]


def check_rule_config(
    rules: Mapping[str, Rule],
    severity: Mapping[str, str],
    options: Mapping[str, Mapping[str, Any]],
    per_file_ignores: Mapping[str, Sequence[str]],
) -> None:
    """Every rule named in the configuration exists and every option fits its rule."""
    for key in severity:
        if find_rule(rules, key) is None:
            raise ConfigError(
                f"rules.severity: {key!r} is not a rule id or name",
                setting=("rules", "severity", key),
            )
    for key, values in options.items():
        rule = find_rule(rules, key)
        if rule is None:
            raise ConfigError(
                f"rules.options: {key!r} is not a rule id or name",
                setting=("rules", "options", key),
            )
        for name, value in values.items():
            spec = rule.options.get(name)
            if spec is None:
                known = ", ".join(rule.options) or "none"
                raise ConfigError(
                    f"rules.options.{key}: {rule.id} has no option {name!r} (options: {known})",
                    setting=("rules", "options", key, name),
                )
            problem = spec.check(value)
            if problem:
                raise ConfigError(
                    f"rules.options.{key}.{name}: {problem}",
                    setting=("rules", "options", key, name),
                )
    for pattern, selectors in per_file_ignores.items():
        expand_selectors(
            rules, selectors, f"per_file_ignores[{pattern!r}]", ("per_file_ignores", pattern)
        )
