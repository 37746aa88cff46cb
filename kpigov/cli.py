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
    from kpigov.api import NoCatalogue, find_catalogue_root
    from kpigov.config import ConfigError

    try:
        return find_catalogue_root(root, paths)
    except NoCatalogue:
        # Files outside any catalogue (pre-commit passes every staged file): nothing to check.
        click.echo("kpigov: none of the given files belongs to a KPI catalogue; nothing to do")
        sys.exit(EXIT_CLEAN)
    except ConfigError as error:
        _fail(str(error))


def _relative_paths(paths: Sequence[str], root: Path) -> list[str] | None:
    from kpigov.api import relative_paths
    from kpigov.config import ConfigError

    try:
        return relative_paths(paths, root)
    except ConfigError as error:
        _fail(str(error))


def _load(root: Path, select: Sequence[str], ignore: Sequence[str]) -> tuple[Config, Any]:
    from kpigov.api import load_settings
    from kpigov.config import ConfigError

    try:
        settings = load_settings(root, _split(select), _split(ignore))
    except ConfigError as error:
        _fail(str(error))
    for warning in settings.warnings:
        click.echo(f"kpigov: warning: {warning}", err=True)
    return settings.config, settings.rules


def _split_outputs(outputs: Sequence[str]) -> tuple[list[tuple[str, Path]], list[Path]]:
    """``FORMAT:PATH`` outputs (when FORMAT is a known format) and plain paths."""
    extra, plain = [], []
    for output in outputs:
        prefix, sep, rest = output.partition(":")
        if sep and prefix in LINT_FORMATS and rest:
            extra.append((prefix, Path(rest)))
        elif sep and prefix.isidentifier() and len(prefix) > 1:
            # `sarf:x.sarif` is a typo, not a file named "sarf:x.sarif" (a one-letter prefix is a
            # Windows drive)
            _fail(
                f"--output {output}: unknown format {prefix!r}; "
                f"choose one of {', '.join(LINT_FORMATS)}, or write ./{output} for a file"
            )
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


