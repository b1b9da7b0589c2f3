"""Render fuzz, verify and traffic reports as text, JSON, Markdown or JUnit XML.

Everything rendered here comes from the service or the spec and is untrusted: text output
has control characters escaped (no terminal escape sequences from a response body),
Markdown escapes inline text and fences code with a fence longer than any backtick run in
it, JUnit strips characters XML 1.0 cannot carry. The JSON shape (``schemaVersion`` 1) is a
contract, built here from the typed model, never dumped from it.

One public function per report and format (``fuzz_text``, ``verify_junit``, ...); the CLI's
report registry (``specguard.cli._formats``) names which one each ``--format`` runs.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from specguard._inert import block, md_block, md_code, md_text, one_line, xml_text
from specguard._xml import xml_document
from specguard.fuzz._model import (
    CheckFailure,
    EngineProblem,
    FuzzReport,
    JoinedFinding,
    Observation,
    OperationTraffic,
    TrafficReport,
    VerifiedFailure,
    VerifyReport,
)
from specguard.model import Location, Operation

SCHEMA_VERSION = 1

# --------------------------------------------------------------------------- JSON


def _operation_json(operation: Operation) -> dict[str, str]:
    return {"method": operation.method, "path": operation.path}


def _failure_json(failure: CheckFailure) -> dict[str, Any]:
    return {
        "operation": _operation_json(failure.operation),
        "check": failure.check,
        "code": failure.code,
        "title": failure.title,
        "kind": failure.kind.value,
        "message": failure.message,
        "phase": failure.phase,
        "response": {
            "status": failure.status,
            "contentType": failure.content_type,
            "bodyExcerpt": failure.body_excerpt,
        },
        "curl": failure.curl,
        "seed": failure.seed,
        "occurrences": failure.occurrences,
    }


def _problem_json(problem: EngineProblem) -> dict[str, Any]:
    return {
        "operation": problem.operation,
        "phase": problem.phase,
        "message": problem.message,
        "curl": problem.curl,
    }


def _run_json(run: FuzzReport) -> dict[str, Any]:
    return {
        "target": run.target,
        "seed": run.seed,
        "phases": [phase.value for phase in run.phases],
        "summary": {
            "operations": len(run.operations),
            "requests": run.requests,
            "failures": len(run.failures),
            "problems": len(run.problems),
            "durationSeconds": round(run.duration, 3),
            "requestsPerSecond": round(run.requests_per_second, 1),
            "firstFailureSeconds": (
                round(run.first_failure_after, 3) if run.first_failure_after is not None else None
            ),
            "stopReason": run.stop_reason.value,
        },
        "operations": [_operation_json(op) for op in run.operations],
        "problems": [_problem_json(p) for p in run.problems],
        "unreachable": run.unreachable,
    }


def fuzz_to_json(report: FuzzReport) -> dict[str, Any]:
    """The versioned JSON document of a fuzz run."""
    data: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION, "command": "fuzz", "spec": report.spec}
    data.update(_run_json(report))
    data["failures"] = [_failure_json(f) for f in report.failures]
    return data


def _location_json(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "pointer": location.pointer, "line": location.line}


def _finding_json(finding: JoinedFinding) -> dict[str, Any]:
    return {
        "id": finding.rule_id,
        "level": finding.level.value,
        "direction": finding.direction.value,
        "message": finding.message,
        "operations": [_operation_json(op) for op in finding.operations],
        "location": _location_json(finding.location),
        "fingerprint": finding.fingerprint,
        "observation": finding.observation.value,
        "evidence": list(finding.evidence),
    }


def _verified_json(item: VerifiedFailure, joined: bool) -> dict[str, Any]:
    data = _failure_json(item.failure)
    if joined:
        data["ruleId"] = item.rule_id
        data["predictedBy"] = list(item.predicted_by or ())
    return data


def verify_to_json(report: VerifyReport) -> dict[str, Any]:
    """The versioned JSON document of a verify run."""
    data: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "command": "verify",
        "oldSpec": report.old_spec,
        "newSpec": report.new_spec,
        "changedOnly": report.changed_only,
    }
    data.update(_run_json(report.run))
    summary = data["summary"]
    if report.joined:
        summary["confirmed"] = _count(report.findings, Observation.CONFIRMED)
        summary["notObserved"] = _count(report.findings, Observation.NOT_OBSERVED)
        summary["undocumentedChanges"] = sum(1 for f in report.failures if f.rule_id)
    data["failures"] = [_verified_json(f, report.joined) for f in report.failures]
    data["findings"] = [_finding_json(f) for f in report.findings]
    return data


def _traffic_operation_json(op: OperationTraffic) -> dict[str, Any]:
    return {
        "operation": _operation_json(op.operation),
        "exchanges": op.exchanges,
        "invalidRequests": op.invalid_requests,
        "invalidResponses": op.invalid_responses,
        "examples": [
            {
                "side": e.side.value,
                "method": e.method,
                "url": e.url,
                "status": e.status,
                "reason": e.reason,
                "entry": e.entry,
            }
            for e in op.examples
        ],
    }


def traffic_to_json(report: TrafficReport) -> dict[str, Any]:
    """The versioned JSON document of a traffic check."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "command": "traffic",
        "spec": report.spec,
        "sources": list(report.sources),
        "summary": {
            "exchanges": report.exchanges,
            "matched": sum(op.exchanges for op in report.operations),
            "unmatched": report.unmatched,
            "skipped": report.skipped,
            "invalidRequests": report.invalid_requests,
            "invalidResponses": report.invalid_responses,
            "durationSeconds": round(report.duration, 3),
        },
        "operations": [_traffic_operation_json(op) for op in report.operations],
        "unmatchedExamples": list(report.unmatched_examples),
    }


