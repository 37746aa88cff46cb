"""kpigov's Python API: the same pipeline the command line runs, returning plain results.

    from kpigov import api

    result = api.lint("path/to/catalogue")
    for finding in result.findings:
        print(finding.file, finding.line, finding.rule, finding.message)

    built = api.build("path/to/catalogue", out="site", public=True)

Nothing here prints or exits. A usage or configuration problem (no catalogue, a bad
``kpigov.yaml``, an output folder kpigov may not write) raises :class:`KpigovError` with a
message that says where and what; findings are results, not errors.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpigov.ahead import Ahead
from kpigov.config import Config, ConfigError
from kpigov.findings import Finding
from kpigov.lifetime import keep

if TYPE_CHECKING:
    from kpigov.cache import LintCache
    from kpigov.catalogue import Catalogue
    from kpigov.engine import LintResult as EngineResult
    from kpigov.engine import RulePlan
    from kpigov.files import CatalogueFiles
    from kpigov.gitdiff import BaseCatalogue
    from kpigov.loader import Document
    from kpigov.rulebook import Rule

KpigovError = ConfigError  # a usage or configuration error: the CLI's exit 2
DEFAULT_BASELINE_NAME = ".kpigov-baseline.json"

__all__ = [
    "BuildResult",
    "KpigovError",
    "LintResult",
    "MeasureResult",
    "Settings",
    "ImportConflicts",
    "ImportResult",
    "build",
    "find_catalogue_root",
    "import_catalogue",
    "lint",
    "load_settings",
    "measure",
]


@dataclass(frozen=True)
class Settings:
    """A catalogue's effective configuration and the rules it runs (built-in and its own)."""

    config: Config
    rules: Mapping[str, Rule]
    warnings: tuple[str, ...] = ()


@dataclass
class LintResult:
    """What ``lint`` found: findings in output order (suppressed ones marked, not dropped)."""

    root: Path
    today: dt.date
    findings: list[Finding]
    files_checked: int
    rules_run: tuple[Rule, ...]
    settings: Settings
    notes: list[str] = field(default_factory=list)  # e.g. the cache could not be written

    def failing(self, fail_on: str = "error") -> bool:
        """Whether an unsuppressed finding is at or above ``fail_on`` (never: always False)."""
        from kpigov.findings import SEVERITY_RANK

        threshold = SEVERITY_RANK.get(fail_on)
        return threshold is not None and any(
            not f.suppressed and SEVERITY_RANK[f.severity] >= threshold for f in self.findings
        )


@dataclass
class BuildResult:
    out: Path
    pages: int
    kpis: int
    public: bool
    left_out: dict[str, int] = field(default_factory=dict)  # why -> KPIs not in the handbook


def find_catalogue_root(start: str | Path | None = None, paths: Sequence[str] = ()) -> Path:
    """The nearest folder with kpigov.yaml (or [tool.kpigov]) upward from ``start``, the first
    of ``paths``, or the working directory."""
    from kpigov.config import find_root

    if start is not None:
        start = Path(start)
        if not start.is_dir():
            raise KpigovError(f"--root {start} is not a folder")
        return find_root(start)
    if paths:
        for path in paths:
            if not Path(path).exists() and not Path(path).is_symlink():
                raise KpigovError(f"{path}: no such file or folder")
        # pre-commit passes every staged file of the repository: the first may lie outside the
        # catalogue (a docker-compose.yml beside it), so any of them may lead to it.
        first_error = None
        for path in paths:
            try:
                return find_root(Path(path))
            except ConfigError as error:
                first_error = first_error or error
        raise NoCatalogue(str(first_error))
    return find_root(Path.cwd())


class NoCatalogue(ConfigError):
    """None of the given paths lies in a catalogue (the CLI ignores them, as pre-commit wants)."""