def _wants_colour(stream: Any, choice: str = "auto") -> bool:
    """--color always/never wins; then NO_COLOR, then FORCE_COLOR (no-color.org, force-color.org),
    then whether the stream is a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
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
@click.option(
    "--color",
    "--colour",
    "color",
    type=click.Choice(("auto", "always", "never")),
    default="auto",
    show_default=True,
    help="Colour the text output (auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it).",
)
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="With PATH '-': lint standard input as if it were this catalogue file (editors).",
)
@click.option(
    "--include-suppressed",
    is_flag=True,
    help="SARIF: keep baseline-suppressed findings (marked as suppressed) in the results.",
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
    color: str,
    stdin_filename: str | None,
    include_suppressed: bool,
) -> None:
    """Check the catalogue; report findings in PATHS (all files when none; - reads standard input)."""
    from dataclasses import replace

    from kpigov import api
    from kpigov.config import ConfigError
    from kpigov.reporters import Report, render, render_statistics, repository_prefix

    today = _today(today_text)
    stdin_text = None
    if "-" in paths:
        if paths != ("-",) or not stdin_filename:
            _fail("lint - reads one file from standard input; name it with --stdin-filename PATH")
        stdin_text = sys.stdin.buffer.read()
        paths = ()
    elif stdin_filename:
        _fail("--stdin-filename goes with the path - (standard input)")
    if format_name is None:
        format_name = "github" if os.environ.get("GITHUB_ACTIONS") else "text"
    extra, plain = _split_outputs(outputs)
    if len(plain) > 1:
        _fail("--output without a FORMAT: prefix may be given once; write FORMAT:PATH for more")
    for _, path in [*extra, *((format_name, p) for p in plain)]:
        if not path.parent.is_dir():  # before the work, not after it
            _fail(f"--output {path}: the folder {path.parent} does not exist")
    if stdin_text is not None and stdin_filename:
        # The file may not exist yet (an editor's new buffer): start from the nearest folder.
        start = Path(stdin_filename).absolute()
        while not start.exists() and start != start.parent:
            start = start.parent
        catalogue_root = _locate_root(root, [str(start)])
    else:
        catalogue_root = _locate_root(root, paths)
    if update_baseline and baseline_path is None:
        baseline_path = catalogue_root / DEFAULT_BASELINE_NAME
    try:
        result = api.lint(
            catalogue_root,
            list(paths),
            select=_split(select),
            ignore=_split(ignore),
            today=today,
            since=since,
            # When updating, the old baseline still marks what it accepted: reasons given there
            # carry over, also through fingerprints written by kpigov 0.1.
            baseline=baseline_path
            if baseline_path is not None and (not update_baseline or baseline_path.exists())
            else None,
            use_cache=not no_cache,
            stdin_text=stdin_text,
            stdin_filename=stdin_filename,
        )
        if update_baseline:
            assert baseline_path is not None
            count = api.update_baseline(result, baseline_path)
    except ConfigError as error:
        _fail(str(error))
    if paths and since and os.environ.get("PRE_COMMIT"):
        from kpigov.precommit import governance_once

        scope = _relative_paths(paths, catalogue_root) or []
        result.findings = governance_once(result.findings, scope, catalogue_root, os.getppid())
    for warning in result.settings.warnings:
        click.echo(f"kpigov: warning: {warning}", err=True)
    for note in result.notes:
        click.echo(f"kpigov: note: {note}", err=True)
    if update_baseline:
        click.echo(f"Wrote {count} finding{'' if count == 1 else 's'} to {baseline_path}.")
        sys.exit(EXIT_CLEAN)
    to_stdout = not plain
    report = Report(
        findings=result.findings,
        files_checked=result.files_checked,
        root=catalogue_root,
        today=today.isoformat(),
        version=__version__,
        rules=result.rules_run,
        colour=to_stdout and _wants_colour(sys.stdout, color),
        code_frames=to_stdout and sys.stdout.isatty(),
        quiet=quiet,
        display_root=_display_root(catalogue_root) if to_stdout else "",
        repository_prefix=repository_prefix(catalogue_root),
        include_suppressed=include_suppressed,
        terminal=to_stdout and sys.stdout.isatty(),
        language=result.settings.config.language,
    )
    targets = [(format_name, path) for path in plain] + extra
    for target_format, path in targets:
        plain_report = replace(
            report, colour=False, code_frames=False, display_root="", terminal=False
        )
        _write(
            path,
            render_statistics(target_format, plain_report)
            if statistics
            else render(target_format, plain_report),
        )
    if to_stdout:
        text = render_statistics(format_name, report) if statistics else render(format_name, report)
        click.echo(text, nl=False, color=report.colour)  # click strips colour off a pipe otherwise
    if "sarif" in (format_name if to_stdout else "", *(f for f, _ in targets)):
        from kpigov.reporters.sarif_report import overflow

        kept, dropped = overflow(report)
        if dropped:
            click.echo(
                f"kpigov: warning: the SARIF report holds the {kept} most severe results; "
                f"{dropped} less severe ones were left out (GitHub accepts no more)",
                err=True,
            )
    sys.exit(EXIT_FINDINGS if result.failing(fail_on) else EXIT_CLEAN)


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
    """Explain a rule (by id or name): what, why, an example, the fix. Given a KPI id, show the
    KPI's fields and where each inherited or default value comes from."""
    import difflib

    from kpigov import ruledocs
    from kpigov.rulebook import find_rule

    rules, language = _rules_and_language(lang, root)
    rule = find_rule(rules, rule_id)
    if rule is None and _explain_kpi(rule_id, root):
        return
    if rule is None:
        names = [*rules, *(r.name for r in rules.values())]
        close = difflib.get_close_matches(rule_id, names, n=1)
        hint = f"; did you mean {close[0]}?" if close else "; see `kpigov rules`"
        _fail(f"no rule {rule_id!r}{hint}")
    click.echo(ruledocs.explain(rule, language), nl=False)


