"""`kpigov build`: the static handbook. Browser checks (Chromium, axe-core, html-validate) live
in test_handbook_browser.py; these tests read the files."""

from __future__ import annotations

import filecmp
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import kpigov.handbook.site as site_module
from kpigov.checks.common import rag_status
from kpigov.handbook.markdown import _renderer, render_markdown
from tests.conftest import REPO, catalogue_in_context, run_cli

ACME = REPO / "examples" / "acme"


def _build(root: Path, out: Path, *args: str) -> str:
    code, stdout, stderr = run_cli(
        "build", str(root), "--out", str(out), "--today", "2026-11-23", *args
    )
    assert code == 0, stderr
    return stdout


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def acme_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("acme") / "site"
    _build(ACME, out)
    return out


def test_every_page_is_written(acme_site: Path) -> None:
    for page in (
        "index.html",
        "rules.html",
        "findings.html",
        "changes.html",
        "assets/handbook.css",
        "assets/handbook.js",
        "assets/search-index.js",
    ):
        assert (acme_site / page).is_file(), page
    kpis = sorted(p.stem for p in (ACME / "kpis").rglob("*.yaml"))
    assert len(list((acme_site / "kpis").glob("*.html"))) == len(kpis)
    assert (acme_site / "goals" / "grow-profitably.html").is_file()
    assert (acme_site / "owners" / "l.smit.html").is_file() and (
        acme_site / "owners" / "sales.html"
    ).is_file()


def test_kpi_page_shows_what_a_decision_maker_needs(acme_site: Path) -> None:
    html = (acme_site / "kpis" / "customer.nps.html").read_text()
    assert (
        "Net Promoter Score" in html
        and "rag-green" in html
        or "rag-amber" in html
        or "rag-red" in html
    )
    assert (
        '<svg class="trend"' in html
        and '<title id="chart-title">' in html
        and '<desc id="chart-desc">' in html
    )
    assert 'class="baseline"' in html and 'class="target"' in html
    for letter in ("Specific", "Measurable", "Achievable", "Relevant", "Time-bound"):
        assert letter in html
    assert "Change on the previous period" in html
    assert (
        'href="../owners/l.smit.html"' in html
        and 'href="../goals/keep-customers-loyal.html"' in html
    )
    composite = (acme_site / "kpis" / "customer.clv.html").read_text()
    assert 'href="../kpis/finance.gross-margin.html"' in composite  # composite inputs are linked


def test_index_has_health_strategy_map_filters_and_search(acme_site: Path) -> None:
    html = (acme_site / "index.html").read_text()
    for text in (
        "Catalogue health",
        "SMART completeness",
        "Strategy map",
        'data-filter="perspective"',
        'data-filter="tier"',
        'data-filter="owner"',
        'data-filter="status"',
        'id="search-input"',
    ):
        assert text in html
    index = (acme_site / "assets" / "search-index.js").read_text()
    assert index.startswith("window.KPIGOV_INDEX = [") and '"customer.nps"' in index


def test_internal_links_all_resolve(acme_site: Path) -> None:
    for page in acme_site.rglob("*.html"):
        for _tag, attrs in _parse(page).tags:
            for name in ("href", "src"):
                target = attrs.get(name)
                if not target or target.startswith(("http://", "https://", "mailto:")):
                    continue
                path, _, fragment = target.partition("#")
                resolved = (page.parent / path).resolve() if path else page
                assert resolved.is_file(), f"{page.relative_to(acme_site)}: broken link {target}"
                if fragment:
                    assert f'id="{fragment}"' in resolved.read_text(), (
                        f"{page}: missing #{fragment}"
                    )


def test_no_request_to_another_host(acme_site: Path) -> None:
    for page in acme_site.rglob("*.html"):
        for tag, attrs in _parse(page).tags:
            if tag in ("script", "img", "link", "iframe", "source", "video", "audio"):
                for name in ("src", "href"):
                    value = attrs.get(name) or ""
                    assert not value.startswith(("http:", "https:", "//")), f"{page}: {tag} {value}"
    css = (acme_site / "assets" / "handbook.css").read_text()
    assert "url(" not in css and "@import" not in css


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _build(ACME, first)
    _build(ACME, second)
    comparison = filecmp.dircmp(first, second)

    def same(cmp: filecmp.dircmp[str]) -> bool:
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        return not (mismatch or errors or cmp.left_only or cmp.right_only) and all(
            same(sub) for sub in cmp.subdirs.values()
        )

    assert same(comparison)


