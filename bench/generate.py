"""Generate a synthetic KPI catalogue for benchmarks: N KPIs (one per file), goals, owners, history.

    python bench/generate.py 10000 /tmp/kpis-10k [--seed 42]

The same N and seed give the same files, byte for byte. Files are about 4 KB each, like the
SPEC §6 reference catalogue (10,000 KPI files, about 40 MB), and lint clean under the rules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

AREAS = ["sales", "marketing", "service", "finance", "hr", "it", "operations", "product"]
PERSPECTIVES = {
    "sales": "financial",
    "marketing": "customer",
    "service": "customer",
    "finance": "financial",
    "hr": "learning-growth",
    "it": "internal-process",
    "operations": "internal-process",
    "product": "customer",
}
WORDS = [
    "revenue",
    "customer",
    "order",
    "ticket",
    "employee",
    "incident",
    "release",
    "invoice",
    "lead",
    "visit",
    "contract",
    "deployment",
    "survey",
    "shipment",
    "return",
    "claim",
    "payment",
    "subscription",
    "account",
    "booking",
]
FREQUENCIES = [("weekly", "monthly", 7), ("monthly", "monthly", 30), ("monthly", "quarterly", 30)]
TODAY = dt.date(2026, 11, 23)


def kpi_text(index: int, rng: random.Random, goal: str, owner: str) -> str:
    area = AREAS[index % len(AREAS)]
    word, other = rng.sample(WORDS, 2)
    frequency, review, _ = FREQUENCIES[index % len(FREQUENCIES)]
    baseline = rng.randint(20, 60)
    target = baseline + rng.randint(5, 20)
    inputs = [f"{word}_{n}" for n in range(rng.randint(2, 4))]
    expression = " + ".join(inputs[:-1]) + f" / {inputs[-1]} * 100"
    sentence = (
        # Each KPI its own register, as in a real catalogue (a shared description is Z505).
        f"Share of {word} records of register {area}-{index} in the {frequency} period that "
        f"reached the {other} stage "
        f"within the agreed service level, counted on the closing date; test and internal "
        f"records are excluded, and records reopened later count in their original period. "
    )
    description = (sentence * 4).strip()
    risks = (
        f"Teams could move {word} records between periods or close them early to lift the "
        f"number; the {other} stage is set by the system, not by hand, and audits sample "
        f"ten records per period. "
    ) * 3
    lines = [
        "kind: kpi",
        f"id: {area}.{word}-{other}-{index}",
        f"name: {word.capitalize()} {other} rate {index}",
        "description: >",
        *[f"  {description[i : i + 90].strip()}" for i in range(0, len(description), 90)],
        f"tier: {'kpi' if index < 10 else 'pi'}",
        f"owner: {owner}",
        f"goals: [{goal}]",
        f"perspective: {PERSPECTIVES[area]}",
        f"indicator: {'leading' if index % 2 else 'lagging'}",
        "unit: percent",
        "direction: higher-is-better",
        "formula:",
        f"  expression: ({expression})",
        "  inputs:",
        *[
            f'    - {{name: {name}, source: "Data warehouse, table {area}_{name}_{index}", '
            f"description: Count of {name.replace('_', ' ')} records}}"
            for name in inputs
        ],
        "collection: automatic",
        f"frequency: {frequency}",
        f"review: {review}",
        f"baseline: {{value: {baseline}, date: 2025-12-31}}",
        f"target: {{value: {target}, deadline: 2027-12-31, commitment: committed}}",
        f"thresholds: {{red: {baseline - 5}, amber: {baseline}}}",
        "version: 3",
        "changelog:",
        *[
            f"  - {{version: {v}, date: 2025-0{v + 1}-15, change: Clarified which {word} records count "
            f"and how reopened records are handled (step {v}).}}"
            for v in (1, 2, 3)
        ],
        "review_by: 2027-06-30",
        f"visibility: {'public' if index % 3 == 0 else 'internal'}",
        "risks: >",
        *[f"  {risks[i : i + 90].strip()}" for i in range(0, len(risks), 90)],
        f"tags: [{area}, {word}, {other}]",
        "links:",
        f'  - {{title: Dashboard, url: "https://bi.example.com/{area}/{index}"}}',
    ]
    return "\n".join(lines) + "\n"


def history_text(index: int, rng: random.Random) -> str:
    _, _, step = FREQUENCIES[index % len(FREQUENCIES)]
    rows = ["date,value"]
    day = TODAY - dt.timedelta(days=step * 24)
    for _ in range(24):
        day += dt.timedelta(days=step)
        rows.append(f"{day.isoformat()},{rng.uniform(20, 80):.1f}")
    return "\n".join(rows) + "\n"


# What real catalogues get wrong (SPEC §8.8: a fifth of the KPI files invalid in some field).
BREAKAGES = (
    ("frequency: ", "frequency: elke-week\nfrequency_old: "),
    ("unit: ", "unit: percnt\nunit_old: "),
    ("owner: ", "ownr: "),
    ("direction: ", "direction: up\ndirection_old: "),
    ("review: ", "review: sometimes\nreview_old: "),
)


def _break(text: str, index: int) -> str:
    """The KPI with one field a schema refuses (a typo, a word outside the list)."""
    old, new = BREAKAGES[index % len(BREAKAGES)]
    return text.replace(old, new, 1)


def generate(count: int, root: Path, seed: int = 42, invalid_share: float = 0.0) -> Path:
    rng = random.Random(seed)
    every = round(1 / invalid_share) if invalid_share else 0
    if root.exists():
        shutil.rmtree(root)
    (root / "kpis").mkdir(parents=True)
    (root / "history").mkdir()
    # Limits scale with the catalogue so that a large synthetic catalogue is not all Z findings.
    (root / "kpigov.yaml").write_text(
        "version: 1\nname: Synthetic benchmark catalogue\n"
        f"limits: {{total: {count + 10}, pis: {count + 10}, kpis_per_goal: 5, kpis_per_owner: 7,"
        f" kpis_per_team: 15}}\n"
    )
    goal_count = max(1, (count + 3) // 4)
    person_count = max(1, (count + 4) // 5)
    team_count = max(1, (person_count + 2) // 3)
    goals = [
        f"kind: goal\nid: objective-{i}\nname: Objective {i}\nowner: person-{i % person_count}\n"
        for i in range(max(1, goal_count // 10))
    ]
    goals += [
        f"kind: goal\nid: goal-{i}\nname: Goal {i}\nparent: objective-{i % len(goals)}\n"
        f"owner: person-{i % person_count}\n"
        for i in range(goal_count)
    ]
    (root / "goals.yaml").write_text("---\n".join(goals))
    owners = [
        f"kind: person\nid: person-{i}\nname: Person {i}\nteam: team-{i % team_count}\n"
        f'handle: "@person{i}"\n'
        for i in range(person_count)
    ]
    owners += [
        f"kind: team\nid: team-{i}\nname: Team {i}\nlead: person-{i}\n" for i in range(team_count)
    ]
    (root / "owners.yaml").write_text("---\n".join(owners))
    for index in range(count):
        area = AREAS[index % len(AREAS)]
        folder = root / "kpis" / area
        folder.mkdir(exist_ok=True)
        text = kpi_text(index, rng, f"goal-{index // 4}", f"person-{index // 5}")
        kpi_id = text.split("\n", 2)[1][4:]
        if every and index % every == 0:
            text = _break(text, index // every)
        (folder / f"{kpi_id.split('.', 1)[1]}.yaml").write_text(text)
        (root / "history" / f"{kpi_id}.csv").write_text(history_text(index, rng))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("root", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--invalid", type=float, default=0.0, help="share of KPI files with an invalid field (0.2)"
    )
    arguments = parser.parse_args()
    generate(arguments.count, arguments.root, arguments.seed, arguments.invalid)


if __name__ == "__main__":
    main()
