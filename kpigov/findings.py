"""What checks report (Violation) and what kpigov outputs (Finding), with the fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from kpigov.loader import Document

YamlPath = tuple[str | int, ...]

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


class Span(NamedTuple):
    """1-based line and column (Unicode code points); the end column is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


def format_yaml_path(path: YamlPath) -> str:
    """``("formula", "inputs", 1, "name")`` -> ``formula.inputs[1].name``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass(frozen=True)
class Violation:
    """What a check found, before the engine gives it a rule, severity, message and position.

    A violation points either at a node of a document (``document`` + ``path``; the empty path is
    the document itself, placed on its id) or at an explicit ``span`` of ``file`` (files that do
    not parse, CSV lines, ``kpigov.yaml``).
    """

    file: str
    args: Mapping[str, Any] = field(default_factory=dict)
    document: Document | None = None
    path: YamlPath = ()
    on_key: bool = False
    span: Span | None = None
    variant: str = "default"
    related: tuple[str, ...] = ()
    # Overrides the YAML path in the fingerprint (CSV rows use history[<date>]).
    fingerprint_path: str | None = None


def on_document(document: Document, path: YamlPath = (), **kwargs: Any) -> Violation:
    """A violation at a node of a document (its id when ``path`` is empty)."""
    return Violation(file=document.file, document=document, path=path, **kwargs)


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: str
    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    kind: str | None
    object: str | None
    smart: str | None
    related: tuple[str, ...] = ()
    yaml_path: str = ""
    fingerprint: str = ""
    suppressed: Mapping[str, str] | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.rule)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "kind": self.kind,
            "object": self.object,
            "smart": self.smart,
            "related": list(self.related),
            "fingerprint": self.fingerprint,
            "suppressed": dict(self.suppressed) if self.suppressed else None,
        }


_TEXT = (str,)
_NUMBER = (int,)
_TEXT_OR_NONE = (str, type(None))
# The JSON types each field of a Finding may hold: what the cache and the incremental lint's state
# check of a finding they kept before they trust it (a test holds the keys to Finding's fields).
FINDING_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "rule": _TEXT,
    "name": _TEXT,
    "severity": _TEXT,
    "message": _TEXT,
    "file": _TEXT,
    "line": _NUMBER,
    "column": _NUMBER,
    "end_line": _NUMBER,
    "end_column": _NUMBER,
    "kind": _TEXT_OR_NONE,
    "object": _TEXT_OR_NONE,
    "smart": _TEXT_OR_NONE,
    "related": (list,),
    "yaml_path": _TEXT,
    "fingerprint": _TEXT,
    "suppressed": (dict, type(None)),
}
# What a raw finding (before finish gives it a fingerprint and suppression) holds, in order: the
# incremental lint's state keeps each as a list of these.
RAW_FINDING_FIELDS = tuple(
    name for name in FINDING_JSON_TYPES if name not in ("fingerprint", "suppressed")
)


def _checked_ids(related: list[Any]) -> list[Any]:
    if not all(isinstance(item, str) for item in related):
        raise ValueError("related is not a list of ids")
    return related


def finding_from_json(values: Mapping[str, Any]) -> Finding:
    """The finding a cache entry or state kept, checked: ValueError when it is not one kpigov
    wrote (a file edited or planted in the cache is then recomputed, never trusted)."""
    for name, value in values.items():
        expected = FINDING_JSON_TYPES.get(name)
        if expected is None or not isinstance(value, expected) or isinstance(value, bool):
            raise ValueError(f"{name} is not a finding's")
    related = _checked_ids(values.get("related", []))
    suppressed = values.get("suppressed")
    if suppressed is not None and not all(isinstance(v, str) for v in suppressed.values()):
        raise ValueError("suppressed is not a reason per suppression")
    try:
        return Finding(**{**values, "related": tuple(related)})
    except TypeError:  # a field missing
        raise ValueError("not a finding kpigov wrote") from None


_RAW_TYPES = tuple(FINDING_JSON_TYPES[name] for name in RAW_FINDING_FIELDS)
_RELATED = RAW_FINDING_FIELDS.index("related")


def raw_finding_row(finding: Finding) -> list[Any]:
    """A raw finding as the state keeps it (see :data:`RAW_FINDING_FIELDS`)."""
    row = [getattr(finding, name) for name in RAW_FINDING_FIELDS]
    row[_RELATED] = list(finding.related)
    return row


def raw_finding_from_row(row: list[Any]) -> Finding:
    """A raw finding the state kept, checked as :func:`finding_from_json` checks (without a
    dict per finding: a state holds thousands)."""
    if not isinstance(row, list) or len(row) != len(_RAW_TYPES):
        raise ValueError("not a finding kpigov wrote")
    for value, expected in zip(row, _RAW_TYPES, strict=True):
        if not isinstance(value, expected) or value is True or value is False:
            raise ValueError("not a finding kpigov wrote")
    related = _checked_ids(row[_RELATED])
    return Finding(*row[:_RELATED], tuple(related), *row[_RELATED + 1 :])


def fingerprint_base(finding: Finding, prefix: str = "") -> str:
    """The identity of a finding without its position: rule, file (from the top of the
    repository: ``prefix`` is the catalogue's folder there), object and YAML path."""
    return "\x1f".join(
        (finding.rule, prefix + finding.file, finding.object or "", finding.yaml_path)
    )


def fingerprints(findings: Sequence[Finding], prefix: str = "") -> list[str]:
    """A fingerprint per finding (in output order) that survives edits above it.

    No line number goes in; an occurrence index tells apart findings with the same identity.
    With the catalogue's folder in the repository in it, two catalogues in one repository never
    share a fingerprint. (Without a prefix — a catalogue at the top of its repository, or the
    fingerprints of kpigov 0.1 — the digest is the same as before.)
    """
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        base = fingerprint_base(finding, prefix)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        out.append(hashlib.sha256(f"{base}\x1f{occurrence}".encode()).hexdigest()[:32])
    return out


def with_fingerprints(findings: Iterable[Finding], prefix: str = "") -> list[Finding]:
    """The findings with their fingerprints set (see :func:`fingerprints`)."""
    findings = list(findings)
    return [
        replace(finding, fingerprint=digest)
        for finding, digest in zip(findings, fingerprints(findings, prefix), strict=True)
    ]


def repository_prefix(root: Path) -> str:
    """The root relative to the top of its git work tree ("" when it is the top or not in git)."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            relative = root.relative_to(folder).as_posix()
            return "" if relative == "." else relative + "/"
    return ""
