"""The incremental lint (kpigov/incremental.py) reports byte for byte what a cold lint reports.

Random edits of random files of real catalogues — the public KPI definitions of tests/importers
imported, the bench's realistic mix, and the examples (with and without their house rules) — each
followed by a lint that may reuse the previous lint's state and a cold one (--no-cache), compared
as the JSON reporter prints them, over the whole catalogue, over the edited file as PATHS (what
pre-commit runs) and against a git revision (--since). The edits are the ones people make (a
name, a target, an owner, a status, a parent, a suppression comment, a line above a document) and
the ones the incremental lint must hand to a cold one (a broken file, a new id, a goal, a history
row, a removed file).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import kpigov.incremental
from kpigov import api
from kpigov.loader import load_bytes

REPO = Path(__file__).parents[1]
TODAY = dt.date(2026, 11, 23)
IMPORTED = REPO / "tests" / "importers"


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def _imported(into: Path) -> Path:
    """The public definitions of tests/importers in one catalogue, as kpigov import writes it."""
    api.import_catalogue("gitlab", sorted((IMPORTED / "gitlab").glob("*.yml")), into, today=TODAY)
    api.import_catalogue("dbt", sorted((IMPORTED / "dbt").glob("*.yml")), into, today=TODAY)
    api.import_catalogue(
        "csv", [IMPORTED / "csv" / "provincie-utrecht-indicatoren.csv"], into, today=TODAY
    )
    return into


def _bench_mix(into: Path) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    return generate(120, into, invalid_share=0.2)


def _example(name: str, house_rules: bool) -> Callable[[Path], Path]:
    def make(into: Path) -> Path:
        # Without the cache a lint of the source tree may have left there.
        shutil.copytree(
            REPO / "examples" / name, into, ignore=shutil.ignore_patterns(".kpigov_cache")
        )
        if not house_rules:
            config = into / "kpigov.yaml"
            config.write_text(
                "".join(
                    line
                    for line in config.read_text().splitlines(keepends=True)
                    if not line.startswith("custom_rules")
                )
            )
        return into

    return make


CATALOGUES: dict[str, Callable[[Path], Path]] = {
    "imported": _imported,
    "bench-mix": _bench_mix,
    "acme": _example("acme", house_rules=False),
    "messy": _example("messy", house_rules=False),
    "messy-house-rules": _example("messy", house_rules=True),
}
_made: dict[str, Path] = {}


def _catalogue(name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of a catalogue (made once), committed to git."""
    if name not in _made:
        made = CATALOGUES[name](tmp_path_factory.mktemp("made") / name)
        _git(made, "init", "-q")
        _git(made, "add", "-A")
        _git(made, "commit", "-qm", "catalogue")
        _made[name] = made
    copy = tmp_path_factory.mktemp("edit") / name
    shutil.copytree(_made[name], copy, symlinks=True)
    return copy


# -- edits ------------------------------------------------------------------------------------
_yaml = YAML()
_yaml.preserve_quotes = True


def _kpi_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "kpis").rglob("*.y*ml") if p.is_file())


def _edit_documents(
    path: Path, change: Callable[[dict[str, Any], random.Random], None], rng: random.Random
) -> None:
    try:
        documents = list(_yaml.load_all(path.read_text(encoding="utf-8")))
    except Exception:
        return  # a file that does not parse (K001 on purpose): another edit will do
    kpis = [d for d in documents if isinstance(d, dict) and d.get("kind") == "kpi"]
    if not kpis:
        return
    change(rng.choice(kpis), rng)
    out = io.StringIO()
    _yaml.dump_all(documents, out)
    path.write_text(out.getvalue(), encoding="utf-8")


def _field_edit(field: str, values: list[Any]) -> Callable[[dict[str, Any], random.Random], None]:
    def change(kpi: dict[str, Any], rng: random.Random) -> None:
        value = rng.choice(values)
        if value is None:
            kpi.pop(field, None)
        else:
            kpi[field] = value

    return change


