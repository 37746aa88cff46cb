"""Which handbook pages a build must render again, and which it takes from the last build.

A page is a pure function of its template, its view (the values the template reads), the values
every page shares (labels, language, title, date) and kpigov's handbook code. After a build, a
manifest in the lint cache (``.kpigov_cache/pages/``) records for each page the digest of those
inputs and the digest of the bytes written. The next build into the same folder computes each
page's view; when its inputs digest is unchanged and the page in the current site still has the
recorded bytes, the page is linked (a hard link, or a copy where links are not possible) into the
new site instead of rendered. The new site is still built whole beside the old one and swapped
in atomically (kpigov/handbook/publish.py), and it is byte for byte a clean build
(tests/test_handbook_incremental.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = 1
Entry = list[str]  # [inputs digest, bytes digest]


@cache
def _code_digest(templates: str) -> str:
    """The handbook's code and templates: a page of other code is rendered again."""
    digest = hashlib.sha1()
    folders = [Path(__file__).parent, Path(templates), Path(templates) / "assets"]
    for folder in folders:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file():
                with open(entry.path, "rb") as handle:
                    digest.update(entry.name.encode() + b"\0" + handle.read() + b"\0")
    return digest.hexdigest()


def shared_digest(templates: Path, shared: Mapping[str, Any]) -> str:
    return hashlib.sha1(
        f"{_code_digest(str(templates))}\0{shared!r}".encode("utf-8", "surrogatepass")
    ).hexdigest()


def inputs_digest(shared: str, relative: str, template: str, view: Mapping[str, Any]) -> str:
    """What a page is made of. ``repr`` of the view: plain dicts, lists, text and numbers built
    in a fixed order; an object without a stable repr only makes the page render again."""
    text = f"{shared}\0{relative}\0{template}\0{view!r}"
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def bytes_digest(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def read_manifest(path: Path | None, out: Path) -> dict[str, Entry]:
    """The pages of the last build into ``out``; empty when unknown or of any other shape."""
    if path is None:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = json.load(handle)
        if manifest.get("format") != MANIFEST_FORMAT or manifest.get("out") != str(out):
            return {}
        pages = manifest["pages"]
        return {
            str(relative): [str(entry[0]), str(entry[1])]
            for relative, entry in pages.items()
            if isinstance(entry, list) and len(entry) == 2
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


def write_manifest(path: Path | None, out: Path, pages: Mapping[str, Entry]) -> None:
    """Record the pages of a build (a manifest that cannot be written only costs the next
    build its reuse)."""
    if path is None:
        return
    from kpigov.atomic import write_atomic

    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(
            path,
            json.dumps({"format": MANIFEST_FORMAT, "out": str(out), "pages": dict(pages)}),
            durable=False,
        )


def reuse(old: Path, new: str, expected: str) -> bool:
    """Put the current site's page ``old`` at ``new`` when it still holds the recorded bytes."""
    try:
        with open(old, "rb") as handle:
            data = handle.read()
    except OSError:
        return False
    if bytes_digest(data) != expected:
        return False  # changed since the last build: rendered again
    try:
        os.link(old, new)
    except OSError:  # a file system without hard links
        with open(new, "wb") as handle:
            handle.write(data)
    return True
