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
    # The files found (of the two lists above) that are symbolic links: every other lies at its
    # own place below the root, since no linked folder is walked.
    links: set[str] = field(default_factory=set)


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
            else:
                continue
            if is_link:
                found.links.add(path)

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
# Non-blocking: a file swapped for a FIFO after discovery (which skips them) reads as empty
# instead of waiting for a writer forever. Regular files read as usual.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)


def _read(root: Path | str, rel: str) -> bytes | str:
    """The file's bytes, or why it cannot be read.

    Plain descriptor reads: a catalogue is tens of thousands of small files, and a buffered file
    object and a pathlib path for each cost more than the reading itself.
    """
    return _read_file(root, rel, False)[0]


def _read_file(
    root: Path | str, rel: str, with_stat: bool
) -> tuple[bytes | str, os.stat_result | None]:
    """:func:`_read`, and (``with_stat``) the stat of the file as it was read; None when it was
    not asked for or the file cannot be read."""
    try:
        descriptor = os.open(os.path.join(root, rel), _READ_FLAGS)
    except OSError as error:
        return error.strerror or str(error), None
    try:
        stat = os.fstat(descriptor) if with_stat else None
        chunks = []
        while chunk := os.read(descriptor, _READ_SIZE):
            chunks.append(chunk)
    except OSError as error:
        return error.strerror or str(error), None
    finally:
        os.close(descriptor)
    return (chunks[0] if len(chunks) == 1 else b"".join(chunks)), stat


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


def stat_identity(stat: os.stat_result) -> list[int]:
    """What a file's stat says of its bytes: size, modification and change times, inode and
    device. The same list from two stats means the file was not written in between."""
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


class FileChangedDuringRun(Exception):
    """A file was written after its stat was taken, in a forked worker (see KeptContents)."""


class KeptContents(LazyContents):
    """:class:`LazyContents` that keeps each file it reads: a run with the cache.

    A warm run needs the bytes of few files (the edited ones): the cache knows the others'
    digests from their stat (:meth:`stat`, see ``LintCache.file_digests``). A file read
    after its stat was taken that is no longer what the stat said (it was written meanwhile)
    sets :attr:`changed_during_run`: a digest taken from the stat would not name the bytes read,
    so the run keeps nothing in the cache that such a digest keys.
    """

    def __init__(self, root: Path, paths: list[str]) -> None:
        super().__init__(root, paths)
        self._kept: dict[str, bytes | str] = {}
        self._stats: dict[str, os.stat_result | None] = {}
        self._root_fd: int | None = None
        self.changed_during_run = False
        self.version = 0  # changes when a file is given or taken away
        self._pid = os.getpid()

    def __getitem__(self, rel: str) -> bytes | str:
        kept = self._kept.get(rel)
        if kept is not None:
            return kept
        if rel in self._given:
            return self._given[rel]
        if rel not in self._paths:
            raise KeyError(rel)
        raw, stat = _read_file(self._root, rel, True)
        taken = self._stats.get(rel)
        if taken is not None and (stat is None or stat_identity(stat) != stat_identity(taken)):
            self.changed_during_run = True
            if os.getpid() != self._pid:
                # A forked worker: its caller would not learn of it. Failing makes the caller
                # do the worker's share itself (kpigov.forked), and so find the change.
                raise FileChangedDuringRun(rel)
        self._kept[rel] = raw
        return raw

    def __setitem__(self, rel: str, value: bytes | str) -> None:
        super().__setitem__(rel, value)
        self.version += 1
        self._kept.pop(rel, None)
        self._stats[rel] = None  # a given text has no stat

    def __delitem__(self, rel: str) -> None:
        super().__delitem__(rel)
        self.version += 1
        self._kept.pop(rel, None)
        self._stats.pop(rel, None)

    def stat(self, rel: str) -> os.stat_result | None:
        """The file's stat, taken once per run (before it is read, if it is); None for a text
        given in its place or a file that cannot be stat-ed."""
        if rel in self._stats:
            return self._stats[rel]
        try:
            if _STAT_IN_FOLDER:  # relative to the root's descriptor: no path joined per file
                if self._root_fd is None:
                    self._root_fd = os.open(self._root, os.O_RDONLY | os.O_DIRECTORY)
                taken: os.stat_result | None = os.stat(rel, dir_fd=self._root_fd)
            else:
                taken = os.stat(os.path.join(self._root, rel))
        except OSError:
            taken = None
        self._stats[rel] = taken
        return taken

    def __del__(self) -> None:
        if self._root_fd is not None:
            os.close(self._root_fd)

    def size(self, rel: str) -> int:
        kept = self._kept.get(rel)
        if kept is not None:
            return len(kept) if isinstance(kept, bytes) else 0
        return super().size(rel)

    def read_all(self) -> None:
        """Read every file now (before workers are forked: what they read is not kept here)."""
        for rel in self:
            self[rel]


_STAT_IN_FOLDER = os.stat in os.supports_dir_fd and hasattr(os, "O_DIRECTORY")


@dataclass
class CatalogueFiles:
    """The catalogue's files as found and read: one read serves parsing, the cache and git."""

    found: Discovery
    # path -> bytes, or why it could not be read; read when first asked for (LazyContents)
    contents: MutableMapping[str, bytes | str]


def read_files(config: Config, keep: bool = True) -> CatalogueFiles:
    """The catalogue's files, each read when first asked for: kept from then on (``keep``, a
    run with the cache), or read again each time."""
    found = discover(config)
    paths = [*found.yaml_files, *found.history_files]
    contents = KeptContents if keep else LazyContents
    return CatalogueFiles(found, contents(config.root, paths))
