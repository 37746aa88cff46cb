"""Every rule file is valid and documented, and its docs' bad example fires while the good one does not."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from kpigov.rulebook import builtin_rules, read_rule_file
from kpigov.ruledocs import example_base_files, example_files
from kpigov.schema import load_schema
from tests.conftest import catalogue_in_context, commit_all, lint_findings, write_tree

RULES = builtin_rules()


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_file_matches_the_rule_schema(rule_id: str) -> None:
    rule = RULES[rule_id]
    data = read_rule_file(rule.source)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator(load_schema("rule")).validate(data)
    assert rule.source is not None and rule.source.stem == rule.id
    assert rule.check_function() is not None


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_docs_are_complete(rule_id: str) -> None:
    docs = RULES[rule_id].docs
    for part in ("what", "why", "bad", "good", "fix"):
        assert docs[part].strip(), f"{rule_id} docs lack {part}"
    assert docs["bad"] != docs["good"]


@pytest.mark.parametrize("rule_id", list(RULES))
def test_bad_example_fires(rule_id: str, tmp_path: Path) -> None:
    files = example_files(RULES[rule_id].docs["bad"])
    root, since = _example_catalogue(tmp_path, RULES[rule_id].docs["bad"])
    fired = [f for f in lint_findings(root, since=since) if f.rule == rule_id]
    assert fired, f"{rule_id}: the docs' bad example does not fire"
    assert all(f.file in files for f in fired), fired


def _example_catalogue(tmp_path: Path, example: str) -> tuple[Path, str | None]:
    """The context catalogue with the example's files; a git base commit for governance examples."""
    base = example_base_files(example)
    if not base:
        return catalogue_in_context(tmp_path, example_files(example)), None
    root = catalogue_in_context(tmp_path, base)
    commit_all(root, "base")
    write_tree(root, example_files(example))
    return root, "HEAD"


def test_the_context_catalogue_is_clean(tmp_path: Path) -> None:
    assert lint_findings(catalogue_in_context(tmp_path, {})) == []


@pytest.mark.parametrize("rule_id", list(RULES))
def test_good_example_does_not_fire(rule_id: str, tmp_path: Path) -> None:
    root, since = _example_catalogue(tmp_path, RULES[rule_id].docs["good"])
    fired = [f for f in lint_findings(root, since=since) if f.rule == rule_id]
    assert not fired, f"{rule_id}: the docs' good example fires: {fired}"
    # A good example is also free of catalogue errors, so it can be copied as it is.
    broken = [f for f in lint_findings(root, since=since) if f.rule.startswith("K")]
    assert not broken, broken


@pytest.mark.parametrize("rule_id", list(RULES))
def test_rule_speaks_dutch(rule_id: str) -> None:
    rule = RULES[rule_id]
    dutch = rule.translations.get("nl")
    assert dutch, f"{rule_id} has no Dutch translation"
    message = dutch["message"]
    variants = message if isinstance(message, dict) else {"default": message}
    assert set(variants) == set(rule.message), f"{rule_id}: Dutch message variants differ"
    for part in ("what", "why", "fix"):
        assert dutch["docs"][part].strip(), f"{rule_id} lacks Dutch docs.{part}"
