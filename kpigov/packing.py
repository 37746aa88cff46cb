"""Packed KPIs: a large lint keeps as plain data only what the catalogue-wide rules read.

A cold lint holds every document of the catalogue at once, and a KPI's data and positions are
most of that (about 9 KB of objects for a 3 KB file; SPEC §8.8 caps a 100,000-KPI lint at
800 MB). The catalogue-wide rules read a few fields of each KPI (the incremental lint's
summaries, :func:`kpigov.incremental.summary_data`); the rules about one KPI read all of them,
but one KPI at a time. So a cold lint of PACK_FROM files or more *packs* each KPI as it is
loaded: ``data`` becomes its summary, and the rest of its fields with its positions become one
marshalled, compressed blob (``Document.packed``, about 1.5 KB for the bench's KPIs). The rules
about one KPI run on :func:`unpacked`, a whole copy made for the moment; a finding's position
unpacks what it needs, and only the last few documents' positions are kept (RECENT).

What the catalogue-wide rules derive from fields a summary leaves out (Z505's keys of the
description and formula) is derived before packing, from the KPI's own fields: what the rule
compares (it never compares a description or formula taken from a parent).

A KPI stays whole when it takes fields from a parent (its own fields are needed to know which),
and no KPI is packed when the configuration has ``defaults`` (which can fill any field), when a
house rule may read any field, when the governance rules compare with a ``--since`` revision
(they compare whole documents), or in a handbook build (it shows every field): see
``kpigov.api._packer``. Marshal holds every value the loader makes; a document it could not hold
would stay whole. A blob is made and read by this run only, never stored.
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from kpigov.loader import (
    Document,
    Positions,
    _new_positions,
    _position_maps,
    decode_positions,
)

# YAML files from which a cold lint packs its KPIs. Packing costs about 160 µs of CPU a KPI
# (deriving, compressing, and unpacking for the rules about one KPI): a third more time for a
# cold lint of the bench at 100,000 KPIs (38.5 s against 28.6 s). Below this a lint holds at
# most about 550 MB whole, and the time matters more.
PACK_FROM = 50_000
_ABSENT = object()


def present_fields(data: dict[str, Any], invalid: frozenset[str]) -> dict[str, Any]:
    """The fields the rules read of a document's data: present (not empty) and valid; the data
    itself when nothing is left out."""
    fields = {
        key: found
        for key, found in data.items()
        if key not in invalid and found is not None and found != "" and found != []
    }
    return data if len(fields) == len(data) else fields


def packable(document: Document) -> bool:
    data = document.data
    return (
        document.packed is None
        and document.kind == "kpi"
        and isinstance(data, dict)
        and "parent" not in data
    )


def pack(
    document: Document,
    summary: Callable[[Document], dict[str, Any]],
    derive: Mapping[str, Callable[[Document], Any]],
) -> None:
    """Pack a loaded, validated KPI in place (see the module's description)."""
    data = document.data
    # What the catalogue-wide rules derive from fields the summary leaves out, from its own
    # fields: no KPI packed takes any from a parent or defaults, and what the configuration
    # changes later (whether a unit or handle is valid) is none of what they derive from.
    document.fields = present_fields(data, document.invalid)
    known = document.derived = {} if document.derived is None else document.derived
    for rule, compute in derive.items():
        if rule not in known:
            known[rule] = compute(document)
    kept = summary(document)
    rest = {key: value for key, value in data.items() if kept.get(key, _ABSENT) is not value}
    positions = document.positions
    stored = positions if isinstance(positions, str) else (positions.typecode, positions.tobytes())
    try:
        document.packed = zlib.compress(marshal.dumps((list(data), rest, stored)), 1)
    except ValueError:  # a value marshal cannot hold (none the loader makes): kept whole
        document.fields = {}
        return
    document.data = kept
    document.fields = {}  # the catalogue's index takes them from the summary
    document.positions = ""
    document._maps = None


def _opened(document: Document) -> tuple[dict[str, Any], Positions | str]:
    """A packed document's whole data, in the file's order, and its positions."""
    order, rest, stored = marshal.loads(zlib.decompress(document.packed))  # type: ignore[arg-type]
    kept = document.data
    data = {key: rest[key] if key in rest else kept[key] for key in order}
    return data, stored if isinstance(stored, str) else _new_positions(stored[1], stored[0])


def whole_data(document: Document) -> Any:
    """A document's whole data (its data, unless it is packed)."""
    return _opened(document)[0] if document.packed is not None else document.data


def whole_positions(document: Document) -> Positions | str:
    """A document's positions (its positions, unless it is packed)."""
    return _opened(document)[1] if document.packed is not None else document.positions


def unpacked(document: Document) -> Document:
    """A whole copy of a packed KPI, for the rules about one KPI: its whole data, positions and
    fields (those it takes from elsewhere as the catalogue filled them in)."""
    data, positions = _opened(document)
    fields = present_fields(data, document.invalid)
    if document.origins:
        fields = {**fields, **{name: document.fields[name] for name in document.origins}}
    return Document(
        file=document.file,
        data=data,
        root=document.root,
        positions=positions,
        nonfinite=document.nonfinite,
        kind=document.kind,
        id=document.id,
        invalid=document.invalid,
        fields=fields,
        origins=document.origins,
        schema_invalid=document.schema_invalid,
        derived=document.derived,
    )


def whole_fields(document: Document) -> dict[str, Any]:
    """A document's fields, whole: a packed KPI's unpacked (what a child KPI takes from its
    parent)."""
    return unpacked(document).fields if document.packed is not None else document.fields


# The position maps of the packed documents whose positions were read last: a document's
# findings mostly come one after another (its K002 errors, say), and each reads a position.
_RECENT_MAPS: dict[int, tuple[Document, Any]] = {}
RECENT = 16


def position_maps(document: Document) -> Any:
    """A packed document's maps from path to position (see Document._position_maps)."""
    found = _RECENT_MAPS.get(id(document))
    if found is not None and found[0] is document:
        return found[1]
    data, positions = _opened(document)
    maps = _position_maps(
        data, decode_positions(positions) if isinstance(positions, str) else positions
    )
    if len(_RECENT_MAPS) >= RECENT:
        del _RECENT_MAPS[next(iter(_RECENT_MAPS))]
    _RECENT_MAPS[id(document)] = (document, maps)
    return maps
