"""The catalogue at a base revision, read from git (no checkout, no work tree), for G rules and diff.

``git ls-tree`` lists the base revision's files with their blob ids; only the files whose blob
differs from the working tree's (changed, renamed or deleted files) are read, in one
``git cat-file --batch`` call, and parsed. An unchanged file cannot carry a governance finding.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpigov.config import Config, ConfigError
from kpigov.globs import matches

if TYPE_CHECKING:
    from kpigov.history import History
    from kpigov.loader import Document

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@dataclass
class BaseCatalogue:
    """What a revision held: KPI documents by id and history files by KPI id."""

    revision: str
    kpis: dict[str, Document] = field(default_factory=dict)
    history: dict[str, History] = field(default_factory=dict)
    # KPI ids whose definition or history was compared (files that differ from the working tree).
    compared_files: set[str] = field(default_factory=set)
    kpi_files: dict[str, str] = field(default_factory=dict)  # id -> path at the base revision


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, input=data, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise ConfigError("--since needs git, which is not installed") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(
            f"git {args[0]} failed: {message[-1] if message else completed.returncode}"
        )
    return completed.stdout


def git_toplevel(root: Path) -> Path:
    try:
        out = _git(["rev-parse", "--show-toplevel"], root)
    except ConfigError:
        raise ConfigError(
            f"{root} is not inside a git repository; --since and diff need one"
        ) from None
    return Path(out.decode().strip())


def resolve_revision(root: Path, revision: str) -> str | None:
    """The commit id of ``revision``; None for HEAD in a repository without commits."""
    git_toplevel(root)  # a clear error outside a git work tree
    completed = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if completed.returncode == 0:
        return completed.stdout.decode().strip()
    if revision == "HEAD":
        has_commits = subprocess.run(
            ["git", "rev-list", "-n1", "--all"], cwd=root, capture_output=True, check=False
        )
        if not has_commits.stdout.strip():
            return None  # a repository without commits: the base is empty
    raise ConfigError(f"{revision!r} is not a revision of the repository at {root}")


def blob_id(content: bytes) -> str:
    """The id git gives a file with this content."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _list_tree(root: Path, commit: str, prefix: str) -> dict[str, str]:
    """Root-relative path -> blob id of every file under the root at ``commit``."""
    args = ["ls-tree", "-r", "-z", "--full-tree", commit]
    if prefix:
        args += ["--", prefix.rstrip("/")]
    out = _git(args, root)
    files = {}
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        _mode, kind, sha = meta.split()
        name = path.decode("utf-8", "surrogateescape")
        if kind == b"blob" and name.startswith(prefix):
            files[name[len(prefix) :]] = sha.decode()
    return files


def _read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    out = _git(["cat-file", "--batch"], root, ("\n".join(wanted) + "\n").encode())
    blobs, position = {}, 0
    for sha in wanted:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        size = int(header[2])
        start = header_end + 1
        blobs[sha] = out[start : start + size]
        position = start + size + 1
    return blobs


def is_catalogue_yaml(path: str, config: Config) -> bool:
    return (
        path.endswith((".yaml", ".yml"))
        and path != "kpigov.yaml"
        and not any(part.startswith(".") for part in path.split("/"))
        and not any(
            path == folder or path.startswith(folder + "/") for folder in config.custom_rules
        )
        and matches(path, config.include)
        and not matches(path, config.exclude)
    )


def read_revision(
    config: Config,
    revision: str,
    working: Mapping[str, bytes],
    differing_too: Iterable[str] = (),
) -> BaseCatalogue:
    """The catalogue files at ``revision`` that differ from ``working`` (path -> the current
    bytes of every readable catalogue file).

    git finds the files of the work tree that differ (``git diff``, which trusts the index's
    file times, as ``git status`` does), instead of hashing every file here; ``differing_too``
    names files whose current content is not the work tree's (standard input, an unreadable
    file): they are compared too.
    """
    root = config.root
    commit = resolve_revision(root, revision)
    base = BaseCatalogue(revision=revision)
    if commit is None:
        return base
    history_prefix = config.history.strip("/") + "/"

    def is_history(path: str) -> bool:
        return (
            path.startswith(history_prefix)
            and path.endswith(".csv")
            and "/" not in path[len(history_prefix) :]
        )

    candidates = sorted(set(_differing_paths(root, commit)) | set(differing_too))
    wanted = [p for p in candidates if is_history(p) or is_catalogue_yaml(p, config)]
    before = _read_at(root, commit, _catalogue_prefix(config), wanted)
    # Imported here: a lint answered from the cache asks git only which revision HEAD is.
    from kpigov.history import parse_history
    from kpigov.loader import load_bytes

    for path in wanted:
        content = before.get(path)
        current = working.get(path)
        if content is None or (current is not None and blob_id(current) == blob_id(content)):
            continue  # new since the revision, or changed back
        base.compared_files.add(path)
        if is_history(path):
            kpi_id = path[len(history_prefix) : -len(".csv")]
            base.history[kpi_id] = parse_history(kpi_id, path, content)
            continue
        for document in load_bytes(path, content).documents:
            data: Any = document.data
            if (
                isinstance(data, dict)
                and data.get("kind") == "kpi"
                and isinstance(data.get("id"), str)
            ):
                base.kpis.setdefault(data["id"], document)
                base.kpi_files.setdefault(data["id"], path)
    return base