def test_generated_date_comes_from_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _build(ACME, tmp_path / "site")
    assert "2023-11-14" in (tmp_path / "site" / "index.html").read_text()


def test_failed_build_leaves_the_old_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    _build(ACME, out)
    (out / "marker.txt").write_text("the old site")
    real = site_module.rule_view  # made in every build, even one that renders no other page

    def broken(rule: object, language: object) -> object:
        raise RuntimeError("the disk is full, say")

    monkeypatch.setattr(site_module, "rule_view", broken)
    with pytest.raises(RuntimeError):
        run_cli("build", str(ACME), "--out", str(out), "--today", "2026-11-23")
    monkeypatch.setattr(site_module, "rule_view", real)
    assert (out / "marker.txt").read_text() == "the old site"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no half-built folder left behind


CONFIDENTIAL = """kind: kpi
id: secret.zebra-margin
name: Zebra margin quintet
description: The confidential zebra margin, measured quietly every month by finance only.
owner: a.jansen
goals: [grow-revenue]
unit: percent
direction: higher-is-better
visibility: confidential
"""
PUBLIC = """kind: kpi
id: open.visitors
name: Website visitors
description: Visitors of the public website in the month, counted by the web analytics tool.
owner: a.jansen
goals: [grow-revenue]
unit: count
direction: higher-is-better
visibility: public
formula:
  expression: zebra * 2
  inputs: [{name: zebra, kpi: secret.zebra-margin}]
replaced_by: secret.zebra-margin
"""


def test_public_build_reveals_nothing_private(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path / "cat",
        {
            "kpis/secret.yaml": CONFIDENTIAL,
            "kpis/open.yaml": PUBLIC,
            "history/secret.zebra-margin.csv": "date,value\n2026-10-31,87.654321\n",
            "owners.yaml": "kind: person\nid: a.jansen\nname: Anna Jansen\nemail: anna@secret-mail.example\n---\n"
            "kind: person\nid: b.smit\nname: Bram Smit\n---\nkind: team\nid: sales\nname: Sales\nlead: a.jansen\n",
        },
    )
    out = tmp_path / "site"
    _build(root, out, "--public")
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for secret in (
                "secret.zebra-margin",
                "Zebra margin",
                "zebra margin",
                "87.65",
                "anna@secret-mail",
                "context.win-rate",
                "Context win rate",
            ):
                assert secret not in text, f"{path.relative_to(out)} reveals {secret!r}"
    page = (out / "kpis" / "open.visitors.html").read_text()
    assert "not published" in page
    _build(root, tmp_path / "internal")
    assert (
        "anna@secret-mail.example"
        in (tmp_path / "internal" / "owners" / "a.jansen.html").read_text()
    )


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}",
    "<a href='javascript:alert(1)'>x</a>",
    "\u2028</script>",
    "![x](http://evil.example/pixel.png)",
]


def test_no_catalogue_text_becomes_executable(tmp_path: Path) -> None:
    payload = " ".join(XSS)
    quoted = payload.replace("\\", "\\\\").replace('"', '\\"')
    kpi = (
        f'kind: kpi\nid: xss.kpi\nname: "{quoted[:70]}"\ndescription: "{quoted}"\nrisks: "{quoted}"\n'
        f"owner: a.jansen\ngoals: [grow-revenue]\nunit: count\ndirection: higher-is-better\n"
        f'formula:\n  expression: a\n  inputs: [{{name: a, source: "{quoted}", description: "{quoted}"}}]\n'
        f'tags: ["{quoted}"]\nchangelog: [{{date: 2026-01-01, change: "{quoted}"}}]\n'
        f'links: [{{title: "{quoted}", url: "https://example.com/?q=%3Cscript%3E"}}]\n'
    )
    root = catalogue_in_context(
        tmp_path / "cat",
        {
            "kpis/xss.yaml": kpi,
            "goals.yaml": f'kind: goal\nid: grow-revenue\nname: "{quoted[:60]}"\ndescription: "{quoted}"\nowner: a.jansen\n',
            "history/xss.kpi.csv": f'date,value,note\n2026-10-31,3,"{payload.replace(chr(34), chr(39))}"\n',
        },
    )
    out = tmp_path / "site"
    _build(root, out)
    for page in out.rglob("*.html"):
        parsed = _parse(page)
        scripts = [attrs.get("src") for tag, attrs in parsed.tags if tag == "script"]
        assert all(
            src and src.endswith(("assets/search-index.js", "assets/handbook.js"))
            for src in scripts
        ), page
        for tag, attrs in parsed.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), f"{page}: {tag} has {name}"
                if name in ("href", "src") and value:
                    assert (
                        not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
                    ), f"{page}: {value}"
            assert tag not in ("img", "iframe", "object", "embed"), (
                f"{page}: a catalogue made an <{tag}>"
            )
    index = (out / "assets" / "search-index.js").read_text()
    assert "</script" not in index.lower() and "\u2028" not in index
    assert "&lt;script&gt;" in (out / "kpis" / "xss.kpi.html").read_text()


