"""Property tests for the hostile-input guarantees: formulas, numbers, ids and house rules never
crash lint, hang it or build something huge (SPEC §8.1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kpigov.custom import linear_regex
from kpigov.formula import normalised, parse_formula
from kpigov.loader import load_text
from kpigov.rulebook import fill_template, template_problem
from kpigov.schema import validate
from tests.conftest import catalogue_in_context, run_cli

_ATOMS = st.one_of(
    st.sampled_from(["x", "y", "won", "f", "1", "0", "2.5", "1e308", "9" * 30]),
    st.text(alphabet="xyz0123456789.", min_size=1, max_size=5),
)
FORMULAS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from("+-*/%@&|^<>"), inner).map(
            lambda t: f"{t[0]} {t[1]} {t[2]}"
        ),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"-{e}"),
        st.tuples(st.sampled_from(["f", "max", "os.system", "lambda: "]), inner).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        # Long repetitions, but not of repetitions: nested, e * 50 grew to gigabytes, and a
        # rare example's string alone filled the machine's memory.
        inner.map(lambda e: e * 50 if len(e) <= 400 else e),
    ),
    max_leaves=200,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(FORMULAS, st.text(max_size=300)))
def test_any_formula_parses_or_says_why(expression: str) -> None:
    parsed = parse_formula(expression)
    assert (parsed.error is None) == (parsed.tree is not None)
    if parsed.error is None:
        assert normalised(parsed, {}) is not None
    else:
        assert parsed.error


def test_deep_formulas_say_why() -> None:
    for expression in ("x" + "+1" * 20_000, "(" * 5_000 + "x" + ")" * 5_000, "-" * 30_000 + "x"):
        assert parse_formula(expression).error


NUMBERS = st.one_of(
    st.tuples(st.sampled_from(["", "-", "+"]), st.integers(1, 6000)).map(
        lambda t: t[0] + "7" * t[1]
    ),
    st.integers(1, 6000).map(lambda n: "0x" + "f" * n),
    st.integers(1, 6000).map(lambda n: "0o" + "7" * n),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.from_regex(r"[-+]?[0-9]{1,40}(\.[0-9]{0,40})?([eE][-+]?[0-9]{1,5})?", fullmatch=True),
)


@settings(max_examples=300, deadline=None)
@given(NUMBERS)
def test_any_number_loads_and_validates_or_is_k002(number: str) -> None:
    text = f"kind: kpi\nid: a\nname: A\ntarget: {{value: {number}, deadline: 2027-01-01}}\n"
    result = load_text("a.yaml", text)
    for document in result.documents:
        validate("kpi", document.data)  # never raises, whatever the size
        value = document.data["target"]["value"]
        if isinstance(value, int):
            assert abs(value) < 10**20


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_an_accepted_id_is_a_usable_file_name(identifier: str) -> None:
    errors = validate("kpi", {"kind": "kpi", "id": identifier, "name": "A"})
    if not errors:
        assert len(f"{identifier}.html".encode()) < 255
        assert "/" not in identifier and not identifier.startswith(".")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_pattern_compiles_in_linear_time_or_is_refused(pattern: str) -> None:
    compiled = linear_regex(pattern)
    if compiled is not None:
        compiled.search("a" * 2_000 + "!")  # linear: no catastrophic backtracking


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("{}!:>[]._abrs0129 ")), max_size=40))
def test_any_template_fills_small_or_is_refused(template: str) -> None:
    args = {"field": "name", "value": "x" * 500, "a": 1}
    filled = fill_template(template, args)
    assert len(filled) <= len(template) + 2 * 130
    if template_problem(template) is None and "__" not in template:
        assert "__" not in filled  # nothing reached through an attribute


@settings(max_examples=25, deadline=None)
@given(
    pattern=st.text(alphabet=st.sampled_from(list("a()+*?|^$\\[]{}1,")), max_size=20),
    message=st.text(alphabet=st.sampled_from(list("{}!:>[]._fieldvau ")), max_size=30),
)
def test_any_house_rule_is_a_located_error_or_runs(
    tmp_path_factory, pattern: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("house")
    quoted_pattern = pattern.replace("'", "''")
    quoted_message = message.replace("'", "''")
    catalogue_in_context(
        root,
        {
            "kpigov.yaml": "version: 1\ncustom_rules: [house]\n",
            "house/HOUSE001.yaml": (
                "id: HOUSE001\nname: house-rule\nseverity: warning\ngiven: {kind: kpi}\n"
                f"then: {{field: name, function: pattern, value: '{quoted_pattern}'}}\n"
                f"message: '{quoted_message}'\n"
                "docs: {what: w, why: y, bad: b, good: g, fix: f}\n"
            ),
            "kpis/a.yaml": "kind: kpi\nid: a\nname: " + "a" * 40 + "b\n",
        },
    )
    code, out, err = run_cli("lint", "--root", str(root), "--today", "2026-11-23", "--no-cache")
    assert code in (0, 1, 2)
    if code == 2:
        assert "house/HOUSE001.yaml:" in err


def test_100000_empty_documents_lint_and_build_in_seconds(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path / "cat", {"kpis/empty.yaml": "---\n" * 100_000})
    for command in (["lint"], ["build", "--out", str(tmp_path / "site")]):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kpigov",
                *command,
                "--root",
                str(root),
                "--today",
                "2026-11-23",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode in (0, 1), done.stderr
        assert "Traceback" not in done.stderr
    size = sum(p.stat().st_size for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert size < 2_000_000
