"""Where a handbook may be written, and how the new site replaces the old one.

What this module may touch, and nothing else:
- creates ``OUT`` (only when it is absent) and, beside it, temporary folders named
  ``.OUT.building-PID-N`` and ``.OUT.old-PID-N``, each holding the marker file ``.kpigov-site``;
- replaces ``OUT`` only when it is empty or holds the marker (a handbook kpigov made);
- deletes only those temporary folders, and only when they hold the marker.

``check_out_folder`` refuses (``UnsafeOutput``, exit 2 in the CLI) before anything is written:
``/``, the home folder, the catalogue root or any folder above it, any folder that holds
catalogue files (YAML the catalogue reads, history CSVs, custom rules, kpigov.yaml) or a ``.git``,
any folder inside a ``.git`` or inside kpigov's cache (the build keeps its state there), and any
non-empty folder without the marker.

The swap: on Linux the new and the old site trade places in one ``renameat2(RENAME_EXCHANGE)``,
so there is no moment without a whole site at ``OUT``. Where the call is missing (other systems,
old kernels, file systems without it) the fallback is two renames (old aside, new in), with a
window of microseconds in which ``OUT`` is absent; a kill in that window leaves the whole old
site at ``.OUT.old-PID-N`` and the whole new one at ``.OUT.building-PID-N``, and the next build
cleans both up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import os
import shutil
import time
from collections.abc import Collection, Iterable
from pathlib import Path

from kpigov.background import process_alive
from kpigov.config import CACHE_DIR

MARKER = ".kpigov-site"
MARKER_TEXT = "This folder is a handbook written by kpigov build; kpigov replaces it whole.\n"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class UnsafeOutput(Exception):
    """The output folder is not one kpigov may write; the message says why and what to do."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_out_folder(
    out: Path,
    root: Path,
    catalogue_paths: Iterable[Path] = (),
    catalogue_files: Iterable[str] = (),
    linked: Collection[str] = (),
) -> Path:
    """The resolved output folder, or ``UnsafeOutput`` when writing it could destroy anything.

    ``catalogue_paths`` are paths the catalogue reads (resolved each); ``catalogue_files`` are
    its files as found below the root (discovery walks no linked folder, so each lies at its own
    place there), of which ``linked`` are symbolic links (resolved each).
    """
    if str(out).strip() == "":
        raise UnsafeOutput("--out is empty; name the folder for the handbook, e.g. --out site")
    target = Path(os.path.realpath(out))
    real_root = Path(os.path.realpath(root))
    advice = "choose a new folder, e.g. --out site"
    if target == Path(target.anchor):
        raise UnsafeOutput(
            f"refusing to write the handbook to {target}, the file-system root; {advice}"
        )
    home = Path(os.path.realpath(os.path.expanduser("~")))
    if target == home:
        raise UnsafeOutput(f"refusing to write the handbook to {target}, the home folder; {advice}")
    if _inside(real_root, target):
        where = "is the catalogue root" if target == real_root else "holds the catalogue"
        raise UnsafeOutput(f"refusing to write the handbook to {target}: it {where}; {advice}")
    if ".git" in target.parts:
        raise UnsafeOutput(
            f"refusing to write the handbook to {target}: it is inside a git repository's .git "
            f"folder; {advice}"
        )
    if _inside(target, Path(os.path.realpath(real_root / CACHE_DIR))):
        raise UnsafeOutput(
            f"refusing to write the handbook to {target}: it is inside kpigov's cache "
            f"({CACHE_DIR}), which the build reads and writes; {advice}"
        )
    if target.exists() and not target.is_dir():
        raise UnsafeOutput(f"{target} is a file, not a folder; {advice}")
    inside_target = str(target).rstrip(os.sep) + os.sep
    linked_paths = (Path(real_root, rel) for rel in linked)
    for real_text in _real_paths(itertools.chain(catalogue_paths, linked_paths)):
        if real_text == str(target) or real_text.startswith(inside_target):
            real = Path(real_text)
            # The folder itself (the history folder) or something inside it.
            shown = real.name if real == target else real.relative_to(target).as_posix()
            raise _holds_catalogue_files(target, shown, advice)
    if _inside(target, real_root):  # a file that is not a link lies at root/rel
        prefix = target.relative_to(real_root).as_posix() + "/"
        for rel in catalogue_files:
            if rel.startswith(prefix) and rel not in linked:
                raise _holds_catalogue_files(target, rel[len(prefix) :], advice)
    if not target.is_dir():
        return target
    if (target / ".git").exists():
        raise UnsafeOutput(f"refusing to write the handbook to {target}: it holds a .git; {advice}")
    if (target / MARKER).is_file():
        return target
    try:
        empty = next(os.scandir(target), None) is None
    except OSError as error:
        raise UnsafeOutput(f"cannot read {target}: {error.strerror}") from error
    if not empty:
        raise UnsafeOutput(
            f"refusing to write the handbook to {target}: the folder is not empty and is not a "
            f"handbook kpigov made (no {MARKER} file in it); {advice}, or empty this one"
        )
    return target


