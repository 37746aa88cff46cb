"""Incremental lint: after an edit, only what the edited files can change is checked again.

Every lint that computes its findings leaves the *state* of the catalogue in the cache
(``.kpigov_cache/state/``), keyed by what its findings depend on besides the files (kpigov's code,
the effective configuration, the rules, the date). PATHS, the baseline and ``--since`` act after
the rules or on the governance rules only, so one state serves them all. Per file, the state holds:

- its digest, and its documents as *summaries*: a goal, person or team whole, a KPI with only the
  fields the catalogue-wide rules read (:data:`KPI_FIELDS_READ`), a long description as the digest
  of its normalised text (Z505 only compares descriptions), and no positions;
- its suppression comments, and for a history file its lowest and highest value;
- the raw findings of its *local* rules: the built-in per-KPI rules and the loader's K001, K002,
  K003 and K007, whose findings in a file depend on nothing but that file and what the catalogue
  holds besides KPIs;
- per catalogue-wide rule, its raw findings.

The next lint with the same settings that finds only KPI files edited (same ids, still parsing):

- builds the catalogue from the summaries and the edited files (read from their cache entries or
  parsed); a finding on a summary reads its position from the file's cache entry, and a history
  is parsed, only when something needs it;
- runs the local rules on the edited files, and takes the other files' findings from the state;
- runs a catalogue-wide rule again when an edit changed a field it reads (or it had a finding in
  an edited file, or an edited KPI moved in its file or changed its parent), and takes its
  findings from the state otherwise; the governance rules (G) and house rules always run, the G
  rules on whole documents (every file that holds a KPI of the --since revision is read whole);
- finishes as a cold lint does (per-file ignores, PATHS, suppressions, X rules, order,
  fingerprints, baseline).

So its output is byte-identical to a cold lint's: tests/test_incremental.py edits random fields
of random files of real catalogues and compares. Anything else is linted cold, which leaves a new
state: a file added, removed or unreadable, a history file changed, an edited file that does not
parse (or did not), holds another kind of document, or changes its KPI ids, an edited KPI whose id
is duplicated or that is another KPI's parent (the child takes fields from it).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kpigov.catalogue import (
    Catalogue,
    _load_history,
    _load_yaml,
    add_yaml_file,
    finish_catalogue,
    new_catalogue,
)
from kpigov.checks.common import checked_kpis, derived
from kpigov.checks.size import definition_keys, formula_definition
from kpigov.effective import configured_schema_errors
from kpigov.engine import FILE_PROBLEM_RULES, RulePlan, is_local, raw_findings
from kpigov.files import CatalogueFiles
from kpigov.findings import Finding, raw_finding_from_row, raw_finding_row
from kpigov.history import History, StoredHistory
from kpigov.loader import NOTHING_INVALID, Document, RawPos, YamlPath, to_span
from kpigov.suppressions import Suppression

if TYPE_CHECKING:
    import datetime as dt

    from kpigov.cache import LintCache
    from kpigov.config import Config
    from kpigov.gitdiff import BaseCatalogue
    from kpigov.rulebook import Rule

STATE_FORMAT = 4
# States kept (the newest by time written): one per date and configuration in use.
KEEP_STATES = 3
# Above this share of edited YAML files a cold lint (which loads on every core) is as fast.
MOST_EDITED = 0.25
# A state is written again only once it follows more edited files than this. Until then each lint
# loads the same few edited files again and keeps the state it was given: writing ten thousand
# summaries (a detached process forked, 8 MB encoded) costs more than loading a few files, and the
# state stays a consistent earlier catalogue, which is all an incremental lint needs.
REWRITE_FROM = 16

# The KPI fields each built-in catalogue-wide rule reads, besides kinds, ids and positions (and
# what the catalogue holds besides KPIs, which an incremental lint never sees changed). The
# governance rules G701-G704 and G706 compare with the --since revision and always run.
# tests/test_incremental.py checks these against the rules: changing any other field of any KPI
# leaves each rule's findings as they were.
KPI_FIELDS_READ: dict[str, frozenset[str]] = {
    rule: frozenset(fields)
    for rule, fields in {
        "A202": {"status", "goals"},
        "A204": {"status", "goals", "indicator"},
        "A205": {"status", "goals", "horizon"},
        "A207": set(),
        "K004": set(),
        "K005": {"goals", "formula", "replaced_by", "parent"},
        "K006": {"parent", "formula"},
        "O302": {"status", "owner"},
        "O303": {"status", "owner"},
        "O305": {"status", "owner"},
        "O306": set(),
        "T602": {"scale", "unit"},
        "T603": set(),
        "T605": set(),
        "Z501": {"status", "tier"},
        "Z502": {"status", "goals"},
        "Z503": {"status", "owner"},
        "Z505": {"status", "name", "description", "formula", "type", "parent"},
        "G705": {"status", "replaced_by"},
    }.items()
}
# What catalogue-wide rules derive from one KPI alone (checks.common.derived): kept in the state
# with the summaries, so that a rule run again does not derive it again for every KPI.
DERIVED: dict[str, Callable[[Document], Any]] = {
    "Z505": definition_keys,
    "Z505/formula": formula_definition,
}
# Fields only these derived values read: the summaries leave them out (long texts).
READ_ONLY_DERIVED = frozenset({"description"})
KPI_SUMMARY_FIELDS = frozenset({"kind", "id"}).union(*KPI_FIELDS_READ.values()) - READ_ONLY_DERIVED


class StoredDocument(Document):
    """A document from the state: a summary without positions, which are read from its file's
    cache entry (or by parsing the file) when a finding on it needs them."""

    __slots__ = ("_whole_file", "_index")

    _whole_file: Callable[[str], list[Document]]  # a file's documents, read whole
    _index: int  # this document's among them

    def _position_maps(self) -> tuple[dict[YamlPath, RawPos], dict[YamlPath, RawPos]]:
        if self._maps is None:
            self._maps = self._whole_file(self.file)[self._index]._position_maps()
        return self._maps


@dataclass
class IncrementalRun:
    catalogue: Catalogue
    raw: list[Finding]
    # The new state, encoded when it is written; None when the one read is kept (REWRITE_FROM).
    state: Callable[[], dict[str, Any]] | None


# -- encoding -------------------------------------------------------------------------------
def _encode_findings(findings: Iterable[Finding]) -> list[list[Any]]:
    return [raw_finding_row(f) for f in findings]


def summary_data(document: Document, whole: bool = False) -> Any:
    """What the state keeps of a document's data (see the module's description)."""
    data = document.data
    if whole or document.kind != "kpi" or not isinstance(data, dict):
        return data
    summary = {key: value for key, value in data.items() if key in KPI_SUMMARY_FIELDS}
    formula = summary.get("formula")
    if isinstance(formula, dict) and isinstance(formula.get("inputs"), list):
        # K005 and K006 read which inputs are other KPIs (and where); Z505 reads its derived
        # values. The rest of a formula (half of a summary) stays out.
        summary["formula"] = {
            "inputs": [
                {"kpi": item["kpi"]} if isinstance(item, dict) and "kpi" in item else {}
                for item in formula["inputs"]
            ]
        }
    return summary


def _encode_document(document: Document, whole: bool) -> list[Any]:
    if document.kind == "kpi" and document.id is not None:
        for rule, compute in DERIVED.items():
            derived(document, rule, compute)
    return [
        summary_data(document, whole),
        document.root,
        document.kind,
        document.id,
        sorted(document.invalid),
        document.derived,
        # Its fields are its data (nothing invalid or empty left out, nothing taken from
        # defaults or a parent): then so are its summary's, and indexing need not filter them.
        document.fields is document.data,
    ]


def _decode_document(
    rel: str, index: int, row: list[Any], whole_file: Callable[[str], list[Document]]
) -> StoredDocument:
    data, root, kind, object_id, invalid, known, plain = row
    if (
        not isinstance(root, int)
        or plain not in (True, False)
        or (plain and not isinstance(data, dict))
        or not isinstance(kind, (str, type(None)))
        or not isinstance(known, (dict, type(None)))
        or (kind == "kpi" and object_id is not None and (known or {}).keys() != DERIVED.keys())
    ):
        raise ValueError("not a document kpigov wrote")
    # Every slot set here, not by the dataclass's __init__: fifteen thousand of these are made
    # per incremental lint, and the defaults' factories cost more than the rest.
    document = StoredDocument.__new__(StoredDocument)
    document.file = rel
    document.data = data
    document.root = root
    document.positions = ""  # read from the file's cache entry when asked (_position_maps)
    document.nonfinite = ()
    document.kind = kind
    document.id = object_id
    document.invalid = frozenset(invalid) if invalid else NOTHING_INVALID
    document.fields = data if plain else {}
    document.origins = {}
    document.schema_invalid = None
    document.derived = known
    document._maps = None
    document.packed = None
    document._whole_file = whole_file
    document._index = index
    return document


def _encode_history(history: History) -> list[Any] | None:
    """Lowest and highest value of a history without problems (None: parse it every time)."""
    if history.problems:
        return None
    return [_finite(history.lowest), _finite(history.highest)]


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def _local_origin(finding: Finding, per_kpi: set[str], kpis: dict[str, Document]) -> str:
    """The file whose documents a local finding comes from: a per-KPI rule's finding may sit in
    the KPI's history file, but it is the KPI's."""
    if finding.rule in per_kpi and finding.object is not None:
        kpi = kpis.get(finding.object)
        if kpi is not None:
            return kpi.file
    return finding.file


def findings_by_source(
    catalogue: Catalogue, plan: RulePlan, raw: list[Finding]
) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
    """The raw findings of the local rules by the file they come from, and of the other rules
    (but X) by rule."""
    local_ids = {rule.id for rule in plan.selected if is_local(rule)}
    per_kpi = {rule.id for rule in plan.selected if rule.scope == "kpi"}
    local: dict[str, list[Finding]] = {}
    other: dict[str, list[Finding]] = {
        rule.id: [] for rule in plan.selected if rule.id not in local_ids and rule.category != "X"
    }
    for finding in raw:
        if finding.rule in local_ids:
            local.setdefault(_local_origin(finding, per_kpi, catalogue.kpis), []).append(finding)
        else:
            other[finding.rule].append(finding)
    return local, other


def _unparsed_files(catalogue: Catalogue) -> set[str]:
    return {
        violation.file
        for rule in ("K001", "K003", "K007")
        for violation in catalogue.problems.get(rule, [])
    }


def rules_read_whole(plan: RulePlan) -> bool:
    """Whether the summaries must keep whole documents: a house rule may read any field."""
    return any(not _builtin(rule) for rule in plan.selected)


def encode_state(
    catalogue: Catalogue,
    files: CatalogueFiles,
    file_digests: dict[str, str],
    plan: RulePlan,
    raw: list[Finding],
    whole: bool = False,
) -> dict[str, Any]:
    """The state a cold lint leaves for the next (see the module's description); ``whole``
    keeps every document whole (a handbook build shows every field)."""
    whole = whole or rules_read_whole(plan)
    by_file: dict[str, list[Document]] = {}
    for document in catalogue.documents:
        by_file.setdefault(document.file, []).append(document)
    local, other = findings_by_source(catalogue, plan, raw)
    return {
        "format": STATE_FORMAT,
        "whole": whole,
        "files": file_digests,
        "documents": {
            rel: [_encode_document(d, whole) for d in by_file.get(rel, [])]
            for rel in files.found.yaml_files
        },
        "histories": {
            history.file: _encode_history(history) for history in catalogue.history.values()
        },
        "unparsed": sorted(_unparsed_files(catalogue)),
        "unreadable_ids": {rel: sorted(ids) for rel, ids in catalogue.unreadable_files.items()},
        "suppressions": {
            rel: [comment.to_json() for comment in comments]
            for rel, comments in catalogue.suppressions.items()
        },
        "local": {rel: _encode_findings(found) for rel, found in local.items()},
        "rules": {rule: _encode_findings(found) for rule, found in other.items()},
    }


# -- the incremental lint ----------------------------------------------------------------------
def lint_incremental(
    config: Config,
    today: dt.date,
    files: CatalogueFiles,
    cache: LintCache,
    plan: RulePlan,
    state: Any,
    base: Callable[[], BaseCatalogue | None],
    whole: bool = False,
) -> IncrementalRun | None:
    """The catalogue and raw findings of a lint that reuses ``state``; None when the change is
    not one it can follow (the caller lints cold). With ``whole`` the state keeps whole
    documents, and so does the catalogue made from it."""
    try:
        return _Incremental(config, today, files, cache, plan, state, whole).run(base)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None  # a state of any other shape (edited, foreign, planted): lint cold


@dataclass
class _Incremental:
    config: Config
    today: dt.date
    files: CatalogueFiles
    cache: LintCache
    plan: RulePlan
    state: Any
    keep_whole: bool = False
    # A file's documents with their positions, by path (full_documents)
    _full: dict[str, list[Document]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.whole = self.keep_whole or rules_read_whole(self.plan)

    def full_documents(self, rel: str) -> list[Document]:
        """A file's documents with their positions, read once."""
        if rel not in self._full:
            self._full[rel] = _load_yaml(rel, self.files.contents[rel], self.cache)[0].documents
        return self._full[rel]

    def parents_files(self, loaded: dict[str, Any]) -> set[str]:
        """The files of the edited KPIs' parents, and of theirs: read whole, for what the edited
        KPIs take from them."""
        pending = [
            d.data.get("parent")
            for result, _, _ in loaded.values()
            for d in result.documents
            if isinstance(d.data, dict) and d.data.get("parent") is not None
        ]
        files: set[str] = set()
        if not pending:
            return files  # most edits: no parent, and no need to index the stored documents
        stored: dict[str, list[Any]] = self.state["documents"]
        by_id: dict[str, list[tuple[str, Any]]] = {}  # every document of an id (K004)
        for rel, rows in stored.items():
            for row in rows:
                if row[2] == "kpi" and isinstance(row[3], str):
                    by_id.setdefault(row[3], []).append((rel, row[0]))
        seen: set[Any] = set()
        while pending:
            parent = pending.pop()
            if not isinstance(parent, str) or parent in seen or parent not in by_id:
                continue
            seen.add(parent)
            for rel, data in by_id[parent]:
                files.add(rel)
                if isinstance(data, dict):
                    pending.append(data.get("parent"))
        return files

    def run(self, base: Callable[[], BaseCatalogue | None]) -> IncrementalRun | None:
        state, plan, files = self.state, self.plan, self.files
        if (
            not isinstance(state, dict)
            or state.get("format") != STATE_FORMAT
            or state["whole"] != self.whole
        ):
            return None
        found, contents = files.found, files.contents
        now = self.cache.file_digests(files.contents)
        before: dict[str, str] = state["files"]
        if now.keys() != before.keys():
            return None
        changed = {path for path, digest in now.items() if before[path] != digest}
        yaml_files = found.yaml_files
        if (
            not changed <= set(yaml_files)
            or len(changed) > MOST_EDITED * len(yaml_files)
            or changed & set(state["unparsed"])
        ):
            return None
        stored: dict[str, list[Any]] = state["documents"]
        loaded = {rel: _load_yaml(rel, contents[rel], self.cache) for rel in sorted(changed)}
        for rel, (result, _, _) in loaded.items():
            new_ids = [(d.kind, d.id) for d in result.documents]
            if (
                set(result.problems) - {"K002"}
                or new_ids != [(row[2], row[3]) for row in stored[rel]]
                or any(kind != "kpi" or not isinstance(i, str) for kind, i in new_ids)
            ):
                return None
        # The governance rules compare whole documents with the --since revision: the files that
        # hold its KPIs are read whole.
        base_catalogue = base()
        whole_files = set(changed)
        if base_catalogue is not None and base_catalogue.kpis:
            base_ids = base_catalogue.kpis.keys()
            # One flat pass over the stored rows: a generator per file cost more than the rows.
            whole_files |= {rel for rel in yaml_files for row in stored[rel] if row[3] in base_ids}
        whole_files |= self.parents_files(loaded)
        catalogue = self.catalogue(changed, whole_files, loaded)
        catalogue.base = base_catalogue
        edited = [d for d in catalogue.documents if d.file in changed]
        edited_ids = {d.id for d in edited}
        if any(d.id in edited_ids for pair in catalogue.duplicates for d in pair) or any(
            d.data.get("parent") in edited_ids
            for d in catalogue.documents
            if d.kind == "kpi" and isinstance(d.data, dict)
        ):
            return None
        rerun = self.rules_to_rerun(changed, edited)
        local_ids = {rule.id for rule in plan.selected if is_local(rule)}
        per_kpi_local = [r for r in plan.selected if r.scope == "kpi" and r.id in local_ids]
        others = [
            rule
            for rule in plan.selected
            if rule.id in FILE_PROBLEM_RULES or (rule.id not in local_ids and rule.id in rerun)
        ]
        edited_kpis = [kpi for kpi in checked_kpis(catalogue) if kpi.file in changed]
        fresh = raw_findings(catalogue, plan, per_kpi_local, edited_kpis) + raw_findings(
            catalogue, plan, others
        )
        fresh_local, fresh_rules = findings_by_source(catalogue, plan, fresh)
        local = {
            **{rel: rows for rel, rows in state["local"].items() if rel not in changed},
            **{rel: _encode_findings(f) for rel, f in fresh_local.items() if rel in changed},
        }
        rules = {
            rule: _encode_findings(fresh_rules[rule]) if rule in rerun else state["rules"][rule]
            for rule in fresh_rules
        }
        raw = [raw_finding_from_row(row) for rows in rules.values() for row in rows]
        raw += [raw_finding_from_row(row) for rows in local.values() for row in rows]

        def new_state() -> dict[str, Any]:
            documents = dict(stored)
            for rel in changed:
                documents[rel] = [_encode_document(d, self.whole) for d in loaded[rel][0].documents]
            suppressions = {
                rel: rows for rel, rows in state["suppressions"].items() if rel not in changed
            }
            for rel in changed:
                if rel in catalogue.suppressions:
                    suppressions[rel] = [c.to_json() for c in catalogue.suppressions[rel]]
            return {
                **state,
                "files": now,
                "documents": documents,
                "suppressions": suppressions,
                "local": local,
                "rules": rules,
            }

        return IncrementalRun(catalogue, raw, new_state if len(changed) > REWRITE_FROM else None)

    def catalogue(
        self, changed: set[str], whole_files: set[str], loaded: dict[str, Any]
    ) -> Catalogue:
        state, files = self.state, self.files
        contents = files.contents
        catalogue = new_catalogue(self.config, self.today, files.found)
        suppressions, unreadable = state["suppressions"], state["unreadable_ids"]
        for rel in files.found.yaml_files:
            if rel in changed:
                add_yaml_file(catalogue, rel, contents[rel], loaded[rel])
                continue
            catalogue.files.append(rel)
            if rel in whole_files:
                result, schema_errors, _ = _load_yaml(rel, contents[rel], self.cache)
                # Run for what the configuration does to the documents' invalid fields; the
                # findings are the state's.
                list(configured_schema_errors(self.config, schema_errors, result.documents))
                catalogue.documents.extend(result.documents)
            else:
                catalogue.documents.extend(
                    _decode_document(rel, index, row, self.full_documents)
                    for index, row in enumerate(state["documents"][rel])
                )
            if rel in suppressions:
                catalogue.suppressions[rel] = [
                    Suppression.from_json(rel, item) for item in suppressions[rel]
                ]
            if rel in unreadable:
                ids = set(unreadable[rel])
                catalogue.unreadable_ids |= ids
                catalogue.unreadable_files[rel] = ids
        histories: dict[str, Any] = state["histories"]
        history_files = files.found.history_files
        finish_catalogue(
            catalogue,
            history_files,
            [self.history(rel, histories.get(rel)) for rel in history_files],
        )
        return catalogue

    def history(self, rel: str, stored: list[Any] | None) -> History:
        contents = self.files.contents
        if stored is None:
            return _load_history(rel, contents[rel])
        # Unchanged since the state was made, when it parsed: read only if its rows are read.
        lowest, highest = stored
        kpi_id = rel.rsplit("/", 1)[-1][: -len(".csv")]
        return StoredHistory(
            kpi_id,
            rel,
            lambda: contents[rel],
            math.inf if lowest is None else float(lowest),
            -math.inf if highest is None else float(highest),
        )

    def rules_to_rerun(self, changed: set[str], edited: list[Document]) -> set[str]:
        """The catalogue-wide rules whose findings the edits may have changed."""
        plan, state = self.plan, self.state
        everything = {rule.id for rule in plan.selected}
        stored = state["documents"]
        old = {row[3]: row for rel in changed for row in stored[rel]}
        changed_fields: set[str] = set()
        changed_derived: set[str] = set()
        for document in edited:
            row = old[document.id]
            old_data, old_root, old_invalid, old_derived = row[0], row[1], set(row[4]), row[5]
            new_data = summary_data(document, self.whole)
            if to_span(old_root)[:2] != to_span(document.root)[:2]:
                return everything  # the document moved: twins' lines in messages move too
            for key in set(old_data) | set(new_data):
                if (old_data.get(key), key in old_invalid) != (
                    new_data.get(key),
                    key in document.invalid,
                ):
                    changed_fields.add(key)
            for name, compute in DERIVED.items():
                if old_derived.get(name) != derived(document, name, compute):
                    changed_derived.add(name.split("/")[0])  # "Z505/formula" is Z505's
        if "parent" in changed_fields:
            return everything  # what the KPI takes from its parent changes too
        rerun = set()
        for rule in plan.selected:
            reads = KPI_FIELDS_READ.get(rule.id) if _builtin(rule) else None
            if (
                reads is None
                or (reads - READ_ONLY_DERIVED) & changed_fields
                or rule.id in changed_derived
                or any(row[4] in changed for row in state["rules"].get(rule.id, ()))
            ):
                rerun.add(rule.id)
        return rerun


def _builtin(rule: Rule) -> bool:
    return rule.check is not None and rule.check.startswith("kpigov.checks.")


def forget_old_states(cache: LintCache) -> None:
    """Keep the newest :data:`KEEP_STATES` states: one per date and configuration in use."""
    folder = os.path.join(cache.folder, "state")
    entries = []
    with contextlib.suppress(OSError):
        for sub in os.scandir(folder):
            if sub.is_dir():
                entries += [(e.stat().st_mtime_ns, e.path) for e in os.scandir(sub.path)]
    for _, path in sorted(entries, reverse=True)[KEEP_STATES:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