def _count(findings: Iterable[JoinedFinding], observation: Observation) -> int:
    return sum(1 for f in findings if f.observation is observation)


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- text

def safe_text(text: str) -> str:
    """One field (a URL, a title, a message) as one inert line: a line break in a HAR URL
    must not start a line of its own."""
    return one_line(text)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in block(text).splitlines())


def _failure_text(number: int, failure: CheckFailure, note: str = "") -> list[str]:
    seen = f", seen {failure.occurrences}x" if failure.occurrences > 1 else ""
    lines = [
        f"{number}. {failure.operation}: {failure.code} {safe_text(failure.title)}{note}",
        f"   check {failure.check} ({failure.kind.value}), phase {failure.phase}{seen}",
    ]
    if failure.status is not None:
        media = f" {safe_text(failure.content_type)}" if failure.content_type else ""
        lines.append(f"   response: {failure.status}{media}")
        if failure.body_excerpt:
            lines.append(_indent(failure.body_excerpt, "     | "))
    if failure.message:
        lines.append("   details:")
        lines.append(_indent(_clip(failure.message, 20), "     "))
    lines.append(f"   reproduce (seed {failure.seed}):")
    lines.append(_indent(failure.curl or "(no request recorded)", "     "))
    return lines


def _problems_text(problems: tuple[EngineProblem, ...]) -> list[str]:
    if not problems:
        return []
    lines = ["", f"{len(problems)} problem(s) stopped tests from running:"]
    for problem in problems:
        where = f" [{problem.phase}]" if problem.phase else ""
        lines.append(
            f"- {safe_text(problem.operation)}{where}: {safe_text(_clip(problem.message, 3))}"
        )
        if problem.curl:
            lines.append(_indent(problem.curl, "    "))
    return lines


def _run_header(run: FuzzReport, spec_line: str) -> list[str]:
    first = (
        f", first failure after {run.first_failure_after:.2f}s"
        if run.first_failure_after is not None
        else ""
    )
    return [
        spec_line,
        f"target: {safe_text(run.target)}",
        f"seed: {run.seed}  phases: {', '.join(p.value for p in run.phases)}",
        f"{len(run.operations)} operation(s), {run.requests} request(s) in {run.duration:.2f}s "
        f"({run.requests_per_second:.0f}/s){first}; stopped: {run.stop_reason.value}",
    ]


