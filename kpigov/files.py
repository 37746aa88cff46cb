"""Finding and reading a catalogue's files: which files are catalogue files (globs, links,
what is always left out) and their bytes, read once for parsing, the cache and git.

Apart from the catalogue's model so that a lint answered from the cache imports neither the YAML
loader nor the schema validator.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from kpigov.config import CACHE_DIR, CONFIG_FILE, Config
from kpigov.findings import Span, Violation
from kpigov.globs import matches

_START = Span(1, 1, 1, 1)


@dataclass
class Discovery:
    yaml_files: list[str] = field(default_factory=list)
    history_files: list[str] = field(default_factory=list)
    problems: list[tuple[str, Violation]] = field(default_factory=list)


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


SITE_MARKER = ".kpigov-site"  # kpigov.handbook.publish.MARKER, without importing the handbook


def discover(config: Config) -> Discovery:
    """Catalogue files below the root: include/exclude globs, and what is always left out.

    Dot-files and dot-folders, the cache, the custom-rules folders and kpigov.yaml itself are never
    catalogue files. A symbolic link is followed only when it stays inside the root (K007 if not).
    """
    found = Discovery()
    root = str(config.root)
    real_root = os.path.realpath(root)
    skip_dirs = {CACHE_DIR, *config.custom_rules}
    history_dir = config.history

    def walk(folder: str, rel: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            found.problems.append(
                (
                    "K001",
                    Violation(
                        file=rel or ".",
                        span=_START,
                        args={
                            "problem": f"cannot read the folder: {error.strerror}",
                            "hint": "check its permissions",
                        },
                    ),
                )
            )
            return
        if rel and any(entry.name == SITE_MARKER for entry in entries):
            return  # a handbook kpigov built: never part of the catalogue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = f"{rel}/{name}" if rel else name
            if path in skip_dirs:
                continue
            is_link = entry.is_symlink()
            if is_link:
                problem = _link_problem(entry.path, real_root)
                if problem:
                    # A link to a folder matters when a YAML file inside it would be included.
                    probe = f"{path}/_.yaml" if os.path.isdir(entry.path) else path
                    read_as_history = (rel == history_dir and name.endswith(".csv")) or (
                        path == history_dir
                    )
                    if read_as_history or (
                        matches(probe, config.include) and not matches(probe, config.exclude)
                    ):
                        found.problems.append(
                            ("K007", Violation(file=path, span=_START, args={"problem": problem}))
                        )
                    continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not is_link:  # a link inside the root is walked at its real place
                    walk(entry.path, path)
                continue
            try:
                if not entry.is_file():  # a FIFO or device would block or never end
                    continue
            except OSError:
                continue
            if rel == history_dir and name.endswith(".csv"):
                found.history_files.append(path)
            elif (
                name.endswith((".yaml", ".yml"))
                and path != CONFIG_FILE
                and matches(path, config.include)
                and not matches(path, config.exclude)
            ):
                found.yaml_files.append(path)

    walk(root, "")
    return found


def _link_problem(path: str, real_root: str) -> str | None:
    target = os.path.realpath(path)
    if not _within(target, real_root):
        return "the symbolic link leads outside the catalogue; copy the file in instead"
    try:
        os.stat(path)
    except OSError as error:
        if error.errno == 40:  # ELOOP
            return "the symbolic link loops back on itself; remove it"
        return "the symbolic link points to nothing; remove it"
    return None


_READ_SIZE = 1 << 16


def _read(root: Path | str, rel: str) -> bytes | str:
    """The file's bytes, or why it cannot be read.

    Plain descriptor reads: a catalogue is tens of thousands of small files, and a buffered file
    object and a pathlib path for each cost more than the reading itself.
    """
    try:
        descriptor = os.open(os.path.join(root, rel), os.O_RDONLY)
    except OSError as error:
        return error.strerror or str(error)
    try:
        chunks = []
        while chunk := os.read(descriptor, _READ_SIZE):
            chunks.append(chunk)
    except OSError as error:
        return error.strerror or str(error)
    finally:
        os.close(descriptor)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class LazyContents(MutableMapping[str, "bytes | str"]):
    """Path -> a catalogue file's bytes (or why it cannot be read), read when asked and not kept.

    A lint without the cache needs each file once, to parse it (in the worker that parses it);
    holding every file's bytes for the whole run cost 750 MB on 100,000 KPIs with their history.
    A value set here (standard input standing in for a file) is kept.
    """

    def __init__(self, root: Path, paths: list[str]) -> None:
        self._root = str(root)
        self._paths = dict.fromkeys(paths)
        self._given: dict[str, bytes | str] = {}

    def __getitem__(self, rel: str) -> bytes | str:
        if rel in self._given:
            return self._given[rel]
        if rel not in self._paths:
            raise KeyError(rel)
        return _read(self._root, rel)

    def __setitem__(self, rel: str, value: bytes | str) -> None:
        self._paths[rel] = None
        self._given[rel] = value

    def __delitem__(self, rel: str) -> None:
        del self._paths[rel]
        self._given.pop(rel, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, rel: object) -> bool:
        return rel in self._paths

    def size(self, rel: str) -> int:
        """The file's size without reading it (0 when it cannot be read)."""
        if rel in self._given:
            return len(self._given[rel])
        try:
            return os.stat(os.path.join(self._root, rel)).st_size
        except OSError:
            return 0


@dataclass
class CatalogueFiles:
    """The catalogue's files as found and read: one read serves parsing, the cache and git."""

    found: Discovery
    # path -> bytes, or why it could not be read (a LazyContents when nothing else needs them)
    contents: MutableMapping[str, bytes | str]


def read_files(config: Config, keep: bool = True) -> CatalogueFiles:
    """The catalogue's files, read now (``keep``) or each time they are asked for."""
    found = discover(config)
    paths = [*found.yaml_files, *found.history_files]
    if not keep:
        return CatalogueFiles(found, LazyContents(config.root, paths))
    root = str(config.root)
    return CatalogueFiles(found, {rel: _read(root, rel) for rel in paths})
