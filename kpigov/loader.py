"""Read one YAML file into Documents: plain data plus the position of every node.

Parsing uses libyaml's composer through PyYAML (``yaml.CParser``), which builds nodes with
line/column marks in C; one Python walk then turns the nodes into plain data (YAML 1.2 core
schema, so ``yes`` stays a string and dates stay strings) and records a position map. The walk
also enforces the safety limits of SPEC §3.1: custom tags, merge keys, alias expansion, nesting
depth; duplicate keys are reported (K003) and the first value is kept.

Positions are stored as raw 0-based tuples ``(line, column, end_line, end_column)`` because a
catalogue has hundreds of thousands of nodes; :func:`to_span` turns one into a 1-based
:class:`Span` when a finding needs it.
"""

from __future__ import annotations

import base64
import contextlib
import math
import operator
import re
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from yaml.events import (
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    ScalarEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

try:
    # libyaml's parser and composer in C. PyYAML's binding builds plainer nodes than
    # ruamel.yaml.clib's (a string tag, no comment slots), which composes a catalogue about a
    # third faster; ruamel.yaml remains the round-trip loader of `kpigov fmt`.
    from yaml.cyaml import CParser as _Parser
except ImportError:  # PyYAML built without libyaml: the same nodes, composed in Python (slower)
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, text: str) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


from kpigov.findings import Span, Violation, YamlPath

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 100
MAX_ALIAS_NODES = 10_000
# Flow collections ('[' and '{') are the only way to nest deeply in a small file; above this many
# the file is first scanned as events, so that libyaml's recursive composer never sees a bomb.
_FLOW_SCAN_THRESHOLD = 500

# A position packed in one int: 0-based start line, start column, end line, end column, 23 bits
# each (a file is at most 5 MiB, so none can overflow). One int costs a third of a 4-tuple's memory.
RawPos = int
_BITS = 23
_MASK = (1 << _BITS) - 1
_L, _C, _E = 3 * _BITS, 2 * _BITS, _BITS


def pack(line: int, column: int, end_line: int, end_column: int) -> RawPos:
    return (line << _L) | (column << _C) | (end_line << _E) | end_column


# A path that names no node: a finding with it sits on the document's first node.
DOCUMENT_START: YamlPath = ("\x00start",)

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_PLAIN = "?plain"  # sentinel tag our resolver gives untagged plain scalars
_TAG_PREFIX = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG_PREFIX + "str", _TAG_PREFIX + "map", _TAG_PREFIX + "seq"

