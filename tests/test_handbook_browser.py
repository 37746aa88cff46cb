"""The handbook in a real browser: headless Chromium (Debian's) driven by Playwright.

Search and filters work, no console error, no request leaves file://, axe-core finds no
accessibility violation, html-validate finds no error, and screenshots are taken on a desktop and
a phone viewport. .ci/run installs Chromium and the node tools (tests/browser); elsewhere these
tests skip when a tool is missing — except under CI, where a missing tool is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, run_cli

# Chromium does not depend on the Python version: CI runs these once, on the newest Python.
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOOLS = REPO / "tests" / "browser"
AXE = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
HTML_VALIDATE = TOOLS / "node_modules" / ".bin" / "html-validate"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need(condition: bool, what: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing; .ci/run installs it")
        pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("handbook") / "site"
    code, _, err = run_cli(
        "build", str(REPO / "examples" / "acme"), "--out", str(out), "--today", "2026-11-23"
    )
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _need(Path(CHROMIUM).exists(), "Chromium (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "playwright (a test extra)")
    # Playwright starts the browser with a fresh, temporary profile of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS[1:])
        yield browser
        browser.close()


class Watched:
    """A page that records console errors and every request that leaves file://."""

    def __init__(self, browser: Any, width: int = 1280, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

        def route(route: Any) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        self.page.route("**/*", route)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, self.errors
        assert not self.outside, f"requests to other hosts: {self.outside}"


def test_search_and_follow_a_result(browser: Any, site: Path) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto((site / "index.html").as_uri())
    page.fill("#search-input", "net prom")
    page.wait_for_selector("#search-results a")
    results = page.locator("#search-results a")
    assert results.count() == 1 and "Net Promoter Score" in results.first.inner_text()
    results.first.click()
    page.wait_for_url("**/kpis/customer.nps.html")
    assert page.locator("h1").inner_text().startswith("Net Promoter Score")
    # search works from a page in a sub-folder too, and Enter opens the first result
    page.fill("#search-input", "uptime availability")
    page.wait_for_selector("#search-results a")
    page.press("#search-input", "Enter")
    page.wait_for_url("**/kpis/it.uptime.html")
    page.fill("#search-input", "no such kpi at all")
    assert page.locator("#search-results").inner_text() == "No KPI matches."
    watched.close()


def test_filters(browser: Any, site: Path) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto((site / "index.html").as_uri())
    total = page.locator(".all-cards .card").count()
    page.select_option('select[data-filter="perspective"]', "financial")
    visible = page.locator(".all-cards .card:visible")
    assert 0 < visible.count() < total
    assert all(
        p == "financial"
        for p in visible.evaluate_all("cards => cards.map(c => c.dataset.perspective)")
    )
    page.select_option('select[data-filter="owner"]', "p.janssen")
    owners = page.locator(".all-cards .card:visible").evaluate_all(
        "cards => cards.map(c => c.dataset.owner)"
    )
    assert owners and set(owners) == {"p.janssen"}
    # the filter state is in the URL: a reload (or a shared link) keeps it
    assert "perspective=financial" in page.url and "owner=p.janssen" in page.url
    page.goto(page.url)
    assert page.locator(".all-cards .card:visible").count() == len(owners)
    page.select_option('select[data-filter="perspective"]', "")
    page.select_option('select[data-filter="owner"]', "")
    assert page.locator(".all-cards .card:visible").count() == total
    # nothing matches: a message says so
    page.select_option('select[data-filter="rag"]', "invalid")
    assert page.locator(".no-match").is_visible()
    page.select_option('select[data-filter="rag"]', "")
    # grouping puts a heading above each group
    page.select_option("select[data-group]", "perspective")
    headings = page.locator(".all-cards .group-heading").all_inner_texts()
    assert headings and headings == sorted(headings)
    # owners that own no KPI are not offered
    options = page.locator('select[data-filter="owner"] option').all_inner_texts()
    assert len(options) - 1 <= len(
        {
            o
            for o in page.locator(".all-cards .card").evaluate_all(
                "c => c.map(e => e.dataset.owner)"
            )
        }
    )
    watched.close()


def test_search_finds_a_word_only_in_a_description(browser: Any, site: Path) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto((site / "index.html").as_uri())
    # "acknowledgements" is in the description of the first response time, in no name or id
    page.fill("#search-input", "acknowledgements")
    page.wait_for_selector("#search-results a")
    assert "First response time" in page.locator("#search-results").inner_text()
    page.fill("#search-input", "r.meijer")  # an owner's id finds their KPIs
    page.wait_for_selector("#search-results a")
    assert page.locator("#search-results a").count() >= 1
    watched.close()


@pytest.mark.parametrize("width", [360, 768, 1366])
def test_no_chart_label_is_clipped(browser: Any, site: Path, width: int) -> None:
    watched = Watched(browser, width=width, height=900)
    page = watched.page
    for kpi in ("service.first-response-time", "it.uptime", "customer.nps", "finance.gross-margin"):
        page.goto((site / "kpis" / f"{kpi}.html").as_uri())
        boxes = page.evaluate(
            """() => {
              const svg = document.querySelector('svg.trend');
              const frame = svg.viewBox.baseVal;
              return Array.from(svg.querySelectorAll('text')).map(t => {
                const b = t.getBBox();
                return {text: t.textContent, x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height,
                        width: frame.width, height: frame.height};
              });
            }"""
        )
        for box in boxes:
            assert box["x"] >= 0 and box["y"] >= 0, (kpi, box)
            assert box["right"] <= box["width"] and box["bottom"] <= box["height"], (kpi, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways page
    watched.close()


def test_usable_without_javascript(browser: Any, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    assert page.locator(".cards .card:visible").count() == page.locator(".cards .card").count()
    assert not page.locator("form.search").is_visible()  # no dead search box without its script
    page.click("text=Net Promoter Score >> nth=0")
    assert "kpis/customer.nps.html" in page.url
    context.close()


PAGES = [
    "index.html",
    "kpis/customer.nps.html",
    "kpis/service.agent-occupancy.html",
    "goals/grow-profitably.html",
    "owners/l.smit.html",
    "owners/sales.html",
    "rules.html",
    "findings.html",
    "changes.html",
]


@pytest.mark.parametrize(
    ("page_path", "width"),
    [(page, 1366) for page in PAGES]
    + [(page, width) for page in ("index.html", "kpis/customer.nps.html") for width in (360, 768)],
)
def test_axe_finds_no_violation(browser: Any, site: Path, page_path: str, width: int) -> None:
    _need(AXE.exists(), "axe-core (npm install in tests/browser)")
    watched = Watched(browser, width=width, height=900)
    page = watched.page
    page.goto((site / page_path).as_uri())
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations'], preload: false})"
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results["violations"]
    ]
    assert not violations, "\n".join(violations)
    watched.close()


def test_html_validate_finds_no_error(site: Path) -> None:
    _need(HTML_VALIDATE.exists(), "html-validate (npm install in tests/browser)")
    pages = sorted(str(p) for p in site.rglob("*.html"))
    result = subprocess.run(
        [str(HTML_VALIDATE), "--config", str(TOOLS / ".htmlvalidate.json"), *pages],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("viewport", "size"), [("desktop", (1280, 900)), ("phone", (390, 844))])
def test_screenshots(
    browser: Any, site: Path, viewport: str, size: tuple[int, int], tmp_path: Path
) -> None:
    watched = Watched(browser, *size)
    page = watched.page
    for page_path in ("index.html", "kpis/customer.nps.html"):
        page.goto((site / page_path).as_uri())
        target = tmp_path / f"{viewport}-{page_path.replace('/', '_')}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 20_000
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size[0], f"{page_path} scrolls sideways on a {viewport}: {width}px"
    watched.close()


def test_findings_grouped_by_rule_with_a_severity_filter(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, _, err = run_cli(
        "build", str(REPO / "examples" / "messy"), "--out", str(out), "--today", "2026-11-23"
    )
    assert code == 0, err
    watched = Watched(browser)
    page = watched.page
    page.goto((out / "findings.html").as_uri())
    groups = page.locator("details.rule-group")
    counts = [int(t.split("—")[1].split()[0]) for t in groups.locator("summary").all_inner_texts()]
    assert counts == sorted(counts, reverse=True) and len(counts) > 5
    page.select_option("select[data-severity-filter]", "error")
    visible = page.locator("details.rule-group:visible")
    assert 0 < visible.count() < groups.count()
    assert set(visible.evaluate_all("g => g.map(e => e.dataset.severity)")) == {"error"}
    assert "severity=error" in page.url
    page.goto((out / "findings.html").as_uri() + "?severity=info")  # the URL keeps the filter
    assert page.locator("select[data-severity-filter]").input_value() == "info"
    watched.close()
