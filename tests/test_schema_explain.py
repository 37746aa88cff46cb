"""K002 is explained only for the failing fields (SPEC §8.8); the messages, positions and order
must be exactly those of the whole schema's explanation. Compared on every invalid document of
the repository's own material (rule cases, precision corpus, importer fixtures, examples), on
the bench's realistic mix and on generated breakages of a valid KPI."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kpigov.loader import load_text
from kpigov.schema import DOCUMENT_KINDS, fast_validator, validate, validate_whole

REPO = Path(__file__).parents[1]
# The hostile corpus's small files too (its large ones are read in a fresh process with a memory
# limit by test_hostile.py).
HOSTILE = REPO / "tests" / "hostile" / "files"
MATERIAL = [
    REPO / "tests" / "cases",
    REPO / "tests" / "precision",
    REPO / "tests" / "importers",
    REPO / "examples",
]


def _documents(text: str, name: str = "case.yaml") -> list[dict[str, Any]]:
    return [
        document.data
        for document in load_text(name, text).documents
        if isinstance(document.data, dict) and document.data.get("kind") in DOCUMENT_KINDS
    ]


def _case_texts(path: Path) -> list[str]:
    """A rule-case file's embedded catalogue texts, and the file itself."""
    texts = [path.read_text(encoding="utf-8", errors="replace")]
    for document in load_text(str(path), texts[0]).documents:
        for case in (
            (document.data or {}).get("cases", []) if isinstance(document.data, dict) else []
        ):
            if isinstance(case, dict):
                texts += [value for value in case.values() if isinstance(value, str)]
    return texts


def _invalid_material() -> list[dict[str, Any]]:
    documents = []
    for folder in MATERIAL:
        for path in sorted(folder.rglob("*.yaml")):
            for text in _case_texts(path):
                documents += _documents(text, path.name)
    for path in sorted(HOSTILE.rglob("*")):
        if path.is_file() and path.stat().st_size < 200_000:
            documents += _documents(path.read_text(encoding="utf-8", errors="replace"), path.name)
    return [d for d in documents if not fast_validator(d["kind"]).is_valid(d)]


def _assert_same(document: dict[str, Any]) -> None:
    kind = document["kind"]
    assert validate(kind, document) == validate_whole(kind, document)


def test_the_repository_material_has_invalid_documents_of_every_sort() -> None:
    invalid = _invalid_material()
    assert len(invalid) >= 30
    keywords = {
        e.message.split(":")[0].split(" ")[0] for d in invalid for e in validate_whole(d["kind"], d)
    }
    assert {"missing", "unknown"} <= keywords  # missing and unknown fields are among them


def test_per_field_explanations_equal_the_whole_schemas_on_the_material() -> None:
    for document in _invalid_material():
        _assert_same(document)


def test_per_field_explanations_equal_the_whole_schemas_on_the_bench_mix(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = generate(300, tmp_path / "mix", invalid_share=0.2)
    invalid = [
        d
        for path in sorted(root.rglob("*.yaml"))
        for d in _documents(path.read_text(encoding="utf-8"), path.name)
        if not fast_validator(d["kind"]).is_valid(d)
    ]
    assert len(invalid) >= 50
    for document in invalid:
        _assert_same(document)


VALID_KPI = _documents(
    (REPO / "examples" / "acme" / "kpis" / "customer" / "nps.yaml").read_text(encoding="utf-8")
)[0]
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "x", "2024-13-01", "2024-01-01", "weekly", "BAD ID", "acme.kpi", "%"]),
        st.text(max_size=8),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["value", "period", "x"]), inner, max_size=3),
    ),
    max_leaves=8,
)
FIELDS = sorted(VALID_KPI) + ["ownr", "targt", "extra"]


@settings(max_examples=300, deadline=None)
@given(
    changes=st.lists(st.tuples(st.sampled_from(FIELDS), JSON_VALUES), max_size=4),
    removed=st.lists(st.sampled_from(sorted(VALID_KPI)), max_size=2),
)
def test_per_field_explanations_equal_the_whole_schemas_on_broken_kpis(
    changes: list[tuple[str, Any]], removed: list[str]
) -> None:
    document = copy.deepcopy(VALID_KPI)
    for field in removed:
        document.pop(field, None)
    for field, value in changes:
        document[field] = value
    document["kind"] = "kpi"
    _assert_same(document)
