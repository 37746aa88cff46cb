"""JSON Schema validation with messages a KPI owner understands.

Validate fast, explain slowly: a compiled validator (jsonschema-rs when installed) says whether a
document is valid; only the documents that fail go through jsonschema's ``iter_errors``, whose
errors are turned into one located, plain-language message each. And only their failing fields:
jsonschema-rs names the top-level fields with errors, and the slow explanation runs against a copy
of the schema in which every other field accepts anything (``true``). Our document schemas have no
rule across fields at the top (only ``required``, ``properties`` and ``additionalProperties``), so
the explanation is the same as the whole schema's, in the same order; a test compares the two on a
corpus of invalid documents. A history of 500 rows is no longer walked again for a typo in a name.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
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
    message_nl: str = ""  # the same in Dutch (catalogues with language: nl)
    # An unknown field close to a known one ('ownr' for 'owner'): the known field counts as
    # present but broken, so that its own rule (O301 no-owner) does not report it missing too.
    meant: str | None = None


# The root keywords under which the errors of one field do not depend on the others.
_SEPARABLE_ROOT = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "type",
        "required",
        "properties",
        "additionalProperties",
    }
)


class _FastValidator:
    """``is_valid`` and the failing top-level fields through jsonschema-rs, falling back to
    jsonschema's compiled validator."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.separable = set(schema) <= _SEPARABLE_ROOT and isinstance(
            schema.get("properties"), dict
        )
        try:
            import jsonschema_rs

            self._validator: Any = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
            self._rust = True
        except ImportError:  # pragma: no cover - jsonschema-rs is a dependency
            self._validator = _explaining_validator(json.dumps(schema, sort_keys=True))
            self._rust = False

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def failing_fields(self, instance: Any) -> frozenset[str] | None:
        """The top-level fields with an error, or None when the errors cannot be split by field
        (a document that is not a mapping, a schema with rules across fields)."""
        if not (self._rust and self.separable and isinstance(instance, dict)):
            return None
        fields = set()
        for error in self._validator.iter_errors(instance):
            if error.instance_path:
                fields.add(str(error.instance_path[0]))
        return frozenset(fields)


@cache
def fast_validator(name: str) -> _FastValidator:
    return _FastValidator(load_schema(name))


