"""The ``kpigov`` command line. Only click is imported at module level: start-up stays fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from kpigov import __version__

if TYPE_CHECKING:
    import datetime as dt

    from kpigov.cache import LintCache
    from kpigov.catalogue import CatalogueFiles
    from kpigov.config import Config

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FAIL_ON = ("error", "warning", "info", "never")
LINT_FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")
LANGUAGES = ("en", "nl")
DEFAULT_BASELINE_NAME = (
    ".kpigov-baseline.json"  # kpigov.baseline.DEFAULT_BASELINE, kept import-free
)

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Catalogue root (the folder with kpigov.yaml); found upward from here when omitted.",
)


today_option = click.option(
    "--today",
    "today_text",
    metavar="DATE",
    help="Date the date rules use (YYYY-MM-DD; also KPIGOV_TODAY).",
)


def _fail(message: str) -> NoReturn:
    click.echo(f"kpigov: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _today(option: str | None) -> dt.date:
    import datetime as dt

    text = option or os.environ.get("KPIGOV_TODAY")
    if not text:
        return dt.date.today()
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        source = "--today" if option else "KPIGOV_TODAY"
        _fail(f"{source}: {text!r} is not a date; write YYYY-MM-DD")


def _split(values: Sequence[str]) -> list[str]:
    """``--select S1,K --select A201`` -> ``["S1", "K", "A201"]``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _locate_root(root: Path | None, paths: Sequence[str]) -> Path:
    from kpigov.config import ConfigError, find_root

    start = root if root is not None else Path(paths[0]) if paths else Path.cwd()
    if root is not None and not root.is_dir():
        _fail(f"--root {root} is not a folder")
    try:
        return find_root(start if start.exists() else Path.cwd())
    except ConfigError as error:
        _fail(str(error))


def _relative_paths(paths: Sequence[str], root: Path) -> list[str] | None:
    """PATHS relative to the root. Paths outside the catalogue are left out (pre-commit passes
    every staged file of a repository, in which the catalogue may be one folder)."""
    if not paths:
        return None
    relative = []
    for raw in paths:
        given = Path(raw).absolute()
        if not given.exists() and not given.is_symlink():
            _fail(f"{raw} does not exist")
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


def _load(root: Path, select: Sequence[str], ignore: Sequence[str]) -> tuple[Config, Any]:
    from kpigov.config import ConfigError, load_config
    from kpigov.custom import load_custom_rules
    from kpigov.rulebook import builtin_rules, check_rule_config, select_rules

    try:
        config = load_config(root, select=_split(select) or None, extend_ignore=_split(ignore))
    except ConfigError as error:
        _fail(str(error))
    try:
        builtin = builtin_rules()
        rules = {**builtin, **load_custom_rules(config, builtin)}
        check_rule_config(rules, config.severity, config.options, config.per_file_ignores)
        select_rules(rules, config.select, config.ignore)
    except ConfigError as error:
        _fail(str(config.locate(error)))
    for warning in config.warnings:
        click.echo(f"kpigov: warning: {warning}", err=True)
    return config, rules


def _lint_with_cache(
    config: Config,
    rules: Any,
    today: dt.date,
    scope: list[str] | None,
    since: str | None,
    baseline: Any,
    baseline_path: Path | None,
    no_cache: bool,
) -> Any:
    """Findings of the catalogue: from the cache when nothing that could change them changed."""
    from kpigov.cache import LintCache
    from kpigov.catalogue import build_catalogue, read_files
    from kpigov.engine import LintResult, run_rules

    files = read_files(config)
    cache = None if no_cache else LintCache(config.root)
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
        result = LintResult(
            findings, files_checked, tuple(rules[i] for i in rule_ids if i in rules)
        )
    else:
        catalogue = build_catalogue(config, today, files, cache)
        if since is not None:
            from kpigov.gitdiff import read_revision

            working = {
                path: content
                for path, content in files.contents.items()
                if isinstance(content, bytes)
            }
            catalogue.base = read_revision(config, since, working)
        result = run_rules(catalogue, rules, config, scope, baseline)
        if cache is not None:
            cache.store_findings(
                key, result.findings, result.files_checked, [rule.id for rule in result.rules_run]
            )
    if cache is not None:
        # Last, once the findings are known: a detached writer forked earlier would share this
        # process's memory, and every page touched afterwards would have to be copied.
        cache.flush(background=True)
        if cache.note:
            click.echo(f"kpigov: note: {cache.note}", err=True)
    return result


