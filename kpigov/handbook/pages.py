"""Which handbook pages a build must render again, and which it takes from the last build.

A page is a pure function of its template, the sources its view reads (kpigov/handbook/keys.py
makes its key from them without making the view), the values every page shares (labels,
language, title, date, configuration, rules) and kpigov's code. After a build, a manifest in the
lint cache (``.kpigov_cache/pages/``) records for each page the digest of those inputs and the
digest of the bytes written. The next build into the same folder makes each page's key; when it
is unchanged and the page in the current site still has the recorded bytes, the page is linked
(a hard link, or a copy where links are not possible) into the new site instead of rendered, and
its view is never made. The new site is still built whole beside the old one and swapped in
atomically (kpigov/handbook/publish.py), and it is byte for byte a clean build
(tests/test_handbook_incremental.py).

Whether a page still has the recorded bytes is known without reading it when its size,
modification time and inode are the ones recorded (as git, make and rsync know a file unchanged):
reading and hashing 10,000 pages (175 MB with the overview) took longer than rendering the few
that changed. The manifest records them only for a page last modified at least
:data:`SETTLED_NS` before it was found unchanged (a page just rendered has none), so that an edit within the same tick of a coarse clock
cannot hide behind an unchanged time; other pages are read and compared. A page edited by hand
and then given back its size and time (``touch -r``) is taken as it is.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pickle
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

MANIFEST_FORMAT = 3
# [inputs digest, bytes digest, size:mtime:inode when settled, else ""]
Entry = list[str]
# A page modified this recently when the manifest is written is read and compared next time:
# two seconds is the coarsest modification-time clock in use (FAT).
SETTLED_NS = 2_000_000_000


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
    """What every page is made of: kpigov's code (the loader decides a document's fields from
    its file), the handbook's templates, and ``shared``."""
    from kpigov.cache import code_fingerprint

    head = f"{code_fingerprint()}\0{_code_digest(str(templates))}\0{shared!r}"
    return hashlib.sha1(head.encode("utf-8", "surrogatepass")).hexdigest()


def data_digest(data: Any) -> str:
    """The sha1 of plain data (dicts, lists, text and numbers built in a fixed order), pickled:
    three times as fast as its repr. An object without a stable form only makes a page render
    again; one that cannot be pickled is taken by its repr."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    # Without the memo: a value seen twice is written twice, so that how the objects happen to
    # be shared (a text interned in one build and not in the next) changes nothing.
    pickler.fast = True
    try:
        pickler.dump(data)
        form = buffer.getvalue()
    except Exception:  # any object's own pickling error
        form = repr(data).encode("utf-8", "surrogatepass")
    return hashlib.sha1(form).hexdigest()


def view_digest(template: str, view: Mapping[str, Any]) -> str:
    """The key of a page made of ``template`` and the whole ``view`` it is given."""
    return data_digest((template, view))


def page_digest(shared: str, relative: str, key: str) -> str:
    """What the manifest records of a page's inputs: the shared key, its path and its own."""
    return hashlib.sha1(f"{shared}\0{relative}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()


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
        # Entries of another shape are left out; an entry's parts are compared as they are (a
        # part that is not text matches nothing, and its page is rendered again).
        return {
            relative: entry
            for relative, entry in pages.items()
            if type(entry) is list and len(entry) == 3
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


def write_manifest(
    path: Path | None, out: Path, pages: Mapping[str, Entry], detached: bool = False
) -> None:
    """Record the pages of a build (a manifest that cannot be written only costs the next
    build its reuse). ``detached``: by a detached process, so that a large build does not wait
    for its JSON. A build that starts before it is written reads the last one, which every page
    checks itself against: an entry whose page was rendered since names other inputs, or other
    bytes than the page holds, and the page is rendered again."""
    if path is None:
        return

    def write() -> None:
        from kpigov.atomic import write_atomic

        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(
                path,
                json.dumps({"format": MANIFEST_FORMAT, "out": str(out), "pages": pages}),
                durable=False,
            )

    from kpigov.background import run_detached_or_here

    run_detached_or_here(write, detached)


def signature(page: Path | str, settled_before: int | None = None) -> str:
    """``size:mtime:inode`` of a page ("" when it cannot be read, or, with ``settled_before``,
    when it was modified since then)."""
    try:
        status = os.stat(page)
    except OSError:
        return ""
    if settled_before is not None and status.st_mtime_ns >= settled_before:
        return ""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ino}"


def reuse(old: str, new: str, entry: Entry) -> Entry | None:
    """Put the current site's page ``old`` at ``new`` when it still holds the recorded bytes;
    its entry in the new manifest (none when it does not). A page just written has no
    signature in its entry: it is read and compared next time."""
    if entry[2] and signature(old) == entry[2]:
        with contextlib.suppress(OSError):
            os.link(old, new)
            return entry  # the same file: the same size, time and inode
    expected = entry[1]
    try:
        with open(old, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    if bytes_digest(data) != expected:
        return None  # changed since the last build: rendered again
    try:
        os.link(old, new)
    except OSError:  # a file system without hard links
        with open(new, "wb") as handle:
            handle.write(data)
    return [entry[0], entry[1], signature(new, time.time_ns() - SETTLED_NS)]
