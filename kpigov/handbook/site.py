"""Build the handbook: view model, jinja2 templates, assets, atomic swap of the output folder."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpigov.catalogue import Catalogue
from kpigov.checks.common import (
    active_kpis_by_goal,
    checked_kpis,
    goal_status,
    rag_status,
    status,
)
from kpigov.config import CONFIG_FILE
from kpigov.findings import Finding
from kpigov.handbook.chart import sparkline, trend_svg
from kpigov.handbook.gitlog import Commit, GitHistory
from kpigov.handbook.labels import labels_for
from kpigov.handbook.markdown import is_safe_link, render_markdown
from kpigov.handbook.numbers import format_number, with_unit
from kpigov.loader import Document
from kpigov.rulebook import CATEGORIES, SMART_LETTERS, Rule

if TYPE_CHECKING:
    from kpigov.handbook.templating import CompiledInAdvance

SMART = tuple(SMART_LETTERS)


@dataclass
class BuildInput:
    catalogue: Catalogue
    findings: list[Finding]
    rules: list[Rule]
    language: str
    public: bool
    generated: str  # the date shown as "generated", from SOURCE_DATE_EPOCH or today
    git: GitHistory = field(default_factory=GitHistory)
    # root-relative file -> digest of its content (kpigov/handbook/keys.py); a file not here
    # is keyed by its documents' fields
    digests: Mapping[str, str] = field(default_factory=dict)
    # The templates, compiled meanwhile by a process of their own (templating.CompiledInAdvance)
    compiled: CompiledInAdvance | None = None


def shown_name(document: Document) -> str:
    """The name a reference to a document shows (its id when it has none)."""
    return str(document.fields.get("name", document.id))


def _number(value: Any) -> str:
    return format_number(value)


class Site:
    """The view model: everything the templates show, computed once."""

    def __init__(self, given: BuildInput) -> None:
        self.given = given
        self.catalogue = given.catalogue
        self.labels = labels_for(given.language)
        self.rules = {rule.id: rule for rule in given.rules}
        self.findings = [f for f in given.findings if not f.suppressed]
        self.by_object: dict[str, list[Finding]] = {}
        for finding in self.findings:
            if finding.object:
                self.by_object.setdefault(finding.object, []).append(finding)
        self.kpis = sorted(self.catalogue.kpis.values(), key=lambda d: d.id or "")
        self.goals = sorted(self.catalogue.goals.values(), key=lambda d: d.id or "")
        self.persons = sorted(self.catalogue.persons.values(), key=lambda d: d.id or "")
        self.teams = sorted(self.catalogue.teams.values(), key=lambda d: d.id or "")
        # Indexes built once, so that no page scans the whole catalogue.
        self.children: dict[str, list[Document]] = {}
        self.goals_by_owner: dict[str, list[Document]] = {}
        for goal in self.goals:
            parent, owner = goal.fields.get("parent"), goal.fields.get("owner")
            if isinstance(parent, str):
                self.children.setdefault(parent, []).append(goal)
            if isinstance(owner, str):
                self.goals_by_owner.setdefault(owner, []).append(goal)
        self.kpis_by_owner: dict[str, list[Document]] = {}
        self.breakdowns: dict[str, list[Document]] = {}
        for kpi in self.kpis:
            parent = kpi.fields.get("parent")
            if isinstance(parent, str):
                self.breakdowns.setdefault(parent, []).append(kpi)
            owner = kpi.fields.get("owner")
            if isinstance(owner, str):
                self.kpis_by_owner.setdefault(owner, []).append(kpi)
        self._cards: dict[str, dict[str, Any]] = {}
        self.members: dict[str, list[Document]] = {}
        for person in self.persons:
            team = person.fields.get("team")
            if isinstance(team, str):
                self.members.setdefault(team, []).append(person)

    def with_unit(self, value: Any, unit: str | None) -> str:
        return with_unit(value, unit, self.given.language)

    # -- references -------------------------------------------------------------------------
    def kpi_ref(self, kpi_id: Any, prefix: str) -> dict[str, str]:
        kpi = self.catalogue.kpis.get(kpi_id) if isinstance(kpi_id, str) else None
        if kpi is None:
            return {
                "name": self.labels["not_published"] if self.given.public else str(kpi_id),
                "href": "",
            }
        return {"name": shown_name(kpi), "href": f"{prefix}kpis/{kpi.id}.html"}

    def goal_ref(self, goal_id: Any, prefix: str) -> dict[str, str]:
        goal = self.catalogue.goals.get(goal_id) if isinstance(goal_id, str) else None
        if goal is None:
            if self.given.public:
                return {"name": self.labels["not_published"], "href": ""}
            return {"name": str(goal_id), "href": ""}
        return {"name": shown_name(goal), "href": f"{prefix}goals/{goal.id}.html"}

    def owner_ref(self, owner_id: Any, prefix: str) -> dict[str, str]:
        owner = self.catalogue.owner(owner_id) if isinstance(owner_id, str) else None
        if owner is None:
            if owner_id and self.given.public:
                return {"name": self.labels["not_published"], "href": ""}
            return {"name": str(owner_id or self.labels["none"]), "href": ""}
        return {"name": shown_name(owner), "href": f"{prefix}owners/{owner.id}.html"}

    def finding_view(self, finding: Finding, prefix: str) -> dict[str, Any]:
        rule = self.rules.get(finding.rule)
        href = ""
        if finding.object and finding.kind in ("kpi", "goal"):
            href = f"{prefix}{finding.kind}s/{finding.object}.html"
        elif finding.object and finding.kind in ("person", "team"):
            href = f"{prefix}owners/{finding.object}.html"
        return {
            "rule": finding.rule,
            "name": finding.name,
            "severity": finding.severity,
            "message": finding.message,
            "where": f"{finding.file}:{finding.line}:{finding.column}",
            "object": finding.object or "",
            "href": href,
            "rule_href": f"{prefix}rules.html#{finding.rule}",
            "smart": rule.smart if rule else None,
        }

    # -- KPIs ---------------------------------------------------------------------------------
    def finding_groups(self) -> list[dict[str, Any]]:
        """The findings page: one group per rule, the most frequent first (a first run on a
        large catalogue reads as a few rules, not thousands of rows)."""
        by_rule: dict[str, list[Finding]] = {}
        for finding in self.findings:
            by_rule.setdefault(finding.rule, []).append(finding)
        groups = []
        for rule_id, findings in by_rule.items():
            severities = {f.severity for f in findings}
            worst = next(s for s in ("error", "warning", "info") if s in severities)
            groups.append(
                {
                    "rule": rule_id,
                    "name": findings[0].name,
                    "severity": worst,
                    "count": len(findings),
                    "rule_href": f"rules.html#{rule_id}",
                    "findings": [self.finding_view(f, "") for f in findings],
                }
            )
        return sorted(groups, key=lambda g: (-g["count"], g["rule"]))

    def scorecard(self, kpi: Document) -> list[dict[str, Any]]:
        mine = self.by_object.get(kpi.id or "", [])
        card = []
        for letter in SMART:
            behind = [f for f in mine if f.smart == letter and f.kind == "kpi"]
            failed = any(f.severity in ("error", "warning") for f in behind)
            card.append(
                {
                    "letter": letter,
                    "name": self.labels[letter],
                    "passed": not failed,
                    "findings": [self.finding_view(f, "../") for f in behind],
                }
            )
        return card

    def kpi_view(self, kpi: Document) -> dict[str, Any]:
        fields = kpi.fields
        unit = fields.get("unit") if isinstance(fields.get("unit"), str) else None
        history = self.catalogue.history.get(kpi.id or "")
        dates = history.dates if history is not None else []
        values = history.values if history is not None else []
        target = fields.get("target") if isinstance(fields.get("target"), dict) else {}
        baseline = fields.get("baseline") if isinstance(fields.get("baseline"), dict) else {}
        direction = fields.get("direction")
        latest = None
        if dates:
            last = values[-1]
            latest = {
                "value": self.with_unit(last, unit),
                "date": dates[-1],
                "status": self.status_of(kpi, last),
            }
            if len(values) > 1:
                delta = last - values[-2]
                better = (
                    (delta > 0)
                    if direction == "higher-is-better"
                    else (delta < 0)
                    if direction == "lower-is-better"
                    else None
                )
                latest["change"] = ("+" if delta > 0 else "") + format_number(
                    round(delta, 4), self.given.language
                )
                latest["trend"] = (
                    "better" if better else "worse" if better is False and delta else "same"
                )
        formula = fields.get("formula") if isinstance(fields.get("formula"), dict) else {}
        inputs = []
        for item in formula.get("inputs") or []:
            if isinstance(item, dict):
                reference = self.kpi_ref(item["kpi"], "../") if item.get("kpi") else None
                inputs.append(
                    {
                        "name": item.get("name", ""),
                        "source": item.get("source", ""),
                        "kpi": reference,
                        "description": item.get("description", ""),
                    }
                )
        scale = fields.get("scale") if isinstance(fields.get("scale"), dict) else None
        notes = history.notes if history is not None else None
        chart = trend_svg(
            dates,
            values,
            f"{fields.get('name', kpi.id)}: {self.labels['trend']}",
            unit or "",
            baseline.get("value") if isinstance(baseline.get("value"), (int, float)) else None,
            target.get("value") if isinstance(target.get("value"), (int, float)) else None,
            self.labels,
            thresholds=fields.get("thresholds"),
            direction=direction if isinstance(direction, str) else None,
            target_spec=target,
            notes=notes,
        )
        value_rows = [
            {
                "date": date,
                "value": self.with_unit(value, unit),
                "note": notes[index] if notes else "",
            }
            for index, (date, value) in enumerate(zip(dates, values, strict=True))
        ]
        owner = fields.get("owner")
        return {
            "id": kpi.id,
            "name": fields.get("name", kpi.id),
            "description": render_markdown(fields.get("description")),
            "risks": render_markdown(fields.get("risks")),
            "facts": [
                (self.labels[key], fields[key])
                for key in (
                    "tier",
                    "perspective",
                    "type",
                    "indicator",
                    "horizon",
                    "collection",
                    "visibility",
                )
                if isinstance(fields.get(key), str)
            ],
            "status": status(kpi),
            "unit": unit or "",
            "scale": ""
            if scale is None
            else f"{_number(scale.get('min', '−∞'))} … {_number(scale.get('max', '+∞'))}",
            "direction": direction or "",
            "frequency": fields.get("frequency", ""),
            "review": fields.get("review", ""),
            "expression": formula.get("expression", ""),
            "inputs": inputs,
            "baseline": self.with_unit(baseline.get("value"), unit),
            "baseline_date": baseline.get("date", ""),
            "target": self.with_unit(target.get("value"), unit)
            if "value" in target
            else (
                f"{self.with_unit(target.get('min'), unit)} – {self.with_unit(target.get('max'), unit)}"
                if "min" in target
                else ""
            ),
            "deadline": target.get("deadline", ""),
            "commitment": target.get("commitment", ""),
            "target_note": target.get("note", "") if isinstance(target.get("note"), str) else "",
            "standing": target.get("standing") is True,
            "assessment": _assessment(fields.get("assessment")),
            "parent": self.kpi_ref(fields["parent"], "../")
            if isinstance(fields.get("parent"), str)
            else None,
            "breakdown": fields.get("breakdown", "")
            if isinstance(fields.get("breakdown"), str)
            else "",
            "breakdowns": [
                self.kpi_ref(child.id, "../") for child in self.breakdowns.get(kpi.id or "", [])
            ],
            "origins": [
                (
                    field,
                    self.labels["from_parent"]
                    if origin.startswith("parent")
                    else self.labels["from_defaults"] + f" ({origin})",
                )
                for field, origin in sorted(kpi.origins.items())
            ],
            "thresholds": fields.get("thresholds")
            if isinstance(fields.get("thresholds"), dict)
            else None,
            "latest": latest,
            "chart": chart,
            "value_rows": value_rows,
            "scorecard": self.scorecard(kpi),
            "findings": [
                self.finding_view(f, "../")
                for f in self.by_object.get(kpi.id or "", [])
                if f.kind == "kpi"
            ],
            "owner": self.owner_ref(owner, "../"),
            "goals": [
                self.goal_ref(g, "../") for g in fields.get("goals") or [] if isinstance(g, str)
            ],
            "replaced_by": self.kpi_ref(fields["replaced_by"], "../")
            if fields.get("replaced_by")
            else None,
            "version": fields.get("version", 1),
            "changelog": [e for e in fields.get("changelog") or [] if isinstance(e, dict)],
            "review_by": fields.get("review_by", ""),
            "min_sample_size": fields.get("min_sample_size"),
            "tags": [t for t in fields.get("tags") or [] if isinstance(t, str)],
            "links": [
                link
                for link in fields.get("links") or []
                if isinstance(link, dict) and is_safe_link(str(link.get("url", "")))
            ],
            "last_changed": self.given.git.last_changed.get(kpi.file, ""),
        }

    def card(self, kpi: Document) -> dict[str, Any]:
        """A KPI's card on the overview; each is made once (the goal tree shows them again)."""
        card = self._cards.get(kpi.id or "")
        if card is None:
            card = self._cards[kpi.id or ""] = self._new_card(kpi)
        return card

    def _new_card(self, kpi: Document) -> dict[str, Any]:
        fields = kpi.fields
        owner = fields.get("owner")
        history = self.catalogue.history.get(kpi.id or "")
        latest = history.latest if history is not None else None
        unit = fields.get("unit") if isinstance(fields.get("unit"), str) else None
        return {
            "id": kpi.id,
            "name": fields.get("name", kpi.id),
            "href": f"kpis/{kpi.id}.html",
            "perspective": fields.get("perspective", ""),
            "tier": fields.get("tier", "kpi"),
            "status": status(kpi),
            "owner": self.owner_ref(owner, ""),
            "owner_id": owner if isinstance(owner, str) else "",
            "latest": self.with_unit(latest.value, unit) if latest else "",
            "rag": self.status_of(kpi, latest.value) if latest else None,
            "target": self._target_text(kpi),
            "key": fields.get("tier", "kpi") == "kpi",
            "goal": self.goal_ref(fields["goals"][0], "")["name"]
            if isinstance(fields.get("goals"), list) and fields["goals"]
            else "",
            "sparkline": sparkline(
                history.values, self.status_of(kpi, latest.value) if latest else None
            )
            if history is not None and latest
            else "",
            "assessment": (fields.get("assessment") or {}).get("level", "")
            if isinstance(fields.get("assessment"), dict)
            else "",
        }

    def unreadable(self) -> list[dict[str, str]]:
        """KPIs whose file does not parse (K001): a card says so instead of leaving them out."""
        problems = {v.file: v for v in self.catalogue.problems.get("K001", [])}
        items = []
        for file, ids in sorted(self.catalogue.unreadable_files.items()):
            if self.given.public:
                continue  # an internal or unreadable file never appears in a public handbook
            violation = problems.get(file)
            where = f"{file}:{violation.span.line}" if violation and violation.span else file
            problem = str(violation.args.get("problem", "")) if violation else ""
            for kpi_id in sorted(ids - set(self.catalogue.kpis)) or [file]:
                items.append({"id": kpi_id, "where": where, "problem": problem})
        return items

    def status_of(self, kpi: Document, value: float) -> str | None:
        """red/amber/green of a value; "invalid" when it lies outside the KPI's scale (T602):
        an uptime of 104 % is a data error, not a green light."""
        scale = kpi.fields.get("scale")
        if isinstance(scale, dict):
            low, high = scale.get("min"), scale.get("max")
            if (isinstance(low, (int, float)) and value < low) or (
                isinstance(high, (int, float)) and value > high
            ):
                return "invalid"
        unit = kpi.fields.get("unit")
        if unit == "percent" and not isinstance(scale, dict) and not 0 <= value <= 100:
            return "invalid"
        return rag_status(
            value,
            kpi.fields.get("direction"),
            kpi.fields.get("thresholds"),
            kpi.fields.get("target"),
        )

    def _target_text(self, kpi: Document) -> str:
        target = kpi.fields.get("target")
        if not isinstance(target, dict):
            return ""
        unit = kpi.fields.get("unit") if isinstance(kpi.fields.get("unit"), str) else None
        if isinstance(target.get("value"), (int, float)):
            return self.with_unit(target["value"], unit)
        if isinstance(target.get("min"), (int, float)) and isinstance(
            target.get("max"), (int, float)
        ):
            return f"{self.with_unit(target['min'], unit)} – {self.with_unit(target['max'], unit)}"
        return str(target.get("note") or "")

    # -- overview ---------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for finding in self.findings:
            counts[finding.severity] += 1
        checked = checked_kpis(self.catalogue)
        smart = []
        for letter in SMART:
            failing = {
                f.object
                for f in self.findings
                if f.smart == letter and f.kind == "kpi" and f.severity in ("error", "warning")
            }
            passed = sum(1 for kpi in checked if kpi.id not in failing)
            smart.append(
                {
                    "letter": letter,
                    "name": self.labels[letter],
                    "passed": passed,
                    "total": len(checked),
                    "percent": round(100 * passed / len(checked)) if checked else 100,
                }
            )
        return {"counts": counts, "smart": smart, "kpis": len(self.kpis), "goals": len(self.goals)}

    def goal_tree_of(self, kpis_of: Callable[[Document], Any]) -> list[dict[str, Any]]:
        """The goal tree of the overview, with ``kpis_of(goal)`` at each goal (its cards, or in
        a page key their keys)."""
        children: dict[str, list[Document]] = {}
        roots = []
        for goal in self.goals:
            parent = goal.fields.get("parent")
            if isinstance(parent, str) and parent in self.catalogue.goals and parent != goal.id:
                children.setdefault(parent, []).append(goal)
            else:
                roots.append(goal)

        def node(goal: Document, seen: frozenset[str]) -> dict[str, Any]:
            return {
                "id": goal.id,
                "name": goal.fields.get("name", goal.id),
                "href": f"goals/{goal.id}.html",
                "status": goal_status(goal),
                "kpis": kpis_of(goal),
                "children": [
                    node(child, seen | {child.id or ""})
                    for child in children.get(goal.id or "", [])
                    if child.id not in seen
                ],
            }

        return [node(goal, frozenset({goal.id or ""})) for goal in roots]

    def search_entry(self, kpi: Document) -> dict[str, Any]:
        fields = kpi.fields
        owner = self.owner_ref(fields.get("owner"), "")
        return {
            "id": kpi.id,
            "name": fields.get("name", kpi.id),
            "href": f"kpis/{kpi.id}.html",
            "owner": owner["name"],
            "owner_id": fields.get("owner") if isinstance(fields.get("owner"), str) else "",
            "text": " ".join(str(fields.get("description") or "").split())[:400],
            "tags": [t for t in fields.get("tags") or [] if isinstance(t, str)],
            "perspective": fields.get("perspective", ""),
            "status": status(kpi),
        }

    def search_index(self, entries: list[str] | None = None) -> str:
        """assets/search-index.js: the search entry of every KPI as JSON (``entries``, made
        when not given)."""
        if entries is None:
            entries = [_search_json(self.search_entry(kpi)) for kpi in self.kpis]
        text = f"[{','.join(entries)}]"  # as json.dumps writes a list with these separators
        # Inside a script file: keep "</" and line separators from ending or breaking the code.
        text = text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return f"window.KPIGOV_INDEX = {text};\n"

    def overview_piece(self, kpi: Document, macros: Any) -> list[Any]:
        """A KPI's part of the overview (kpigov/handbook/overview.py), ``macros`` the module of
        macros.html."""
        card = self.card(kpi)
        return [
            str(macros.kpi_card(card, self.labels, "")),
            str(macros.kpi_chip(card, self.labels)),
            bool(card["key"]),
            card["status"],
            card["rag"],
            _search_json(self.search_entry(kpi)),
        ]


