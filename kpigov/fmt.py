"""`kpigov fmt`: canonical key order (SPEC §2) and two-space indentation, comments kept.

Files are read and written with ruamel.yaml's round-trip loader, which keeps comments, blank
lines, quoting and flow style. ruamel attaches the comment lines that stand *before* a key to the
last node *before* them (the previous key's value, however deeply nested), so reordering keys
naively would move those comments with the wrong key. The formatter therefore detaches each
key's leading comment lines first, reorders, and attaches them again in front of their own key.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from kpigov.loader import to_span

KPI_ORDER = [
    "kind",
    "id",
    "name",
    "description",
    "tier",
    "parent",
    "breakdown",
    "owner",
    "goals",
    "perspective",
    "type",
    "indicator",
    "horizon",
    "unit",
    "scale",
    "direction",
    "formula",
    "collection",
    "measure",
    "frequency",
    "review",
    "baseline",
    "target",
    "thresholds",
    "assessment",
    "status",
    "replaced_by",
    "version",
    "changelog",
    "review_by",
    "visibility",
    "risks",
    "min_sample_size",
    "tags",
    "links",
    "source_ref",
]
ORDERS: Mapping[str, Sequence[str]] = {
    "kpi": KPI_ORDER,
    "goal": [
        "kind",
        "id",
        "name",
        "description",
        "parent",
        "owner",
        "horizon",
        "deadline",
        "perspective",
        "status",
    ],
    "person": ["kind", "id", "name", "email", "team", "handle", "active"],
    "team": ["kind", "id", "name", "lead", "handle"],
}
# Order of the keys of nested mappings of a KPI, by the field that holds them.
NESTED_ORDERS: Mapping[str, Sequence[str]] = {
    "scale": ("min", "max"),
    "formula": ("expression", "inputs"),
    "inputs": ("name", "source", "kpi", "description"),
    "baseline": ("value", "date"),
    "target": ("value", "min", "max", "deadline", "commitment", "standing", "note"),
    "assessment": ("level", "date", "note"),
    "measure": ("connection", "query"),
    "thresholds": ("red", "amber"),
    "changelog": ("version", "date", "change"),
    "links": ("title", "url"),
}


class FormatError(Exception):
    """The file cannot be formatted safely (it does not parse, or uses refused YAML)."""


@dataclass(frozen=True)
class Formatted:
    path: str
    original: str
    formatted: str

    @property
    def changed(self) -> bool:
        return self.original != self.formatted


def _yaml() -> YAML:
    yaml = YAML()  # round trip, YAML 1.2
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap a user's long lines
    return yaml


def _last_node(container: Any) -> tuple[Any, Any] | None:
    """The (collection, key or index) whose comment slot holds what follows ``container``.

    Flow collections (``[a, b]``, ``{a: 1}``) keep no comments inside, so what follows them is
    kept on the key that holds them.
    """
    if isinstance(container, (CommentedMap, CommentedSeq)) and container.fa.flow_style():
        return None
    if isinstance(container, CommentedMap) and container:
        key = list(container.keys())[-1]
        inner = _last_node(container[key])
        return inner if inner is not None else (container, key)
    if isinstance(container, CommentedSeq) and container:
        index = len(container) - 1
        inner = _last_node(container[index])
        return inner if inner is not None else (container, index)
    return None


def _slot(owner: Any) -> int:
    """Where ruamel keeps the comment after an entry: slot 2 of a mapping key, 0 of a list item."""
    return 0 if isinstance(owner, CommentedSeq) else 2


def _trailing(owner: Any, key: Any) -> CommentToken | None:
    entry = owner.ca.items.get(key)
    slot = _slot(owner)
    if entry and len(entry) > slot and isinstance(entry[slot], CommentToken):
        return entry[slot]  # type: ignore[no-any-return]
    return None


def _set_trailing(owner: Any, key: Any, text: str, column: int = 0) -> None:
    entry = owner.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) < 4:
        entry.append(None)
    slot = _slot(owner)
    if text in ("", "\n"):
        entry[slot] = None
    else:
        entry[slot] = CommentToken(
            text if text.endswith("\n") else text + "\n", CommentMark(column), None
        )


def _split(token: CommentToken | None) -> tuple[str, str, int]:
    """A trailing comment's end-of-line part, the full lines after it, and its column."""
    if token is None:
        return "\n", "", 0
    text = token.value
    cut = text.find("\n") + 1 if "\n" in text else len(text)
    return text[:cut], text[cut:], token.column