def fuzz_text(report: FuzzReport) -> str:
    """The fuzz report as plain text."""
    lines = _run_header(report, f"specguard fuzz {safe_text(report.spec)}")
    if report.unreachable:
        lines.append(f"service unreachable: {safe_text(report.unreachable)}")
    lines.append("")
    if report.failures:
        lines.append(f"{len(report.failures)} failure(s):")
        for number, failure in enumerate(report.failures, 1):
            lines.append("")
            lines.extend(_failure_text(number, failure))
    elif not report.problems:
        lines.append("no failures: the service kept its contract")
    lines.extend(_problems_text(report.problems))
    return "\n".join(lines) + "\n"


def verify_text(report: VerifyReport) -> str:
    """The verify report as plain text."""
    spec_line = f"specguard verify: old contract {safe_text(report.old_spec)}"
    if report.new_spec:
        spec_line += f", joined with the diff to {safe_text(report.new_spec)}"
    if report.changed_only:
        spec_line += " (changed operations only)"
    lines = _run_header(report.run, spec_line)
    if report.run.unreachable:
        lines.append(f"service unreachable: {safe_text(report.run.unreachable)}")
    lines.append("")
    if report.failures:
        lines.append(f"{len(report.failures)} way(s) the service breaks old clients:")
        for number, item in enumerate(report.failures, 1):
            note = ""
            if report.joined:
                note = (
                    f"  [{item.rule_id}: the diff does not predict this]"
                    if item.rule_id
                    else f"  [predicted by {', '.join(item.predicted_by or ())}]"
                )
            lines.append("")
            lines.extend(_failure_text(number, item.failure, note))
    elif not report.run.problems:
        lines.append("no failures: old clients keep working")
    if report.joined:
        lines.append("")
        if report.findings:
            lines.append("breaking findings of the diff:")
            for finding in report.findings:
                ops = ", ".join(str(op) for op in finding.operations) or "(all operations)"
                evidence = f" by {', '.join(finding.evidence)}" if finding.evidence else ""
                lines.append(
                    f"- {finding.observation.value}{evidence}: {finding.rule_id} {ops}: "
                    f"{safe_text(finding.message)}"
                )
        else:
            lines.append("the diff has no breaking findings")
    lines.extend(_problems_text(report.run.problems))
    return "\n".join(lines) + "\n"


def traffic_text(report: TrafficReport) -> str:
    """The traffic report as plain text."""
    matched = sum(op.exchanges for op in report.operations)
    lines = [
        f"specguard traffic {safe_text(report.spec)}",
        f"sources: {', '.join(safe_text(s) for s in report.sources)}",
        f"{report.exchanges} exchange(s): {matched} matched an operation, "
        f"{report.unmatched} unmatched, {report.skipped} skipped; "
        f"{report.invalid_requests} invalid request(s), "
        f"{report.invalid_responses} invalid response(s)",
        "",
    ]
    for op in report.operations:
        verdict = "ok"
        if not op.ok:
            verdict = (
                f"{op.invalid_requests} invalid request(s), "
                f"{op.invalid_responses} invalid response(s)"
            )
        lines.append(f"{op.operation}: {op.exchanges} exchange(s), {verdict}")
        for example in op.examples:
            status = f" -> {example.status}" if example.status is not None else ""
            lines.append(
                f"    {example.side.value} #{example.entry} {example.method} "
                f"{safe_text(example.url)}{status}: {safe_text(example.reason)}"
            )
    if report.unmatched_examples:
        lines.append("")
        lines.append("unmatched (counted, not validated):")
        lines.extend(f"    {safe_text(u)}" for u in report.unmatched_examples)
    return "\n".join(lines) + "\n"


def _clip(text: str, max_lines: int) -> str:
    lines = text.splitlines()
    if len(lines) <= max_lines:
        return text
    return "\n".join([*lines[:max_lines], f"... ({len(lines) - max_lines} more lines)"])


