"""The whole catalogue: files found, documents validated and indexed by kind and id, history."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import operator
import re
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kpigov.config import Config
from kpigov.effective import apply_defaults_and_parents, configured_schema_errors
from kpigov.files import CatalogueFiles, Discovery, KeptContents, LazyContents, _read, read_files
from kpigov.findings import Span, Violation, format_yaml_path
from kpigov.forked import map_forked
from kpigov.history import History, HistoryProblem, parse_history
from kpigov.loader import DOCUMENT_START, NOTHING_INVALID, Document, FileResult, load_bytes
from kpigov.packing import packable, present_fields
from kpigov.schema import DOCUMENT_KINDS, validate
from kpigov.suppressions import Suppression, find_suppressions

if TYPE_CHECKING:
    from kpigov.cache import LintCache
    from kpigov.gitdiff import BaseCatalogue

OWNER_KINDS = ("person", "team")
T = TypeVar("T")
_START = Span(1, 1, 1, 1)


@dataclass
class Catalogue:
    config: Config
    today: dt.date
    files: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    problems: dict[str, list[Violation]] = field(default_factory=dict)
    kpis: dict[str, Document] = field(default_factory=dict)
    goals: dict[str, Document] = field(default_factory=dict)
    persons: dict[str, Document] = field(default_factory=dict)
    teams: dict[str, Document] = field(default_factory=dict)
    duplicates: list[tuple[Document, Document]] = field(default_factory=list)
    history: dict[str, History] = field(default_factory=dict)
    # Indexed documents of each kind in (file, line) order; filled once by _index.
    ordered: dict[str, list[Document]] = field(default_factory=dict)
    # Inline suppression comments by file.
    suppressions: dict[str, list[Suppression]] = field(default_factory=dict)
    # The catalogue at the --since revision (G rules), when one is given.
    base: BaseCatalogue | None = None
    # Ids written in files that do not parse (K001), as far as they can be read: unknown, not
    # gone — no T605 for their history, no G701, no K005 for references to them.
    unreadable_ids: set[str] = field(default_factory=set)
    unreadable_files: dict[str, set[str]] = field(default_factory=dict)  # file -> those ids
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Path:
        return self.config.root

    def owner(self, owner_id: str) -> Document | None:
        """The person or team with this id (owners share one namespace)."""
        return self.persons.get(owner_id) or self.teams.get(owner_id)

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A value derived from the catalogue, computed once and shared by the checks."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def add_problem(self, rule: str, violation: Violation) -> None:
        self.problems.setdefault(rule, []).append(violation)


def _unreadable(rel: str, reason: str) -> FileResult:
    return FileResult(
        [],
        {
            "K001": [
                Violation(
                    file=rel,
                    span=_START,
                    args={
                        "problem": f"cannot read the file: {reason}",
                        "hint": "check its permissions",
                    },
                )
            ]
        },
    )


def load_file(root: Path, rel: str) -> FileResult:
    raw = _read(root, rel)
    return _unreadable(rel, raw) if isinstance(raw, str) else load_bytes(rel, raw)


def _validate(document: Document) -> list[Violation]:
    """K002 errors of one document; sets its kind, id and invalid fields."""
    data = document.data
    if not isinstance(data, dict):
        return [
            Violation(
                file=document.file,
                document=document,
                path=DOCUMENT_START,
                args={
                    "message": f"a catalogue document must be a mapping with a kind, not {_shape(data)}",
                    "message_nl": "een document van de catalogus is een mapping met een kind, "
                    f"geen {_shape(data, 'nl')}",
                },
            )
        ]
    kind = data.get("kind")
    if kind not in DOCUMENT_KINDS:
        kinds = ", ".join(DOCUMENT_KINDS)
        if kind in (None, "", []):
            message = f"the document has no kind; add `kind:` with one of {kinds}"
            message_nl = f"het document heeft geen kind; voeg `kind:` toe met een van {kinds}"
        else:
            message = f"kind: {kind!r} is not one of {kinds}"
            message_nl = f"kind: {kind!r} is niet een van {kinds}"
        return [
            Violation(
                file=document.file,
                document=document,
                path=("kind",) if "kind" in data else DOCUMENT_START,
                args={"message": message, "message_nl": message_nl},
            )
        ]
    document.kind = kind
    violations = []
    invalid: set[str] = set()
    for error in validate(kind, data):
        invalid.add(str(error.path[0]) if error.path else "")
        if error.meant is not None and error.meant not in data:
            invalid.add(error.meant)  # 'ownr:' is a broken owner, not a missing one
        violations.append(
            Violation(
                file=document.file,
                document=document,
                path=error.path,
                on_key=error.on_key,
                args={"message": error.message, "message_nl": error.message_nl or error.message},
                fingerprint_path=format_yaml_path(error.path),
            )
        )
    for path in document.nonfinite:
        invalid.add(str(path[0]))
        violations.append(
            Violation(
                file=document.file,
                document=document,
                path=path,
                args={
                    "message": f"{format_yaml_path(path)}: numbers must be finite and at "
                    "most 20 digits long (.inf, .nan and huge numbers are not values a KPI can have)",
                    "message_nl": f"{format_yaml_path(path)}: getallen zijn eindig en hoogstens "
                    "20 cijfers lang (.inf, .nan en enorme getallen zijn geen waarden van een KPI)",
                },
                fingerprint_path=format_yaml_path(path),
            )
        )
    document.invalid = frozenset(invalid) if invalid else NOTHING_INVALID
    identifier = data.get("id")
    if "id" not in invalid and isinstance(identifier, str) and identifier:
        document.id = identifier
    return violations


def _shape(data: object, language: str = "en") -> str:
    nl = language == "nl"
    if data is None:
        return "een leeg document" if nl else "an empty document"
    if isinstance(data, list):
        return "een lijst" if nl else "a list"
    return f"de losse waarde {data!r}" if nl else f"the single value {data!r}"


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading.

    Loading creates millions of small objects without cycles; every automatic collection would
    rescan all of them, which costs more than the loading itself. Afterwards the loaded objects are
    frozen, so that later collections skip them too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()


def _size(contents: MutableMapping[str, bytes | str], rel: str) -> int:
    if isinstance(contents, LazyContents):
        return contents.size(rel)
    raw = contents[rel]
    return len(raw) if isinstance(raw, bytes) else 0


def build_catalogue(
    config: Config,
    today: dt.date,
    files: CatalogueFiles | None = None,
    cache: LintCache | None = None,
    pack: Callable[[Document], None] | None = None,
) -> Catalogue:
    """Find, load, validate and index every catalogue file (unchanged files from the cache);
    ``pack`` packs each KPI that can be as it is loaded (kpigov/packing.py)."""
    with collector_paused():
        return _build_catalogue(config, today, files or read_files(config), cache, pack)


_Loaded = tuple[FileResult, list[Violation], list[Suppression]]
# Bytes of YAML per worker below which loading stays in one process: forking and sending results
# back cost more than parsing a few hundred small files (about 1 MB).
PARALLEL_SHARE = 1_000_000


def _load_yaml(
    rel: str,
    raw: bytes | str,
    cache: LintCache | None,
    pack: Callable[[Document], None] | None = None,
) -> _Loaded:
    """A file's documents (validated), their problems and schema errors, and its suppressions;
    with ``pack``, its KPIs packed (kpigov/packing.py)."""
    if isinstance(raw, str):
        return _unreadable(rel, raw), [], []
    if cache is not None:
        cached = cache.load_yaml(rel, raw)
        if cached is not None:
            result, schema_errors, comments = cached
            _pack_kpis(result.documents, pack)
            return result, schema_errors, [Suppression.from_json(rel, item) for item in comments]
    result = load_bytes(rel, raw)
    schema_errors = [
        violation for document in result.documents for violation in _validate(document)
    ]
    comments = find_suppressions(rel, raw.decode("utf-8", "replace")) if b"kpigov:" in raw else []
    if cache is not None:  # its entry is encoded later, from the documents' whole data
        cache.store_yaml(
            rel, raw, result, schema_errors, [comment.to_json() for comment in comments]
        )
    _pack_kpis(result.documents, pack)
    return result, schema_errors, comments


def _pack_kpis(documents: list[Document], pack: Callable[[Document], None] | None) -> None:
    if pack is not None:
        for document in documents:
            if packable(document):
                pack(document)


def _load_history(rel: str, raw: bytes | str) -> History:
    """A history file; parsed every time, which is faster than reading a cache entry would be."""
    kpi_id = rel.rsplit("/", 1)[-1][: -len(".csv")]
    if isinstance(raw, str):
        history = History(kpi_id, rel)
        history.problems = [HistoryProblem(_START, f"cannot read the file: {raw}")]
        return history
    return parse_history(kpi_id, rel, raw)


# Per byte, parsing a history file costs about half as much as parsing YAML, and reading a YAML
# file's entry from the cache a fifth.
HISTORY_COST = 0.5
CACHED_COST = 0.2


def _build_catalogue(
    config: Config,
    today: dt.date,
    files: CatalogueFiles,
    cache: LintCache | None,
    pack: Callable[[Document], None] | None = None,
) -> Catalogue:
    found = files.found
    catalogue = new_catalogue(config, today, found)
    contents = files.contents
    if isinstance(contents, KeptContents):
        contents.read_all()  # here, before the workers are forked, so that they are kept
    yaml_files, history_files = found.yaml_files, found.history_files
    history_set = set(history_files)

    def load(rel: str) -> _Loaded | History:
        raw = contents[rel]
        return _load_history(rel, raw) if rel in history_set else _load_yaml(rel, raw, cache, pack)

    in_cache = (
        {
            rel
            for rel in yaml_files
            if isinstance(raw := contents[rel], bytes) and cache.has_yaml(rel, raw)
        }
        if cache is not None
        else set()
    )

    def cost(rel: str) -> float:
        size = _size(contents, rel)
        if rel in history_set:
            return size * HISTORY_COST
        return size * CACHED_COST if rel in in_cache else size

    # New cache entries are written when the caller flushes the cache, except a worker's: each
    # worker leaves its own to a detached process once its results are sent.
    # One list of work, YAML files first: the calling process takes the first share, and the
    # workers' shares end with the history files, whose results are the cheapest to send back.
    # A file read from the cache stays here: sending its documents back costs more than reading.
    loaded = map_forked(
        load,
        [*yaml_files, *history_files],
        min_share=PARALLEL_SHARE,
        cost=cost,
        local=in_cache.__contains__ if in_cache else None,
        worker_done=(lambda: cache.flush(background=True)) if cache is not None else None,
    )
    for rel, item in zip(yaml_files, loaded[: len(yaml_files)], strict=True):
        # The bytes again only for a file that does not parse (its ids are guessed from them):
        # without the cache they are read from disk each time they are asked for.
        raw = contents[rel] if "K001" in item[0].problems else b""  # type: ignore[union-attr]
        add_yaml_file(catalogue, rel, raw, item)  # type: ignore[arg-type]
    finish_catalogue(catalogue, history_files, loaded[len(yaml_files) :])  # type: ignore[arg-type]
    return catalogue


def new_catalogue(config: Config, today: dt.date, found: Discovery) -> Catalogue:
    """An empty catalogue with the problems found while looking for its files."""
    catalogue = Catalogue(config=config, today=today)
    for rule, violation in found.problems:
        catalogue.add_problem(rule, violation)
        catalogue.files.append(violation.file)
    return catalogue


def add_yaml_file(catalogue: Catalogue, rel: str, raw: bytes | str, loaded: _Loaded) -> None:
    """A loaded YAML file's documents, problems and suppressions, into the catalogue."""
    result, schema_errors, comments = loaded
    if comments:
        catalogue.suppressions[rel] = comments
    catalogue.files.append(rel)
    for rule, violations in result.problems.items():
        catalogue.problems.setdefault(rule, []).extend(violations)
    if "K001" in result.problems:
        ids = ids_written_in(raw)
        catalogue.unreadable_ids |= ids
        catalogue.unreadable_files[rel] = ids
    for violation in configured_schema_errors(catalogue.config, schema_errors, result.documents):
        catalogue.add_problem("K002", violation)
    catalogue.documents.extend(result.documents)