def _target(kpi: dict[str, Any], rng: random.Random) -> None:
    target = kpi.get("target")
    if isinstance(target, dict) and "value" in target:
        target["value"] = rng.choice([0, 1, 42, 99.5, 1000, -3])
    else:
        kpi["target"] = {"value": rng.randint(1, 100), "deadline": "2027-12-31"}


def _formula(kpi: dict[str, Any], rng: random.Random) -> None:
    formula = kpi.get("formula")
    if isinstance(formula, dict) and isinstance(formula.get("expression"), str):
        formula["expression"] = rng.choice(
            [formula["expression"] + " * 100", "(" + formula["expression"] + ") / 2", "a / b"]
        )
    else:
        kpi["formula"] = {"expression": "a / b", "inputs": [{"name": "a", "source": "x"}]}


def _documents(root: Path, kind: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted(root.rglob("*.y*ml")):
        if ".kpigov_cache" in path.parts or path.name == "kpigov.yaml":
            continue
        for document in load_bytes(path.name, path.read_bytes()).documents:
            data = document.data
            if isinstance(data, dict) and data.get("kind") == kind:
                found.append(data)
    return found


def _values(root: Path, kind: str, field: str) -> list[Any]:
    """The values of a field in the catalogue's documents: an edit that copies one makes
    duplicates (Z505) and moves KPIs between goals and owners (A, O and Z rules)."""
    return [d[field] for d in _documents(root, kind) if d.get(field) not in (None, "", [])][:12]


def _edit(root: Path, operation: str, rng: random.Random) -> Path | None:
    """Apply one edit; the edited file (None when the edit removed it or found nothing)."""
    files = _kpi_files(root)
    if not files:
        return None
    path = rng.choice(files)
    text = path.read_text(encoding="utf-8", errors="replace")
    fields: dict[str, Callable[[], list[Any]]] = {
        "name": lambda: [*_values(root, "kpi", "name"), "Share of late orders", None],
        "description": lambda: [
            *_values(root, "kpi", "description"),
            "Share of orders delivered on time, as counted by the warehouse on the closing date.",
            "Revenue.",
            None,
        ],
        "status": lambda: ["active", "draft", "deprecated", "retired", None],
        "owner": lambda: [
            *_values(root, "person", "id")[:4],
            *_values(root, "team", "id")[:2],
            "nobody-known",
            None,
        ],
        "goals": lambda: [*([g] for g in _values(root, "goal", "id")[:6]), ["no-such-goal"], None],
        "unit": lambda: ["percent", "count", "EUR", "days", None],
        "scale": lambda: [{"min": 0, "max": 1}, {"min": 0, "max": 100}, None],
        "frequency": lambda: ["monthly", "daily", "yearly", 12, None],
        "tier": lambda: ["kpi", "pi", "kri", None],
        "indicator": lambda: ["leading", "lagging", None],
        "horizon": lambda: ["short-term", "long-term", None],
        "replaced_by": lambda: [*_values(root, "kpi", "id")[:3], "no-such-kpi", None],
        "parent": lambda: [*_values(root, "kpi", "id")[:8], None],
        "formula": lambda: [*_values(root, "kpi", "formula")[:6], None],
    }
    if operation in fields:
        _edit_documents(path, _field_edit(operation, fields[operation]()), rng)
    elif operation == "target":
        _edit_documents(path, lambda kpi, r: _target(kpi, r), rng)
    elif operation == "expression":
        _edit_documents(path, lambda kpi, r: _formula(kpi, r), rng)
    elif operation == "line-above":
        path.write_text("# edited above the document\n" + text, encoding="utf-8")
    elif operation == "comment-below":
        path.write_text(text + "\n# a comment at the end\n", encoding="utf-8")
    elif operation == "suppression":
        rule = rng.choice(["S101", "A201", "O301", "Z505", "K002", "T606"])
        path.write_text(
            f"# kpigov: ignore-file[{rule}] edited in a test\n" + text, encoding="utf-8"
        )
    elif operation == "break":
        path.write_text(text + "\n  - : [\n", encoding="utf-8")
    elif operation == "new-id":
        _edit_documents(path, _field_edit("id", [f"edited.new-{rng.randint(0, 999)}"]), rng)
    elif operation == "remove":
        path.unlink()
        return None
    elif operation == "goal":
        goals = root / "goals.yaml"
        goals.write_text(
            (goals.read_text(encoding="utf-8") if goals.exists() else "")
            + f"\n---\nkind: goal\nid: edited-goal-{rng.randint(0, 999)}\nname: Edited goal\n",
            encoding="utf-8",
        )
        return goals
    elif operation == "history":
        histories = sorted((root / "history").glob("*.csv")) if (root / "history").is_dir() else []
        if histories:
            history = rng.choice(histories)
            history.write_text(
                history.read_text(encoding="utf-8") + "2026-10-31,1\n", encoding="utf-8"
            )
            return history
    return path


OPERATIONS = [
    "name",
    "description",
    "status",
    "owner",
    "goals",
    "unit",
    "scale",
    "frequency",
    "tier",
    "indicator",
    "horizon",
    "replaced_by",
    "parent",
    "formula",
    "target",
    "expression",
    "line-above",
    "comment-below",
    "suppression",
    "break",
    "new-id",
    "remove",
    "goal",
    "history",
]


def _report(result: api.LintResult) -> str:
    """Everything a reporter prints of a lint."""
    return json.dumps(
        {
            "files": result.files_checked,
            "rules": [rule.id for rule in result.rules_run],
            "findings": [
                {**f.to_json(), "fingerprint": f.fingerprint, "suppressed": f.suppressed}
                for f in result.findings
            ],
        },
        indent=1,
        default=str,
    )


def _compare(root: Path, paths: list[Path] | None, since: str | None) -> None:
    warm = api.lint(root, paths, today=TODAY, since=since)
    cold = api.lint(root, paths, today=TODAY, since=since, use_cache=False)
    assert _report(warm) == _report(cold)


class _Counter:
    def __init__(self) -> None:
        self.incremental = 0
        self.cold = 0


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> _Counter:
    counter = _Counter()
    real = kpigov.incremental.lint_incremental

    def counting(*args: Any, **kwargs: Any) -> Any:
        run = real(*args, **kwargs)
        if run is None:
            counter.cold += 1
        else:
            counter.incremental += 1
        return run

    monkeypatch.setattr(kpigov.incremental, "lint_incremental", counting)
    return counter


@pytest.mark.slow  # the whole suite runs it (random edits of five catalogues, about 20 s)
@pytest.mark.parametrize("name", list(CATALOGUES))
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 2**32)), min_size=1, max_size=4
    ),
    scope=st.sampled_from(["all", "edited", "since"]),
    rewrite=st.booleans(),
)
def test_incremental_lint_equals_cold_lint(
    name: str,
    edits: list[tuple[str, int]],
    scope: str,
    rewrite: bool,
    tmp_path_factory: pytest.TempPathFactory,
    counted: _Counter,
) -> None:
    root = _catalogue(name, tmp_path_factory)
    since = "HEAD" if scope == "since" else None
    with pytest.MonkeyPatch.context() as patch:
        # Either each incremental lint writes its state and the next follows from it, or (a few
        # edits, as in use) every lint follows all the edits from the first state.
        patch.setattr(kpigov.incremental, "REWRITE_FROM", 0 if rewrite else 16)
        _compare(root, None, since)  # leaves the state
        for operation, seed in edits:
            edited = _edit(root, operation, random.Random(seed))
            paths = (
                [edited] if scope == "edited" and edited is not None and edited.exists() else None
            )
            _compare(root, paths, since)