# --------------------------------------------------------------------------- Markdown

def md_cell(text: str) -> str:
    """A code span for a table cell: GFM splits cells on ``|`` even inside code spans."""
    return md_code(text, in_table=True)


def _md_failure(number: int, failure: CheckFailure, note: str = "") -> list[str]:
    seen = f" · seen {failure.occurrences}×" if failure.occurrences > 1 else ""
    heading = f"{md_code(str(failure.operation))}: {failure.code} {md_text(failure.title)}"
    lines = [f"#### {number}. {heading}", ""]
    if note:
        lines += [note, ""]
    lines.append(
        f"- check {md_code(failure.check)} ({failure.kind.value}) · phase {failure.phase}{seen}"
    )
    if failure.status is not None:
        media = f" {md_code(failure.content_type)}" if failure.content_type else ""
        lines.append(f"- response: **{failure.status}**{media}")
    lines.append("")
    if failure.body_excerpt:
        lines += ["Response body (excerpt):", "", *md_block(failure.body_excerpt), ""]
    if failure.message:
        lines += ["Details:", "", *md_block(_clip(failure.message, 20)), ""]
    lines += [f"Reproduce (seed {failure.seed}):", "", *md_block(failure.curl, "sh"), ""]
    return lines


def _md_run(run: FuzzReport, spec_cell: str) -> list[str]:
    first = f"{run.first_failure_after:.2f}s" if run.first_failure_after is not None else "–"
    return [
        "| | |",
        "|---|---|",
        f"| Contract | {spec_cell} |",
        f"| Target | {md_cell(run.target)} |",
        f"| Seed | {md_cell(str(run.seed))} |",
        f"| Phases | {', '.join(p.value for p in run.phases)} |",
        f"| Operations | {len(run.operations)} |",
        f"| Requests | {run.requests} in {run.duration:.2f}s ({run.requests_per_second:.0f}/s) |",
        f"| First failure after | {first} |",
        f"| Stopped | {run.stop_reason.value} |",
        "",
    ]


def _md_problems(problems: tuple[EngineProblem, ...]) -> list[str]:
    if not problems:
        return []
    lines = ["### Problems that stopped tests", ""]
    for problem in problems:
        lines.append(
            f"- {md_code(problem.operation)} {problem.phase}: {md_text(_clip(problem.message, 3))}"
        )
    return [*lines, ""]


def fuzz_markdown(report: FuzzReport) -> str:
    """The fuzz report as Markdown."""
    verdict = f"{len(report.failures)} failure(s)" if report.failures else "clean"
    lines = [f"## specguard fuzz: {verdict}", "", *_md_run(report, md_cell(report.spec))]
    if report.unreachable:
        lines += [f"**Service unreachable:** {md_text(report.unreachable)}", ""]
    if report.failures:
        lines += ["### Failures", ""]
        for number, failure in enumerate(report.failures, 1):
            lines += _md_failure(number, failure)
    lines += _md_problems(report.problems)
    return "\n".join(lines).rstrip("\n") + "\n"


def verify_markdown(report: VerifyReport) -> str:
    """The verify report as Markdown."""
    verdict = (
        f"{len(report.failures)} failure(s)" if report.failures else "old clients keep working"
    )
    contract = md_cell(report.old_spec)
    if report.new_spec:
        contract += f" → {md_cell(report.new_spec)}"
    lines = [f"## specguard verify: {verdict}", "", *_md_run(report.run, contract)]
    if report.changed_only:
        lines += ["Only operations the diff touched were fuzzed.", ""]
    if report.run.unreachable:
        lines += [f"**Service unreachable:** {md_text(report.run.unreachable)}", ""]
    if report.joined:
        lines += ["### Breaking findings of the diff", ""]
        if report.findings:
            lines += [
                "| Observation | Rule | Operations | Message | Evidence |",
                "|---|---|---|---|---|",
            ]
            for finding in report.findings:
                ops = ", ".join(md_cell(str(op)) for op in finding.operations) or "all"
                evidence = ", ".join(md_cell(e) for e in finding.evidence) or "–"
                lines.append(
                    f"| {finding.observation.value} | {md_cell(finding.rule_id)} | {ops} | "
                    f"{md_text(finding.message)} | {evidence} |"
                )
        else:
            lines.append("None.")
        lines.append("")
    if report.failures:
        lines += ["### Failures", ""]
        for number, item in enumerate(report.failures, 1):
            note = ""
            if report.joined:
                note = (
                    f"**{item.rule_id}**: no finding of the diff predicts this."
                    if item.rule_id
                    else "Predicted by "
                    + ", ".join(md_code(r) for r in item.predicted_by or ())
                    + "."
                )
            lines += _md_failure(number, item.failure, note)
    lines += _md_problems(report.run.problems)
    return "\n".join(lines).rstrip("\n") + "\n"


