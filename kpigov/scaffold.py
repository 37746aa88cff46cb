"""`kpigov init`: write the starter catalogue of templates/init/<language>/ into a folder.

Dates are filled in at init time (``$deadline``, ``$baseline_date``, ``$goal_deadline``) and the
history files are dated back from today, so a new catalogue lints clean on any day.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from string import Template

from kpigov.atomic import write_atomic
from kpigov.resources import data_dir


class ScaffoldError(Exception):
    """The starter catalogue cannot be written there (it would overwrite files)."""


def _period_ends(frequency: str, today: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` period ends strictly before today, oldest first."""
    ends: list[dt.date] = []
    if frequency == "weekly":
        last = today - dt.timedelta(days=today.weekday() or 7)  # the last Monday before today
        ends = [last - dt.timedelta(weeks=i) for i in range(count)]
    else:
        months = {"monthly": 1, "quarterly": 3}[frequency]
        first_of_month = today.replace(day=1)
        # The first month that starts a period, at or before today.
        start_month = (first_of_month.month - 1) // months * months + 1
        boundary = first_of_month.replace(month=start_month)
        for _ in range(count):
            end = boundary - dt.timedelta(days=1)
            ends.append(end)
            boundary = end.replace(day=1)
            if months == 3:
                boundary = boundary.replace(month=boundary.month - 2)
    return sorted(ends)


def history_files(today: dt.date) -> dict[str, bytes]:
    with open(data_dir("templates") / "init" / "history.json", encoding="utf-8") as handle:
        spec = json.load(handle)
    files = {}
    for kpi_id, entry in spec.items():
        values = entry["values"]
        dates = _period_ends(entry["frequency"], today, len(values))
        rows = ["date,value"] + [
            f"{day.isoformat()},{value}" for day, value in zip(dates, values, strict=True)
        ]
        files[f"history/{kpi_id}.csv"] = ("\n".join(rows) + "\n").encode()
    return files


def _modeline(relative: str) -> str:
    """The YAML language server's schema comment for a catalogue file (completion and checks in
    editors); other files get none."""
    from kpigov.project import schema_id

    if not relative.endswith((".yaml", ".yml")) or relative.startswith("."):
        return ""
    name = "config" if relative == "kpigov.yaml" else "catalogue-file"
    return f"# yaml-language-server: $schema={schema_id(name)}\n"


def starter_files(language: str, today: dt.date) -> dict[str, bytes]:
    """Relative path -> content of the starter catalogue in ``language``."""
    source = data_dir("templates") / "init" / language
    if not source.is_dir():
        raise ScaffoldError(f"no starter catalogue for language {language!r}")
    dates = {
        "baseline_date": dt.date(today.year - 1, 12, 31).isoformat(),
        "deadline": dt.date(today.year + 1, 12, 31).isoformat(),
        "goal_deadline": dt.date(today.year + 2, 12, 31).isoformat(),
    }
    files = {}
    for path in sorted(source.rglob("*")):
        if path.is_file():
            relative = path.relative_to(source).as_posix()
            # Dot-files are stored as dot-<name> so that every packaging tool keeps them.
            relative = "/".join(
                "." + part[4:] if part.startswith("dot-") else part for part in relative.split("/")
            )
            text = Template(path.read_text(encoding="utf-8")).safe_substitute(dates)
            files[relative] = (_modeline(relative) + text).encode("utf-8")
    files.update(history_files(today))
    return files


def create_catalogue(target: Path, language: str, today: dt.date | None = None) -> list[Path]:
    """Write the starter catalogue; refuse to overwrite anything."""
    files = starter_files(language, today or dt.date.today())
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} exists and is not a folder")
    clashes = sorted(name for name in files if (target / name).exists())
    if clashes:
        more = " and more" if len(clashes) > 3 else ""
        raise ScaffoldError(
            f"{target} already has {', '.join(clashes[:3])}{more}; choose an empty folder"
        )
    written = []
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, content)
        written.append(path)
    return written