def _explain_kpi(kpi_id: str, root: Path | None) -> bool:
    """``kpigov explain KPI-ID``: the KPI's fields as the rules see them, and where each value
    that the KPI does not write itself comes from (its parent, the catalogue's defaults)."""
    import datetime as dt
    import json

    from kpigov.api import find_catalogue_root, load_settings
    from kpigov.catalogue import build_catalogue
    from kpigov.config import ConfigError

    try:
        catalogue_root = find_catalogue_root(root)
        settings = load_settings(catalogue_root)
    except ConfigError:
        return False
    kpi = build_catalogue(settings.config, dt.date.today()).kpis.get(kpi_id)
    if kpi is None:
        return False
    click.echo(f"{kpi.id}  {kpi.fields.get('name', '')}  ({kpi.file}:{kpi.line})")
    for field, value in kpi.fields.items():
        origin = kpi.origins.get(field)
        shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
        click.echo(f"  {field}: {shown}" + (f"    # from {origin}" if origin else ""))
    return True


@main.command()
@click.argument("kind", required=False)
@click.option(
    "--path",
    "show_path",
    is_flag=True,
    help="Print where the schema files are installed (to map them in an editor).",
)
def schema(kind: str | None, show_path: bool) -> None:
    """Print the JSON Schema of KIND (kpi, goal, person, team, catalogue-file, config, rule)."""
    import json

    from kpigov.resources import data_dir
    from kpigov.schema import SCHEMA_NAMES, load_schema

    if kind is not None and kind not in SCHEMA_NAMES:
        _fail(f"no schema {kind!r}; choose one of {', '.join(SCHEMA_NAMES)}")
    if show_path:
        folder = data_dir("schemas")
        click.echo(str(folder / f"{kind}.schema.json") if kind else str(folder))
        return
    if kind is None:
        for name in SCHEMA_NAMES:
            click.echo(f"{name:15} {load_schema(name)['title']}")
        return
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
    from kpigov import api
    from kpigov.config import ConfigError

    today = _today(today_text)
    try:
        built = api.build(
            root_argument or root or _locate_root(None, ()),
            out,
            public=public,
            language=lang,
            today=today,
            progress=sys.stderr.isatty(),
        )
    except ConfigError as error:
        _fail(str(error))
    shown = "public" if public else "internal"
    click.echo(
        f"Built the {shown} handbook: {built.pages} pages, {built.kpis} KPIs, in {built.out}"
    )
    for why, count in built.left_out.items():
        click.echo(f"Left out {count} KPI{'' if count == 1 else 's'}: {why}.")


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
    from kpigov.files import discover
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
@click.argument("selection", metavar="[ID-OR-GLOB]...", nargs=-1)
@root_option
@click.option("--date", "date_text", metavar="D", help="Measure the period that ends on D.")
@click.option("--from", "from_text", metavar="D", help="With --to: every period end from D on.")
@click.option("--to", "to_text", metavar="D", help="With --from: every period end up to D.")
@click.option("--dry-run", is_flag=True, help="Run the queries and show the values; write nothing.")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
)
@click.option(
    "--timeout",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds one query may run.",
)
@today_option
def measure(
    selection: tuple[str, ...],
    root: Path | None,
    date_text: str | None,
    from_text: str | None,
    to_text: str | None,
    dry_run: bool,
    format_name: str,
    timeout: float,
    today_text: str | None,
) -> None:
    """Compute KPI values in their databases and append them to the history (append-only)."""
    import datetime as dt
    import json

    from kpigov import api
    from kpigov.config import ConfigError

    def day(text: str | None, option: str) -> dt.date | None:
        if text is None:
            return None
        try:
            if len(text) != 10:
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            _fail(f"{option}: {text!r} is not a date; write YYYY-MM-DD")

    try:
        result = api.measure(
            root or _locate_root(None, ()),
            selection,
            date=day(date_text, "--date"),
            first=day(from_text, "--from"),
            last=day(to_text, "--to"),
            dry_run=dry_run,
            timeout=timeout,
            today=_today(today_text),
        )
    except ConfigError as error:
        _fail(str(error))
    if format_name == "json":
        document = {"version": 1, "outcomes": [o.to_json() for o in result.outcomes]}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        for outcome in result.outcomes:
            values = ", ".join(
                f"{row.date}: {row.value}" + (f" ({row.note})" if row.note else "")
                for row in outcome.rows
            )
            if outcome.status == "failed":
                click.echo(
                    f"{outcome.file}:{outcome.line}: {outcome.kpi}: failed: {outcome.message}",
                    err=True,
                )
            else:
                click.echo(
                    f"{outcome.kpi}: {outcome.status}: {values}"
                    + (f" — {outcome.message}" if outcome.message else "")
                )
        done = len(result.outcomes) - len(result.failed)
        click.echo(
            f"Measured {done} of {len(result.outcomes)} KPIs"
            + (" (dry run: nothing written)." if dry_run else ".")
        )
    sys.exit(EXIT_FINDINGS if result.failed else EXIT_CLEAN)