def test_dutch_labels(tmp_path: Path) -> None:
    _build(ACME, tmp_path / "site", "--lang", "nl")
    html = (tmp_path / "site" / "index.html").read_text()
    assert '<html lang="nl"' in html and "Strategiekaart" in html and "SMART-volledigheid" in html


def test_build_renders_a_catalogue_with_findings(tmp_path: Path) -> None:
    output = _build(REPO / "examples" / "messy", tmp_path / "site")
    assert "Built the internal handbook" in output
    assert "K001" in (tmp_path / "site" / "findings.html").read_text()


@pytest.mark.parametrize(
    ("value", "direction", "thresholds", "target", "expected"),
    [
        (
            10,
            "higher-is-better",
            {"red": 10, "amber": 20},
            {},
            "amber",
        ),  # on a boundary: the better band
        (9.9, "higher-is-better", {"red": 10, "amber": 20}, {}, "red"),
        (20, "higher-is-better", {"red": 10, "amber": 20}, {}, "green"),
        (8, "lower-is-better", {"red": 8, "amber": 6}, {}, "amber"),
        (8.1, "lower-is-better", {"red": 8, "amber": 6}, {}, "red"),
        (6, "lower-is-better", {"red": 8, "amber": 6}, {}, "green"),
        (80, "target-range", {"red": 8, "amber": 3}, {"min": 75, "max": 85}, "green"),
        (
            88,
            "target-range",
            {"red": 8, "amber": 3},
            {"min": 75, "max": 85},
            "green",
        ),  # 3 outside = amber: boundary
        (89, "target-range", {"red": 8, "amber": 3}, {"min": 75, "max": 85}, "amber"),
        (94, "target-range", {"red": 8, "amber": 3}, {"min": 75, "max": 85}, "red"),
        (5, "higher-is-better", None, {}, None),
    ],
)
def test_red_amber_green(
    value: float, direction: str, thresholds: object, target: object, expected: str | None
) -> None:
    assert rag_status(value, direction, thresholds, target) == expected


def test_markdown_is_safe() -> None:
    html = str(
        render_markdown(
            "**bold** <b>raw</b> [ok](https://a.example) [bad](javascript:x) ![i](https://t.example/p.png)"
        )
    )
    assert "<strong>bold</strong>" in html and "&lt;b&gt;raw&lt;/b&gt;" in html
    assert 'href="https://a.example"' in html and "javascript:" not in html.split("[bad]")[0]
    assert "<img" not in html and 'href="javascript' not in html


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZé1 ,.;:'()%/?-_*#>&<\"\n\t[]`!=+é日", max_size=40))
@example("Share of records, counted; test (internal) 5% excluded.\n")
@example("1. first")
@example("- item")
@example("a  b")
def test_plain_text_renders_as_markdown_it_renders_it(text: str) -> None:
    expected = _renderer().render(text) if text.strip() else ""
    assert str(render_markdown(text)) == expected


def test_parallel_and_sequential_builds_are_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = generate(300, tmp_path / "catalogue")  # 300 KPIs with their goals and owners
    from kpigov.handbook import processes

    threshold = processes.PARALLEL_FROM
    parallel, sequential = tmp_path / "parallel", tmp_path / "sequential"
    _build(root, parallel)
    monkeypatch.setattr(processes, "PARALLEL_FROM", 10**9)
    _build(root, sequential)
    left = sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    assert left == sorted(p.relative_to(sequential) for p in sequential.rglob("*") if p.is_file())
    assert (
        len([p for p in left if p.parts[0] in ("kpis", "goals", "owners")]) > threshold
    )  # the parallel path ran
    for relative in left:
        assert (parallel / relative).read_bytes() == (sequential / relative).read_bytes(), relative


