"""Configuration: layering, validation with located errors, rule selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpigov.config import ConfigError, find_root, load_config
from kpigov.rulebook import builtin_rules, check_rule_config, select_rules
from tests.conftest import write_tree


def test_defaults(tmp_path: Path) -> None:
    write_tree(tmp_path, {"kpigov.yaml": "version: 1\n"})
    config = load_config(tmp_path)
    assert config.limits["key_kpis"] == 10 and config.limits["review_ratio"] == 100
    assert config.finest_frequency["customer"] == "daily"
    assert config.include == ("**/*.yaml", "**/*.yml")


def test_bad_value_is_located(tmp_path: Path) -> None:
    write_tree(tmp_path, {"kpigov.yaml": "version: 1\nlanguage: fr\n"})
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert raised.value.span is not None and raised.value.span[:2] == (2, 11)
    assert "'fr' is not one of en, nl" in str(raised.value)
    assert str(raised.value).startswith(str(tmp_path / "kpigov.yaml") + ":2:11:")


def test_unknown_key_is_located_at_the_key(tmp_path: Path) -> None:
    write_tree(tmp_path, {"kpigov.yaml": "version: 1\nlimits:\n  key_kpi: 3\n"})
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert raised.value.span[:2] == (3, 3)  # type: ignore[index]
    assert "did you mean 'key_kpis'" in raised.value.message


def test_broken_yaml_config(tmp_path: Path) -> None:
    write_tree(tmp_path, {"kpigov.yaml": "version: [1\n"})
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert raised.value.span is not None


def test_pyproject_table_and_precedence(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.kpigov]\nname = 'From pyproject'\nlanguage = 'nl'\n",
            "kpigov.yaml": "name: From yaml\n",
        },
    )
    config = load_config(tmp_path)
    assert config.name == "From yaml" and config.language == "nl"
    assert config.warnings


def test_pyproject_alone_marks_the_root(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.kpigov]\nname = 'X'\n", "kpis/a.yaml": ""})
    assert find_root(tmp_path / "kpis") == tmp_path.resolve()


def test_root_not_found(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kpigov init"):
        find_root(tmp_path)


def test_cli_select_replaces_and_ignore_extends(tmp_path: Path) -> None:
    write_tree(tmp_path, {"kpigov.yaml": "rules: {select: [S], ignore: [S101]}\n"})
    config = load_config(tmp_path, select=["K", "S11"], extend_ignore=["vague-description", "S102"])
    rules = select_rules(builtin_rules(), config.select, config.ignore)
    ids = {rule.id for rule in rules}
    assert "K001" in ids and "S111" in ids
    assert not {"S101", "S102", "S121"} & ids


@pytest.mark.parametrize(
    ("severity", "options", "message"),
    [
        ({"S999": "error"}, {}, "not a rule"),
        ({}, {"S101": {"min_word": 3}}, "no option"),
        ({}, {"S101": {"min_words": "many"}}, "whole number"),
        ({}, {"S101": {"min_words": 0}}, "at least"),
    ],
)
def test_rule_configuration_is_checked(severity: dict, options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_rule_config(builtin_rules(), severity, options, {})


def test_unknown_selector() -> None:
    with pytest.raises(ConfigError, match="not a rule id"):
        select_rules(builtin_rules(), ["nonsense-rule"], [])


def test_a_category_selects_its_rules() -> None:
    assert [rule.id for rule in select_rules(builtin_rules(), ["F"], [])] == [
        "F401",
        "F402",
        "F403",
        "F404",
        "F405",
        "F406",
    ]
