"""Screenshots of the handbook for the README: the overview, a KPI, a goal, a team and the
findings page, at desktop (1366 px) and phone (360 px) width, in Debian's Chromium.

    python docs/screenshots/make.py            # builds examples/acme, writes docs/screenshots/*.png
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
REPO = HERE.parent.parent
CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "overview": "index.html",
    "kpi": "kpis/service.first-response-time.html",
    "goal": "goals/delight-customers.html",
    "team": "owners/customer-service.html",
    "findings": "findings.html",
}
SIZES = {"desktop": (1366, 900), "phone": (360, 780)}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def main(out: Path = HERE) -> list[Path]:
    from playwright.sync_api import sync_playwright

    site = Path(tempfile.mkdtemp(prefix="kpigov-shots-")) / "site"
    acme = site.parent / "acme"
    for example, folder in (("messy", site), ("acme", acme)):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kpigov",
                "build",
                str(REPO / "examples" / example),
                "--out",
                str(folder),
                "--today",
                "2026-11-23",
            ],
            check=True,
            capture_output=True,
        )
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for size_name, (width, height) in SIZES.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            for name, relative in PAGES.items():
                root = site if name == "findings" else acme
                page.goto((root / relative).as_uri())
                target = out / f"{name}-{size_name}.png"
                page.screenshot(path=str(target), full_page=False)
                written.append(target)
            page.close()
        browser.close()
    return written


if __name__ == "__main__":
    for path in main():
        print(path)
