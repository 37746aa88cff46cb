"""Reading the values people type into registers: ids from names, numbers in Dutch and English
notation, dates, and the words for units, frequencies, directions and perspectives."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

ID_MAX = 100  # leaves room for an area prefix and a counter under the schema's 120


def plain(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9%#€$£]+", " ", ascii_text).split())


def slug(text: str) -> str:
    """An id part from a name: 'Eerste reactietijd (uren)' -> 'eerste-reactietijd-uren'."""
    words = re.sub(r"[^a-z0-9]+", " ", plain(text).replace("%", " pct ")).split()
    out = "-".join(words)[:ID_MAX].strip("-")
    return out


_ID = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*$")


def as_id(text: str) -> str:
    """A reference as an id: kept when it already is one (a.jansen), else the slug of the name."""
    stripped = text.strip()
    return stripped if _ID.match(stripped) and len(stripped) <= ID_MAX else slug(stripped)


class IdMaker:
    """Stable, unique ids: the slug of the name, then -2, -3… in the order rows come."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self.taken: set[str] = set(taken or ())

    def make(self, *parts: str) -> str:
        base = ".".join(p for p in parts if p)
        candidate, number = base, 2
        while candidate in self.taken:
            candidate = f"{base}-{number}"
            number += 1
        self.taken.add(candidate)
        return candidate


_NUMBER = re.compile(r"^[-+−]?(?:(?:\d{1,3}(?:[.,\s]\d{3})+|\d+)(?:[.,]\d+)?|[.,]\d+)$")


def read_number(text: Any, language: str = "en") -> tuple[float | int | None, bool]:
    """A number as people write it (1.234,5 in Dutch, 1,234.5 in English, 95%, € 12) and
    whether it was a percentage; (None, False) when the text is not just a number."""
    if isinstance(text, bool):
        return None, False
    if isinstance(text, (int, float)):
        return text, False
    if not isinstance(text, str):
        return None, False
    raw = text.strip().replace("\u00a0", " ")
    percent = raw.endswith("%")
    raw = raw.rstrip("%").strip()
    raw = re.sub(r"^(?:€|eur|\$|usd|£|gbp)\s*", "", raw, flags=re.IGNORECASE)
    if not raw or not _NUMBER.match(raw):
        return None, False
    raw = raw.replace("−", "-").replace(" ", "")
    comma, dot = raw.rfind(","), raw.rfind(".")
    if comma >= 0 and dot >= 0:  # the last one is the decimal separator: 1.234,5 or 1,234.5
        decimal = "," if comma > dot else "."
    elif comma >= 0:
        # 1,5 is a decimal comma; 1,234 is a thousands separator in English, a decimal in Dutch
        groups = raw.count(",") > 1 or (language != "nl" and len(raw) - comma - 1 == 3)
        decimal = "" if groups else ","
    elif dot >= 0:
        # 1.5 is a decimal point; 1.234 is a thousands separator in Dutch
        groups = raw.count(".") > 1 or (language == "nl" and len(raw) - dot - 1 == 3)
        decimal = "" if groups else "."
    else:
        decimal = ""
    if decimal == ",":
        raw = raw.replace(".", "").replace(",", ".")
    elif decimal == ".":
        raw = raw.replace(",", "")
    else:
        raw = raw.replace(",", "").replace(".", "")
    value = float(raw)
    return (int(value) if value.is_integer() and "." not in raw else value), percent


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")


def read_date(value: Any) -> str | None:
    """An ISO date from a date cell or a text in a common notation (day before month, as in
    Dutch and British registers); None when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _table(pairs: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {plain(word): value for value, words in pairs.items() for word in words}


UNITS = _table(
    {
        "percent": ("%", "percent", "percentage", "procent", "pct"),
        "count": ("count", "number", "aantal", "#", "nr", "no"),
        "score": ("score", "cijfer", "rapportcijfer", "index"),
        "ratio": ("ratio", "verhouding"),
        "seconds": ("seconds", "seconden", "sec", "s"),
        "minutes": ("minutes", "minuten", "min"),
        "hours": ("hours", "uren", "uur", "hrs", "h"),
        "days": ("days", "dagen", "dag", "werkdagen", "working days"),
        "points": ("points", "punten"),
        "currency:EUR": ("€", "eur", "euro", "euros"),
        "currency:USD": ("$", "usd", "dollar", "dollars"),
        "currency:GBP": ("£", "gbp", "pound", "pounds"),
    }
)
FREQUENCIES = _table(
    {
        "realtime": ("realtime", "real time", "continu", "continuous", "live"),
        "hourly": ("hourly", "per uur", "elk uur", "uurlijks"),
        "daily": ("daily", "dagelijks", "per dag", "elke dag", "day", "dag"),
        "weekly": ("weekly", "wekelijks", "per week", "week"),
        "monthly": ("monthly", "maandelijks", "per maand", "maand", "month"),
        "quarterly": ("quarterly", "per kwartaal", "kwartaal", "driemaandelijks", "quarter"),
        "yearly": ("yearly", "annually", "annual", "jaarlijks", "per jaar", "jaar", "year"),
    }
)
REVIEWS = {
    word: value for word, value in FREQUENCIES.items() if value not in ("realtime", "hourly")
}
DIRECTIONS = _table(
    {
        "higher-is-better": (
            "higher is better",
            "hoger is beter",
            "meer is beter",
            "up",
            "higher",
            "hoger",
            "maximise",
            "maximize",
        ),
        "lower-is-better": (
            "lower is better",
            "lager is beter",
            "minder is beter",
            "down",
            "lower",
            "lager",
            "minimise",
            "minimize",
        ),
        "target-range": ("target range", "range", "bandbreedte", "binnen bandbreedte"),
    }
)
PERSPECTIVES = _table(
    {
        "financial": ("financial", "financieel", "finance", "financien"),
        "customer": ("customer", "klant", "klanten", "klantperspectief"),
        "internal-process": (
            "internal process",
            "internal processes",
            "intern",
            "interne processen",
            "interne bedrijfsprocessen",
            "process",
            "processen",
        ),
        "learning-growth": (
            "learning growth",
            "learning and growth",
            "leren en groeien",
            "innovatie",
            "learning",
        ),
    }
)
STATUSES = _table(
    {
        "active": ("active", "actief", "in gebruik", "live"),
        "draft": ("draft", "concept", "voorstel", "proposed"),
        "deprecated": ("deprecated", "uitgefaseerd", "uitfaseren", "vervalt"),
        "retired": ("retired", "vervallen", "gestopt", "inactive", "inactief"),
    }
)


def lookup(table: dict[str, str], value: Any) -> str | None:
    return table.get(plain(value)) if isinstance(value, str) and value.strip() else None
