"""The real pre-commit client runs this checkout's hooks: a bad commit is refused, a good one passes.

The hook environment is built once per test session (pre-commit installs kpigov from this
repository at HEAD, as it would from its public address); CI runs on a clean clone, so HEAD is
the code under test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, REPO, catalogue_in_context, commit_all, git

GOOD = """kind: kpi
id: sales.new-customers
name: New customers per month
description: >
  Number of accounts that signed their first paid contract in the month; reactivated customers
  and internal test accounts are not counted.
tier: pi
owner: a.jansen
goals: [grow-revenue]
perspective: financial
unit: count
scale: {min: 0}
direction: higher-is-better
formula:
  expression: count(first_contracts)
  inputs:
    - {name: first_contracts, source: CRM first contracts}
frequency: monthly
review: monthly
baseline: {value: 40, date: 2025-12-31}
target: {value: 50, deadline: 2027-12-31}
"""


def _pre_commit() -> str:
    beside_python = Path(sys.executable).parent / "pre-commit"
    found = str(beside_python) if beside_python.exists() else shutil.which("pre-commit")
    assert found, "pre-commit is missing: install the test extras"
    return found


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _run(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(home),
        "KPIGOV_TODAY": "2026-11-23",
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.slow
def test_commit_is_refused_then_accepted(tmp_path: Path, pre_commit_home: Path) -> None:
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    root = catalogue_in_context(
        tmp_path / "kpi-repo",
        {
            ".pre-commit-config.yaml": (
                f"repos:\n  - repo: {REPO}\n    rev: {revision}\n    hooks:\n      - id: kpigov-lint\n"
            ),
        },
    )
    commit_all(root, "catalogue")
    installed = _run(root, pre_commit_home, _pre_commit(), "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # A KPI with a misspelt field and no unit: the commit is refused with the finding.
    bad = GOOD.replace("unit: count\n", "").replace("frequency: monthly", "frequncy: monthly")
    (root / "kpis" / "new-customers.yaml").write_text(bad)
    git(root, "add", "-A")
    refused = _run(root, pre_commit_home, "git", "commit", "-m", "add a KPI")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "kpis/new-customers.yaml:2:5: S112 [error]" in output
    assert "unknown field 'frequncy'" in output

    # Fixed: the commit goes through.
    (root / "kpis" / "new-customers.yaml").write_text(GOOD)
    (root / "history").mkdir(exist_ok=True)
    (root / "history" / "sales.new-customers.csv").write_text("date,value\n2026-10-31,44\n")
    git(root, "add", "-A")
    accepted = _run(root, pre_commit_home, "git", "commit", "-m", "add a KPI")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    # Retiring it in the next commit skips the deprecated step: G701 refuses it.
    (root / "kpis" / "new-customers.yaml").write_text(GOOD + "status: retired\n")
    git(root, "add", "-A")
    governed = _run(root, pre_commit_home, "git", "commit", "-m", "retire")
    assert governed.returncode != 0 and "G701" in governed.stdout + governed.stderr


@pytest.mark.slow
def test_several_batches_give_one_result(tmp_path: Path, pre_commit_home: Path) -> None:
    """pre-commit splits a long file list into batches (about 128 KiB of arguments each) and
    runs the hook once per batch: governance findings must still be printed once, and files that
    are not catalogue files must be left alone by both hooks."""
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()
    folder = "kpis/" + "a-deliberately-long-folder-name-to-fill-the-command-line-" * 2
    files = {
        f"{folder}/kpi-{number:04}-with-a-long-file-name-as-real-catalogues-have.yaml": GOOD.replace(
            "sales.new-customers", f"sales.k{number:04}"
        )
        for number in range(900)
    }
    repository = tmp_path / "kpi-repo"
    root = catalogue_in_context(
        repository / "catalogue",
        {**files, "kpis/gone.yaml": GOOD.replace("sales.new-customers", "sales.gone")},
    )
    (repository / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO}\n    rev: {revision}\n    hooks:\n"
        "      - id: kpigov-lint\n      - id: kpigov-fmt\n"
    )
    commit_all(repository, "catalogue")
    # Touch every KPI (a comment keeps each one valid), remove one without deprecating it, and
    # stage a file outside the catalogue.
    for name in files:
        path = root / name
        path.write_text(path.read_text() + "# reviewed\n")
    (root / "kpis" / "gone.yaml").unlink()
    compose = "services:\n    web:\n        image: nginx\n"
    (repository / "docker-compose.yml").write_text(compose)
    git(repository, "add", "-A")
    total = sum(len("catalogue/" + name) + 1 for name in files)
    assert total > 2**17, "the file list must not fit in one batch"
    done = _run(repository, pre_commit_home, _pre_commit(), "run")
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert output.count("G701") == 1, output[-3000:]
    assert "docker-compose.yml" not in output
    assert (repository / "docker-compose.yml").read_text() == compose
