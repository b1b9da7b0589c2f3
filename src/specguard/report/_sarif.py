"""SARIF 2.1.0: findings as code-scanning results with rule metadata from the catalogue.

Each result is located in the new contract (for removals: the nearest surviving node there),
and the old contract's node, when there is one, is a related location. Acknowledged findings
carry an accepted external suppression, so code scanning shows them as dismissed.
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from typing import Any
from urllib.parse import quote

from specguard.model import DiffReport, Finding, Level, Location
from specguard.report import RenderOptions
from specguard.report._shared import clean, operations_label, primary, repo_path, shown
from specguard.rules import CATALOGUE

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "specguardFingerprint/v1"
_LEVELS = {Level.BREAKING: "error", Level.WARNING: "warning", Level.SAFE: "note"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _tool_version() -> str:
    try:
        return metadata.version("specguard")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _rule_name(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.split("-"))


def descriptor(rule_id: str) -> dict[str, Any]:
    """A reportingDescriptor for ``rule_id`` from the catalogue (minimal if it is not there)."""
    rule = CATALOGUE.get(rule_id)
    if rule is None:
        return {
            "id": rule_id,
            "name": _rule_name(rule_id),
            "shortDescription": {"text": rule_id.replace("-", " ")},
        }
    # Catalogue templates use {name}; SARIF reserves {0}-style placeholders, so spell them out.
    short = _PLACEHOLDER.sub(lambda m: f"<{m.group(1)}>", rule.message)
    return {
        "id": rule.id,
        "name": _rule_name(rule.id),
        "shortDescription": {"text": short},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{short}: {rule.rationale} (direction: {rule.direction.value})"},
        "defaultConfiguration": {"level": _LEVELS[rule.level]},
        "properties": {
            "direction": rule.direction.value,
            "specguardLevel": rule.level.value,
            "tags": ["openapi", "api-contract", rule.level.value],
        },
    }


def _physical(report: DiffReport, location: Location) -> dict[str, Any]:
    path, _ = repo_path(report, location)
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path, safe="/")}}
    if location.line:
        physical["region"] = {"startLine": location.line}
    return physical


def _message(finding: Finding) -> str:
    text = f"{clean(finding.message)} [{clean(operations_label(finding))}]"
    if finding.service:
        text = f"{clean(finding.service)}: {text}"
    if finding.consumers:
        text += f"; consumers affected: {clean(', '.join(finding.consumers))}"
    if finding.note:
        text += f"; note: {clean(finding.note)}"
    return text


def _result(report: DiffReport, finding: Finding, index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": _LEVELS[finding.level],
        "message": {"text": _message(finding)},
    }
    where = primary(finding)
    if where is not None:
        result["locations"] = [{"physicalLocation": _physical(report, where)}]
    if finding.old is not None:
        _, revision = repo_path(report, finding.old)
        label = f"old contract ({revision})" if revision else "old contract"
        result["relatedLocations"] = [
            {
                "id": 1,
                "physicalLocation": _physical(report, finding.old),
                "message": {"text": label},
            }
        ]
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.acknowledged is not None:
        result["suppressions"] = [
            {
                "kind": "external",
                "state": "accepted",
                "justification": clean(finding.acknowledged),
            }
        ]
    properties: dict[str, Any] = {
        "specguardLevel": finding.level.value,
        "direction": finding.direction.value,
        "operations": [str(op) for op in finding.operations],
    }
    node = finding.new or finding.old
    if node is not None:
        properties["pointer"] = node.pointer
    if finding.service:
        properties["service"] = finding.service
    if finding.consumers:
        properties["consumers"] = list(finding.consumers)
    if finding.witness is not None:
        properties["witness"] = {
            "instance": finding.witness.instance,
            "explanation": finding.witness.explanation,
        }
    result["properties"] = properties
    return result


def report_to_sarif(report: DiffReport, options: RenderOptions) -> dict[str, Any]:
    findings = shown(report, options)
    rule_ids = sorted({f.rule_id for f in findings})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "specguard",
                        "version": _tool_version(),
                        "rules": [descriptor(rule_id) for rule_id in rule_ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(report, f, index[f.rule_id]) for f in findings],
                "properties": {
                    "old": report.old_source,
                    "new": report.new_source,
                    "summary": {level.value: report.count(level) for level in Level},
                },
            }
        ],
    }


def render(report: DiffReport, options: RenderOptions) -> str:
    return (
        json.dumps(report_to_sarif(report, options), indent=2, ensure_ascii=False, default=str)
        + "\n"
    )
