"""The built wheel works on its own, outside the source tree, as pre-commit installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A non-editable install of the wheel built from this checkout, in a folder of its own."""
    scratch = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(scratch),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = scratch.glob("kpigov-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for data in (
        "kpigov/_data/rules/S101.yaml",
        "kpigov/_data/schemas/kpi.schema.json",
        "kpigov/_data/templates/init/en/kpigov.yaml",
        "kpigov/_data/templates/init/history.json",
        "kpigov/_data/templates/init/en/dot-pre-commit-config.yaml",
    ):
        assert data in names, f"{data} is missing from the wheel"
    target = scratch / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    return target


def _kpigov(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed), "NO_COLOR": "1"}
    return subprocess.run(
        [str(installed / "bin" / "kpigov"), *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_installed_package_finds_its_data_outside_the_source_tree(
    installed: Path, tmp_path: Path
) -> None:
    probe = (
        "import kpigov, kpigov.resources as r; print(kpigov.__file__); "
        "print(r.data_dir('rules')); print(r.data_dir('schemas')); print(r.data_dir('templates'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    for line in result.stdout.split():
        assert line.startswith(str(installed)), result.stdout


def test_installed_console_script_lints_and_scaffolds(installed: Path, tmp_path: Path) -> None:
    acme = shutil.copytree(
        REPO / "examples" / "acme",
        tmp_path / "acme",
        ignore=shutil.ignore_patterns(".kpigov_cache"),
    )
    result = _kpigov(installed, acme, "lint", "--today", "2026-11-23")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout
    assert _kpigov(installed, tmp_path, "init", "fresh").returncode == 0
    assert _kpigov(installed, tmp_path / "fresh", "lint").returncode == 0
    assert '"$schema"' in _kpigov(installed, tmp_path, "schema", "kpi").stdout
    assert "S101" in _kpigov(installed, tmp_path, "rules").stdout
    built = _kpigov(
        installed, acme, "build", "--today", "2026-11-23", "--out", str(tmp_path / "site")
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "kpis" / "customer.nps.html").is_file()
    assert (tmp_path / "site" / "assets" / "handbook.css").is_file()
    version = _kpigov(installed, tmp_path, "--version")
    assert version.returncode == 0 and "kpigov" in version.stdout
