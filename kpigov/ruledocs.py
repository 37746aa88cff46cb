"""Rule documentation from rules/*.yaml: `kpigov rules`, `kpigov explain` and docs/rules.md."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from kpigov.rulebook import CATEGORIES, SMART_LETTERS, Rule

EXAMPLE_FILE = "kpis/example.yaml"
_MARKER = re.compile(r"^# (file|base): (\S+)\s*$", re.MULTILINE)


def _example_sections(example: str) -> tuple[dict[str, str], dict[str, str]]:
    parts = _MARKER.split(example)
    if len(parts) == 1:
        return {EXAMPLE_FILE: example}, {}
    files = {EXAMPLE_FILE: parts[0]} if parts[0].strip() else {}
    base: dict[str, str] = {}
    for index in range(1, len(parts), 3):
        target = files if parts[index] == "file" else base
        target[parts[index + 1]] = parts[index + 2].lstrip("\n")
    return files, base


def example_files(example: str) -> dict[str, str]:
    """The files of a docs example: ``kpis/example.yaml``, or several after ``# file: <path>`` lines.

    Examples are checked inside a small context catalogue (tests/context): goal grow-revenue,
    persons a.jansen and b.smit, team sales, and one complete KPI.
    """
    return _example_sections(example)[0]


def example_base_files(example: str) -> dict[str, str]:
    """The files a governance example had at the base revision (``# base: <path>`` sections)."""
    return _example_sections(example)[1]


LABELS = {
    "en": {
        "what": "What it does",
        "why": "Why it matters",
        "bad": "Example (fires)",
        "good": "Use instead",
        "fix": "How to fix",
        "options": "Options (rules.options in kpigov.yaml)",
    },
    "nl": {
        "what": "Wat de regel controleert",
        "why": "Waarom het ertoe doet",
        "bad": "Voorbeeld (meldt)",
        "good": "Gebruik in plaats daarvan",
        "fix": "Zo los je het op",
        "options": "Opties (rules.options in kpigov.yaml)",
    },
}


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def as_text(rules: Sequence[Rule], language: str = "en") -> str:
    lines = []
    for rule in rules:
        smart = f"[{rule.smart}]" if rule.smart else ""
        what = _first_sentence(rule.docs_in(language)["what"])
        lines.append(f"{rule.id}  {rule.name:28} {rule.severity:8} {smart:4} {what}")
    return "\n".join(lines) + "\n"


def as_json(rules: Sequence[Rule], language: str = "en") -> str:
    items = [
        {
            "id": rule.id,
            "name": rule.name,
            "category": rule.category,
            "category_name": CATEGORIES.get(rule.category, rule.category),
            "smart": rule.smart,
            "severity": rule.severity,
            "options": {
                name: {"type": spec.type, "default": spec.default, "description": spec.description}
                for name, spec in rule.options.items()
            },
            "message": dict(rule.message),
            "docs": dict(rule.docs_in(language)),
        }
        for rule in rules
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _heading(rule: Rule) -> str:
    category = CATEGORIES.get(rule.category, rule.category)
    if rule.smart:
        category = f"{category}: {SMART_LETTERS[rule.smart]}"
    return f"{rule.id} {rule.name} ({category}; {rule.severity})"


def _options_lines(rule: Rule) -> list[str]:
    return [
        f"- `{name}` ({spec.type}, default `{spec.default}`): {spec.description}"
        for name, spec in rule.options.items()
    ]


def as_markdown(rules: Sequence[Rule], language: str = "en") -> str:
    out = [
        "# kpigov rule reference",
        "",
        "Generated from `rules/*.yaml` by `kpigov rules --format markdown`; do not edit by hand.",
        "",
        "Examples are catalogue files (`kpis/example.yaml`, or the files named by `# file:` lines)",
        "checked inside a small context catalogue with the goal `grow-revenue`, the persons",
        "`a.jansen` and `b.smit`, the team `sales` and one complete KPI.",
        "",
        "| id | name | severity | SMART |",
        "|---|---|---|---|",
    ]
    for rule in rules:
        anchor = f"{rule.id}-{rule.name}".lower()
        out.append(
            f"| [{rule.id}](#{anchor}) | {rule.name} | {rule.severity} | {rule.smart or ''} |"
        )
    current = None
    for rule in rules:
        if rule.category != current:
            current = rule.category
            out += ["", f"## {CATEGORIES.get(current, current)} ({current})"]
        docs = rule.docs_in(language)
        out += [
            "",
            f"### {rule.id} {rule.name}",
            "",
            f"Severity **{rule.severity}**"
            + (
                f", SMART letter **{rule.smart}** ({SMART_LETTERS[rule.smart]})"
                if rule.smart
                else ""
            )
            + ".",
            "",
            "**What it does.** " + " ".join(docs["what"].split()),
            "",
            "**Why it matters.** " + " ".join(docs["why"].split()),
            "",
            "**Example** (fires):",
            "",
            "```yaml",
            docs["bad"].rstrip(),
            "```",
            "",
            "**Use instead:**",
            "",
            "```yaml",
            docs["good"].rstrip(),
            "```",
            "",
            "**How to fix.** " + " ".join(docs["fix"].split()),
        ]
        if rule.options:
            out += ["", "**Options** (`rules.options` in kpigov.yaml):", "", *_options_lines(rule)]
    return "\n".join(out) + "\n"


def explain(rule: Rule, language: str = "en") -> str:
    docs = rule.docs_in(language)
    labels = LABELS.get(language, LABELS["en"])

    def block(text: str) -> str:
        return "\n".join("    " + line for line in text.rstrip().splitlines())

    out = [_heading(rule)]
    for part in ("what", "why"):
        out += ["", labels[part], "  " + " ".join(docs[part].split())]
    for part in ("bad", "good"):
        out += ["", labels[part], block(docs[part])]
    out += ["", labels["fix"], "  " + " ".join(docs["fix"].split())]
    if rule.options:
        out += ["", labels["options"], *["  " + line[2:] for line in _options_lines(rule)]]
    return "\n".join(out) + "\n"
