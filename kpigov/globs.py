"""Glob patterns relative to the catalogue root: ``*`` within a folder, ``**`` across folders."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Regex for a root-relative glob; ``**/`` matches zero or more folders."""
    pattern = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matches(path: str, patterns: Iterable[str]) -> bool:
    """True when the path, or one of its folders, matches one of the patterns."""
    for pattern in patterns:
        regex = compile_glob(pattern)
        if regex.match(path):
            return True
        # `exclude: [legacy]` or `legacy/` leaves out the whole folder, as in .gitignore.
        parent = path
        while "/" in parent:
            parent = parent.rsplit("/", 1)[0]
            if regex.match(parent) or regex.match(parent + "/"):
                return True
    return False
