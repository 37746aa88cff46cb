"""Numbers and units as the handbook's readers write them: 1,234.5 hours in English, 1.234,5
uur in Dutch."""

from __future__ import annotations

from typing import Any

_UNIT_WORDS = {
    "en": {"seconds": "s", "minutes": "min", "hours": "hours", "days": "days", "points": "points"},
    "nl": {"seconds": "s", "minutes": "min", "hours": "uur", "days": "dagen", "points": "punten"},
}


def format_number(value: Any, language: str = "en") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
    if language == "nl":  # 1,234.5 -> 1.234,5
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def with_unit(value: Any, unit: str | None, language: str = "en") -> str:
    if value is None:
        return ""
    text = format_number(value, language)
    if unit == "percent":
        return f"{text} %"
    if unit and unit.startswith("currency:"):
        return f"{unit[9:]} {text}"
    word = _UNIT_WORDS.get(language, _UNIT_WORDS["en"]).get(unit or "")
    return f"{text} {word}" if word else text