_SPECIAL_PLAIN: dict[str, Any] = {
    "": None,
    "~": None,
    "null": None,
    "Null": None,
    "NULL": None,
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_NUMBER_START = frozenset("0123456789+-.")
# Integers of more characters than this (sign included) are out of range: no KPI value needs
# more than 2**63, and bigger ones break repr and arithmetic elsewhere.
_MAX_INT_TEXT = 20


def resolve_plain_scalar(text: str) -> Any:
    """Value of an untagged plain scalar under the YAML 1.2 core schema."""
    if len(text) <= 6 and text in _SPECIAL_PLAIN:
        return _SPECIAL_PLAIN[text]
    if text[0] in _NUMBER_START:
        if _INT.match(text):
            return int(text) if len(text) <= _MAX_INT_TEXT else _too_large(text)
        if _FLOAT.match(text):
            return float(text)
        if text.startswith("0o") and _OCT.match(text):
            return _in_range(int(text[2:], 8)) if len(text) <= _MAX_INT_TEXT else math.inf
        if text.startswith("0x") and _HEX.match(text):
            return _in_range(int(text[2:], 16)) if len(text) <= _MAX_INT_TEXT else math.inf
    return text


def _in_range(value: int) -> int | float:
    """An octal or hexadecimal integer of 20 characters can exceed the 20 decimal digits a
    decimal one is held to (0xfffff...): out of range the same way."""
    return value if value < _INT_LIMIT else math.inf


_INT_LIMIT = 10**_MAX_INT_TEXT


def _too_large(text: str) -> float:
    # Read as an infinite float, so that the finiteness check reports it (K002 at its node):
    # a huge int would break any later repr or arithmetic (Python limits int-string conversion).
    return -math.inf if text.startswith("-") else math.inf


def to_span(raw: RawPos) -> Span:
    """A 1-based span (end column exclusive, as SARIF wants it) from a packed 0-based position."""
    return Span(
        (raw >> _L) + 1, ((raw >> _C) & _MASK) + 1, ((raw >> _E) & _MASK) + 1, (raw & _MASK) + 1
    )


# Positions of a document's nodes, flat: two ints per node (start, end), each ``line << 23 | column``,
# in the order a walk of the data visits them — for each mapping entry its key then its value, for
# each list item the item, each followed by the node's own children. An int array costs a tenth of
# a map from paths, needs no path built while loading, and pickles as one block of bytes. The
# walk (:func:`_position_maps`) turns it into maps only when a finding needs a position.
Positions = array
_HALF = 2 * _BITS
_HALF_MASK = (1 << _HALF) - 1


# Text values up to this length repeat across a catalogue (statuses, units, frequencies, owner
# and goal ids, dates): each is kept once (interned), not once per document.
_SHARED_TEXT = 40


def _shared(text: str) -> str:
    return intern(text) if len(text) <= _SHARED_TEXT else text


def _new_positions(items: list[int] | bytes = b"", typecode: str = "Q") -> Positions:
    """The positions as an int array: four bytes an entry when every one fits (a document of
    fewer than 512 lines), else eight."""
    if isinstance(items, bytes):
        positions = array(typecode)
        positions.frombytes(items)
        return positions
    return array("I" if not items or max(items) < _FITS_FOUR_BYTES else "Q", items)


_FITS_FOUR_BYTES = 1 << 32


# The fields of a document with no K002 error: one object shared by all of them (an empty
# frozenset of its own costs 216 bytes, per document of a catalogue).
NOTHING_INVALID: frozenset[str] = frozenset()


def decode_positions(encoded: str) -> Positions:
    """Positions from :meth:`Document.encoded_positions` (typecode, then base64)."""
    return _new_positions(base64.b64decode(encoded[1:], validate=True), encoded[0])


@dataclass(eq=False, slots=True)
class Document:
    """One YAML document of a catalogue file, as plain data with positions."""

    file: str
    data: Any
    root: RawPos
    # The flat positions (see Positions); a base64 string while it comes from the cache untouched.
    positions: Positions | str = field(default_factory=_new_positions)
    # Paths of the values that are not finite numbers; most documents share one empty tuple.
    nonfinite: Sequence[YamlPath] = ()
    # Filled in by the catalogue after schema validation:
    kind: str | None = None
    id: str | None = None
    invalid: frozenset[str] = NOTHING_INVALID  # top-level fields with a K002 error
    # Top-level fields that are present (not missing) and valid: what the rules read. With the
    # catalogue's `defaults` and a KPI's `parent`, also the values the document takes from them.
    fields: dict[str, Any] = field(default_factory=dict)
    # Where a field of `fields` that the document does not write came from ("parent sales.x",
    # "defaults[0] (kpis/eng/**)").
    origins: dict[str, str] = field(default_factory=dict)
    # `invalid` as the schema found it, when the catalogue's configuration changed it (accepted
    # units and handles); the cache keeps this, not the configured one.
    schema_invalid: frozenset[str] | None = None
    # Values the catalogue-wide rules derive from this document alone (Z505's keys, say), by
    # rule: computed once, and kept by the incremental lint's state (see checks.common.derived).
    derived: dict[str, Any] | None = None
    _maps: tuple[dict[YamlPath, RawPos], dict[YamlPath, RawPos]] | None = None
    # A packed KPI's fields that `data` leaves out, with its positions (kpigov/packing.py).
    packed: bytes | None = None

    @property
    def line(self) -> int:
        return (self.root >> _L) + 1

    @property
    def values(self) -> dict[YamlPath, RawPos]:
        """Position of every value and list item, by path."""
        return self._position_maps()[0]

    @property
    def keys(self) -> dict[YamlPath, RawPos]:
        """Position of every mapping key, by path."""
        return self._position_maps()[1]

    def position(self, path: YamlPath = (), on_key: bool = False) -> Span:
        """Span of the node at ``path``; the nearest recorded ancestor when it has none.

        The empty path stands for the document itself, anchored on its ``id`` value when it has one
        (SPEC §3.1: a missing field is reported on the document's id).
        """
        values, keys = self._position_maps()
        if not path:
            raw = values.get(("id",)) or self.root
            return to_span(raw)
        if on_key and path in keys:
            return to_span(keys[path])
        while path:
            raw = values.get(path)
            if raw is not None:
                return to_span(raw)
            path = path[:-1]
        return to_span(self.root)

    def encoded_positions(self) -> str:
        """The positions as one base64 string, for the cache (decoded only when needed)."""
        positions = self.positions
        if self.packed is not None:
            from kpigov.packing import whole_positions

            positions = whole_positions(self)
        if isinstance(positions, str):
            return positions
        encoded = base64.b64encode(positions.tobytes()).decode("ascii")
        return positions.typecode + encoded

    def whole_data(self) -> Any:
        """The document's whole data: its data, unless it is packed."""
        if self.packed is None:
            return self.data
        from kpigov.packing import whole_data

        return whole_data(self)

    def _position_maps(self) -> tuple[dict[YamlPath, RawPos], dict[YamlPath, RawPos]]:
        if self.packed is not None:
            # Not kept with the document, which stays small (kpigov/packing.py).
            from kpigov.packing import position_maps

            return position_maps(self)
        if self._maps is None:
            if isinstance(self.positions, str):
                self.positions = decode_positions(self.positions)
            self._maps = _position_maps(self.data, self.positions)
        return self._maps

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default) if isinstance(self.data, dict) else default