def traffic_markdown(report: TrafficReport) -> str:
    """The traffic report as Markdown."""
    invalid = report.invalid_requests + report.invalid_responses
    verdict = f"{invalid} invalid exchange side(s)" if invalid else "all matched traffic valid"
    matched = sum(op.exchanges for op in report.operations)
    lines = [
        f"## specguard traffic: {verdict}",
        "",
        f"Contract {md_code(report.spec)}; sources "
        + ", ".join(md_code(s) for s in report.sources)
        + ".",
        "",
        f"{report.exchanges} exchange(s): {matched} matched, {report.unmatched} unmatched, "
        f"{report.skipped} skipped.",
        "",
        "| Operation | Exchanges | Invalid requests | Invalid responses |",
        "|---|---|---|---|",
    ]
    for op in report.operations:
        lines.append(
            f"| {md_cell(str(op.operation))} | {op.exchanges} | {op.invalid_requests} | "
            f"{op.invalid_responses} |"
        )
    lines.append("")
    examples = [(op, e) for op in report.operations for e in op.examples]
    if examples:
        lines += ["### Examples", ""]
        for op, e in examples:
            status = f" → {e.status}" if e.status is not None else ""
            lines.append(
                f"- {md_code(str(op.operation))} {e.side.value} (entry {e.entry}, "
                f"{md_code(e.method + ' ' + e.url)}{status}): {md_text(e.reason)}"
            )
        lines.append("")
    if report.unmatched_examples:
        lines += ["### Unmatched", ""]
        lines += [f"- {md_code(u)}" for u in report.unmatched_examples]
    return "\n".join(lines).rstrip("\n") + "\n"


# --------------------------------------------------------------------------- JUnit

def _xml(text: str) -> str:
    return xml_text(text)


def _suite(name: str, tests: int, failures: int, errors: int, seconds: float) -> ET.Element:
    return ET.Element(
        "testsuite",
        {
            "name": _xml(name),
            "tests": str(tests),
            "failures": str(failures),
            "errors": str(errors),
            "time": f"{seconds:.3f}",
        },
    )


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", {"classname": classname, "name": _xml(name)})


def _failure_body(failure: CheckFailure, note: str = "") -> str:
    parts = [f"{failure.code} {failure.title} ({failure.check}, phase {failure.phase})"]
    if note:
        parts.append(note)
    if failure.status is not None:
        parts.append(f"response: {failure.status} {failure.content_type or ''}".rstrip())
    if failure.body_excerpt:
        parts.append(failure.body_excerpt)
    if failure.message:
        parts.append(_clip(failure.message, 20))
    parts.append(f"reproduce (seed {failure.seed}):\n{failure.curl}")
    return "\n\n".join(parts)