def test_trend_chart_of_one_point_and_of_none() -> None:
    from kpigov.handbook.chart import trend_svg
    from kpigov.handbook.labels import LABELS

    one = trend_svg(["2026-01-31"], [5.0], "Win rate <x>", "%", None, None, LABELS["en"])
    assert one.startswith('<svg class="trend"') and "Win rate &lt;x&gt;" in one
    import re

    from kpigov.handbook.chart import nice_ticks

    left = float(re.search(r'class="axis" x1="(\d+)"', one)[1])
    cx = float(re.search(r'class="latest" cx="([\d.]+)"', one)[1])
    assert abs(cx - (left + (640 - left - 16) / 2)) < 0.2  # a single point sits in the middle
    assert trend_svg([], [], "t", "", 1.0, 2.0, LABELS["en"]) == ""
    # nice ticks: round steps that cover the data
    assert nice_ticks(27.04, 40.96) == [25.0, 30.0, 35.0, 40.0, 45.0]
    assert nice_ticks(0.2, 0.9) == [0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(99.1, 99.97)[0] <= 99.1 and nice_ticks(99.1, 99.97)[-1] >= 99.97


def test_chart_bands_notes_and_every_value() -> None:
    from kpigov.handbook.chart import trend_svg
    from kpigov.handbook.labels import LABELS

    svg = trend_svg(
        ["2026-01-31", "2026-02-28", "2026-03-31"],
        [20.0, 24.0, 31.0],
        "Win rate",
        "%",
        18.0,
        30.0,
        LABELS["en"],
        thresholds={"red": 22, "amber": 26},
        direction="higher-is-better",
        notes=["", "price rise", ""],
    )
    assert 'class="band band-red"' in svg and 'class="band band-amber"' in svg
    assert "<title>2026-02-28: price rise</title>" in svg
    assert "Recorded values: 3, 2026-01-31 – 2026-03-31" in svg


def test_what_a_reader_needs_on_every_page(tmp_path: Path) -> None:
    """SPEC §8.6: status everywhere with a word, roll-ups, a KPI that does not parse shown as
    such, values out of scale not green, Dutch units, changes only of catalogue files."""
    from tests.conftest import commit_all, git

    repository = tmp_path / "repo"
    root = catalogue_in_context(
        repository / "catalogue",
        {
            "kpis/uptime.yaml": "kind: kpi\nid: it.uptime\nname: Uptime\nowner: b.smit\n"
            "goals: [grow-revenue]\nunit: percent\nscale: {min: 0, max: 100}\n"
            "direction: higher-is-better\nthresholds: {red: 99, amber: 99.5}\nfrequency: daily\n",
            "history/it.uptime.csv": "date,value\n2026-11-21,99.9\n2026-11-22,104\n",
            "kpis/broken.yaml": "kind: kpi\nid: it.broken\nname: [Broken\n",
            "kpis/hours.yaml": "kind: kpi\nid: it.hours\nname: Hours\nowner: a.jansen\nunit: hours\n",
            "history/it.hours.csv": "date,value\n2026-11-22,5.1\n",
        },
    )
    (repository / "README.md").write_text("the repository around the catalogue\n")
    commit_all(repository, "catalogue")
    (repository / "README.md").write_text("changed\n")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "Tooling change outside the catalogue")
    out = tmp_path / "site"
    code, stdout, err = run_cli("build", str(root), "--out", str(out), "--today", "2026-11-23")
    assert code == 0, err
    assert "Left out 1 KPI: their file does not parse" in stdout
    index = (out / "index.html").read_text()
    assert "it.broken" in index and "could not be read" in index and "kpis/broken.yaml:4" in index
    uptime = (out / "kpis" / "it.uptime.html").read_text()
    assert (
        "status-invalid" in uptime and "check the data" in uptime and "status-green" not in uptime
    )
    team = (out / "owners" / "sales.html").read_text()
    assert "KPIs of its members" in team and "Uptime" in team  # b.smit is in team sales
    assert "Tooling change outside the catalogue" not in (out / "changes.html").read_text()
    dutch = tmp_path / "nl"
    assert (
        run_cli("build", str(root), "--out", str(dutch), "--lang", "nl", "--today", "2026-11-23")[0]
        == 0
    )
    assert "5,1 uur" in (dutch / "kpis" / "it.hours.html").read_text()


