"""`kpigov diff`: the semantic change report between two revisions of a catalogue.

KPIs are matched by id (a moved file is the same KPI). Breaking changes are the ones that make
old and new values incomparable or leave readers without a KPI: a definition change (formula,
unit, scale, direction), a removal or retirement without a deprecated step.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kpigov.checks.governance import DEFINING_FIELDS
from kpigov.config import Config
from kpigov.gitdiff import changed_sides, kpis_in

IGNORED_FIELDS = ("kind", "id")


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def breaking(self) -> bool:
        return self.field in DEFINING_FIELDS


@dataclass
class KpiChange:
    id: str
    name: str
    path: str
    change: str  # added | removed | changed
    fields: list[FieldChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> bool:
        return bool(self.notes) or any(change.breaking for change in self.fields)


def _status(data: Mapping[str, Any] | None) -> str:
    found = data.get("status") if data else None
    return found if isinstance(found, str) and found else "active"


def compare(config: Config, base: str, head: str | None) -> list[KpiChange]:
    base_files, head_files = changed_sides(config, base, head)
    before, after = kpis_in(base_files), kpis_in(head_files)
    changes: list[KpiChange] = []
    for kpi_id in sorted(before.keys() | after.keys()):
        old = before.get(kpi_id)
        new = after.get(kpi_id)
        old_data: dict[str, Any] = old[1].data if old else {}
        new_data: dict[str, Any] = new[1].data if new else {}
        name = str(new_data.get("name") or old_data.get("name") or kpi_id)
        path = (new or old)[0]  # type: ignore[index]
        if old is None:
            changes.append(KpiChange(kpi_id, name, path, "added"))
            continue
        if new is None:
            notes = (
                []
                if _status(old_data) != "active"
                else ["removed while active, without being deprecated first"]
            )
            changes.append(KpiChange(kpi_id, name, path, "removed", notes=notes))
            continue
        fields = [
            FieldChange(key, old_data.get(key), new_data.get(key))
            for key in dict.fromkeys([*old_data, *new_data])
            if key not in IGNORED_FIELDS and old_data.get(key) != new_data.get(key)
        ]
        if not fields:
            continue
        kpi_change = KpiChange(kpi_id, name, path, "changed", fields)
        if _status(old_data) == "active" and _status(new_data) == "retired":
            kpi_change.notes.append("retired while active, without being deprecated first")
        changes.append(kpi_change)
    return changes


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _summary(changes: list[KpiChange]) -> str:
    counts = {
        kind: sum(1 for c in changes if c.change == kind)
        for kind in ("added", "removed", "changed")
    }
    deprecated = sum(
        1 for c in changes for f in c.fields if f.field == "status" and f.new == "deprecated"
    )
    breaking = sum(1 for c in changes if c.breaking)
    return (
        f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed"
        f" ({deprecated} deprecated); {breaking} breaking"
    )


def render_text(changes: list[KpiChange], base: str, head: str) -> str:
    if not changes:
        return f"No KPI changes between {base} and {head}.\n"
    lines = [f"KPI changes from {base} to {head}: {_summary(changes)}", ""]
    for change in changes:
        flag = "  BREAKING" if change.breaking else ""
        lines.append(f"{change.change.upper():8} {change.id} ({change.name}) {change.path}{flag}")
        for field_change in change.fields:
            mark = " (breaking)" if field_change.breaking else ""
            lines.append(
                f"    {field_change.field}: {_show(field_change.old)} -> {_show(field_change.new)}{mark}"
            )
        lines.extend(f"    ! {note}" for note in change.notes)
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return "`" + _show(value).replace("|", "\\\\|").replace("`", "'") + "`"


def render_markdown(changes: list[KpiChange], base: str, head: str) -> str:
    if not changes:
        return f"### KPI changes\n\nNo KPI definitions changed between `{base}` and `{head}`.\n"
    out = [f"### KPI changes: {_summary(changes)}", "", f"Compared `{base}` with `{head}`.", ""]
    breaking = [c for c in changes if c.breaking]
    if breaking:
        out += [
            "> [!WARNING]",
            "> Breaking changes: " + ", ".join(f"`{c.id}`" for c in breaking),
            "",
        ]
    for title, kind in (("Added", "added"), ("Removed", "removed"), ("Changed", "changed")):
        group = [c for c in changes if c.change == kind]
        if not group:
            continue
        out += [f"#### {title}", ""]
        for change in group:
            flag = " **breaking**" if change.breaking else ""
            out.append(f"- **{change.name}** (`{change.id}`, `{change.path}`){flag}")
            out.extend(f"  - {note}" for note in change.notes)
        if kind == "changed":
            out += ["", "| KPI | field | before | after |", "|---|---|---|---|"]
            for change in group:
                for field_change in change.fields:
                    mark = " ⚠️" if field_change.breaking else ""
                    out.append(
                        f"| `{change.id}` | {field_change.field}{mark} | {_cell(field_change.old)} "
                        f"| {_cell(field_change.new)} |"
                    )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_json(changes: list[KpiChange], base: str, head: str) -> str:
    document = {
        "version": 1,
        "base": base,
        "head": head,
        "changes": [
            {
                "id": c.id,
                "name": c.name,
                "path": c.path,
                "change": c.change,
                "breaking": c.breaking,
                "notes": c.notes,
                "fields": [
                    {"field": f.field, "old": f.old, "new": f.new, "breaking": f.breaking}
                    for f in c.fields
                ],
            }
            for c in changes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