def _position_maps(
    data: Any, positions: Positions
) -> tuple[dict[YamlPath, RawPos], dict[YamlPath, RawPos]]:
    """Maps from path to position of every value and every key, by walking the data in the
    order the loader recorded the positions."""
    values: dict[YamlPath, RawPos] = {}
    keys: dict[YamlPath, RawPos] = {}
    cursor = iter(positions)

    def take() -> RawPos:
        return (next(cursor) << _HALF) | next(cursor)

    def walk(node: Any, path: YamlPath) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                child = (*path, key)
                keys[child] = take()
                values[child] = take()
                walk(value, child)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                child = (*path, index)
                values[child] = take()
                walk(item, child)

    # Positions and data always agree when both come from the loader; should they not, the
    # paths not reached fall back to their nearest recorded ancestor.
    with contextlib.suppress(StopIteration):
        walk(data, ())
    return values, keys


@dataclass
class FileResult:
    documents: list[Document]
    problems: dict[str, list[Violation]]

    def first_problem(self) -> tuple[Violation, str] | None:
        """The first problem (K001/K002/K003/K007) with its text, for readers that stop at it."""
        for problems in self.problems.values():
            problem = problems[0]
            args = problem.args
            text = (
                args.get("problem") or args.get("message") or f"duplicate key {args.get('key')!r}"
            )
            return problem, str(text)
        return None


class _Unsafe(Exception):
    """The document breaks a safety limit (K007); carries where and what."""

    def __init__(self, raw: RawPos, problem: str) -> None:
        super().__init__(problem)
        self.raw = raw
        self.problem = problem


class _Composer(_Parser, BaseResolver):  # type: ignore[misc,valid-type]
    """libyaml's C parser and composer with a resolver that marks untagged plain scalars."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        BaseResolver.__init__(self)

    # The composer calls these two hooks around every node, for path-based resolvers, which kpigov
    # does not use. C built-ins that ignore their arguments make these calls nearly free.
    descend_resolver = staticmethod(operator.is_)  # called as (parent, index)
    ascend_resolver = staticmethod(tuple)  # called with no arguments

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP


def _tag_text(tag: str) -> str:
    short = "!!" + tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag
    return f"the tag {short} is not allowed; catalogue files hold plain values only"


def _release(composer: _Composer) -> None:
    """Free the parser's state now rather than when the collector gets to it."""
    composer.dispose()
    composer.anchors = {}


def _raw(node: Any) -> RawPos:
    start, end = node.start_mark, node.end_mark
    return (start.line << _L) | (start.column << _C) | (end.line << _E) | end.column


