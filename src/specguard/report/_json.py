"""JSON: the stable, versioned machine contract (``schemaVersion`` 1)."""

from __future__ import annotations

import json
from typing import Any

from specguard.model import DiffReport, Finding, Level, Location
from specguard.report import RenderOptions

SCHEMA_VERSION = 1


def location(loc: Location | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"file": loc.file, "pointer": loc.pointer, "line": loc.line}


def _json_arg(value: Any) -> Any:
    """Tuples (kept so findings stay hashable) as JSON arrays."""
    if isinstance(value, tuple):
        return [_json_arg(item) for item in value]
    return value


def finding_to_json(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": finding.rule_id,
        "level": finding.level.value,
        "message": finding.message,
        # the message's arguments as JSON values (added within schemaVersion 1)
        "args": {name: _json_arg(value) for name, value in finding.args},
        "direction": finding.direction.value,
        "operations": [{"method": op.method, "path": op.path} for op in finding.operations],
        "old": location(finding.old),
        "new": location(finding.new),
        "fingerprint": finding.fingerprint,
        "witness": (
            {"instance": finding.witness.instance, "explanation": finding.witness.explanation}
            if finding.witness is not None
            else None
        ),
        "note": finding.note,
    }
    if finding.service is not None:
        data["service"] = finding.service
    if finding.consumers:
        data["consumers"] = list(finding.consumers)
    if finding.acknowledged is not None:
        data["acknowledged"] = finding.acknowledged
    return data


def report_to_json(report: DiffReport, options: RenderOptions) -> dict[str, Any]:
    shown = [f for f in report.findings if f.level.rank >= options.min_level.rank]
    data: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "old": report.old_source,
        "new": report.new_source,
        "summary": {level.value: report.count(level) for level in Level},
        "findings": [finding_to_json(f) for f in shown],
    }
    if report.services:
        data["services"] = [
            {"name": s.name, "old": s.old_spec, "new": s.new_spec,
             "oldVersion": s.old_version, "newVersion": s.new_version}
            for s in report.services
        ]
    return data


def render(report: DiffReport, options: RenderOptions) -> str:
    return json.dumps(report_to_json(report, options), indent=2, ensure_ascii=False) + "\n"
