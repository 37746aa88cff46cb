"""Dates from git for the handbook, from a single `git log` over the catalogue."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Commit:
    date: str
    subject: str
    files: tuple[str, ...]  # root-relative


@dataclass
class GitHistory:
    last_changed: dict[str, str] = field(default_factory=dict)  # root-relative file -> YYYY-MM-DD
    commits: list[Commit] = field(default_factory=list)  # newest first
    available: bool = False


def read_history(root: Path, limit: int = 50) -> GitHistory:
    """Commit dates of the catalogue's files; empty outside git (or without commits)."""
    history = GitHistory()
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True
        )
        if top.returncode != 0:
            return history
        prefix = root.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        log = subprocess.run(
            ["git", "log", "--format=%x1e%cs%x1f%s", "--name-only", "--no-renames", "--", "."],
            cwd=root,
            capture_output=True,
            text=True,
        )
    except (OSError, ValueError):
        return history
    if log.returncode != 0:
        return history
    history.available = True
    for record in log.stdout.split("\x1e")[1:]:
        header, _, names = record.partition("\n")
        date, _, subject = header.partition("\x1f")
        files = tuple(
            name[len(prefix) :] for name in names.split("\n") if name.startswith(prefix) and name
        )
        for file in files:
            history.last_changed.setdefault(file, date)
        if len(history.commits) < limit:
            history.commits.append(Commit(date, subject, files))
    return history