class _DocumentBuilder:
    """Walks one composed document, building data and its flat positions.

    This loop runs once per node of the catalogue, so it is written for speed: scalar values
    (most nodes) are converted inline rather than through a call, positions are appended as ints
    in walk order, and a path is built only for a collection (or the rare finding).
    """

    def __init__(self, file: str, track_aliases: bool, problems: dict[str, list[Violation]]):
        self.file = file
        self.track_aliases = track_aliases
        self.problems = problems
        self.positions: list[int] = []
        self.nonfinite: list[YamlPath] = []
        # Anchored collections by node: their data, size, and the slice of positions under them.
        self.seen: dict[int, tuple[Any, int, int, int]] = {}
        self.count = 0
        self.alias_nodes = 0

    def problem(self, rule: str, raw: RawPos, **args: Any) -> None:
        self.problems.setdefault(rule, []).append(
            Violation(file=self.file, span=to_span(raw), args=args)
        )

    def build(self, node: Any, path: YamlPath, depth: int) -> Any:
        """Plain data of any node; collections recurse through :meth:`mapping`/:meth:`sequence`."""
        cls = node.__class__
        if cls is ScalarNode:
            self.count += 1
            return self.scalar(node, path)
        if depth >= MAX_DEPTH:
            raise _Unsafe(
                _raw(node), f"nesting deeper than {MAX_DEPTH} levels; flatten the document"
            )
        positions = self.positions
        if self.track_aliases:
            known = self.seen.get(id(node))
            if known is not None:
                data, size, first, last = known
                self.alias_nodes += size
                self.count += size
                if self.alias_nodes > MAX_ALIAS_NODES:
                    raise _Unsafe(
                        _raw(node),
                        f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes; write the values out in full",
                    )
                # The walk visits the aliased data again: its nodes sit where they are written.
                positions.extend(positions[first:last])
                return data
            before, first = self.count, len(positions)
        self.count += 1
        tag = node.tag
        if cls is MappingNode:
            if tag != _MAP:
                raise _Unsafe(_raw(node), _tag_text(tag))
            result: Any = self.mapping(node, path, depth)
        else:
            if tag != _SEQ:
                raise _Unsafe(_raw(node), _tag_text(tag))
            result = self.sequence(node, path, depth)
        if self.track_aliases:
            self.seen[id(node)] = (result, self.count - before, first, len(positions))
        return result

    def mapping(self, node: Any, path: YamlPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        extend = self.positions.extend
        scalars = 0
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                self.problem("K002", _raw(key_node), message="a mapping key must be plain text")
                continue
            # Interned: every document then shares one string per field name, so lookups match
            # by identity and the catalogue holds each name once.
            key = intern(key_node.value)
            key_tag = key_node.tag
            if key_tag != _PLAIN and key_tag != _STR:
                raise _Unsafe(_raw(key_node), _tag_text(key_tag))
            if key == "<<" and key_tag == _PLAIN:
                raise _Unsafe(
                    _raw(key_node), "merge keys (<<) are not allowed; write the values out in full"
                )
            if key in out:
                self.duplicate(node, key_node, key)
                continue
            key_start, key_end = key_node.start_mark, key_node.end_mark
            start, end = value_node.start_mark, value_node.end_mark
            extend(
                (
                    key_start.line << _BITS | key_start.column,
                    key_end.line << _BITS | key_end.column,
                    start.line << _BITS | start.column,
                    end.line << _BITS | end.column,
                )
            )
            if value_node.__class__ is ScalarNode:
                scalars += 1
                tag, text = value_node.tag, value_node.value
                if tag == _PLAIN:
                    value = resolve_plain_scalar(text) if text else None
                    if value.__class__ is float and not math.isfinite(value):
                        self.nonfinite.append((*path, key))
                    elif value.__class__ is str:
                        value = _shared(value)
                    out[key] = value
                elif tag == _STR:
                    out[key] = _shared(text)
                else:
                    out[key] = self.tagged_scalar(value_node, tag, text)
            else:
                out[key] = self.build(value_node, (*path, key), depth + 1)
        self.count += scalars
        return out

    def duplicate(self, node: Any, key_node: Any, key: str) -> None:
        """K003 on a repeated key, naming the line of its first occurrence."""
        first = next(k for k, _ in node.value if k.__class__ is ScalarNode and k.value == key)
        self.problem("K003", _raw(key_node), key=key, first_line=first.start_mark.line + 1)

    def sequence(self, node: Any, path: YamlPath, depth: int) -> list[Any]:
        out: list[Any] = []
        extend = self.positions.extend
        append = out.append
        scalars = 0
        for index, item in enumerate(node.value):
            start, end = item.start_mark, item.end_mark
            extend((start.line << _BITS | start.column, end.line << _BITS | end.column))
            if item.__class__ is ScalarNode:
                scalars += 1
                append(self.scalar(item, path, index))
            else:
                append(self.build(item, (*path, index), depth + 1))
        self.count += scalars
        return out

    def scalar(self, node: Any, path: YamlPath, index: int | None = None) -> Any:
        """A scalar at ``path`` (with ``index`` when it is a list item: the path is built only
        for the rare finding)."""
        tag, text = node.tag, node.value
        if tag == _PLAIN:
            value = resolve_plain_scalar(text) if text else None
            if value.__class__ is float and not math.isfinite(value):
                self.nonfinite.append(path if index is None else (*path, index))
            elif value.__class__ is str:
                value = _shared(value)
            return value
        if tag == _STR:
            return _shared(text)
        return self.tagged_scalar(node, tag, text)

    def tagged_scalar(self, node: Any, tag: str, text: str) -> Any:
        """Explicit core-schema tags (``!!int 5``) are honoured; any other tag is refused."""
        short = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else None
        if short in ("int", "float", "bool", "null"):
            value = resolve_plain_scalar(text) if text else None
            expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[short]
            if isinstance(value, expected) and not (short == "int" and isinstance(value, bool)):
                return float(value) if short == "float" else value
            self.problem(
                "K001",
                _raw(node),
                problem=f"{text!r} cannot be read as !!{short}",
                hint="remove the tag or write a value of that type",
            )
            return text
        raise _Unsafe(_raw(node), _tag_text(tag))


def _position_of_offset(text: str, offset: int) -> RawPos:
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return pack(line, column, line, column + 1)


def _error_position(error: Exception, text: str) -> RawPos:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        return pack(mark.line, mark.column, mark.line, mark.column + 1)
    position = getattr(error, "position", None)
    if isinstance(position, int):
        return _position_of_offset(text, min(position, len(text)))
    return pack(0, 0, 0, 1)


def _error_text(error: Exception) -> str:
    problem = getattr(error, "problem", None)
    context = getattr(error, "context", None)
    if problem:
        text = f"{context}, {problem}" if context else str(problem)
    else:
        reason = getattr(error, "reason", None)
        text = str(reason) if reason else str(error).splitlines()[0]
    return " ".join(text.split())


def decode(raw_bytes: bytes) -> tuple[str | None, RawPos, str]:
    """Text of a catalogue file, or None with the position and reason it cannot be read."""
    if raw_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, pack(0, 0, 0, 1), "the file is UTF-16 encoded; save it as UTF-8"
    if raw_bytes.startswith(b"\xef\xbb\xbf"):
        raw_bytes = raw_bytes[3:]
    try:
        return raw_bytes.decode("utf-8"), 0, ""
    except UnicodeDecodeError as error:
        before = raw_bytes[: error.start]
        line = before.count(b"\n")
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace"))
        return (
            None,
            pack(line, column, line, column + 1),
            f"byte 0x{raw_bytes[error.start]:02x} is not valid UTF-8; save the file as UTF-8",
        )


def _flow_depth_exceeded(text: str, *, retry: bool = True) -> RawPos | None:
    """Scan events (no composing) for nesting beyond the limit; the position of the first too-deep node."""
    parser = _Composer(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, StreamEndEvent):
                return None
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return pack(mark.line, mark.column, mark.line, mark.column + 1)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except Exception:
        # Either a syntax error (the composing pass reports it with its position) or libyaml's own
        # nesting limit, which newer libyaml builds raise while scanning ahead, before any event
        # reaches us (their wording differs between releases, so it is not read). Scan again only
        # up to the first bracket nested too deep: there the events come before any error.
        cut = _too_deep_bracket_end(text) if retry else None
        return None if cut is None else _flow_depth_exceeded(text[:cut], retry=False)
    finally:
        _release(parser)


def _too_deep_bracket_end(text: str) -> int | None:
    """The offset just after the first flow bracket nested deeper than the limit, or None.

    Counts brackets outside quoted text and comments, which is at most YAML's nesting depth (block
    collections add to it), so the cut text still holds the first too-deep node."""
    depth = 0
    quote = ""
    previous = "\n"
    in_comment = False
    for offset, char in enumerate(text):
        if char == "\n":
            in_comment = False  # a quoted scalar may span lines, so `quote` carries over
        elif in_comment:
            continue  # nothing inside a comment opens, closes or quotes
        elif quote:
            if char == quote:
                quote = ""
        elif char in "'\"" and previous in " \t[{,:\n":
            quote = char
        elif char == "#" and previous in " \t\n":
            in_comment = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return offset + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        previous = char
    return None


def document_lines(text: str) -> list[tuple[int, int, bool]]:
    """Each document's 0-based first line, end line (exclusive; a large number for the last)
    and whether it is empty (no node, only comments), from libyaml's events. For ``fmt``."""
    parser = _Composer(text)
    found: list[list[Any]] = []
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, StreamEndEvent):
                break
            if isinstance(event, DocumentStartEvent):
                found.append([event.start_mark.line, None, None])
            elif isinstance(event, DocumentEndEvent):
                if event.explicit:
                    found[-1][1] = event.end_mark.line + 1
            elif found and found[-1][2] is None:
                found[-1][2] = (
                    isinstance(event, ScalarEvent)
                    and event.tag is None
                    and event.implicit[0]
                    and event.value in _NULLS
                )
    finally:
        _release(parser)
    out = []
    for index, (start, end, empty) in enumerate(found):
        if end is None:
            end = found[index + 1][0] if index + 1 < len(found) else 1 << 30
        out.append((start, end, bool(empty)))
    return out