def _run_key(
    config: Config,
    rules: Any,
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
        repr(
            sorted(
                (rule.id, rule.source.stat().st_mtime_ns if rule.source else 0)
                for rule in rules.values()
            )
        ),
        hashlib.sha1(baseline_path.read_bytes()).hexdigest()
        if baseline is not None and baseline_path
        else "",
        repr(files.found.problems),
        *cache.file_digests(files.contents),
    ]
    return run_key(parts)


def _split_outputs(outputs: Sequence[str]) -> tuple[list[tuple[str, Path]], list[Path]]:
    """``FORMAT:PATH`` outputs (when FORMAT is a known format) and plain paths."""
    extra, plain = [], []
    for output in outputs:
        prefix, sep, rest = output.partition(":")
        if sep and prefix in LINT_FORMATS and rest:
            extra.append((prefix, Path(rest)))
        else:
            plain.append(Path(output))
    return extra, plain


def _write(path: Path, text: str) -> None:
    from kpigov.atomic import write_atomic

    try:
        write_atomic(path, text)
    except OSError as error:
        _fail(f"cannot write {path}: {error.strerror}")


def _display_root(root: Path) -> str:
    try:
        relative = root.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return f"{root.as_posix()}/"
    return "" if relative == "." else f"{relative}/"


def _wants_colour(stream: Any) -> bool:
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="kpigov")
def main() -> None:
    """kpigov keeps KPI definitions honest: lint a KPI catalogue, publish its handbook."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@root_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(LINT_FORMATS),
    help="Output format (default text; github when GITHUB_ACTIONS is set).",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT:]PATH",
    help="Write the report to PATH instead of standard output; FORMAT:PATH (repeatable) "
    "writes that format as well, e.g. --output sarif:kpigov.sarif.",
)
@click.option(
    "--select", multiple=True, help="Rules to run: ids, names, categories (comma-separated)."
)
@click.option("--ignore", multiple=True, help="Rules to skip, added to the configured ones.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@today_option
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accepted findings (by fingerprint) to mark as suppressed.",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help=f"Write the current findings to the baseline ({DEFAULT_BASELINE_NAME} at the root by default).",
)
@click.option(
    "--statistics", is_flag=True, help="Print the number of findings per rule instead of the list."
)
@click.option(
    "--no-cache", is_flag=True, help="Neither read nor write the lint cache (.kpigov_cache/)."
)
@click.option(
    "--since",
    metavar="REV",
    help="Compare with this git revision for the governance rules G701-G706 (the pre-commit hook uses HEAD).",
)
def lint(
    paths: tuple[str, ...],
    root: Path | None,
    format_name: str | None,
    outputs: tuple[str, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    today_text: str | None,
    quiet: bool,
    baseline_path: Path | None,
    update_baseline: bool,
    statistics: bool,
    no_cache: bool,
    since: str | None,
) -> None:
    """Check the catalogue; report findings in PATHS (all files when none)."""
    from dataclasses import replace

    from kpigov.baseline import read_baseline, write_baseline
    from kpigov.config import ConfigError
    from kpigov.findings import SEVERITY_RANK
    from kpigov.reporters import Report, render, render_statistics, repository_prefix

    today = _today(today_text)
    catalogue_root = _locate_root(root, paths)
    config, rules = _load(catalogue_root, select, ignore)
    scope = _relative_paths(paths, catalogue_root)
    if update_baseline and baseline_path is None:
        baseline_path = catalogue_root / DEFAULT_BASELINE_NAME
    try:
        baseline = read_baseline(baseline_path) if baseline_path and not update_baseline else None
        previous = (
            read_baseline(baseline_path) if update_baseline and baseline_path.exists() else {}
        )  # type: ignore[union-attr]
    except ConfigError as error:
        _fail(str(error))
    try:
        result = _lint_with_cache(
            config, rules, today, scope, since, baseline, baseline_path, no_cache
        )
    except ConfigError as error:
        _fail(str(error))
    if update_baseline:
        assert baseline_path is not None
        try:
            count = write_baseline(baseline_path, result.findings, previous)
        except OSError as error:
            _fail(f"cannot write {baseline_path}: {error.strerror}")
        click.echo(f"Wrote {count} finding{'' if count == 1 else 's'} to {baseline_path}.")
        sys.exit(EXIT_CLEAN)
    if format_name is None:
        format_name = "github" if os.environ.get("GITHUB_ACTIONS") else "text"
    extra, plain = _split_outputs(outputs)
    if len(plain) > 1:
        _fail("--output without a FORMAT: prefix may be given once; write FORMAT:PATH for more")
    to_stdout = not plain
    report = Report(
        findings=result.findings,
        files_checked=result.files_checked,
        root=catalogue_root,
        today=today.isoformat(),
        version=__version__,
        rules=result.rules_run,
        colour=to_stdout and _wants_colour(sys.stdout),
        code_frames=to_stdout and sys.stdout.isatty(),
        quiet=quiet,
        display_root=_display_root(catalogue_root) if to_stdout else "",
        repository_prefix=repository_prefix(catalogue_root),
    )
    targets = [(format_name, path) for path in plain] + extra
    for target_format, path in targets:
        plain_report = replace(report, colour=False, code_frames=False, display_root="")
        _write(
            path,
            render_statistics(target_format, plain_report)
            if statistics
            else render(target_format, plain_report),
        )
    if to_stdout:
        text = render_statistics(format_name, report) if statistics else render(format_name, report)
        click.echo(text, nl=False)
    threshold = SEVERITY_RANK.get(fail_on)
    failing = threshold is not None and any(
        not f.suppressed and SEVERITY_RANK[f.severity] >= threshold for f in result.findings
    )
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def _rules_and_language(lang: str | None, root: Path | None) -> tuple[dict[str, Any], str]:
    """Every rule (with the catalogue's own when --root is given) and the language to show them in."""
    from kpigov.rulebook import builtin_rules

    if root is None:
        return dict(builtin_rules()), lang or "en"
    config, rules = _load(_locate_root(root, ()), (), ())
    return dict(rules), lang or config.language


@main.command("rules")
@root_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(("text", "json", "markdown")),
    default="text",
    show_default=True,
)
@click.option(
    "--lang", type=click.Choice(LANGUAGES), help="Language (default: the catalogue's, or en)."
)
def rules_command(root: Path | None, format_name: str, lang: str | None) -> None:
    """List every rule (markdown: the full rule reference)."""
    from kpigov import ruledocs

    rules, language = _rules_and_language(lang, root)
    render = {"text": ruledocs.as_text, "json": ruledocs.as_json, "markdown": ruledocs.as_markdown}
    click.echo(render[format_name](list(rules.values()), language), nl=False)


