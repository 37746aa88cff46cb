"""The comments of a YAML text, as YAML's own tokenizer sees them.

A ``#`` starts a comment when it is at the start of a line or after a space or tab, and is not
inside a token (a quoted or block scalar, or a plain scalar such as ``a#b``). Counting quotes on
the line is not enough: ``description: Demo's.  # kpigov: ignore[S101] reason`` holds an
apostrophe in a plain scalar, and ``'a # b'`` holds no comment at all. So libyaml's scanner
gives the spans of every token, and a ``#`` outside all of them is a comment.

Used by the inline suppressions and by ``fmt``'s check that no comment is lost.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

try:
    from yaml.cyaml import CParser as _Scanner
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _Scanner  # type: ignore[assignment]


@dataclass(frozen=True)
class Comment:
    line: int  # 0-based
    column: int  # 0-based, in code points
    text: str  # from '#' to the end of the line, trailing whitespace removed
    alone: bool  # nothing but whitespace before it on its line


def _token_spans(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]], int | None]:
    """Start and end (line, column) of each token, and the line where scanning failed (if it did)."""
    starts: list[tuple[int, int]] = []
    ends: list[tuple[int, int]] = []
    scanner = _Scanner(text)
    failed_at: int | None = None
    try:
        while True:
            token = scanner.get_token()
            if token is None:
                break
            start, end = token.start_mark, token.end_mark
            if (start.line, start.column) != (end.line, end.column):
                starts.append((start.line, start.column))
                ends.append((end.line, end.column))
    except Exception as error:  # a syntax error: after it, '#' after whitespace counts
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        failed_at = mark.line if mark is not None else 0
    finally:
        dispose = getattr(scanner, "dispose", None)
        if dispose is not None:
            dispose()
    return starts, ends, failed_at


def find_comments(text: str) -> list[Comment]:
    """Every comment of ``text``, in order."""
    if "#" not in text:
        return []
    starts, ends, failed_at = _token_spans(text)
    comments = []
    for number, line in enumerate(text.splitlines()):
        column = line.find("#")
        while column != -1:
            after_space = column == 0 or line[column - 1] in " \t"
            if after_space and not _inside_token(starts, ends, (number, column), number, failed_at):
                comments.append(
                    Comment(number, column, line[column:].rstrip(), not line[:column].strip())
                )
                break  # the rest of the line is this comment
            column = line.find("#", column + 1)
    return comments


def _inside_token(
    starts: list[tuple[int, int]],
    ends: list[tuple[int, int]],
    position: tuple[int, int],
    line: int,
    failed_at: int | None,
) -> bool:
    if failed_at is not None and line >= failed_at:
        return False
    index = bisect_right(starts, position) - 1
    return index >= 0 and position < ends[index]