def _detach_after(mapping: CommentedMap, key: Any) -> str:
    """Remove and return the full comment lines after ``mapping[key]``, keeping its own comment."""
    owner, slot = _slot_after(mapping, key)
    end_of_line, leading, column = _split(_trailing(owner, slot))
    if leading:
        _set_trailing(owner, slot, end_of_line, column)
    return leading


def _detach_own(mapping: CommentedMap, key: Any) -> str:
    """Remove and return the lines ruamel keeps before ``key`` on the key itself."""
    entry = mapping.ca.items.get(key)
    if not entry or len(entry) < 2 or not entry[1]:
        return ""
    text = "".join(token.value for token in entry[1] if isinstance(token, CommentToken))
    entry[1] = None
    return text


def _attach_after(mapping: CommentedMap, key: Any, leading: str) -> None:
    if not leading:
        return
    owner, slot = _slot_after(mapping, key)
    end_of_line, rest, column = _split(_trailing(owner, slot))
    _set_trailing(owner, slot, end_of_line + rest + leading, column)


def _slot_after(mapping: CommentedMap, key: Any) -> tuple[Any, Any]:
    """Where the comment lines after ``mapping[key]`` are kept."""
    return _last_node(mapping[key]) or (mapping, key)


def _reorder(mapping: CommentedMap, order: Sequence[str]) -> None:
    keys = list(mapping.keys())
    rank = {name: position for position, name in enumerate(order)}
    wanted = sorted(keys, key=lambda key: (rank.get(key, len(order)), keys.index(key)))
    if wanted == keys:
        return
    # Detach: the lines before each key (but the first) hang off the node before it, and the
    # lines after the last key belong to whatever follows this mapping.
    before = {key: _detach_after(mapping, previous) for previous, key in pairwise(keys)}
    for key in keys:  # ruamel also keeps some lines before a key on the key itself (slot 1)
        before[key] = before.get(key, "") + _detach_own(mapping, key)
    tail = _detach_after(mapping, keys[-1])
    if before.get(wanted[0]) and not before[wanted[0]].strip():
        before[wanted[0]] = ""  # blank lines before what becomes the first key mean nothing
    if before.get(wanted[0]):
        # The key that would come first has comment lines of its own, and a mapping has no
        # place for lines before its first key: keep it as written rather than lose a comment.
        for previous, key in pairwise(keys):
            _attach_after(mapping, previous, before[key])
        _attach_after(mapping, keys[-1], tail)
        return
    values = {key: mapping[key] for key in keys}
    comments = {key: mapping.ca.items.pop(key, None) for key in keys}
    for key in keys:
        del mapping[key]
    for key in wanted:
        mapping[key] = values[key]
        if comments[key] is not None:
            mapping.ca.items[key] = comments[key]
    for previous, key in pairwise(wanted):
        _attach_after(mapping, previous, before.get(key, ""))
    _attach_after(mapping, wanted[-1], tail)


def _canonicalise(document: Any) -> None:
    if not isinstance(document, CommentedMap):
        return
    kind = document.get("kind")
    order = ORDERS.get(kind) if isinstance(kind, str) else None
    if order is None:
        return
    # Nested mappings first, so that the top-level reorder sees their final last nodes.
    for field, value in list(document.items()):
        nested = NESTED_ORDERS.get(field)
        if nested is None:
            continue
        if isinstance(value, CommentedMap):
            _reorder(value, nested)
            if field == "formula" and isinstance(value.get("inputs"), CommentedSeq):
                for item in value["inputs"]:
                    if isinstance(item, CommentedMap):
                        _reorder(item, NESTED_ORDERS["inputs"])
        elif isinstance(value, CommentedSeq):
            for item in value:
                if isinstance(item, CommentedMap):
                    _reorder(item, nested)
    _reorder(document, order)