@main.command()
@click.argument("rule_id", metavar="ID")
@root_option
@click.option(
    "--lang", type=click.Choice(LANGUAGES), help="Language (default: the catalogue's, or en)."
)
def explain(rule_id: str, root: Path | None, lang: str | None) -> None:
    """Explain a rule (by id or name): what, why, an example, the fix."""
    import difflib

    from kpigov import ruledocs
    from kpigov.rulebook import find_rule

    rules, language = _rules_and_language(lang, root)
    rule = find_rule(rules, rule_id)
    if rule is None:
        names = [*rules, *(r.name for r in rules.values())]
        close = difflib.get_close_matches(rule_id, names, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; see `kpigov rules`"
        _fail(f"no rule {rule_id!r}{hint}")
    click.echo(ruledocs.explain(rule, language), nl=False)


@main.command()
@click.argument("kind", required=False)
def schema(kind: str | None) -> None:
    """Print the JSON Schema of KIND (kpi, goal, person, team, config, rule)."""
    import json

    from kpigov.schema import SCHEMA_NAMES, load_schema

    if kind is None:
        for name in SCHEMA_NAMES:
            click.echo(f"{name:8} {load_schema(name)['title']}")
        return
    if kind not in SCHEMA_NAMES:
        _fail(f"no schema {kind!r}; choose one of {', '.join(SCHEMA_NAMES)}")
    click.echo(json.dumps(load_schema(kind), indent=2, ensure_ascii=False))


@main.command()
@click.argument(
    "root_argument",
    metavar="[ROOT]",
    required=False,
    type=click.Path(file_okay=False, path_type=Path),
)
@root_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: site/ under the root).",
)
@click.option(
    "--public",
    is_flag=True,
    help="Publish only KPIs with visibility: public, and no e-mail address.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of the labels (default: the catalogue's).",
)
@today_option
def build(
    root_argument: Path | None,
    root: Path | None,
    out: Path | None,
    public: bool,
    lang: str | None,
    today_text: str | None,
) -> None:
    """Build the KPI handbook: a static site that works from file:// and any static host."""

    from kpigov.cache import LintCache, run_key
    from kpigov.catalogue import build_catalogue, read_files
    from kpigov.engine import run_rules
    from kpigov.handbook.gitlog import read_history
    from kpigov.handbook.public import keep_linked_documents, keep_public_kpis
    from kpigov.handbook.publish import UnsafeOutput, check_out_folder
    from kpigov.handbook.site import BuildInput, generated_date, render_site

    today = _today(today_text)
    catalogue_root = _locate_root(root_argument or root, ())
    config, rules = _load(catalogue_root, (), ())
    files = read_files(config)
    try:  # before anything is read into the cache or written
        target = check_out_folder(
            out if out is not None else catalogue_root / "site",
            catalogue_root,
            _catalogue_paths(config, files),
        )
    except UnsafeOutput as error:
        _fail(str(error))
    cache = LintCache(catalogue_root)
    catalogue = build_catalogue(config, today, files, cache)
    hidden_words: set[str] = set()
    if public:
        for kpi in catalogue.kpis.values():
            if kpi.fields.get("visibility") != "public":
                hidden_words |= {str(kpi.id), str(kpi.fields.get("name", ""))} - {""}
        keep_public_kpis(catalogue)
    # The findings come from the lint cache when nothing they depend on changed.
    key = run_key(
        [
            "build",
            str(public),
            repr(config),
            today.isoformat(),
            repr(sorted(rules)),
            *cache.file_digests(files.contents),
        ]
    )
    cached = cache.load_findings(key)
    all_findings = cached[0] if cached is not None else run_rules(catalogue, rules, config).findings
    if cached is None:
        cache.store_findings(key, all_findings, len(catalogue.files), sorted(rules))
    findings = all_findings
    if public:
        published = keep_linked_documents(catalogue, hidden_words)
        findings = [finding for finding in all_findings if published.allows(finding)]
    kpi_count = len(catalogue.kpis)

    given = BuildInput(
        catalogue=catalogue,
        findings=findings,
        rules=[rule for rule in rules.values()],
        language=lang or config.language,
        public=public,
        generated=generated_date(today),
        git=read_history(catalogue_root),
    )
    try:
        pages = render_site(given, target, progress=sys.stderr.isatty() and kpi_count > 200)
    except OSError as error:
        _fail(f"cannot write the handbook to {target}: {error.strerror}")
    cache.flush(background=True)
    shown = "public" if public else "internal"
    click.echo(f"Built the {shown} handbook: {pages} pages, {kpi_count} KPIs, in {target}")