def test_the_changes_page_names_the_first_kpis_of_a_large_commit_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    """The commit that brought a catalogue in touched every KPI: its row names the first
    CHANGED_KPIS_SHOWN (by id) and counts the others, in the handbook's language."""
    import datetime as dt
    import re

    from kpigov.api import load_settings
    from kpigov.catalogue import build_catalogue
    from kpigov.handbook.site import CHANGED_KPIS_SHOWN
    from tests.conftest import commit_all

    files = {
        f"kpis/k{number:04d}.yaml": f"kind: kpi\nid: sales.k{number:04d}\nname: KPI {number}\n"
        for number in range(CHANGED_KPIS_SHOWN + 1_000)
    }
    root = catalogue_in_context(tmp_path / "repo", files)
    commit_all(tmp_path / "repo", "bring the catalogue in")
    ids = sorted(build_catalogue(load_settings(root).config, dt.date(2026, 11, 23)).kpis)
    others = len(ids) - CHANGED_KPIS_SHOWN
    assert others > 1_000
    for language, more in (
        ("en", f"and {others:,} more"),
        ("nl", f"en nog {others:,}".replace(",", ".")),
    ):
        out = tmp_path / language
        code, _, err = run_cli(
            "build", str(root), "--out", str(out), "--lang", language, "--today", "2026-11-23"
        )
        assert code == 0, err
        changes = (out / "changes.html").read_text()
        assert re.findall(r'href="kpis/([^"]+)\.html"', changes) == ids[:CHANGED_KPIS_SHOWN]
        assert f'<span class="muted">{more}</span>' in changes


def test_templates_compiled_in_advance_render_what_jinja2_compiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's templates come compiled from a process of its own (CompiledInAdvance); the
    site is the one jinja2 renders from templates it compiles itself, in English and Dutch."""
    import os
    import threading

    from kpigov.handbook import templating
    from kpigov.resources import data_dir

    received: list[int] = []
    original_wait = templating.CompiledInAdvance.wait

    def counted(self: templating.CompiledInAdvance) -> dict[str, tuple[str | None, bytes]]:
        codes = original_wait(self)
        received.append(len(codes))
        return codes

    for language in ("en", "nl"):
        ahead, itself = tmp_path / f"ahead-{language}", tmp_path / f"itself-{language}"
        monkeypatch.setattr(templating.CompiledInAdvance, "wait", counted)
        _build(ACME, ahead, "--lang", language)
        monkeypatch.setattr(templating.CompiledInAdvance, "wait", lambda self: {})
        _build(ACME, itself, "--lang", language)
        files = sorted(p.relative_to(ahead) for p in ahead.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(itself) for p in itself.rglob("*") if p.is_file())
        for relative in files:
            assert (ahead / relative).read_bytes() == (itself / relative).read_bytes(), relative
    templates = list((data_dir("templates") / "handbook").glob("*.html"))
    assert received
    if hasattr(os, "fork") and threading.active_count() == 1:  # else nothing is compiled ahead
        assert all(count == len(templates) for count in received)


def test_a_build_that_fails_leaves_no_process_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process that compiles the templates is waited for even when the build fails before
    it renders anything."""
    import os
    import threading

    from kpigov import api
    from kpigov.handbook import templating

    if not hasattr(os, "fork") or threading.active_count() > 1:
        pytest.skip("no process is forked here")
    started: list[templating.CompiledInAdvance] = []

    class Recorded(templating.CompiledInAdvance):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            started.append(self)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the catalogue could not be read, say")

    monkeypatch.setattr(templating, "CompiledInAdvance", Recorded)
    monkeypatch.setattr(api, "_checked_catalogue", broken)
    with pytest.raises(RuntimeError):
        api.build(ACME, tmp_path / "site")
    (compiling,) = started
    assert compiling._pid > 0
    with pytest.raises(ChildProcessError):  # reaped already: no zombie, nothing running
        os.waitpid(compiling._pid, os.WNOHANG)