@pytest.mark.parametrize("name", ["imported", "bench-mix", "messy", "messy-house-rules"])
@pytest.mark.parametrize("operation", ["name", "target", "description", "owner", "line-above"])
def test_an_edit_of_one_kpi_file_is_linted_incrementally(
    name: str, operation: str, tmp_path_factory: pytest.TempPathFactory, counted: _Counter
) -> None:
    root = _catalogue(name, tmp_path_factory)
    _compare(root, None, None)
    for seed in range(3):
        edited = _edit(root, operation, random.Random(seed))
        _compare(root, [edited] if edited is not None else None, "HEAD")
    assert counted.incremental >= 1


@pytest.mark.parametrize("operation", ["break", "new-id", "remove", "goal", "history"])
def test_what_the_incremental_lint_cannot_follow_is_linted_cold(
    operation: str, tmp_path_factory: pytest.TempPathFactory, counted: _Counter
) -> None:
    root = _catalogue("imported", tmp_path_factory)
    _compare(root, None, None)
    assert counted.cold == counted.incremental == 0  # no state yet: straight to a cold lint
    _edit(root, operation, random.Random(1))
    _compare(root, None, None)
    assert counted.incremental == 0


def _states(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / ".kpigov_cache" / "state").rglob("*.json")}


@pytest.mark.parametrize(("name", "states"), [("messy", 2), ("messy-house-rules", 1)])
def test_a_build_shares_the_lint_state_when_house_rules_already_keep_whole_documents(
    name: str, states: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A build's state keeps whole documents; so does a lint's when a house rule may read any
    # field. Then the two are the same state, kept once.
    root = _catalogue(name, tmp_path_factory)
    api.lint(root, today=TODAY)
    api.build(root, out=root.parent / f"{name}-site", today=TODAY)
    assert len(_states(root)) == states


@pytest.mark.parametrize("rewrite_from", [0, 2])
def test_a_state_is_written_again_only_after_enough_edits(
    rewrite_from: int,
    tmp_path_factory: pytest.TempPathFactory,
    counted: _Counter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kpigov.incremental, "REWRITE_FROM", rewrite_from)
    root = _catalogue("imported", tmp_path_factory)
    _compare(root, None, None)
    first = _states(root)
    assert len(first) == 1
    for seed in range(3):
        _edit(root, "name", random.Random(seed))
        _compare(root, None, None)
        # Kept while it follows at most rewrite_from edited files; a new one once it follows more.
        assert (_states(root) == first) == (seed + 1 <= rewrite_from)
    assert counted.incremental == 3 and counted.cold == 0


def test_a_stored_document_has_every_slot_set() -> None:
    document = kpigov.incremental._decode_document(
        "goals.yaml", 0, [{"id": "g"}, 5, "goal", "g", ["name"], None, False], lambda rel: []
    )
    slots = [s for cls in type(document).__mro__ for s in getattr(cls, "__slots__", ())]
    assert all(hasattr(document, slot) for slot in slots if not slot.startswith("__"))
    assert (document.file, document.id, document.invalid, document.line) == (
        "goals.yaml",
        "g",
        frozenset({"name"}),
        1,
    )


_PLANTED_FINDING = [
    "K002",
    "n",
    "error",
    "m",
    "kpis/x.yaml",
    "3",
    1,
    1,
    2,
    None,
    None,
    None,
    [],
    "",
]


@pytest.mark.parametrize("planted", ["documents", "finding of the wrong types"])
def test_a_planted_state_is_ignored(planted: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = _catalogue("imported", tmp_path_factory)
    _compare(root, None, None)
    for state in (root / ".kpigov_cache" / "state").rglob("*.json"):
        entry = json.loads(state.read_text())
        if planted == "documents":
            entry["value"]["documents"] = {"kpis/x.yaml": [[1, "two", None, None, [], 5]]}
            entry["value"]["local"] = {"kpis/x.yaml": [["K001"]]}
        else:  # the right shape, but a line number that is text: never compared with numbers
            entry["value"]["rules"] = {rule: [_PLANTED_FINDING] for rule in entry["value"]["rules"]}
        state.write_text(json.dumps(entry))
    _edit(root, "name", random.Random(3))
    _compare(root, None, None)


@pytest.mark.parametrize("name", ["imported", "bench-mix", "acme", "messy"])
def test_each_catalogue_wide_rule_reads_only_the_fields_it_declares(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """KPI_FIELDS_READ is what lets an edit of other fields skip a rule: removing any other
    field of a KPI, or giving it another KPI's value, must leave the rule's findings as they were."""
    from kpigov.catalogue import build_catalogue
    from kpigov.engine import plan_rules
    from kpigov.files import read_files

    root = _catalogue(name, tmp_path_factory)
    settings_ = api.load_settings(root)
    plan = plan_rules(settings_.rules, settings_.config)
    catalogue = build_catalogue(settings_.config, TODAY, read_files(settings_.config))
    kpis = list(catalogue.kpis.values())
    rng = random.Random(7)

    def findings_of(rule_id: str) -> list[str]:
        catalogue._memo.clear()
        rule = plan.rules[rule_id]
        check = rule.check_function()
        return sorted(
            json.dumps(plan.finding(rule, v).to_json(), sort_keys=True)
            for v in check(catalogue, rule.option_values(plan.options.get(rule_id)))
        )

    checked = 0
    for rule_id, reads in kpigov.incremental.KPI_FIELDS_READ.items():
        if rule_id not in plan.rules:
            continue
        before = findings_of(rule_id)
        others = [(kpi, f) for kpi in kpis for f in kpi.fields if f not in reads | {"kind", "id"}]
        for kpi, field in rng.sample(others, min(25, len(others))):
            kept, kept_derived = kpi.fields[field], kpi.derived
            donor = rng.choice(kpis)
            for value in (None, donor.fields.get(field)):
                if value is None:
                    del kpi.fields[field]
                else:
                    kpi.fields[field] = value
                kpi.derived = None
                assert findings_of(rule_id) == before, f"{rule_id} reads {field}"
                kpi.fields[field] = kept
                kpi.derived = kept_derived
            checked += 1
    assert checked > 50


def _copy_from_another(field: str) -> Callable[[Path, dict[str, Any]], Any]:
    def value(root: Path, kpi: dict[str, Any]) -> Any:
        others = [
            d[field]
            for d in _documents(root, "kpi")
            if d.get("id") != kpi.get("id")
            and d.get("status", "active") == "active"
            and isinstance(d.get(field), str)
            and len(d[field]) >= 40 - 30 * (field == "name")
        ]
        return others[0] if others else None

    return value


# An edit of one field that changes a catalogue-wide rule's findings, for each rule that an
# incremental lint may skip: the rule must be run again (the findings differ from before).
FLIPS: list[tuple[str, str, Callable[[Path, dict[str, Any]], Any]]] = [
    ("Z505", "description", _copy_from_another("description")),
    ("Z505", "name", _copy_from_another("name")),
    ("O302", "owner", lambda root, kpi: "nobody-known"),
    ("K005", "goals", lambda root, kpi: ["no-such-goal"]),
    ("Z502", "goals", lambda root, kpi: [_values(root, "goal", "id")[-1]]),
    ("T602", "scale", lambda root, kpi: {"min": 0, "max": 1}),
    ("G705", "status", lambda root, kpi: "deprecated"),
    ("O305", "owner", lambda root, kpi: _values(root, "person", "id")[0]),
]


@pytest.mark.parametrize(("rule", "field", "value"), FLIPS, ids=[f"{r}-{f}" for r, f, _ in FLIPS])
def test_an_edit_that_changes_a_catalogue_wide_rule_runs_it_again(
    rule: str,
    field: str,
    value: Callable[[Path, dict[str, Any]], Any],
    tmp_path_factory: pytest.TempPathFactory,
    counted: _Counter,
) -> None:
    root = _catalogue("bench-mix", tmp_path_factory)
    first = api.lint(root, today=TODAY)
    before = [f.to_json() for f in first.findings if f.rule == rule]
    for path in _kpi_files(root)[:12]:

        def change(kpi: dict[str, Any], rng: random.Random) -> None:
            kpi[field] = value(root, kpi)
            kpi.pop("replaced_by", None)

        _edit_documents(path, change, random.Random(0))
        _compare(root, None, None)
        after = [f.to_json() for f in api.lint(root, today=TODAY).findings if f.rule == rule]
        if after != before:
            break
    assert after != before, f"no edit changed {rule}"
    assert counted.incremental >= 1