def _catalogue_paths(config: Any, files: Any) -> list[Path]:
    """Every path the catalogue reads: its files, history, custom rules and configuration."""
    root = config.root
    return [
        root / "kpigov.yaml",
        root / "pyproject.toml",
        root / config.history,
        *(root / folder for folder in config.custom_rules),
        *(root / rel for rel in (*files.found.yaml_files, *files.found.history_files)),
    ]


@main.command()
@click.argument("base", metavar="BASE")
@click.argument("head", metavar="[HEAD]", required=False)
@root_option
@click.option(
    "--format",
    "format_name",
    type=click.Choice(("text", "markdown", "json")),
    default="text",
    show_default=True,
    help="markdown is ready to paste as a pull-request comment.",
)
def diff(base: str, head: str | None, root: Path | None, format_name: str) -> None:
    """KPIs added, removed, deprecated and changed between BASE and HEAD (default: the working tree)."""
    from kpigov.config import ConfigError
    from kpigov.diffreport import compare, render_json, render_markdown, render_text

    catalogue_root = _locate_root(root, ())
    config, _ = _load(catalogue_root, (), ())
    try:
        changes = compare(config, base, head)
    except ConfigError as error:
        _fail(str(error))
    render = {"text": render_text, "markdown": render_markdown, "json": render_json}[format_name]
    click.echo(render(changes, base, head or "the working tree"), nl=False)