def finish_catalogue(
    catalogue: Catalogue, history_files: list[str], histories: list[History]
) -> None:
    """Index the documents, fill in what KPIs take from parents and defaults, add the history."""
    _index(catalogue)
    apply_defaults_and_parents(catalogue)
    for rel, history in zip(history_files, histories, strict=True):
        catalogue.history[history.kpi_id] = history
        catalogue.files.append(rel)
    catalogue.files.sort()


_ID_LINE = re.compile(
    rb"""^\s*(?:-\s+)?id:\s*["']?([a-z0-9]+(?:[._-][a-z0-9]+)*)["']?\s*(?:#.*)?$""", re.M
)


def ids_written_in(raw: bytes | str) -> set[str]:
    """The ids a file that does not parse seems to hold: each `id: x` line."""
    return (
        {match.decode("ascii") for match in _ID_LINE.findall(raw)}
        if isinstance(raw, bytes)
        else set()
    )


_ID_FILE_ROOT = operator.attrgetter("id", "file", "root")
_FILE_ROOT = operator.attrgetter("file", "root")


def _index(catalogue: Catalogue) -> None:
    """Documents by kind and id; the first in (id, path, line) order wins, the rest are K004."""
    namespaces = {
        "kpi": catalogue.kpis,
        "goal": catalogue.goals,
        "person": catalogue.persons,
        "team": catalogue.teams,
    }
    firsts: dict[tuple[str, str], Document] = {}
    # By (id, path, line): a document's packed root position orders as its line does (two
    # documents never start on one line), and is read without a call.
    ordered = sorted((d for d in catalogue.documents if d.kind and d.id), key=_ID_FILE_ROOT)
    # The fields the rules read are gathered in one pass after loading, so that they lie close
    # together in memory: every rule walks all of them, and scattered objects cost cache misses.
    for document in ordered:
        data = document.data
        if document.fields is data:
            continue  # known to be (a document from the incremental lint's state)
        # The data itself when nothing is left out (most documents): one dict fewer each. What
        # writes to fields copies it first (effective.own_fields).
        document.fields = present_fields(data, document.invalid)
    for document in ordered:
        namespace = "owner" if document.kind in OWNER_KINDS else document.kind
        key = (namespace, document.id)
        first = firsts.get(key)
        if first is not None:
            catalogue.duplicates.append((document, first))
            continue
        firsts[key] = document
        namespaces[document.kind][document.id] = document  # type: ignore[index]
    for kind, table in namespaces.items():
        catalogue.ordered[kind] = sorted(table.values(), key=_FILE_ROOT)


def iter_kind(catalogue: Catalogue, kind: str) -> list[Document]:
    """Indexed documents of one kind in (file, line) order."""
    return catalogue.ordered.get(kind, [])