def format_text(path: str, text: str) -> Formatted:
    """The canonical form of a catalogue file's text; FormatError when it cannot be had safely.

    Each document is formatted on its own; what lies between documents (a comment-only or
    commented-out document, comments after ``...``) is kept as written. The result is checked:
    the same data and every comment of the original, or the file is refused (``LossError``) and
    left as it is.
    """
    from kpigov.loader import FileResult, load_text

    checked = load_text(path, text)
    refused = {
        rule: problems
        for rule, problems in checked.problems.items()
        if rule in ("K001", "K003", "K007")
    }
    first = FileResult([], refused).first_problem()
    if first is not None:
        problem, reason = first
        span = problem.span
        where = f"{span.line}:{span.column}" if span else "1:1"
        raise FormatError(
            f"{path}:{where}: {reason}; fix it before formatting ({next(iter(refused))})"
        )
    lines = text.splitlines(keepends=True)
    pieces = []
    for verbatim, start, end in _document_pieces(text, len(lines)):
        chunk = "".join(lines[start:end])
        pieces.append(chunk if verbatim else _format_document(path, chunk))
    formatted = "".join(pieces)
    if formatted != text:
        _check_lossless(path, text, formatted, checked)
    return Formatted(path, text, formatted)


def format_file(path: Path, name: str) -> Formatted:
    """``format_text`` of a file; files lint refuses (too large, not UTF-8: K007, K001) are
    refused here too, before anything is parsed."""
    from kpigov.loader import MAX_FILE_BYTES, decode

    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise FormatError(f"{name}:1:1: larger than 5 MiB; kpigov does not read it (K007)")
    text, position, problem = decode(raw)
    if text is None:
        span = to_span(position)
        raise FormatError(f"{name}:{span.line}:{span.column}: {problem} (K001)")
    result = format_text(name, text)
    if raw.startswith(b"\xef\xbb\xbf"):  # keep the byte-order mark as it was
        return Formatted(name, "\ufeff" + result.original, "\ufeff" + result.formatted)
    return result


class LossError(FormatError):
    """Formatting would lose a comment or change the data: the file is left as it is."""


def _document_pieces(text: str, line_count: int) -> list[tuple[bool, int, int]]:
    """The file cut into line ranges: (keep verbatim?, first line, end line) in order.

    A document runs from its first line (its ``---``, or its first node) to the line before the
    next document, or to its ``...`` line; empty documents and everything outside documents
    stay as written."""
    from kpigov.loader import document_lines

    pieces: list[tuple[bool, int, int]] = []
    position = 0
    for start, end, empty in document_lines(text):
        end = min(end, line_count)
        if start > position:
            pieces.append((True, position, start))
        if end > start:
            pieces.append((empty, start, end))
        position = max(position, end)
    if position < line_count:
        pieces.append((True, position, line_count))
    return pieces


def _format_document(path: str, chunk: str) -> str:
    yaml = _yaml()
    try:
        document = yaml.load(chunk)
    except Exception as error:  # the loader refused what ruamel cannot read; keep it whole
        raise LossError(f"{path}: cannot be formatted safely ({type(error).__name__})") from None
    if not isinstance(document, CommentedMap) or document.get("kind") not in ORDERS:
        return chunk  # not a catalogue document (or no valid kind): fmt has no form for it
    _canonicalise(document)
    stream = io.StringIO()
    yaml.explicit_start = chunk.lstrip().startswith("---")
    yaml.dump(document, stream)
    out = stream.getvalue()
    explicit_end = chunk.rstrip().endswith("\n...") or chunk.rstrip() == "..."
    if explicit_end and not out.rstrip().endswith("..."):
        out += "...\n"
    return out


def _check_lossless(path: str, original: str, formatted: str, checked: Any) -> None:
    from kpigov.comments import find_comments
    from kpigov.loader import load_text

    again = load_text(path, formatted)
    same_data = [d.data for d in again.documents] == [d.data for d in checked.documents]
    before = sorted(c.text for c in find_comments(original))
    after = sorted(c.text for c in find_comments(formatted))
    if not same_data or before != after or set(again.problems) != set(checked.problems):
        lost = sorted(set(before) - set(after))
        what = f"the comment {lost[0]!r}" if lost else "its data"
        raise LossError(
            f"{path}: left as it is: formatting would change {what}; "
            "format it by hand (or move the comment out of the flow collection)"
        )
