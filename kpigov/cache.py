"""The lint cache under ``<root>/.kpigov_cache/``: an unchanged catalogue is checked in the time it
takes to read it.

Two levels, both keyed by content hashes:

- per file: the validated documents of a YAML file (data, positions, kind, id, invalid fields),
  its problems and suppression comments — so an edit re-parses only the edited file (history
  CSVs are parsed faster than a cache entry could be read, so they are not cached);
- per run: the findings of a whole lint, keyed by every input (kpigov's code, the effective
  configuration, the rules, today, the base revision, the baseline, PATHS and every file's hash).

A file's hash is taken again only when its stat (size, modification and change times, inode)
differs from the one kept with the hash, as git's index does (see :data:`RACY_NS`).

Entries are JSON, not pickle: the cache lives in a repository, and a cache planted by a commit
must never be able to run code. A corrupt, foreign or unreadable entry is a miss and is rebuilt;
writes are atomic, so concurrent runs at worst compute the same entry twice. A read-only
catalogue simply runs without a cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpigov import __version__
from kpigov.config import CACHE_DIR
from kpigov.files import stat_identity
from kpigov.findings import FINDING_JSON_TYPES, Finding, Span, Violation, finding_from_json

if TYPE_CHECKING:
    from kpigov.loader import Document, FileResult

CACHE_FORMAT = 3


@cache
def code_fingerprint() -> str:
    """kpigov's version and the state of its own code and data: a cache from other code is foreign."""
    from kpigov.resources import data_dir

    digest = hashlib.sha256(f"kpigov {__version__} cache {CACHE_FORMAT}".encode())
    package = Path(__file__).resolve().parent
    folders = [package, package / "checks", data_dir("schemas"), data_dir("rules")]
    for folder in folders:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith((".py", ".json", ".yaml")):
                stat = entry.stat()
                digest.update(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def file_key(path: str, digest: str) -> str:
    """The entry key of a file: this code, its path, and the digest of its content."""
    return hashlib.sha256(f"{code_fingerprint()}\0{path}\0{digest}".encode()).hexdigest()


# New file entries from this many on are written by a detached process after the run (see flush).
BACKGROUND_FROM = 200
# The stats of the files are kept with their digests, as git's index keeps them, so that a warm
# run reads only the files whose size, times or inode changed. A stat is kept only when both its
# times lie this far in the past: a file written again within one tick of the clock (coarse on
# some file systems) after it was read could show the same times with other bytes, but a file
# written after a run whose times were already old gets new ones. Its change time cannot be set
# back by any tool, so a file restored with its old modification time is seen as well.
RACY_NS = 3_000_000_000
# The kept stats are written again once this many files (or a quarter of them) are new to them.
STATS_REWRITE_FROM = 16
STATS_KEY = "file-stats"
# Only POSIX stats carry a change time that no tool can set (on Windows st_ctime is when the file
# was made): elsewhere every file is read and hashed.
STAT_HAS_CHANGE_TIME = os.name == "posix"


class LintCache:
    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR
        self.enabled = True
        self.note: str | None = None
        self._digests: dict[str, tuple[bytes, str]] = {}
        self._prepared = False  # the folder, its .gitignore and CACHEDIR.TAG exist
        self._pid = os.getpid()
        # File entries to write: (key, result, schema errors, suppressions), encoded when written.
        self.pending: list[tuple[str, FileResult, list[Violation], Any]] = []
        # The incremental lint's state to write: its key and how to encode it.
        self.pending_state: tuple[str, Callable[[], Any]] | None = None
        self._large_state = False
        # Files loaded in this run, by entry key: an incremental lint that gives up hands its
        # edited files to the cold one without parsing them twice.
        self.loaded: dict[str, tuple[FileResult, list[Violation], Any]] = {}
        # path -> [size, mtime_ns, ctime_ns, inode, device, digest of the bytes], as kept
        # (``stats``, read when first needed) and as this run found them; and how many of those
        # this run added.
        self._stats: dict[str, Any] | None = None
        self._kept_stats: dict[str, list[Any]] = {}
        self._new_stats = 0
        # The contents the digests were last taken of, their version, and the digests.
        self._digests_of: tuple[Any, int, dict[str, str]] | None = None

    def digest(self, path: str, content: bytes) -> str:
        """The hash of a file's content, computed once per run (for the same bytes object): the
        key of the run's findings and the key of the file's entry are both made from it."""
        known = self._digests.get(path)
        if known is not None and known[0] is content:
            return known[1]
        digest = hashlib.sha1(content).hexdigest()
        self._digests[path] = (content, digest)
        return digest

    def file_digests(self, contents: Mapping[str, bytes | str]) -> dict[str, str]:
        """Path -> digest of every file, in path order (why it could not be read, for a file
        that could not): what a run's findings depend on of the files.

        A file whose stat is the one kept with its digest by an earlier run is not read: the
        kept digest is its digest (see :data:`RACY_NS` for why that is safe).
        """
        stat_of = getattr(contents, "stat", None)
        if stat_of is None or not STAT_HAS_CHANGE_TIME:
            return {path: self._digest_of(path, contents[path]) for path in sorted(contents)}
        version: int = contents.version  # type: ignore[attr-defined]
        memo = self._digests_of
        if memo is not None and memo[0] is contents and memo[1] == version:
            return memo[2]  # asked for by the run's key, the state, the build
        known = self._known_stats()
        recent = time.time_ns() - RACY_NS
        digests: dict[str, str] = {}
        kept_stats = self._kept_stats
        for path in sorted(contents):
            taken = stat_of(path)  # before the file is read, if it is
            if taken is not None:
                identity = stat_identity(taken)
                kept = kept_stats.get(path) or known.get(path)
                if (
                    type(kept) is list
                    and len(kept) == 6
                    and kept[:5] == identity
                    and type(kept[5]) is str
                ):
                    digests[path] = kept[5]
                    kept_stats[path] = kept
                    continue
            raw = contents[path]
            digest = digests[path] = self._digest_of(path, raw)
            old_enough = taken is not None and max(taken.st_mtime_ns, taken.st_ctime_ns) < recent
            if old_enough and isinstance(raw, bytes):
                kept_stats[path] = [*identity, digest]
                self._new_stats += 1
        self._digests_of = (contents, version, digests)
        return digests

    def _digest_of(self, path: str, raw: bytes | str) -> str:
        return self.digest(path, raw) if isinstance(raw, bytes) else f"unreadable {raw}"

    def _known_stats(self) -> dict[str, Any]:
        """The stats and digests an earlier run kept (``stats`` of the cache), read once; each
        is checked when used."""
        if self._stats is None:
            value = self.read("stats", STATS_KEY)
            self._stats = value if isinstance(value, dict) else {}
        return self._stats

    def trusted(self) -> bool:
        """False once a file read in this run turned out written since its stat was taken: then
        a digest taken from the stat may not name the bytes read, and nothing such digests key
        (the run's findings, the state, the stats) may be kept."""
        contents = self._digests_of[0] if self._digests_of is not None else None
        changed = bool(getattr(contents, "changed_during_run", False))
        if changed and self.note is None:
            self.note = (
                "a catalogue file changed while kpigov ran; this run's results were not kept "
                "in the cache"
            )
        return not changed

    def _pending_stats(self) -> dict[str, list[Any]] | None:
        """The stats to keep (those of this run's files), when enough files are new to the kept
        ones: below that, each run takes the digests of those few files again, which costs less
        than writing them all."""
        new = self._new_stats
        if not new or (new < STATS_REWRITE_FROM and new * 4 < len(self._kept_stats)):
            return None
        return dict(sorted(self._kept_stats.items()))

    def file_digest_parts(self, contents: Mapping[str, bytes | str]) -> list[str]:
        """:meth:`file_digests` as parts of a run's key."""
        return [f"{path}\0{digest}" for path, digest in self.file_digests(contents).items()]

    def _file_key(self, path: str, content: bytes) -> str:
        return file_key(path, self.digest(path, content))

    # -- storage -------------------------------------------------------------------------
    def _path(self, kind: str, key: str) -> str:
        # A plain string: pathlib would cost more than reading the entry, ten thousand times.
        return os.path.join(self.folder, kind, key[:2], f"{key}.json")

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry is there to read (it may still turn out unreadable)."""
        return self.enabled and os.path.exists(self._path(kind, key))

    def read(self, kind: str, key: str) -> Any:
        if not self.enabled:
            return None
        try:
            with open(self._path(kind, key), encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError, RecursionError, MemoryError):
            return None  # unreadable, not JSON, or nested too deep to parse: rebuilt
        if (
            not isinstance(entry, dict)
            or entry.get("format") != CACHE_FORMAT
            or entry.get("key") != key
        ):
            return None  # foreign or corrupt: rebuilt on this run
        return entry.get("value")

    def prepare_folder(self) -> None:
        """Create the cache folder with its .gitignore and CACHEDIR.TAG, once per run."""
        from kpigov.atomic import write_atomic

        if self._prepared:  # once per run, not once per entry
            return
        if not self.folder.exists():
            # Forked loaders may get here at the same moment: creating is idempotent.
            self.folder.mkdir(exist_ok=True)
            write_atomic(self.folder / ".gitignore", "# kpigov's lint cache\n*\n")
            write_atomic(
                self.folder / "CACHEDIR.TAG",
                "Signature: 8a477f597d28d172789f06886806bc55\n# kpigov lint cache; safe to delete\n",
            )
        self._prepared = True

    def _cannot_write(self, error: OSError) -> None:
        self.enabled = False
        self.note = (
            f"the cache in {self.folder} cannot be written ({error.strerror}); running without it"
        )

    def write(self, kind: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        from kpigov.atomic import write_atomic

        path = self._path(kind, key)
        try:
            self.prepare_folder()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomic(
                Path(path),
                json.dumps(
                    {"format": CACHE_FORMAT, "key": key, "value": value}, separators=(",", ":")
                ),
                durable=False,  # a broken entry is rebuilt, so waiting for the disk buys nothing
            )
        except OSError as error:
            self._cannot_write(error)

    # -- files -----------------------------------------------------------------------------
    def load_yaml(
        self, path: str, content: bytes
    ) -> tuple[FileResult, list[Violation], Any] | None:
        key = self._file_key(path, content)
        if key in self.loaded:
            # Fresh documents, as from the entry: the catalogue changes the ones it holds.
            return _decode_file(path, _encode_file(*self.loaded[key]))
        value = self.read("files", key)
        if value is None:
            return None
        try:
            return _decode_file(path, value)
        except Exception:  # an entry of any other shape (edited, foreign, planted): rebuilt
            return None

    def has_yaml(self, path: str, content: bytes) -> bool:
        """Whether an entry for this content exists (it is checked only when read)."""
        if not self.enabled:
            return False
        key = self._file_key(path, content)
        return key in self.loaded or os.path.exists(self._path("files", key))

    def store_yaml(
        self,
        path: str,
        content: bytes,
        result: FileResult,
        schema_errors: list[Violation],
        suppressions: Any,
    ) -> None:
        """Keep a file's entry to be written by :meth:`flush`."""
        if self.enabled:
            key = self._file_key(path, content)
            self.pending.append((key, result, schema_errors, suppressions))
            self.loaded[key] = (result, schema_errors, suppressions)

    def keep_state(self, key: str, encode: Callable[[], Any], files: int) -> None:
        """Keep the incremental lint's state of a catalogue of ``files`` YAML files, to be
        written by :meth:`flush` (by a detached process from :data:`BACKGROUND_FROM` files)."""
        self.pending_state = (key, encode)
        self._large_state = files >= BACKGROUND_FROM

    def refresh_state(self, key: str) -> None:
        """Mark a state kept as in use: the newest states are the ones kept."""
        with contextlib.suppress(OSError):
            os.utime(self._path("state", key))

    def flush(self, background: bool = False) -> None:
        """Write the pending file entries and state.

        With ``background``, many entries (a first run over a large catalogue: ten thousand small
        files) or a state are written by a detached process, so that the run's answer does not
        wait for them; a run that starts before they are all written recomputes what it misses.
        """
        pending, self.pending = self.pending, []
        state, self.pending_state = self.pending_state, None
        # A forked loader's flush writes its file entries only: the rest is its parent's.
        stats = self._pending_stats() if os.getpid() == self._pid else None
        self._new_stats = 0
        if not self.trusted():
            state = stats = None  # the file entries are keyed by the bytes read: still right
        if (not pending and state is None and stats is None) or not self.enabled:
            return
        if background and (len(pending) >= BACKGROUND_FROM or self._large_state):
            from kpigov.background import run_detached

            try:
                self.prepare_folder()  # so that a cache that cannot be written is noted here
            except OSError as error:
                self._cannot_write(error)
                return
            if run_detached(lambda: self._write_entries(pending, state, stats)):
                return
        self._write_entries(pending, state, stats)

    def _write_entries(
        self,
        pending: list[tuple[str, FileResult, list[Violation], Any]],
        state: tuple[str, Callable[[], Any]] | None = None,
        stats: dict[str, list[Any]] | None = None,
    ) -> None:
        for key, result, schema_errors, suppressions in pending:
            self.write("files", key, _encode_file(result, schema_errors, suppressions))
        if stats is not None:
            self.write("stats", STATS_KEY, stats)
        if state is not None:
            from kpigov.incremental import forget_old_states

            key, encode = state
            self.write("state", key, encode())
            forget_old_states(self)

    # -- whole runs ----------------------------------------------------------------------------
    def load_findings(self, key: str) -> tuple[list[Finding], int, list[str]] | None:
        value = self.read("runs", key)
        if value is None:
            return None
        try:
            findings = [_decode_finding(item) for item in value["findings"]]
            return findings, int(value["files_checked"]), list(value["rules_run"])
        except Exception:  # an entry of any other shape: rebuilt
            return None

    def store_findings(
        self, key: str, findings: list[Finding], files_checked: int, rules_run: list[str]
    ) -> None:
        if not self.trusted():
            return
        encoded = [{**asdict(f), "related": list(f.related)} for f in findings]
        self.write(
            "runs",
            key,
            {"findings": encoded, "files_checked": files_checked, "rules_run": rules_run},
        )


def run_key(parts: list[str]) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        digest.update(b"\0" + part.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


# -- encoding ---------------------------------------------------------------------------------
def _encode_violation(violation: Violation, documents: list[Document]) -> dict[str, Any]:
    index = next((i for i, d in enumerate(documents) if d is violation.document), None)
    return {
        "file": violation.file,
        "args": dict(violation.args),
        "document": index,
        "path": list(violation.path),
        "on_key": violation.on_key,
        "span": list(violation.span) if violation.span is not None else None,
        "variant": violation.variant,
        "related": list(violation.related),
        "fingerprint_path": violation.fingerprint_path,
    }


def _decode_violation(item: dict[str, Any], documents: list[Document]) -> Violation:
    index = item["document"]
    return Violation(
        file=item["file"],
        args=item["args"],
        document=documents[index] if index is not None else None,
        path=tuple(item["path"]),
        on_key=item["on_key"],
        span=Span(*item["span"]) if item["span"] is not None else None,
        variant=item["variant"],
        related=tuple(item["related"]),
        fingerprint_path=item["fingerprint_path"],
    )


def _encode_file(
    result: FileResult, schema_errors: list[Violation], suppressions: Any
) -> dict[str, Any]:
    documents = result.documents
    return {
        "documents": [
            {
                "data": document.whole_data(),
                "root": document.root,
                "positions": document.encoded_positions(),
                "nonfinite": [list(path) for path in document.nonfinite],
                "kind": document.kind,
                "id": document.id,
                "invalid": sorted(
                    document.invalid if document.schema_invalid is None else document.schema_invalid
                ),
            }
            for document in documents
        ],
        "problems": {
            rule: [_encode_violation(v, documents) for v in items]
            for rule, items in result.problems.items()
        },
        "schema": [_encode_violation(v, documents) for v in schema_errors],
        "suppressions": suppressions,
    }


def _decode_file(path: str, value: dict[str, Any]) -> tuple[FileResult, list[Violation], Any]:
    # The loader is imported here: a lint answered from the cache never needs it.
    from kpigov.loader import NOTHING_INVALID, Document, FileResult, decode_positions

    documents = []
    for item in value["documents"]:
        # Positions stay encoded (base64) until Document.position needs them: check their shape
        # here, so that a planted entry is rebuilt rather than failing a later finding.
        if not (
            isinstance(item["data"], dict)
            and isinstance(item["root"], int)
            and isinstance(item["positions"], str)
            and item["positions"][:1] in ("I", "Q")
            and len(item["positions"]) % 4 == 1
            and isinstance(item["kind"], (str, type(None)))
            and isinstance(item["id"], (str, type(None)))
        ):
            raise ValueError("not a cache entry kpigov wrote")
        decode_positions(item["positions"])  # here, so that a planted entry is rebuilt
        document = Document(
            path,
            item["data"],
            item["root"],
            item["positions"],
            [tuple(p) for p in item["nonfinite"]] or (),
        )
        document.kind = item["kind"]
        document.id = item["id"]
        document.invalid = frozenset(item["invalid"]) if item["invalid"] else NOTHING_INVALID
        documents.append(document)
    problems = {
        rule: [_decode_violation(v, documents) for v in items]
        for rule, items in value["problems"].items()
    }
    schema_errors = [_decode_violation(v, documents) for v in value["schema"]]
    return FileResult(documents, problems), schema_errors, value["suppressions"]


def _decode_finding(item: dict[str, Any]) -> Finding:
    if not isinstance(item, dict) or item.keys() != FINDING_JSON_TYPES.keys():
        raise ValueError("not a finding kpigov wrote")
    return finding_from_json(item)