def _search_json(entry: dict[str, Any]) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def generated_date(today: dt.date) -> str:
    """SOURCE_DATE_EPOCH when set (reproducible builds), otherwise the build's today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date().isoformat()
    return today.isoformat()


def _assessment(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict) or not isinstance(value.get("level"), str):
        return None
    return {
        "level": value["level"],
        "date": str(value.get("date") or ""),
        "note": render_markdown(value.get("note")) if isinstance(value.get("note"), str) else "",
    }


def descendant_kpis(site: Site, goal: Document, direct: list[Document]) -> list[Document]:
    """Active KPIs of every sub-goal below ``goal`` (a goal's page rolls them up), each once."""
    by_goal = active_kpis_by_goal(site.catalogue)
    seen = {kpi.id for kpi in direct}
    found: list[Document] = []
    pending = list(site.children.get(goal.id or "", []))
    visited = {goal.id}
    while pending:
        child = pending.pop(0)
        if child.id in visited:
            continue
        visited.add(child.id)
        for kpi in sorted(by_goal.get(child.id or "", []), key=lambda d: d.id or ""):
            if kpi.id not in seen:
                seen.add(kpi.id)
                found.append(kpi)
        pending.extend(site.children.get(child.id or "", []))
    return found


def goal_view(
    site: Site, goal: Document, kpis: list[Document], below: list[Document]
) -> dict[str, Any]:
    """A goal's page: ``kpis`` are its own active KPIs, ``below`` those of its sub-goals."""
    fields = goal.fields
    children = site.children.get(goal.id or "", [])
    return {
        "id": goal.id,
        "name": fields.get("name", goal.id),
        "description": render_markdown(fields.get("description")),
        "status": goal_status(goal),
        "deadline": fields.get("deadline", ""),
        "perspective": fields.get("perspective", ""),
        "horizon": fields.get("horizon", ""),
        "owner": site.owner_ref(fields.get("owner"), "../"),
        "parent": site.goal_ref(fields["parent"], "../")
        if isinstance(fields.get("parent"), str)
        else None,
        "children": [site.goal_ref(child.id, "../") for child in children],
        "kpis": [site.card(kpi) for kpi in kpis],
        "sub_goal_kpis": [site.card(kpi) for kpi in below],
        "findings": [
            site.finding_view(f, "../")
            for f in site.by_object.get(goal.id or "", [])
            if f.kind == "goal"
        ],
    }


def owner_view(site: Site, owner: Document, members: list[Document]) -> dict[str, Any]:
    """An owner's page; ``members`` are a team's persons (none for a person)."""
    fields = owner.fields
    owned = site.kpis_by_owner.get(owner.id or "", [])
    goals = site.goals_by_owner.get(owner.id or "", [])
    return {
        "id": owner.id,
        "kind": owner.kind,
        "name": fields.get("name", owner.id),
        "email": "" if site.given.public else fields.get("email", ""),
        "handle": fields.get("handle", ""),
        "active": fields.get("active", True) is not False,
        "team": site.owner_ref(fields["team"], "../")
        if isinstance(fields.get("team"), str)
        else None,
        "lead": site.owner_ref(fields["lead"], "../")
        if isinstance(fields.get("lead"), str)
        else None,
        "members": [site.owner_ref(p.id, "../") for p in members],
        "kpis": [site.card(k) for k in owned],
        "member_kpis": [
            site.card(k) for member in members for k in site.kpis_by_owner.get(member.id or "", [])
        ],
        "goals": [site.goal_ref(g.id, "../") for g in goals],
        "findings": [
            site.finding_view(f, "../")
            for f in site.by_object.get(owner.id or "", [])
            if f.kind in ("person", "team")
        ],
    }


def rule_view(rule: Rule, language: str) -> dict[str, Any]:
    docs = rule.docs_in(language)
    return {
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity,
        "smart": rule.smart or "",
        "category": CATEGORIES.get(rule.category, rule.category),
        # Markdown (backticks become code), raw HTML off like every catalogue text
        "what": render_markdown(" ".join(docs["what"].split())),
        "why": render_markdown(" ".join(docs["why"].split())),
        "fix": render_markdown(" ".join(docs["fix"].split())),
        "bad": docs["bad"],
        "good": docs["good"],
    }


# KPIs named per commit on the changes page; the others are counted ("and 9,975 more"): the
# commit that brought a catalogue in touched every KPI, and a row of ten thousand links is read
# by nobody (each KPI's page gives the date git last changed it).
CHANGED_KPIS_SHOWN = 25


def changed_kpis(site: Site) -> list[tuple[Commit, list[Document], int]]:
    """The recent commits the changes page lists, each with the first KPIs it touched (by id;
    at most :data:`CHANGED_KPIS_SHOWN`) and how many it touched in all. A commit of the
    repository around the catalogue is left out, and in a public build one that touched no
    public KPI."""
    by_file = {kpi.file: kpi for kpi in site.kpis}
    history_files = {f"{site.catalogue.config.history}/{kpi.id}.csv": kpi for kpi in site.kpis}
    listed = []
    catalogue_files = {*site.catalogue.files, CONFIG_FILE}
    for commit in site.given.git.commits:
        if catalogue_files.isdisjoint(commit.files):
            continue
        touched = {
            doc.id: doc
            for file in commit.files
            for doc in (by_file.get(file), history_files.get(file))
            if doc
        }
        if site.given.public and not touched:
            continue
        first = sorted(touched.values(), key=lambda kpi: kpi.id or "")[:CHANGED_KPIS_SHOWN]
        listed.append((commit, first, len(touched)))
    return listed


def changes_view(
    site: Site, listed: list[tuple[Commit, list[Document], int]] | None = None
) -> list[dict[str, Any]]:
    """Recent commits (``listed`` by :func:`changed_kpis`); in a public build only the public
    KPIs they touched, never the subject."""
    public, language = site.given.public, site.given.language
    return [
        {
            "date": commit.date,
            "subject": "" if public else commit.subject,
            "kpis": [site.kpi_ref(kpi.id, "") for kpi in kpis],
            "more": site.labels["more_kpis"].format(
                count=format_number(touched - len(kpis), language)
            )
            if touched > len(kpis)
            else "",
            "files": 0 if public else len(commit.files),
        }
        for commit, kpis, touched in (changed_kpis(site) if listed is None else listed)
    ]


def iter_pages(out: Path) -> Iterator[Path]:
    yield from sorted(out.rglob("*.html"))