@main.command("import")
@click.argument(
    "format_name", metavar="FORMAT", type=click.Choice(("csv", "xlsx", "gitlab", "dbt"))
)
@click.argument(
    "sources", metavar="SOURCE...", nargs=-1, required=True, type=click.Path(dir_okay=False)
)
@click.option(
    "--into",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The catalogue to write (created when absent; existing files are never replaced).",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    help="Language of the register's numbers and of a new catalogue (default: from its headers).",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Read a column kpigov does not recognise as a field: name, description, owner, goal, "
    "target, deadline, unit, frequency, review, direction, source, formula, perspective, status, "
    "baseline, area.",
)
@click.option("--sheet", help="xlsx: the sheet to read (default: the first).")
@today_option
def import_command(
    format_name: str,
    sources: tuple[str, ...],
    into: Path,
    lang: str | None,
    mappings: tuple[str, ...],
    sheet: str | None,
    today_text: str | None,
) -> None:
    """Import KPI definitions (a csv or xlsx register, GitLab-handbook or dbt metric YAML)."""
    from kpigov import api
    from kpigov.config import ConfigError
    from kpigov.reporters import Report, render_statistics

    mapping = {}
    for item in mappings:
        column, sep, field_name = item.rpartition("=")
        if not sep or not column.strip():
            _fail(f"--map {item}: write COLUMN=FIELD, e.g. --map 'KPI-nummer=name'")
        mapping[column.strip()] = field_name.strip()
    today = _today(today_text)
    try:
        result = api.import_catalogue(
            format_name, sources, into, language=lang, mapping=mapping, sheet=sheet, today=today
        )
    except api.ImportConflicts as error:
        click.echo(f"kpigov: error: {error}", err=True)
        sys.exit(EXIT_FINDINGS)
    except ConfigError as error:
        _fail(str(error))
    for problem in result.problems:
        click.echo(f"{problem.where}: {problem.message}", err=True)
    click.echo(
        f"Imported {result.kpis} KPIs, {result.goals} goals and {result.owners} owners into "
        f"{result.into} ({len(result.written)} files)"
        + (
            f"; {len(result.problems)} rows or values could not be read (listed above)."
            if result.problems
            else "."
        )
    )
    assert result.lint is not None
    report = Report(
        findings=result.lint.findings,
        files_checked=result.lint.files_checked,
        root=result.into,
        today=today.isoformat(),
        version=__version__,
    )
    click.echo("\nLint of the result, per rule:")
    click.echo(render_statistics("text", report), nl=False)
    click.echo(
        "\nNext steps:\n"
        f"  kpigov lint --root {result.into} --statistics   # what to fix first\n"
        "  add `defaults:` to kpigov.yaml for what holds for a whole folder (owner, review, …)\n"
        f"  kpigov lint --root {result.into} --update-baseline   # accept the rest for now\n"
        "  then commit, and let the pre-commit hook (--since HEAD) govern every change"
    )


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
    from kpigov import lifetime

    lifetime.until_exit()  # the process ends with os._exit below
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
