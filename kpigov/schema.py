"""JSON Schema validation with messages a KPI owner understands.

Validate fast, explain slowly: a compiled validator (jsonschema-rs when installed) says whether a
document is valid; only the documents that fail go through jsonschema's ``iter_errors``, whose
errors are turned into one located, plain-language message each.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from kpigov.findings import YamlPath, format_yaml_path
from kpigov.resources import data_dir

DOCUMENT_KINDS = ("kpi", "goal", "person", "team")
CATALOGUE_FILE = "catalogue-file"
SCHEMA_NAMES = (*DOCUMENT_KINDS, CATALOGUE_FILE, "config", "rule")
_MISSING_REF = {"$ref": "#/$defs/missing"}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``schemas/<name>.schema.json``."""
    if name not in SCHEMA_NAMES:
        raise KeyError(name)
    with open(data_dir("schemas") / f"{name}.schema.json", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def catalogue_file_schema() -> dict[str, Any]:
    """One schema for any document of a catalogue file, chosen by its ``kind`` (one ``oneOf``),
    with the four kind schemas embedded: an editor needs no other file. Editors that validate
    YAML (the YAML language server) apply it to every document of a multi-document file.
    ``schemas/catalogue-file.schema.json`` is this, written out (a test keeps them equal)."""
    from kpigov.project import schema_id

    embedded = {kind: load_schema(kind) for kind in DOCUMENT_KINDS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id(CATALOGUE_FILE),
        "title": "kpigov catalogue file",
        "description": (
            "Any document of a KPI catalogue file: a kpi, goal, person or team, chosen by its "
            "kind. Generated from the kind schemas by `kpigov schema catalogue-file`."
        ),
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {
                "description": "What the document describes.",
                "enum": list(DOCUMENT_KINDS),
            }
        },
        "oneOf": [{"$ref": schema["$id"]} for schema in embedded.values()],
        "$defs": embedded,
    }


@dataclass(frozen=True)
class SchemaError:
    """One schema error, at the node it concerns (``on_key``: at the key, for unknown fields)."""

    path: YamlPath
    message: str
    on_key: bool = False
    keyword: str = ""  # the JSON Schema keyword that failed
    # An unknown field close to a known one ('ownr' for 'owner'): the known field counts as
    # present but broken, so that its own rule (O301 no-owner) does not report it missing too.
    meant: str | None = None


class _FastValidator:
    """``is_valid`` through jsonschema-rs, falling back to jsonschema's compiled validator."""

    def __init__(self, schema: dict[str, Any]) -> None:
        try:
            import jsonschema_rs

            self._validator: Any = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        except ImportError:  # pragma: no cover - jsonschema-rs is a dependency
            self._validator = _explaining_validator(json.dumps(schema, sort_keys=True))

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))


@cache
def fast_validator(name: str) -> _FastValidator:
    return _FastValidator(load_schema(name))


@cache
def _explaining_validator(schema_json: str) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(
        json.loads(schema_json), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def validate(name: str, instance: Any) -> list[SchemaError]:
    """Every error of ``instance`` against schema ``name``, each at its own node."""
    if fast_validator(name).is_valid(instance):
        return []
    validator = _explaining_validator(json.dumps(load_schema(name), sort_keys=True))
    errors = [e for error in validator.iter_errors(instance) for e in _describe(error)]
    # A value that breaks its pattern usually breaks its format too: say it once.
    patterned = {e.path for e in errors if e.keyword == "pattern"}
    errors = [e for e in errors if not (e.keyword == "format" and e.path in patterned)]
    if not errors:  # jsonschema-rs refuses non-finite numbers, which jsonschema accepts
        return []
    unique = {(e.path, e.message): e for e in errors}
    # Per node, a missing field first: it is usually the cause of the errors that follow it.
    return sorted(
        unique.values(),
        key=lambda e: ([str(p) for p in e.path], not e.message.startswith("missing required")),
    )


_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "object": "a mapping (key: value lines)",
    "array": "a list",
    "boolean": "true or false",
    "null": "nothing",
}


