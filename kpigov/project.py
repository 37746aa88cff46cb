"""Where kpigov lives on the web: one constant, and the addresses built from it.

Schema ``$id``s, SARIF ``helpUri``s, the package's Project-URLs and the README all derive from
``HOME``; tests check that every place agrees with it.
"""

from __future__ import annotations

import re

HOME = "https://github.com/kpigov/kpigov"
RULE_REFERENCE = f"{HOME}/blob/main/docs/rules.md"
SCHEMA_BASE = f"{HOME}/raw/main/schemas"


def schema_id(name: str) -> str:
    """The ``$id`` of schema ``name`` (``kpi``, ``catalogue-file``, …)."""
    return f"{SCHEMA_BASE}/{name}.schema.json"


def rule_anchor(rule_id: str, name: str) -> str:
    """The anchor GitHub gives the heading ``### S101 vague-description`` of the rule reference."""
    return re.sub(r"[^a-z0-9 _-]", "", f"{rule_id} {name}".lower()).replace(" ", "-")


def rule_reference_url(rule_id: str, name: str) -> str:
    return f"{RULE_REFERENCE}#{rule_anchor(rule_id, name)}"
