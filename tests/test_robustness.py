"""Property-based: no input makes the loader or lint raise; findings do not depend on file order."""

from __future__ import annotations

import datetime as dt
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpigov.catalogue import build_catalogue
from kpigov.config import load_config
from kpigov.engine import run_rules
from kpigov.loader import load_bytes
from kpigov.rulebook import builtin_rules

REAL_DISCOVER = __import__("kpigov.files", fromlist=["discover"]).discover

YAMLISH = st.text(
    alphabet=list("kind: kpi\nid-_.[]{},&*!|>'\"#%@`?~<=0123456789 \t\u00e9\u20ac"), max_size=300
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(YAMLISH.map(str.encode), st.binary(max_size=300)))
def test_loader_never_raises(raw: bytes) -> None:
    result = load_bytes("fuzz.yaml", raw)
    for problems in result.problems.values():
        for problem in problems:
            assert problem.span is not None and problem.span.line >= 1 and problem.span.column >= 1


FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(
        st.sampled_from(
            ["value", "deadline", "min", "max", "red", "amber", "expression", "inputs", "date"]
        ),
        st.one_of(st.integers(), st.text(max_size=10)),
        max_size=4,
    ),
)
KPI_FIELDS = [
    "description",
    "owner",
    "goals",
    "unit",
    "scale",
    "direction",
    "formula",
    "frequency",
    "review",
    "baseline",
    "target",
    "thresholds",
    "status",
    "type",
    "review_by",
]


def _dump(value: object) -> str:
    import json

    return json.dumps(value)  # JSON is YAML 1.2


MUTATED_KPIS = st.lists(
    st.dictionaries(st.sampled_from(KPI_FIELDS), FIELD_VALUES, max_size=8), min_size=1, max_size=4
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(MUTATED_KPIS)
def test_lint_never_raises_on_mutated_kpis(tmp_path: Path, kpis: list[dict[str, object]]) -> None:
    root = tmp_path / "fuzz"
    (root / "kpis").mkdir(parents=True, exist_ok=True)
    (root / "kpigov.yaml").write_text("version: 1\n")
    for old in (root / "kpis").glob("*.yaml"):
        old.unlink()
    for index, fields in enumerate(kpis):
        document = {"kind": "kpi", "id": f"k{index % 3}", "name": "A KPI", **fields}
        (root / "kpis" / f"k{index}.yaml").write_text(_dump(document))
    config = load_config(root)
    rules = builtin_rules()
    findings = run_rules(build_catalogue(config, dt.date(2026, 11, 23)), rules, config).findings
    for finding in findings:
        assert finding.line >= 1 and finding.column >= 1 and finding.message
        placeholders = {
            name
            for template in rules[finding.rule].message.values()
            for _, name, _, _ in string.Formatter().parse(template)
            if name
        }
        assert not any("{" + name + "}" in finding.message for name in placeholders), (
            finding.message
        )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rng=st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_file_order(
    tmp_path: Path, rng: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever order the files are read in, the report is the same, byte for byte."""
    import json

    from click.testing import CliRunner

    import kpigov.files as catalogue_module
    from kpigov.cli import main

    root = Path(__file__).parent.parent / "examples" / "messy"

    def shuffled(config: object) -> object:
        found = REAL_DISCOVER(config)  # type: ignore[arg-type]
        rng.shuffle(found.yaml_files)  # type: ignore[attr-defined]
        rng.shuffle(found.history_files)  # type: ignore[attr-defined]
        return found

    args = ["lint", "--root", str(root), "--format", "json", "--no-cache", "--today", "2026-11-23"]
    monkeypatch.setattr(catalogue_module, "discover", REAL_DISCOVER)
    expected = CliRunner().invoke(main, args).stdout
    monkeypatch.setattr(catalogue_module, "discover", shuffled)
    try:
        assert CliRunner().invoke(main, args).stdout == expected
    finally:  # the fixture outlives this example: leave the real function behind
        monkeypatch.setattr(catalogue_module, "discover", REAL_DISCOVER)
    assert json.loads(expected)["findings"]


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        YAMLISH,
        st.lists(st.sampled_from(KPI_FIELDS), max_size=8).map(
            lambda keys: (
                "kind: kpi\nid: k\nname: N\n"
                + "".join(f"{key}: x\n# note on {key}\n" for key in keys)
            )
        ),
    )
)
def test_fmt_never_crashes(text: str) -> None:
    from kpigov.fmt import FormatError, format_text

    try:
        formatted = format_text("fuzz.yaml", text).formatted
    except FormatError as error:
        assert str(error).startswith("fuzz.yaml:")
        return
    assert format_text("fuzz.yaml", formatted).formatted == formatted


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(MUTATED_KPIS, st.booleans())
def test_build_never_raises_on_mutated_kpis(
    tmp_path: Path, kpis: list[dict[str, object]], public: bool
) -> None:
    from kpigov.cli import main

    root = tmp_path / "fuzz-build"
    (root / "kpis").mkdir(parents=True, exist_ok=True)
    (root / "history").mkdir(exist_ok=True)
    (root / "kpigov.yaml").write_text("version: 1\n")
    for old in (root / "kpis").glob("*.yaml"):
        old.unlink()
    for index, fields in enumerate(kpis):
        document = {
            "kind": "kpi",
            "id": f"k{index % 3}",
            "name": "A KPI",
            "visibility": "public",
            **fields,
        }
        (root / "kpis" / f"k{index}.yaml").write_text(_dump(document))
    (root / "history" / "k0.csv").write_text("date,value\n2026-09-30,1\n2026-10-31,2\n")
    args = [
        "build",
        str(root),
        "--out",
        str(tmp_path / "site"),
        "--today",
        "2026-11-23",
        *(["--public"] if public else []),
    ]
    from click.testing import CliRunner

    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert (tmp_path / "site" / "index.html").is_file()