def _holds_catalogue_files(target: Path, shown: str, advice: str) -> UnsafeOutput:
    return UnsafeOutput(
        f"refusing to write the handbook to {target}: it holds catalogue files ({shown}); {advice}"
    )


def _real_paths(paths: Iterable[Path]) -> Iterable[str]:
    """``os.path.realpath`` of each path, resolving each folder once (ten thousand files share
    a few folders) and a file only when it is a link."""
    folders: dict[str, str] = {}
    for path in paths:
        folder, name = os.path.split(os.path.abspath(path))
        real_folder = folders.get(folder)
        if real_folder is None:
            real_folder = folders[folder] = os.path.realpath(folder)
        real = os.path.join(real_folder, name)
        yield os.path.realpath(real) if os.path.islink(real) else real


def staging_folder(out: Path) -> Path:
    """A new, marked temporary folder beside ``out`` for the new site."""
    clear_leftovers(out)
    staging = out.parent / f".{out.name}.building-{_unique()}"
    staging.mkdir(parents=True)
    (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return staging


def remove_marked(folder: Path) -> None:
    """Delete a folder kpigov made (it holds the marker); anything else is left alone."""
    if folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file():
        shutil.rmtree(folder, ignore_errors=True)


def clear_leftovers(out: Path) -> None:
    """Remove the temporary folders of builds that were killed (their process is gone)."""
    if not out.parent.is_dir():
        return
    for entry in out.parent.iterdir():
        for prefix in (f".{out.name}.building-", f".{out.name}.old-"):
            pid = entry.name[len(prefix) :].split("-")[0] if entry.name.startswith(prefix) else ""
            if pid.isdigit() and not process_alive(int(pid)):
                remove_marked(entry)


def _unique() -> str:
    """PID (for the leftover check) and a counter: a build in the same process may start while
    the site of the previous one is still being removed."""
    return f"{os.getpid()}-{time.monotonic_ns()}"


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the platform cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return result == 0


def swap_in(staging: Path, out: Path) -> None:
    """Put the new site at ``out``; the old one (if any) is removed afterwards, in the background."""
    if not out.exists():
        os.rename(staging, out)
        return
    old = out.parent / f".{out.name}.old-{_unique()}"
    if out.is_dir() and not (out / MARKER).exists():
        # An empty folder the user made: mark it, so the old-site cleanup may remove it.
        (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    if _exchange(staging, out):
        os.rename(staging, old)  # staging now holds the old site
    else:
        os.replace(out, old)
        os.replace(staging, out)
    _remove_in_background(old)


def _remove_in_background(folder: Path) -> None:
    """Delete the replaced site without making the build wait for it; if the detached process is
    killed, the next build removes the folder as a leftover."""
    from kpigov.background import run_detached

    if not run_detached(lambda: remove_marked(folder)):
        remove_marked(folder)
