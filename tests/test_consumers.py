"""kpigov's outputs as their real consumers read them (SPEC §8.3): Microsoft's SARIF multitool,
junitparser, check-jsonschema's GitHub and GitLab workflow schemas, editors' JSON Schemas."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
import xmlschema

from kpigov.findings import fingerprints
from kpigov.project import HOME, rule_anchor, schema_id
from kpigov.reporters.sarif_report import MAX_RESULTS
from kpigov.schema import DOCUMENT_KINDS, SCHEMA_NAMES, catalogue_file_schema, load_schema
from tests.conftest import REPO, catalogue_in_context, commit_all, json_findings, run_cli

EXTERNAL = Path(__file__).parent / "external"
MESSY = REPO / "examples" / "messy"
NODE_TOOLS = Path(__file__).parent / "browser" / "node_modules" / ".bin"


def _sarif(root: Path, *args: str) -> tuple[dict, str]:
    code, out, err = run_cli(
        "lint", "--root", str(root), "--today", "2026-11-23", "--format", "sarif", *args
    )
    assert code in (0, 1), err
    return json.loads(out), err


def _multitool() -> str:
    tool = NODE_TOOLS / "sarif-multitool"
    if not tool.exists():
        pytest.skip("the SARIF multitool is not installed (npm install in tests/browser)")
    return str(tool)


@pytest.mark.slow
def test_the_sarif_multitool_finds_nothing_wrong(tmp_path: Path) -> None:
    document, _ = _sarif(MESSY)
    report = tmp_path / "kpigov.sarif"
    report.write_text(json.dumps(document))
    checked = tmp_path / "validation.sarif"
    done = subprocess.run(
        [
            _multitool(),
            "validate",
            str(report),
            "-o",
            str(checked),
            "--level",
            "Error",
            "Warning",
            "Note",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(checked.read_text())["runs"][0]["results"]
    serious = [r for r in results if r.get("level") in ("error", "warning")]
    assert not serious, serious
    notes = {r["ruleId"] for r in results}
    # Left: message arguments, snippets, context regions, version-control provenance, and the
    # schema URI that cannot be reached from this machine; every rule has its help URI.
    assert "SARIF2012" not in notes, "a rule without helpUri"
    assert notes <= {"SARIF2002", "SARIF2003", "SARIF2006", "SARIF2010", "SARIF2011"}, notes


def test_sarif_rule_metadata_for_code_scanning() -> None:
    document, _ = _sarif(MESSY)
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["fullName"].startswith("kpigov ")
    assert run["automationDetails"]["id"] == "kpigov/examples/messy/"
    reference = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = {
        rule_anchor(*line[4:].split(" ", 1))
        for line in reference.splitlines()
        if line.startswith("### ")
    }
    for rule in driver["rules"]:
        if rule["id"].startswith("MESSY"):  # a house rule links to its own page
            assert rule["helpUri"].startswith("https://wiki.example.com/")
            continue
        anchor = rule["helpUri"].split("#", 1)[1]
        assert rule["helpUri"].startswith(f"{HOME}/blob/main/docs/rules.md#")
        assert anchor in anchors, rule["id"]
        assert rule["properties"]["tags"][0] == rule["properties"]["category"]
    s101 = next(r for r in driver["rules"] if r["id"] == "S101")
    assert s101["properties"]["tags"] == ["SMART", "SMART-S"]


def test_baseline_suppressed_findings_stay_out_of_sarif(tmp_path: Path) -> None:
    root = shutil.copytree(
        MESSY, tmp_path / "messy", ignore=shutil.ignore_patterns(".kpigov_cache")
    )
    run_cli("lint", "--root", str(root), "--today", "2026-11-23", "--update-baseline")
    baseline = str(root / ".kpigov-baseline.json")
    document, _ = _sarif(root, "--baseline", baseline)
    kinds = {s["kind"] for r in document["runs"][0]["results"] for s in r.get("suppressions", [])}
    assert kinds == {"inSource"}  # inline suppressions stay; the baseline's are left out
    with_them, _ = _sarif(root, "--baseline", baseline, "--include-suppressed")
    kinds = {s["kind"] for r in with_them["runs"][0]["results"] for s in r.get("suppressions", [])}
    assert "external" in kinds


@pytest.mark.slow  # the whole suite runs it: 16 s of the fast part on each Python, in one tool
def test_sarif_keeps_the_25000_most_severe_results(tmp_path: Path) -> None:
    # Each of these KPIs gets errors (no unit, owner, goal…), warnings and an info: 3,000 of
    # them give more than 25,000 findings.
    files = {
        f"kpis/k{number:04}.yaml": f"kind: kpi\nid: bulk.k{number:04}\nname: Bulk {number}\n"
        for number in range(3000)
    }
    root = catalogue_in_context(tmp_path / "cat", files)
    document, err = _sarif(root, "--no-cache")
    results = document["runs"][0]["results"]
    assert len(results) == MAX_RESULTS
    assert "left out" in err and "GitHub" in err
    kept = {r["level"] for r in results}
    assert "note" not in kept  # the least severe went first
    schema = json.loads((EXTERNAL / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(document)


HOSTILE_OWNER = 'kind: person\nid: a.jansen\nname: "Anna\\u0007 \\r\\nJansen \\u001b[31m"\n'


def test_control_characters_never_break_junit_or_text(tmp_path: Path) -> None:
    root = catalogue_in_context(
        tmp_path,
        {
            "owners.yaml": HOSTILE_OWNER + "---\nkind: person\nid: a.jansen\nname: Twice\n",
            "kpis/evil.yaml": 'kind: kpi\nid: "sales.\\u0007bell"\nname: "Line\\none"\n',
        },
    )
    code, out, _ = run_cli(
        "lint", "--root", str(root), "--format", "junit", "--today", "2026-11-23"
    )
    assert code == 1
    xmlschema.XMLSchema(str(EXTERNAL / "junit-10.xsd")).validate(out)
    from junitparser import JUnitXml

    parsed = JUnitXml.fromstring(out)
    cases = [case for suite in parsed for case in suite]
    assert cases and all(case.classname.startswith("kpigov.") for case in cases)
    assert all("." not in case.classname.removeprefix("kpigov.") for case in cases)
    assert {case.classname for case in cases} >= {"kpigov.owners_yaml"}
    code, text, _ = run_cli("lint", "--root", str(root), "--today", "2026-11-23")
    assert "\x07" not in text and "\x1b" not in text and "\r" not in text
    for line in text.splitlines():
        if line and not line.startswith(("Found", " ")):
            assert line.split(":")[0].endswith(".yaml"), line  # one finding per line


def test_two_catalogues_in_one_repository_share_no_fingerprint(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    same = {"kpis/a.yaml": "kind: kpi\nid: sales.a\nname: A\n"}
    first = catalogue_in_context(repository / "north", same)
    second = catalogue_in_context(repository / "south", same)
    commit_all(repository)
    prints = []
    for root in (first, second):
        code, out, _ = run_cli("lint", "--root", str(root), "--format", "json", "--no-cache")
        prints.append({f["fingerprint"] for f in json_findings(out)})
    assert prints[0] and not prints[0] & prints[1]


def test_a_baseline_of_kpigov_0_1_still_matches(tmp_path: Path) -> None:
    import datetime as dt

    from kpigov import api

    repository = tmp_path / "repo"
    root = catalogue_in_context(
        repository / "catalogue", {"kpis/a.yaml": "kind: kpi\nid: s.a\nname: A\n"}
    )
    commit_all(repository)
    result = api.lint(root, today=dt.date(2026, 11, 23), use_cache=False)
    # kpigov 0.1 left the catalogue's folder out of the fingerprint
    legacy = fingerprints(result.findings)
    assert not set(legacy) & {f.fingerprint for f in result.findings}
    entries = [
        {
            "fingerprint": old,
            "rule": f.rule,
            "file": f.file,
            "object": f.object,
            "path": f.yaml_path,
        }
        for old, f in zip(legacy, result.findings, strict=True)
    ]
    baseline = root / "old-baseline.json"
    baseline.write_text(json.dumps({"version": 1, "tool": "kpigov", "findings": entries}))
    code, out, _ = run_cli(
        "lint",
        "--root",
        str(root),
        "--format",
        "json",
        "--no-cache",
        "--baseline",
        str(baseline),
        "--today",
        "2026-11-23",
    )
    assert code == 0
    assert all(f["suppressed"]["by"] == "baseline" for f in json_findings(out))


# -- workflows we ship or write, against the schemas GitHub and GitLab publish -----------------

WORKFLOWS = [
    REPO / "examples" / "ci" / "github-actions.yml",
    REPO / "templates" / "init" / "en" / "dot-github" / "workflows" / "kpigov.yml",
    REPO / "templates" / "init" / "nl" / "dot-github" / "workflows" / "kpigov.yml",
]


def _check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).parent / "check-jsonschema"
    return subprocess.run(
        [str(tool), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_github_workflows_follow_githubs_schema() -> None:
    extra = sorted((REPO / "examples").rglob("*.github-workflow.yml"))
    done = _check_jsonschema("vendor.github-workflows", [*WORKFLOWS, *extra])
    assert done.returncode == 0, done.stdout + done.stderr
    example = (REPO / "examples" / "ci" / "github-actions.yml").read_text()
    assert "github.event.pull_request.base.sha" in example
    assert "hashFiles('kpigov.sarif')" in example
    handbook_job = example.split("  handbook:")[1]
    assert "contents: read" in handbook_job


def test_gitlab_pipelines_follow_gitlabs_schema() -> None:
    extra = sorted((REPO / "examples").rglob("*.gitlab-ci.yml"))
    done = _check_jsonschema(
        "vendor.gitlab-ci", [REPO / "examples" / "ci" / "gitlab-ci.yml", *extra]
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "CI_MERGE_REQUEST_DIFF_BASE_SHA" in (REPO / "examples" / "ci" / "gitlab-ci.yml").read_text()
    )


# -- schemas for editors ----------------------------------------------------------------------


def test_schema_ids_come_from_the_project_home() -> None:
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        assert schema["$id"] == schema_id(name)
        assert schema["$id"].startswith("https://")


def test_every_property_is_described() -> None:
    undescribed = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                if isinstance(value, dict) and "description" not in value:
                    undescribed.append(f"{path}/properties/{key}")
            for key, value in node.items():
                walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}/{index}")

    for name in SCHEMA_NAMES:
        walk(load_schema(name), name)
    assert not undescribed, undescribed


def test_the_catalogue_file_schema_covers_every_document_of_every_file() -> None:
    assert load_schema("catalogue-file") == catalogue_file_schema(), (
        "regenerate schemas/catalogue-file.schema.json: kpigov schema catalogue-file"
    )
    validator = jsonschema.Draft202012Validator(load_schema("catalogue-file"))
    from kpigov.loader import load_text

    checked = set()
    for path in sorted((REPO / "examples" / "acme").rglob("*.yaml")):
        if path.name == "kpigov.yaml" or "house-rules" in path.parts:
            continue
        for document in load_text(path.name, path.read_text(encoding="utf-8")).documents:
            assert not list(validator.iter_errors(document.data)), path
            checked.add(document.data["kind"])
    assert checked == set(DOCUMENT_KINDS)
    assert not validator.is_valid({"kind": "kpi", "id": "x", "name": "X", "frequency": "elke-week"})
    assert not validator.is_valid({"kind": "budget", "id": "x", "name": "X"})


def test_init_writes_the_editor_modeline(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path))[0] == 0
    kpi = next((tmp_path / "kpis").rglob("*.yaml")).read_text()
    assert kpi.startswith(f"# yaml-language-server: $schema={schema_id('catalogue-file')}\n")
    assert (
        (tmp_path / "kpigov.yaml")
        .read_text()
        .startswith(f"# yaml-language-server: $schema={schema_id('config')}\n")
    )
    code, out, _ = run_cli("schema", "catalogue-file", "--path")
    assert code == 0 and Path(out.strip()).is_file()
    assert run_cli("lint", "--root", str(tmp_path))[0] == 0


# -- command line ------------------------------------------------------------------------------


def test_colour_choice(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path, {"kpis/a.yaml": "kind: kpi\nid: s.a\nname: A\n"})
    always = run_cli("lint", "--root", str(root), "--color", "always", env={"NO_COLOR": "1"})[1]
    assert "\x1b[" in always
    never = run_cli("lint", "--root", str(root), "--color", "never", env={"FORCE_COLOR": "1"})[1]
    assert "\x1b[" not in never
    forced = run_cli("lint", "--root", str(root), env={"FORCE_COLOR": "1"})[1]
    assert "\x1b[" in forced
    both = run_cli("lint", "--root", str(root), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})[1]
    assert "\x1b[" not in both


def test_lint_standard_input_as_a_file(tmp_path: Path) -> None:
    root = catalogue_in_context(tmp_path, {"kpis/a.yaml": "kind: kpi\nid: s.a\nname: A\n"})
    from click.testing import CliRunner

    from kpigov.cli import main

    unsaved = "kind: kpi\nid: s.a\nname: A\nunit: percnt\n"
    result = CliRunner().invoke(
        main,
        [
            "lint",
            "-",
            "--stdin-filename",
            str(root / "kpis" / "a.yaml"),
            "--format",
            "json",
            "--today",
            "2026-11-23",
        ],
        input=unsaved,
    )
    findings = json.loads(result.stdout)["findings"]
    assert {f["file"] for f in findings} == {"kpis/a.yaml"}
    assert any(f["rule"] == "K002" and f["line"] == 4 for f in findings)
    assert (root / "kpis" / "a.yaml").read_text().endswith("name: A\n")  # the file is untouched
    fresh = CliRunner().invoke(
        main,
        ["lint", "-", "--stdin-filename", str(root / "kpis" / "new.yaml"), "--format", "json"],
        input="kind: kpi\nid: s.new\nname: New\n",
    )
    assert {f["file"] for f in json.loads(fresh.stdout)["findings"]} == {"kpis/new.yaml"}
    missing = CliRunner().invoke(main, ["lint", "-", "--root", str(root)], input="x")
    assert missing.exit_code == 2 and "--stdin-filename" in missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "sarf:report.sarif"], "unknown format 'sarf'"),
        (["--output", "sarif:no/such/folder/x.sarif"], "does not exist"),
        (["nosuchdir"], "nosuchdir: no such file or folder"),
    ],
)
def test_usage_errors_say_what_is_wrong(tmp_path: Path, args: list[str], message: str) -> None:
    root = catalogue_in_context(tmp_path, {})
    code, out, err = run_cli("lint", "--root", str(root), *args, cwd=root)
    assert code == 2 and message in err
    assert not (root / "sarf:report.sarif").exists()


def test_the_python_api_is_what_the_cli_runs(tmp_path: Path) -> None:
    from kpigov import api

    root = catalogue_in_context(tmp_path / "cat", {"kpis/a.yaml": "kind: kpi\nid: s.a\nname: A\n"})
    import datetime as dt

    result = api.lint(root, today=dt.date(2026, 11, 23), use_cache=False)
    code, out, _ = run_cli(
        "lint", "--root", str(root), "--format", "json", "--today", "2026-11-23", "--no-cache"
    )
    assert [f.to_json() for f in result.findings] == json_findings(out)
    assert result.failing("error") == (code == 1)
    built = api.build(root, tmp_path / "site", today=dt.date(2026, 11, 23))
    assert built.kpis == 2 and (built.out / "index.html").is_file()  # and the context's
    with pytest.raises(api.KpigovError, match="catalogue root"):
        api.build(root, root)


# -- the package ------------------------------------------------------------------------------


@pytest.mark.slow  # the whole suite runs it: building the sdist and wheel is the same on each Python
def test_license_and_metadata_ship_in_sdist_and_wheel(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("kpigov-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert "License-Expression: MIT" in metadata
    assert f"Project-URL: Homepage, {HOME}" in metadata
    for minor in (10, 11, 12, 13):
        assert f"Classifier: Programming Language :: Python :: 3.{minor}" in metadata
    pyproject = (REPO / "pyproject.toml").read_text()
    sdist_files = pyproject.split("[tool.hatch.build.targets.sdist]")[1]
    assert 'license-files = ["LICENSE"]' in pyproject and '"LICENSE"' in sdist_files
