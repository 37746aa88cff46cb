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
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

KPI_ORDER = [
    "kind",
    "id",
    "name",
    "description",
    "tier",
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
    "frequency",
    "review",
    "baseline",
    "target",
    "thresholds",
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
    "target": ("value", "min", "max", "deadline", "commitment"),
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
    """The canonical form of a catalogue file's text; FormatError when it cannot be had safely."""
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
    yaml = _yaml()
    try:
        documents = list(yaml.load_all(text))
    except (
        Exception
    ) as error:  # pragma: no cover - the loader above refuses what ruamel cannot read
        raise FormatError(f"{path}: {error}") from None
    if not documents:
        return Formatted(path, text, text)
    for document in documents:
        _canonicalise(document)
    stream = io.StringIO()
    explicit_start = text.lstrip().startswith("---")
    yaml.explicit_start = explicit_start
    if len(documents) == 1:
        yaml.dump(documents[0], stream)
    else:
        yaml.dump_all(documents, stream)
    return Formatted(path, text, stream.getvalue())
