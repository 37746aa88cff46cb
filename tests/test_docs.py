"""Documentation stays in step with the code: the rule reference, the README, .ci/run."""

from __future__ import annotations

import re

from tests.conftest import REPO, run_cli


def test_rule_reference_is_generated_from_rules() -> None:
    code, out, _ = run_cli("rules", "--format", "markdown")
    assert code == 0
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == out, (
        "docs/rules.md is stale: run `kpigov rules --format markdown > docs/rules.md`"
    )


def test_readme_lists_every_rule() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    _, out, _ = run_cli("rules", "--format", "json")
    import json

    for rule in json.loads(out):
        assert f"{rule['id']} {rule['name']}" in readme


def _readme_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n\s*(python3 -m venv .+?)\n", readme)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = _readme_commands()
    assert len(commands) == 2
    test_command = commands[1]
    assert "pytest" in test_command and ".[test]" in test_command
    assert test_command in (REPO / ".ci" / "run").read_text(encoding="utf-8")