def load_text(file: str, text: str) -> FileResult:
    """Documents and K001/K002/K003/K007 problems of one file's text."""
    problems: dict[str, list[Violation]] = {}
    documents: list[Document] = []

    def problem(rule: str, raw: RawPos, **args: Any) -> FileResult:
        problems.setdefault(rule, []).append(Violation(file=file, span=to_span(raw), args=args))
        return FileResult(documents, problems)

    if text.count("[") + text.count("{") > _FLOW_SCAN_THRESHOLD:
        deep = _flow_depth_exceeded(text)
        if deep is not None:
            return problem(
                "K007",
                deep,
                problem=f"nesting deeper than {MAX_DEPTH} levels; flatten the document",
            )

    composer = _Composer(text)
    track_aliases = "&" in text
    try:
        while composer.check_node():
            node = composer.get_node()
            if node.__class__ is ScalarNode and node.tag == _PLAIN and node.value in _NULLS:
                continue  # an empty or comment-only document holds nothing to check
            builder = _DocumentBuilder(file, track_aliases, problems)
            root = _raw(node)
            try:
                data = builder.build(node, (), 0)
            except _Unsafe as unsafe:
                problem("K007", unsafe.raw, problem=unsafe.problem)
                continue
            documents.append(
                Document(
                    file, data, root, _new_positions(builder.positions), builder.nonfinite or ()
                )
            )
    except _Unsafe as unsafe:  # raised while composing is not expected, but keep it located
        problem("K007", unsafe.raw, problem=unsafe.problem)
    except Exception as error:  # libyaml's scanner/parser/reader errors carry their own marks
        problem(
            "K001",
            _error_position(error, text),
            problem=_error_text(error),
            hint="fix the YAML syntax at this place",
        )
    finally:
        _release(composer)
    if not documents and not problems:
        problem("K002", 0, message="the file holds no YAML document")
    return FileResult(documents, problems)


def load_bytes(file: str, raw_bytes: bytes) -> FileResult:
    """Documents of one file's bytes; bad encoding is K001 at the first bad byte."""
    if len(raw_bytes) > MAX_FILE_BYTES:
        return FileResult(
            [],
            {
                "K007": [
                    Violation(
                        file=file,
                        span=Span(1, 1, 1, 1),
                        args={
                            "problem": f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; "
                            "split it into one file per KPI"
                        },
                    )
                ]
            },
        )
    text, raw, reason = decode(raw_bytes)
    if text is None:
        return FileResult(
            [],
            {
                "K001": [
                    Violation(
                        file=file,
                        span=to_span(raw),
                        args={"problem": reason, "hint": "re-save the file with UTF-8 encoding"},
                    )
                ]
            },
        )
    return load_text(file, text)
