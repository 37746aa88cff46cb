"""``--format junit``: JUnit XML, one test suite per file with a failing test case per finding."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from kpigov.findings import Finding
from kpigov.reporters import Report, one_line


def class_name(file: str) -> str:
    """Jenkins splits a classname at its last dot into package and class: ``goals.yaml`` would
    become class ``yaml`` of package ``goals``. So the package is ``kpigov`` and the class the
    file, with its dots written as underscores."""
    return "kpigov." + one_line(file).replace(".", "_")


def _case(suite: ElementTree.Element, finding: Finding) -> None:
    file = one_line(finding.file)
    case = ElementTree.SubElement(
        suite,
        "testcase",
        name=f"{finding.rule} {finding.name} at {finding.line}:{finding.column}",
        classname=class_name(finding.file),
        time="0",
    )
    where = f"{file}:{finding.line}:{finding.column}"
    message = one_line(finding.message)
    if finding.suppressed:
        reason = one_line(finding.suppressed.get("reason", ""))
        ElementTree.SubElement(
            case, "skipped", message=f"suppressed ({finding.suppressed.get('by')}): {reason}"
        )
        return
    failure = ElementTree.SubElement(
        case, "failure", type=f"{finding.rule} {finding.severity}", message=message
    )
    failure.text = f"{where}: {finding.rule} [{finding.severity}] {message} ({finding.name})"


def render(report: Report) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_file[finding.file].append(finding)
    failures = sum(1 for finding in report.findings if not finding.suppressed)
    root = ElementTree.Element(
        "testsuites",
        name="kpigov",
        tests=str(max(len(report.findings), 1)),
        failures=str(failures),
        errors="0",
        time="0",
    )
    if not by_file:
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name="kpigov",
            tests="1",
            failures="0",
            errors="0",
            skipped="0",
            time="0",
        )
        ElementTree.SubElement(
            suite,
            "testcase",
            name=f"kpigov lint: {report.files_checked} files, no findings",
            classname="kpigov",
            time="0",
        )
    for file, findings in sorted(by_file.items()):
        suppressed = sum(1 for finding in findings if finding.suppressed)
        suite = ElementTree.SubElement(
            root,
            "testsuite",
            name=one_line(file),
            tests=str(len(findings)),
            failures=str(len(findings) - suppressed),
            errors="0",
            skipped=str(suppressed),
            time="0",
            file=one_line(file),
        )
        for finding in findings:
            _case(suite, finding)
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )
