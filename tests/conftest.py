"""Shared helpers: build throw-away catalogues and run kpigov on them in-process."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kpigov.catalogue import Catalogue, build_catalogue
from kpigov.cli import main
from kpigov.config import load_config
from kpigov.engine import run_rules
from kpigov.findings import Finding
from kpigov.rulebook import builtin_rules

TESTS = Path(__file__).parent
REPO = TESTS.parent
CONTEXT = TESTS / "context"
TODAY = dt.date(2026, 11, 23)


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def catalogue_in_context(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """The standard context catalogue (goal grow-revenue, a.jansen, b.smit, team sales) plus files."""
    shutil.copytree(CONTEXT, root, dirs_exist_ok=True)
    return write_tree(root, files)


def lint_findings(
    root: Path, select: list[str] | None = None, today: dt.date = TODAY, since: str | None = None
) -> list[Finding]:
    config = load_config(root, select=select)
    catalogue = build_catalogue(config, today)
    if since is not None:
        from kpigov.gitdiff import read_revision, working_files

        catalogue.base = read_revision(config, since, working_files(config, catalogue.files))
    return run_rules(catalogue, builtin_rules(), config).findings


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with a fixed identity."""
    import os

    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout


def commit_all(root: Path, message: str = "change") -> None:
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def run_python(script: str) -> str:
    """What a fresh interpreter running ``script`` printed (it must succeed)."""
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout


def load(root: Path, today: dt.date = TODAY) -> Catalogue:
    return build_catalogue(load_config(root), today)


def run_cli(
    *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> tuple[int, str, str]:
    import tempfile

    runner = CliRunner()
    with tempfile.TemporaryDirectory() as scratch, _chdir(cwd or Path(scratch)):
        result = runner.invoke(main, list(args), env=dict(env or {}), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


class _chdir:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        import os

        self.previous = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.previous)


@pytest.fixture
def context_catalogue(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    def make(files: Mapping[str, str | bytes]) -> Path:
        return catalogue_in_context(tmp_path / "catalogue", files)

    return make


def json_findings(stdout: str) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = json.loads(stdout)["findings"]
    return findings