def describe_value(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _label(path: YamlPath) -> str:
    return format_yaml_path(path) or "the document"


def _did_you_mean(word: Any, choices: list[str]) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _with_hint(message: str, schema: Any) -> str:
    hint = schema.get("x-hint") if isinstance(schema, dict) else None
    return f"{message}; {hint}" if hint else message


def _describe(error: Any) -> Iterator[SchemaError]:
    path: YamlPath = tuple(error.absolute_path)
    label = _label(path)
    validator, expected, value, schema = (
        error.validator,
        error.validator_value,
        error.instance,
        error.schema,
    )
    if validator == "anyOf":
        yield from _describe_any_of(error, path)
    elif validator == "required":
        present = value if isinstance(value, dict) else {}
        for name in expected:
            if name not in present:
                where = "" if not path else f" in {label}"
                yield SchemaError(path, f"missing required field {name!r}{where}")
    elif validator == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        for key in value:
            if key not in known:
                where = "" if not path else f" in {label}"
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                yield SchemaError(
                    path + (key,),
                    f"unknown field {key!r}{where}{_did_you_mean(key, known)}",
                    on_key=True,
                    meant=close[0] if close and not path else None,
                )
    elif validator == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted if w != "null")
        yield SchemaError(
            path, _with_hint(f"{label}: expected {words}, got {describe_value(value)}", schema)
        )
    elif validator == "enum":
        options = [o for o in expected if o not in (None, "", [])]
        listing = ", ".join(str(o) for o in options)
        shown = repr(value) if isinstance(value, str) else describe_value(value)
        yield SchemaError(
            path,
            f"{label}: {shown} is not one of {listing}"
            + _did_you_mean(value, [str(o) for o in options]),
        )
    elif validator == "const":
        yield SchemaError(path, f"{label}: must be {expected!r}, not {value!r}")
    elif validator == "pattern":
        message = (
            _with_hint(f"{label}: {value!r} is not valid", schema)
            if "x-hint" in schema
            else f"{label}: {value!r} does not match {expected}"
        )
        yield SchemaError(path, message, keyword="pattern")
    elif validator == "format":
        message = (
            _with_hint(f"{label}: {value!r} is not a real calendar date", schema)
            if expected == "date"
            else f"{label}: {value!r} is not a valid {expected}"
        )
        yield SchemaError(path, message, keyword="format")
    elif validator == "minLength":
        yield SchemaError(
            path,
            f"{label}: must not be empty"
            if expected == 1
            else f"{label}: needs at least {expected} characters",
        )
    elif validator == "maxLength":
        yield SchemaError(
            path, f"{label}: {len(value)} characters, at most {expected} allowed; shorten it"
        )
    elif validator in ("minimum", "exclusiveMinimum"):
        yield SchemaError(path, f"{label}: {value!r} is too small; the minimum is {expected}")
    elif validator == "uniqueItems":
        yield SchemaError(path, f"{label}: lists the same item more than once; remove the repeat")
    elif validator == "oneOf" and "x-hint" in schema:
        yield SchemaError(path, f"{label}: {schema['x-hint']}")
    else:
        yield SchemaError(path, f"{label}: {error.message}")


def _describe_any_of(error: Any, path: YamlPath) -> Iterator[SchemaError]:
    """Our schemas say "missing, or a valid X" with anyOf; explain against X alone."""
    schema = error.schema
    branches = error.validator_value
    real = [i for i, branch in enumerate(branches) if branch != _MISSING_REF]
    if "x-hint" in schema:
        yield SchemaError(path, f"{_label(path)}: {schema['x-hint']}")
        return
    context = [
        e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] in real
    ]
    if len(real) == 1 and context:
        # Prefer the deepest errors: they point at the node that is actually wrong.
        for sub in context:
            yield from _describe(sub)
        return
    yield SchemaError(path, f"{_label(path)}: {describe_value(error.instance)} is not valid here")