@main.command()
@root_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The CODEOWNERS file whose kpigov block to rewrite (default: print the block).",
)
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 when --output's block is out of date."
)
def codeowners(root: Path | None, output: Path | None, check: bool) -> None:
    """CODEOWNERS lines that ask each KPI's owner to approve changes to its file and history."""
    from kpigov.catalogue import build_catalogue
    from kpigov.codeowners import block, merge, routing
    from kpigov.reporters import repository_prefix

    catalogue_root = _locate_root(root, ())
    config, _ = _load(catalogue_root, (), ())
    catalogue = build_catalogue(config, _today(None))
    routed = routing(catalogue, repository_prefix(catalogue_root))
    for message in routed.missing:
        click.echo(f"kpigov: warning: {message}", err=True)
    generated = block(routed.lines)
    if output is None:
        if check:
            _fail("--check needs --output, the CODEOWNERS file to compare with")
        click.echo(generated, nl=False)
        return
    try:
        existing = output.read_text(encoding="utf-8") if output.exists() else ""
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"cannot read {output}: {error}")
    updated = merge(existing, generated)
    if check:
        if updated != existing:
            click.echo(f"{output} is out of date; run `kpigov codeowners --output {output}`")
            sys.exit(EXIT_FINDINGS)
        click.echo(f"{output} is up to date ({len(routed.lines)} paths).")
        return
    if updated != existing:
        output.parent.mkdir(parents=True, exist_ok=True)
        _write(output, updated)
    click.echo(f"{output}: {len(routed.lines)} paths routed to their owners.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@root_option
@click.option(
    "--check", is_flag=True, help="Change nothing; list the files that would change and exit 1."
)
def fmt(paths: tuple[str, ...], root: Path | None, check: bool) -> None:
    """Format catalogue files: canonical key order, two-space indent, comments kept."""
    from kpigov.catalogue import discover
    from kpigov.fmt import FormatError, LossError, format_file

    catalogue_root = _locate_root(root, paths)
    config, _ = _load(catalogue_root, (), ())
    scope = _relative_paths(paths, catalogue_root)
    files = discover(config).yaml_files
    if scope is not None:
        files = [
            f
            for f in files
            if any(f == p or f.startswith(p.rstrip("/") + "/") or p in ("", ".") for p in scope)
        ]
    changed, failed = [], 0
    for file in files:
        path = catalogue_root / file
        try:
            result = format_file(path, file)
        except OSError as error:
            click.echo(f"kpigov: error: {file}: cannot read: {error.strerror}", err=True)
            failed += 1
            continue
        except LossError as error:
            # Left untouched: a failure for --check, a warning when formatting.
            click.echo(f"kpigov: {'error' if check else 'warning'}: {error}", err=True)
            failed += check
            continue
        except FormatError as error:
            click.echo(f"kpigov: error: {error}", err=True)
            failed += 1
            continue
        if not result.changed:
            continue
        changed.append(file)
        if check:
            click.echo(f"Would reformat: {_display_root(catalogue_root)}{file}")
        else:
            _write(path, result.formatted)
            click.echo(f"Reformatted: {_display_root(catalogue_root)}{file}")
    unchanged = len(files) - len(changed) - failed
    verb = "would be reformatted" if check else "reformatted"
    click.echo(
        f"{len(changed)} file{'' if len(changed) == 1 else 's'} {verb}, {unchanged} left unchanged."
    )
    sys.exit(EXIT_FINDINGS if failed or (check and changed) else EXIT_CLEAN)


@main.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="en",
    show_default=True,
    help="Language of the example catalogue and its handbook.",
)
def init(directory: Path | None, lang: str) -> None:
    """Create a working catalogue in DIRECTORY (default: here) that passes `kpigov lint`."""
    from kpigov.scaffold import ScaffoldError, create_catalogue

    target = directory or Path.cwd()
    try:
        written = create_catalogue(target, lang)
    except ScaffoldError as error:
        _fail(str(error))
    click.echo(f"Created a KPI catalogue in {target} ({len(written)} files).")
    click.echo(
        "Next: cd into it and run `kpigov lint`; then `pre-commit install` to lint every commit."
    )


def run() -> None:
    """Console entry point: ``main`` and then a fast exit.

    After the output is flushed nothing is left to do, so the process ends without tearing down
    the catalogue object by object (a measurable share of a large lint).
    """
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if exit_.code is not None and not isinstance(exit_.code, int):
            click.echo(exit_.code, err=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