def _differing_paths(root: Path, commit: str) -> list[str]:
    """Root-relative paths of the files under the root that differ between ``commit`` and the
    work tree (deleted ones included; new untracked ones have nothing to compare with)."""
    out = _git(["diff", "--name-only", "-z", "--no-renames", "--relative", commit, "--"], root)
    return [name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name]


def _read_at(root: Path, commit: str, prefix: str, paths: list[str]) -> dict[str, bytes]:
    """Root-relative path -> content at ``commit`` (absent: no such file there)."""
    batch = [path for path in paths if "\n" not in path]
    found: dict[str, bytes] = {}
    if batch:
        names = [f"{commit}:{prefix}{path}" for path in batch]
        out = _git(["cat-file", "--batch"], root, ("\n".join(names) + "\n").encode())
        position = 0
        for path in batch:
            header_end = out.index(b"\n", position)
            header = out[position:header_end].split()
            position = header_end + 1
            if header[-1] == b"missing":
                continue
            size = int(header[2])
            if header[1] == b"blob":  # not a folder of that name
                found[path] = out[position : position + size]
            position += size + 1
    for path in paths:
        if "\n" in path:  # not expressible in a batch line: one by one
            completed = subprocess.run(
                ["git", "cat-file", "blob", f"{commit}:{prefix}{path}"],
                cwd=root,
                capture_output=True,
                check=False,
            )
            if completed.returncode == 0:
                found[path] = completed.stdout
    return found


def working_files(config: Config, files: Iterable[str]) -> dict[str, bytes]:
    """Current bytes of the catalogue's files (YAML and history), read from the working tree."""
    contents = {}
    for path in files:
        try:
            contents[path] = (config.root / path).read_bytes()
        except OSError:
            continue
    return contents


def _catalogue_prefix(config: Config) -> str:
    root = config.root
    top = git_toplevel(root).resolve()
    prefix = root.relative_to(top).as_posix() if root != top else ""
    return "" if prefix in ("", ".") else prefix + "/"


def catalogue_blobs(config: Config, revision: str) -> dict[str, str]:
    """Root-relative path -> blob id of the catalogue's YAML files at ``revision``."""
    commit = resolve_revision(config.root, revision)
    if commit is None:
        return {}
    tree = _list_tree(config.root, commit, _catalogue_prefix(config))
    return {path: sha for path, sha in tree.items() if is_catalogue_yaml(path, config)}


def kpis_in(files: Mapping[str, bytes]) -> dict[str, tuple[str, Document]]:
    """KPI id -> (path, document) of the KPI documents in these files (first by path wins)."""
    from kpigov.loader import load_bytes

    found: dict[str, tuple[str, Document]] = {}
    for path in sorted(files):
        for document in load_bytes(path, files[path]).documents:
            data: Any = document.data
            if (
                isinstance(data, dict)
                and data.get("kind") == "kpi"
                and isinstance(data.get("id"), str)
            ):
                found.setdefault(data["id"], (path, document))
    return found


def changed_sides(
    config: Config, base: str, head: str | None
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The catalogue files that differ between ``base`` and ``head`` (the working tree when None),
    as (base contents, head contents)."""
    base_blobs = catalogue_blobs(config, base)
    if head is None:
        from kpigov.files import discover

        current = working_files(config, discover(config).yaml_files)
        head_blobs = {path: blob_id(content) for path, content in current.items()}
    else:
        head_blobs = catalogue_blobs(config, head)
        current = {}
    differing = {
        path
        for path in base_blobs.keys() | head_blobs.keys()
        if base_blobs.get(path) != head_blobs.get(path)
    }
    base_side = _read_blobs(config.root, [base_blobs[p] for p in differing if p in base_blobs])
    base_files = {p: base_side[base_blobs[p]] for p in differing if p in base_blobs}
    if head is None:
        head_files = {p: current[p] for p in differing if p in current}
    else:
        head_side = _read_blobs(config.root, [head_blobs[p] for p in differing if p in head_blobs])
        head_files = {p: head_side[head_blobs[p]] for p in differing if p in head_blobs}
    return base_files, head_files