@cache
def _explaining_validator(schema_json: str) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(
        json.loads(schema_json), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@lru_cache(maxsize=512)
def _explaining_validator_for(name: str, fields: frozenset[str]) -> Any:
    """The explaining validator of schema ``name`` with every property but ``fields`` accepting
    anything. The property names, ``required`` and ``additionalProperties`` stay: missing and
    unknown fields are reported as before."""
    schema = dict(load_schema(name))
    schema["properties"] = {
        key: (sub if key in fields else True) for key, sub in schema["properties"].items()
    }
    return _explaining_validator(json.dumps(schema, sort_keys=True))


def validate(name: str, instance: Any) -> list[SchemaError]:
    """Every error of ``instance`` against schema ``name``, each at its own node."""
    fast = fast_validator(name)
    if fast.is_valid(instance):
        return []
    fields = fast.failing_fields(instance)
    if fields is None:
        validator = _explaining_validator(json.dumps(load_schema(name), sort_keys=True))
    else:
        validator = _explaining_validator_for(name, fields)
    return _explain(validator, instance)


def validate_whole(name: str, instance: Any) -> list[SchemaError]:
    """``validate`` with the whole schema explaining: what the per-field explanation must equal."""
    if fast_validator(name).is_valid(instance):
        return []
    return _explain(_explaining_validator(json.dumps(load_schema(name), sort_keys=True)), instance)


def _explain(validator: Any, instance: Any) -> list[SchemaError]:
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
_TYPE_WORDS_NL = {
    "string": "tekst",
    "number": "een getal",
    "integer": "een geheel getal",
    "object": "een mapping (sleutel: waarde-regels)",
    "array": "een lijst",
    "boolean": "true of false",
    "null": "niets",
}


def describe_value(value: Any, language: str = "en") -> str:
    nl = language == "nl"
    if value is None:
        return "niets" if nl else "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"het getal {value!r}" if nl else f"the number {value!r}"
    if isinstance(value, str):
        return f"de tekst {value!r}" if nl else f"the text {value!r}"
    if isinstance(value, dict):
        return "een mapping" if nl else "a mapping"
    if isinstance(value, list):
        return "een lijst" if nl else "a list"
    return repr(value)


def _label(path: YamlPath) -> str:
    return format_yaml_path(path) or "the document"


@lru_cache(maxsize=4096)
def _closest_choice(word: str, choices: tuple[str, ...]) -> str | None:
    """The choice most like ``word`` (difflib's 0.6 cutoff); cached, as a catalogue repeats its
    typos and every one is asked for in English and Dutch."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word: Any, choices: list[str], language: str = "en") -> str:
    if not isinstance(word, str):
        return ""
    close = _closest_choice(word, tuple(choices))
    if close is None:
        return ""
    return f" (bedoelt u {close!r}?)" if language == "nl" else f" (did you mean {close!r}?)"


def _with_hint(message: str, schema: Any, language: str = "en") -> str:
    hint = None
    if isinstance(schema, dict):
        hint = schema.get("x-hint-nl") if language == "nl" else None
        hint = hint or schema.get("x-hint")
    return f"{message}; {hint}" if hint else message


def _error(path: YamlPath, en: str, nl: str, **kwargs: Any) -> SchemaError:
    return SchemaError(path, en, message_nl=nl, **kwargs)


def _describe(error: Any) -> Iterator[SchemaError]:
    """One located message per error, in English and Dutch."""
    path: YamlPath = tuple(error.absolute_path)
    label = _label(path)
    validator, expected, value, schema = (
        error.validator,
        error.validator_value,
        error.instance,
        error.schema,
    )
    where_en = "" if not path else f" in {label}"
    where_nl = "" if not path else f" in {label}"
    if validator == "anyOf":
        yield from _describe_any_of(error, path)
    elif validator == "required":
        present = value if isinstance(value, dict) else {}
        for name in expected:
            if name not in present:
                yield _error(
                    path,
                    f"missing required field {name!r}{where_en}",
                    f"verplicht veld {name!r} ontbreekt{where_nl}",
                )
    elif validator == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        for key in value:
            if key not in known:
                close = _closest_choice(key, tuple(known)) if isinstance(key, str) else None
                yield _error(
                    path + (key,),
                    f"unknown field {key!r}{where_en}{_did_you_mean(key, known)}",
                    f"onbekend veld {key!r}{where_nl}{_did_you_mean(key, known, 'nl')}",
                    on_key=True,
                    meant=close if close and not path else None,
                )
    elif validator == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in wanted if w != "null")
        words_nl = " of ".join(_TYPE_WORDS_NL.get(w, w) for w in wanted if w != "null")
        yield _error(
            path,
            _with_hint(f"{label}: expected {words}, got {describe_value(value)}", schema),
            _with_hint(
                f"{label}: verwacht {words_nl}, niet {describe_value(value, 'nl')}", schema, "nl"
            ),
        )
    elif validator == "enum":
        options = [o for o in expected if o not in (None, "", [])]
        listing = ", ".join(str(o) for o in options)
        shown = repr(value) if isinstance(value, str) else describe_value(value)
        shown_nl = repr(value) if isinstance(value, str) else describe_value(value, "nl")
        yield _error(
            path,
            f"{label}: {shown} is not one of {listing}"
            + _did_you_mean(value, [str(o) for o in options]),
            f"{label}: {shown_nl} is niet een van {listing}"
            + _did_you_mean(value, [str(o) for o in options], "nl"),
        )
    elif validator == "const":
        yield _error(
            path,
            f"{label}: must be {expected!r}, not {value!r}",
            f"{label}: moet {expected!r} zijn, niet {value!r}",
        )
    elif validator == "pattern":
        if "x-hint" in schema:
            en = _with_hint(f"{label}: {value!r} is not valid", schema)
            nl = _with_hint(f"{label}: {value!r} is niet geldig", schema, "nl")
        else:
            en = f"{label}: {value!r} does not match {expected}"
            nl = f"{label}: {value!r} past niet bij {expected}"
        yield _error(path, en, nl, keyword="pattern")
    elif validator == "format":
        if expected == "date":
            en = _with_hint(f"{label}: {value!r} is not a real calendar date", schema)
            nl = _with_hint(f"{label}: {value!r} is geen bestaande datum", schema, "nl")
        else:
            en = f"{label}: {value!r} is not a valid {expected}"
            nl = f"{label}: {value!r} is geen geldige {expected}"
        yield _error(path, en, nl, keyword="format")
    elif validator == "minLength":
        if expected == 1:
            yield _error(path, f"{label}: must not be empty", f"{label}: mag niet leeg zijn")
        else:
            yield _error(
                path,
                f"{label}: needs at least {expected} characters",
                f"{label}: heeft minstens {expected} tekens nodig",
            )
    elif validator == "maxLength":
        yield _error(
            path,
            f"{label}: {len(value)} characters, at most {expected} allowed; shorten it",
            f"{label}: {len(value)} tekens, hoogstens {expected} toegestaan; maak het korter",
        )
    elif validator in ("minimum", "exclusiveMinimum"):
        yield _error(
            path,
            f"{label}: {value!r} is too small; the minimum is {expected}",
            f"{label}: {value!r} is te klein; het minimum is {expected}",
        )
    elif validator == "uniqueItems":
        yield _error(
            path,
            f"{label}: lists the same item more than once; remove the repeat",
            f"{label}: noemt hetzelfde meer dan eens; haal de herhaling weg",
        )
    elif validator == "oneOf" and "x-hint" in schema:
        yield _error(
            path,
            f"{label}: {schema['x-hint']}",
            f"{label}: {schema.get('x-hint-nl', schema['x-hint'])}",
        )
    else:
        yield _error(path, f"{label}: {error.message}", f"{label}: {error.message}")


def _describe_any_of(error: Any, path: YamlPath) -> Iterator[SchemaError]:
    """Our schemas say "missing, or a valid X" with anyOf; explain against X alone."""
    schema = error.schema
    branches = error.validator_value
    real = [i for i, branch in enumerate(branches) if branch != _MISSING_REF]
    if "x-hint" in schema:
        yield _error(
            path,
            f"{_label(path)}: {schema['x-hint']}",
            f"{_label(path)}: {schema.get('x-hint-nl', schema['x-hint'])}",
        )
        return
    context = [
        e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] in real
    ]
    if len(real) == 1 and context:
        # Prefer the deepest errors: they point at the node that is actually wrong.
        for sub in context:
            yield from _describe(sub)
        return
    yield _error(
        path,
        f"{_label(path)}: {describe_value(error.instance)} is not valid here",
        f"{_label(path)}: {describe_value(error.instance, 'nl')} is hier niet geldig",
    )