def load_settings(root: Path, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> Settings:
    """The configuration at ``root`` with ``select``/``ignore`` applied, and its rules."""
    from kpigov.config import load_config
    from kpigov.rulebook import builtin_rules, check_rule_config, select_rules

    config = load_config(root, select=list(select) or None, extend_ignore=list(ignore))
    try:
        builtin = builtin_rules()
        rules = dict(builtin)
        if config.custom_rules:  # imported only then: it brings the YAML loader
            from kpigov.custom import load_custom_rules

            rules.update(load_custom_rules(config, builtin))
        check_rule_config(rules, config.severity, config.options, config.per_file_ignores)
        select_rules(rules, config.select, config.ignore)
    except ConfigError as error:
        raise config.locate(error) from None
    return Settings(config, rules, config.warnings)


def relative_paths(paths: Sequence[str | Path], root: Path) -> list[str] | None:
    """PATHS relative to the root. Paths outside the catalogue are left out (pre-commit passes
    every staged file of a repository, in which the catalogue may be one folder)."""
    if not paths:
        return None
    relative = []
    for raw in paths:
        given = Path(raw).absolute()
        if not given.exists() and not given.is_symlink():
            raise KpigovError(f"{raw}: no such file or folder")
        # Resolve the folder but not the file itself: a finding about a link sits on the link.
        path = (
            given.parent.resolve() / given.name
            if given.name not in ("", ".", "..")
            else given.resolve()
        )
        try:
            relative.append(path.relative_to(root).as_posix())
        except ValueError:
            continue
    return relative


def lint(
    root: str | Path | None = None,
    paths: Sequence[str | Path] | None = None,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    today: dt.date | None = None,
    since: str | None = None,
    baseline: str | Path | None = None,
    use_cache: bool = True,
    stdin_text: bytes | str | None = None,
    stdin_filename: str | Path | None = None,
) -> LintResult:
    """Lint the catalogue at (or above) ``root``; report findings in ``paths`` (all when None).

    ``stdin_text`` with ``stdin_filename`` lints that text as if it were the file (an editor's
    unsaved buffer); ``baseline`` marks the findings it holds as suppressed; ``since`` is a git
    revision for the governance rules.
    """
    from kpigov.baseline import read_baseline

    catalogue_root = (
        find_catalogue_root(root)
        if root is not None
        else find_catalogue_root(None, [str(p) for p in paths or ()] or [])
    )
    settings = load_settings(catalogue_root, select, ignore)
    today = today or dt.date.today()
    if stdin_text is not None:
        if stdin_filename is None:
            raise KpigovError("linting standard input needs --stdin-filename PATH")
        scope: list[str] | None = [_stdin_path(catalogue_root, Path(stdin_filename))]
    else:
        scope = relative_paths(list(paths or ()), catalogue_root)
    baseline_path = Path(baseline) if baseline is not None else None
    accepted = read_baseline(baseline_path) if baseline_path is not None else None
    notes: list[str] = []
    findings, files_checked, rules_run = _lint_with_cache(
        settings,
        today,
        scope,
        since,
        accepted,
        baseline_path,
        use_cache and stdin_text is None,
        notes,
        stdin=(scope[0], stdin_text) if stdin_text is not None and scope else None,
    )
    return LintResult(catalogue_root, today, findings, files_checked, rules_run, settings, notes)


def _stdin_path(root: Path, name: Path) -> str:
    path = name if name.is_absolute() else Path.cwd() / name
    path = path.parent.resolve() / path.name
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        raise KpigovError(f"--stdin-filename {name} is not inside the catalogue {root}") from None


def update_baseline(result: LintResult, path: str | Path) -> int:
    """Write ``result``'s findings as the accepted ones (reasons already given are kept)."""
    from kpigov.baseline import read_baseline, write_baseline

    path = Path(path)
    previous = read_baseline(path) if path.exists() else {}
    try:
        return write_baseline(path, result.findings, previous)
    except OSError as error:
        raise KpigovError(f"cannot write {path}: {error.strerror}") from None


def _lint_with_cache(
    settings: Settings,
    today: dt.date,
    scope: list[str] | None,
    since: str | None,
    baseline: Any,
    baseline_path: Path | None,
    use_cache: bool,
    notes: list[str],
    stdin: tuple[str, bytes | str] | None = None,
) -> tuple[list[Finding], int, tuple[Rule, ...]]:
    """Findings of the catalogue: from the cache when nothing that could change them changed."""
    from kpigov.cache import LintCache
    from kpigov.files import read_files

    config, rules = settings.config, settings.rules
    # Without the cache, nothing but parsing needs the files' bytes: each is read when parsed.
    files = read_files(config, keep=use_cache)
    if stdin is not None:
        _replace_with_stdin(config, files, *stdin)
    cache = LintCache(config.root) if use_cache else None
    base_commit = ""
    if since is not None:
        from kpigov.gitdiff import resolve_revision

        base_commit = resolve_revision(config.root, since) or "empty"
    key = (
        _run_key(config, rules, today, base_commit, scope, baseline, baseline_path, files, cache)
        if cache is not None
        else ""
    )
    cached = cache.load_findings(key) if cache is not None else None
    if cached is not None:
        findings, files_checked, rule_ids = cached
        rules_run = tuple(rules[i] for i in rule_ids if i in rules)
    else:
        result = _run_rules(
            settings, today, files, cache, since, scope, baseline, stdin[:1] if stdin else ()
        )
        findings, files_checked, rules_run = (
            result.findings,
            result.files_checked,
            result.rules_run,
        )
        if cache is not None:
            cache.store_findings(key, findings, files_checked, [rule.id for rule in rules_run])
    if cache is not None:
        # Last, once the findings are known: a detached writer forked earlier would share this
        # process's memory, and every page touched afterwards would have to be copied.
        cache.flush(background=True)
        if cache.note:
            notes.append(cache.note)
    return findings, files_checked, rules_run


def _run_rules(
    settings: Settings,
    today: dt.date,
    files: CatalogueFiles,
    cache: LintCache | None,
    since: str | None,
    scope: list[str] | None,
    baseline: Any,
    standard_input: tuple[str, ...] = (),
) -> EngineResult:
    """The findings of the catalogue: incrementally from the state an earlier lint left when
    only KPI files were edited since (kpigov/incremental.py), else cold; either way the state for
    the next lint is left to the cache to write."""
    return _checked_catalogue(
        settings, today, files, cache, since, scope, baseline, standard_input
    )[1]


def _checked_catalogue(
    settings: Settings,
    today: dt.date,
    files: CatalogueFiles,
    cache: LintCache | None,
    since: str | None,
    scope: list[str] | None,
    baseline: Any,
    standard_input: tuple[str, ...] = (),
    whole: bool = False,
) -> tuple[Catalogue, EngineResult]:
    """:func:`_run_rules`, and the catalogue the rules ran on. With ``whole``, the state keeps
    whole documents (a handbook build's: its catalogue shows every field), under a key of its
    own."""
    from kpigov.catalogue import build_catalogue, collector_paused
    from kpigov.engine import finish, plan_rules, raw_findings
    from kpigov.incremental import encode_state, lint_incremental, rules_read_whole

    config = settings.config
    plan = plan_rules(settings.rules, config)

    def base() -> BaseCatalogue | None:
        if since is None:
            return None
        from kpigov.gitdiff import read_revision

        contents = files.contents
        # Read when asked (and read again each time without the cache): the revision needs the
        # few that differ from it.
        working = _ReadableView(contents)
        if cache is not None:  # known without reading the files whose stat is unchanged
            digests = cache.file_digests(contents)
            unreadable = [path for path in digests if digests[path].startswith("unreadable ")]
        else:
            unreadable = [path for path in contents if not isinstance(contents[path], bytes)]
        return read_revision(config, since, working, [*unreadable, *standard_input])

    # When a house rule already makes a lint keep whole documents, a build shares its state.
    own_kind = whole and not rules_read_whole(plan)
    state_key = (
        _state_key(config, settings.rules, today, files, own_kind) if cache is not None else ""
    )
    run = state = None
    revision: Callable[[], BaseCatalogue | None] = base
    if cache is not None:
        if since is not None and cache.has("state", state_key):
            # git's processes for the revision run while the state is decoded.
            revision = Ahead(base)
        with collector_paused():  # millions of small objects without cycles (see there)
            state = cache.read("state", state_key)
            if state is not None:
                run = lint_incremental(config, today, files, cache, plan, state, revision, whole)
    if run is not None:
        catalogue, raw, new_state = run.catalogue, run.raw, run.state
    else:
        base_catalogue = revision()  # before loading forks any worker (no thread then)
        pack = None if whole or since is not None else _packer(config, plan, files)
        catalogue = build_catalogue(config, today, files, cache, pack)
        catalogue.base = base_catalogue
        raw = raw_findings(catalogue, plan)

        def encode() -> dict[str, Any]:
            assert cache is not None
            digests = cache.file_digests(files.contents)
            return encode_state(catalogue, files, digests, plan, raw, whole)

        new_state = encode

    if cache is not None and new_state is None:
        cache.refresh_state(state_key)  # kept: the few edits are followed from it again
    elif cache is not None:
        cache.keep_state(state_key, new_state, len(files.found.yaml_files))
    keep(catalogue, state, raw)
    return catalogue, finish(catalogue, plan, raw, scope, baseline)


def _packer(
    config: Config, plan: RulePlan, files: CatalogueFiles
) -> Callable[[Document], None] | None:
    """How a cold lint packs its KPIs (kpigov/packing.py), or None when it keeps them whole: a
    catalogue below PACK_FROM files, defaults in the configuration (they can fill any field), or
    a house rule (it may read any field)."""
    from kpigov.incremental import DERIVED, rules_read_whole, summary_data
    from kpigov.packing import PACK_FROM, pack

    if len(files.found.yaml_files) < PACK_FROM or config.defaults or rules_read_whole(plan):
        return None
    return partial(pack, summary=summary_data, derive=DERIVED)


class _ReadableView(Mapping[str, bytes]):
    """The files that can be read, of a catalogue's contents (read when asked)."""

    def __init__(self, contents: Mapping[str, bytes | str]) -> None:
        self._contents = contents

    def __getitem__(self, path: str) -> bytes:
        content = self._contents[path]
        if not isinstance(content, bytes):
            raise KeyError(path)
        return content

    def __iter__(self) -> Iterator[str]:
        return iter(self._contents)

    def __len__(self) -> int:
        return len(self._contents)


def _rules_part(rules: Mapping[str, Rule]) -> str:
    return repr(
        sorted(
            (rule.id, rule.source.stat().st_mtime_ns if rule.source else 0)
            for rule in rules.values()
        )
    )


def _state_key(
    config: Config,
    rules: Mapping[str, Rule],
    today: dt.date,
    files: CatalogueFiles,
    whole: bool = False,
) -> str:
    """What an incremental lint's state depends on besides the files (see kpigov/incremental.py)."""
    from kpigov.cache import run_key

    kind = "state of whole documents" if whole else "state"
    return run_key(
        [kind, repr(config), today.isoformat(), _rules_part(rules), repr(files.found.problems)]
    )


def _replace_with_stdin(config: Config, files: CatalogueFiles, rel: str, text: bytes | str) -> None:
    """The text from standard input stands in for the file ``rel`` (which need not exist yet),
    when the catalogue would read a file of that name."""
    from kpigov.config import CONFIG_FILE
    from kpigov.globs import matches

    content = text.encode("utf-8") if isinstance(text, str) else text
    folder, _, name = rel.rpartition("/")
    if folder == config.history and name.endswith(".csv"):
        listed = files.found.history_files
    elif (
        name.endswith((".yaml", ".yml"))
        and rel != CONFIG_FILE
        and matches(rel, config.include)
        and not matches(rel, config.exclude)
    ):
        listed = files.found.yaml_files
    else:
        return  # not a catalogue file: nothing to report, as for a path outside the catalogue
    if rel not in listed:
        listed.append(rel)
        listed.sort()
    files.contents[rel] = content


def _run_key(
    config: Config,
    rules: Mapping[str, Rule],
    today: dt.date,
    base_commit: str,
    scope: list[str] | None,
    baseline: Any,
    baseline_path: Path | None,
    files: CatalogueFiles,
    cache: LintCache,
) -> str:
    """What the findings of a run depend on: settings, rules, date, base revision, file contents."""
    import hashlib
    import json

    from kpigov.cache import run_key

    parts = [
        "lint",
        repr(config),
        today.isoformat(),
        base_commit,
        json.dumps(scope),
        _rules_part(rules),
        hashlib.sha1(baseline_path.read_bytes()).hexdigest()
        if baseline is not None and baseline_path
        else "",
        repr(files.found.problems),
        *cache.file_digest_parts(files.contents),
    ]
    return run_key(parts)


def _catalogue_paths(config: Config) -> list[Path]:
    """The paths the catalogue reads besides its files: history folder, custom rules and
    configuration."""
    root = config.root
    return [
        root / "kpigov.yaml",
        root / "pyproject.toml",
        root / config.history,
        *(root / folder for folder in config.custom_rules),
    ]


def build(
    root: str | Path | None = None,
    out: str | Path | None = None,
    *,
    public: bool = False,
    language: str | None = None,
    today: dt.date | None = None,
    progress: bool = False,
) -> BuildResult:
    """Build the handbook of the catalogue at (or above) ``root`` into ``out`` (default
    ``site/`` under the root). The output folder is checked before anything is written."""
    import hashlib

    from kpigov.cache import LintCache
    from kpigov.files import read_files
    from kpigov.handbook.gitlog import read_history
    from kpigov.handbook.labels import labels_for
    from kpigov.handbook.publish import UnsafeOutput, check_out_folder
    from kpigov.handbook.render import render_site
    from kpigov.handbook.site import BuildInput, generated_date
    from kpigov.handbook.templating import CompiledInAdvance, handbook_templates

    catalogue_root = find_catalogue_root(root)
    settings = load_settings(catalogue_root)
    config, rules = settings.config, settings.rules
    today = today or dt.date.today()
    files = read_files(config)
    try:  # before anything is read into the cache or written
        target = check_out_folder(
            Path(out) if out is not None else catalogue_root / "site",
            catalogue_root,
            _catalogue_paths(config),
            itertools.chain(files.found.yaml_files, files.found.history_files),
            files.found.links,
        )
    except UnsafeOutput as error:
        raise KpigovError(str(error)) from None
    language = language or config.language
    # The templates are compiled by a process of their own while the catalogue is checked;
    # leaving the block waits for it, whatever happened.
    with CompiledInAdvance(handbook_templates(), labels_for(language)) as compiled:
        cache = LintCache(catalogue_root)
        if public:
            catalogue, findings, left_out = _public_catalogue(settings, today, files, cache)
        else:
            # As a lint would, incrementally after an edit of KPI files; the state it keeps holds
            # whole documents, so that the catalogue it makes from them is the whole catalogue
            # without reading every file's cache entry.
            catalogue, result = _checked_catalogue(
                settings, today, files, cache, None, None, None, whole=True
            )
            findings, left_out = result.findings, _unreadable_left_out(catalogue)
            _restore_parse_errors(catalogue, files, cache)
        kpi_count = len(catalogue.kpis)
        given = BuildInput(
            catalogue=catalogue,
            findings=findings,
            rules=list(rules.values()),
            language=language,
            public=public,
            generated=generated_date(today),
            git=read_history(catalogue_root),
            digests=cache.file_digests(files.contents),
            compiled=compiled,
        )
        # A history is read when a page that shows it is rendered (most are taken from the last
        # build): a read that finds its file written since the stats were taken makes the cache
        # untrusted, and then the build keeps no manifest and no pieces (render_site asks at the end).
        manifest = (
            cache.folder / "pages" / f"{hashlib.sha1(str(target).encode()).hexdigest()[:24]}.json"
            if cache.enabled and cache.trusted()  # nothing read so far was written meanwhile
            else None
        )
        try:
            pages = render_site(
                given,
                target,
                progress=progress and kpi_count > 200,
                manifest=manifest,
                trusted=cache.trusted,
            )
        except OSError as error:
            raise KpigovError(f"cannot write the handbook to {target}: {error.strerror}") from None
        cache.flush(background=True)
        keep(given, files)
        return BuildResult(target, pages, kpi_count, public, left_out)


def _restore_parse_errors(catalogue: Catalogue, files: CatalogueFiles, cache: LintCache) -> None:
    """The parse error (K001) of each file that does not parse, for its card on the overview:
    a catalogue made from an incremental lint's state has the findings of an unchanged file, not
    the errors they were made of."""
    from kpigov.catalogue import _load_yaml

    known = {violation.file for violation in catalogue.problems.get("K001", [])}
    for rel in sorted(catalogue.unreadable_files.keys() - known):
        result = _load_yaml(rel, files.contents[rel], cache)[0]
        catalogue.problems.setdefault("K001", []).extend(result.problems.get("K001", []))


def _unreadable_left_out(catalogue: Catalogue) -> dict[str, int]:
    """KPIs a handbook shows no page for because their file does not parse."""
    unreadable = len(catalogue.unreadable_ids - set(catalogue.kpis)) + sum(
        1 for ids in catalogue.unreadable_files.values() if not ids
    )
    if not unreadable:
        return {}
    return {"their file does not parse (K001); the overview shows a card for each": unreadable}


def _public_catalogue(
    settings: Settings, today: dt.date, files: CatalogueFiles, cache: LintCache
) -> tuple[Catalogue, list[Finding], dict[str, int]]:
    """The catalogue of a public build, the findings it shows, and what it leaves out (why: how
    many). The rules see the published catalogue only; their findings come from the lint cache
    when nothing they depend on changed."""
    from kpigov.cache import run_key
    from kpigov.catalogue import build_catalogue
    from kpigov.engine import run_rules
    from kpigov.handbook.public import keep_linked_documents, keep_public_kpis

    config, rules = settings.config, settings.rules
    catalogue = build_catalogue(config, today, files, cache)
    hidden_words: set[str] = set()
    left_out = _unreadable_left_out(catalogue)
    private = 0
    for kpi in catalogue.kpis.values():
        if kpi.fields.get("visibility") != "public":
            private += 1
            hidden_words |= {str(kpi.id), str(kpi.fields.get("name", ""))} - {""}
    if private:
        left_out["not visibility: public"] = private
    keep_public_kpis(catalogue)
    key = run_key(
        [
            "build",
            "True",
            repr(config),
            today.isoformat(),
            repr(sorted(rules)),
            *cache.file_digest_parts(files.contents),
        ]
    )
    cached = cache.load_findings(key)
    if cached is not None:
        all_findings = cached[0]
    else:
        all_findings = run_rules(catalogue, rules, config).findings
        cache.store_findings(key, all_findings, len(catalogue.files), sorted(rules))
    published = keep_linked_documents(catalogue, hidden_words)
    return catalogue, [f for f in all_findings if published.allows(f)], left_out


class ImportConflicts(Exception):
    """Files the import would write exist already: nothing was written (the CLI's exit 1)."""


@dataclass
class ImportResult:
    into: Path
    written: list[str]  # root-relative paths
    kpis: int
    goals: int
    owners: int
    problems: list[Any]  # importers.ImportProblem: where, message
    lint: LintResult | None = None


def import_catalogue(
    format_name: str,
    sources: Sequence[str | Path],
    into: str | Path,
    *,
    language: str | None = None,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import KPI definitions from ``sources`` (csv, xlsx, gitlab or dbt) into the catalogue
    at ``into`` (created when absent). Writes nothing when any file it would write exists:
    ``KpigovError`` names them. Rows it cannot read are in ``problems`` with their location."""
    # Written by a function of its own, whose rows and texts are freed before the catalogue is
    # linted: an import of 100,000 rows peaks at its lint, not at both together.
    result = _write_import(format_name, sources, into, language, mapping, sheet)
    result.lint = lint(result.into, today=today, use_cache=False)
    return result


def _write_import(
    format_name: str,
    sources: Sequence[str | Path],
    into: str | Path,
    language: str | None,
    mapping: Mapping[str, str] | None,
    sheet: str | None,
) -> ImportResult:
    from kpigov.importers import FORMATS, ImportBatch
    from kpigov.importers.register import FIELDS, read_register
    from kpigov.importers.tabular import SourceError, csv_rows, xlsx_rows
    from kpigov.importers.values import IdMaker
    from kpigov.importers.writer import Conflicts, plan, write

    if format_name not in FORMATS:
        raise KpigovError(
            f"unknown import format {format_name!r}; choose one of {', '.join(FORMATS)}"
        )
    mapping = dict(mapping or {})
    for column, field_name in mapping.items():
        if field_name not in FIELDS:
            raise KpigovError(
                f"--map {column}={field_name}: {field_name!r} is not a register field; "
                f"choose one of {', '.join(FIELDS)}"
            )
    paths = [Path(source) for source in sources]
    for path in paths:
        if not path.is_file():
            raise KpigovError(f"{path}: no such file")
    target = Path(into)
    if target.exists() and not target.is_dir():
        raise KpigovError(f"--into {target}: not a folder")
    ids = IdMaker()
    batch = ImportBatch()
    try:
        if format_name == "dbt":
            from kpigov.importers.dbt import read_dbt_files

            batch.extend(read_dbt_files([(p, p.name) for p in paths], ids))
        for path in paths if format_name != "dbt" else []:
            if format_name == "gitlab":
                from kpigov.importers.gitlab import read_gitlab

                batch.extend(read_gitlab(path, path.name, ids))
                continue
            rows, problems = (
                csv_rows(path, path.name)
                if format_name == "csv"
                else xlsx_rows(path, path.name, sheet)
            )
            part = read_register(rows, path.name, mapping, language, ids)
            part.problems[:0] = problems
            batch.extend(part)
        if format_name == "gitlab":
            from kpigov.importers.gitlab import link_parents

            link_parents(batch)
    except SourceError as error:
        raise KpigovError(str(error)) from None
    chosen_language = language or batch.language or "en"
    name = "KPI handbook" if chosen_language == "en" else "KPI-handboek"
    planned = plan(batch, target, name, chosen_language)
    try:
        write(planned, target)
    except Conflicts as conflicts:
        raise ImportConflicts(
            "import writes no file that exists, and these do: "
            + "; ".join(conflicts.paths[:10])
            + (f" and {len(conflicts.paths) - 10} more" if len(conflicts.paths) > 10 else "")
            + "; import into another folder, or move them"
        ) from None
    return ImportResult(
        target, sorted(planned.files), planned.kpis, planned.goals, planned.owners, batch.problems
    )


@dataclass
class MeasureResult:
    root: Path
    outcomes: list[Any]  # measure.runner.Outcome: kpi, file, line, status, rows, message

    @property
    def failed(self) -> list[Any]:
        return [o for o in self.outcomes if o.status == "failed"]


def measure(
    root: str | Path | None = None,
    selection: Sequence[str] = (),
    *,
    date: dt.date | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    dry_run: bool = False,
    timeout: float = 60.0,
    today: dt.date | None = None,
    workers: int = 8,
) -> MeasureResult:
    """Compute the selected KPIs (ids or globs; all with a ``measure`` when empty) in their
    databases and append the values to their history. ``date`` measures the period ending on
    that day; ``first``/``last`` every period end between them; neither: the last complete one."""
    from kpigov.catalogue import build_catalogue
    from kpigov.measure.runner import Plan, measure_kpis, select

    if date is not None and (first is not None or last is not None):
        raise KpigovError("give --date, or --from and --to, not both")
    if (first is None) != (last is None):
        raise KpigovError("--from and --to go together")
    if first is not None and last is not None and first > last:
        raise KpigovError(f"--from {first} is after --to {last}")
    if timeout <= 0:
        raise KpigovError("--timeout must be more than 0 seconds")
    catalogue_root = find_catalogue_root(root)
    settings = load_settings(catalogue_root)
    today = today or dt.date.today()
    catalogue = build_catalogue(settings.config, today)
    kpis = select(catalogue.kpis, list(selection))
    if selection and not kpis:
        raise KpigovError(
            f"no KPI with a measure matches {', '.join(selection)}; "
            "give ids or globs such as 'service.*'"
        )
    outcomes = measure_kpis(
        kpis,
        catalogue_root,
        settings.config.connections,
        settings.config.history,
        Plan(date, first, last),
        today,
        dry_run=dry_run,
        timeout=timeout,
        workers=workers,
    )
    return MeasureResult(catalogue_root, outcomes)
