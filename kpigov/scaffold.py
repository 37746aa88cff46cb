"""`kpigov init`: copy the starter catalogue of templates/init/<language>/ into a folder."""

from __future__ import annotations

from pathlib import Path

from kpigov.atomic import write_atomic
from kpigov.resources import data_dir


class ScaffoldError(Exception):
    pass


def starter_files(language: str) -> dict[str, bytes]:
    """Relative path -> content of the starter catalogue in ``language``."""
    source = data_dir("templates") / "init" / language
    if not source.is_dir():
        raise ScaffoldError(f"no starter catalogue for language {language!r}")
    files = {}
    for path in sorted(source.rglob("*")):
        if path.is_file():
            relative = path.relative_to(source).as_posix()
            # Dot-files are stored without their dot so that packaging keeps them.
            relative = "/".join("." + part[4:] if part.startswith("dot-") else part
                                for part in relative.split("/"))
            files[relative] = path.read_bytes()
    return files


def create_catalogue(target: Path, language: str) -> list[Path]:
    """Write the starter catalogue; refuse to overwrite anything."""
    files = starter_files(language)
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder")
    clashes = [name for name in files if (target / name).exists()]
    if clashes:
        raise ScaffoldError(
            f"{target} already has {', '.join(sorted(clashes)[:3])}"
            + (" and more" if len(clashes) > 3 else "")
            + "; choose an empty folder"
        )
    written = []
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, content)
        written.append(path)
    return written
