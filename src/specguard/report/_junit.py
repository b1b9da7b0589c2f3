"""JUnit XML: one test suite per service, one test case per operation.

A test case fails when one of its findings would fail the gate (at or above ``fail_on`` and
not acknowledged); the other findings are listed in its ``system-out``. A finding that
affects several operations (a shared schema) appears under each of them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from specguard._inert import xml_text
from specguard._xml import xml_document
from specguard.model import DiffReport, Finding
from specguard.report import RenderOptions
from specguard.report._shared import (
    WHOLE_CONTRACT,
    clean,
    failing,
    group_by_service,
    shown,
    where,
)

NO_CHANGES = "contract unchanged"


def _xml(text: str) -> str:
    return xml_text(clean(text))


def _line(finding: Finding) -> str:
    ack = " [acknowledged]" if finding.acknowledged is not None else ""
    parts = [
        f"{finding.level.value}{ack} {finding.rule_id}: {finding.message}",
        f"old {where(finding.old)}, new {where(finding.new)}",
    ]
    if finding.consumers:
        parts.append("consumers: " + ", ".join(finding.consumers))
    if finding.note:
        parts.append(f"note: {finding.note}")
    if finding.fingerprint:
        parts.append(f"fingerprint: {finding.fingerprint}")
    return " | ".join(_xml(part) for part in parts)


def _cases(findings: list[Finding]) -> dict[str, list[Finding]]:
    cases: dict[str, list[Finding]] = {}
    for finding in findings:
        names = [str(op) for op in finding.operations] or [WHOLE_CONTRACT]
        for name in names:
            cases.setdefault(name, []).append(finding)
    return dict(sorted(cases.items()))


def render(report: DiffReport, options: RenderOptions) -> str:
    root = ET.Element("testsuites", name="specguard")
    total_tests = total_failures = 0
    for group in group_by_service(report, shown(report, options)):
        suite = ET.SubElement(root, "testsuite", name=_xml(group.name))
        cases = _cases(group.findings) or {NO_CHANGES: []}
        failures = 0
        for name, findings in cases.items():
            case = ET.SubElement(suite, "testcase", classname=_xml(group.name), name=_xml(name))
            blocking = [f for f in findings if failing(f, options)]
            if blocking:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=blocking[0].level.value,
                    message=_xml(
                        f"{len(blocking)} unacknowledged change(s): "
                        + ", ".join(sorted({f.rule_id for f in blocking}))
                    ),
                )
                failure.text = "\n".join(_line(f) for f in blocking)
            rest = [f for f in findings if not failing(f, options)]
            if rest:
                ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in rest)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += len(cases)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    return xml_document(root)