def _run_junit(
    name: str,
    run: FuzzReport,
    notes: dict[tuple[str, str, str], str],
) -> ET.Element:
    by_operation: dict[str, list[CheckFailure]] = {str(op): [] for op in run.operations}
    for failure in run.failures:
        by_operation.setdefault(str(failure.operation), []).append(failure)
    problems: dict[str, list[EngineProblem]] = {}
    for problem in run.problems:
        problems.setdefault(problem.operation, []).append(problem)
    failed = sum(1 for f in by_operation.values() if f)
    errored = sum(1 for label in by_operation if problems.get(label) and not by_operation[label])
    suite = _suite(name, len(by_operation), failed, errored, run.duration)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "seed", "value": str(run.seed)})
    ET.SubElement(properties, "property", {"name": "target", "value": _xml(run.target)})
    for label, failures in by_operation.items():
        case = _case(suite, "specguard." + name.split()[1], label)
        if failures:
            codes = ", ".join(f"{f.code} {f.title}" for f in failures)
            element = ET.SubElement(
                case, "failure", {"message": _xml(codes), "type": failures[0].code}
            )
            element.text = _xml(
                "\n\n----\n\n".join(_failure_body(f, notes.get(f.key, "")) for f in failures)
            )
        elif problems.get(label):
            messages = [p.message for p in problems[label]]
            element = ET.SubElement(case, "error", {"message": _xml(_clip(messages[0], 1))})
            element.text = _xml("\n\n".join(messages))
    return suite


def _junit(suites: list[ET.Element], name: str) -> str:
    root = ET.Element("testsuites", {"name": name})
    for key in ("tests", "failures", "errors"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.extend(suites)
    return xml_document(root)


def fuzz_junit(report: FuzzReport) -> str:
    """The fuzz report as JUnit XML."""
    suite = _run_junit(f"specguard fuzz {report.spec}", report, {})
    return _junit([suite], "specguard fuzz")


def verify_junit(report: VerifyReport) -> str:
    """The verify report as JUnit XML."""
    notes = {
        item.failure.key: (
            f"{item.rule_id}: no finding of the diff predicts this"
            if item.rule_id
            else f"predicted by {', '.join(item.predicted_by or ())}"
        )
        for item in report.failures
        if report.joined
    }
    suites = [_run_junit(f"specguard verify {report.old_spec}", report.run, notes)]
    if report.joined:
        confirmed = _count(report.findings, Observation.CONFIRMED)
        findings = _suite("specguard verify findings", len(report.findings), confirmed, 0, 0.0)
        for finding in report.findings:
            ops = ", ".join(str(op) for op in finding.operations) or "all operations"
            case = _case(findings, "specguard.verify.findings", f"{finding.rule_id} {ops}")
            if finding.observation is Observation.CONFIRMED:
                element = ET.SubElement(
                    case, "failure", {"message": _xml(finding.message), "type": finding.rule_id}
                )
                element.text = _xml("confirmed by " + ", ".join(finding.evidence))
            else:
                ET.SubElement(case, "system-out").text = "not observed at run time"
        suites.append(findings)
    return _junit(suites, "specguard verify")


def traffic_junit(report: TrafficReport) -> str:
    """The traffic report as JUnit XML."""
    failed = sum(1 for op in report.operations if not op.ok)
    suite = _suite(
        f"specguard traffic {report.spec}", len(report.operations), failed, 0, report.duration
    )
    for op in report.operations:
        case = _case(suite, "specguard.traffic", str(op.operation))
        if op.ok:
            continue
        message = (
            f"{op.invalid_requests} invalid request(s), {op.invalid_responses} invalid "
            f"response(s) of {op.exchanges}"
        )
        element = ET.SubElement(case, "failure", {"message": message, "type": "traffic"})
        element.text = _xml(
            "\n".join(
                f"{e.side.value} #{e.entry} {e.method} {e.url} -> {e.status}: {e.reason}"
                for e in op.examples
            )
        )
    return _junit([suite], "specguard traffic")


# --------------------------------------------------------------------------- JSON text


def fuzz_json(report: FuzzReport) -> str:
    """The fuzz report as versioned JSON text."""
    return _dump(fuzz_to_json(report))


def verify_json(report: VerifyReport) -> str:
    """The verify report as versioned JSON text."""
    return _dump(verify_to_json(report))


def traffic_json(report: TrafficReport) -> str:
    """The traffic report as versioned JSON text."""
    return _dump(traffic_to_json(report))
