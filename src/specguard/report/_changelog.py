"""Release notes in Markdown: every change, grouped by service, then by operation.

Not a gate report: there is no verdict, acknowledged changes are listed like the others
(marked), and unchanged services are named in one line at the end.
"""

from __future__ import annotations

from specguard.model import DiffReport, Finding, Level
from specguard.report import RenderOptions
from specguard.report._markdown import code, text
from specguard.report._shared import group_by_service, shown

_LABELS = {Level.BREAKING: "**Breaking:** ", Level.WARNING: "*Check:* ", Level.SAFE: ""}
WHOLE = "Whole contract"


def _key(finding: Finding) -> tuple[int, str, str]:
    if not finding.operations:
        return (1, "", "")
    first = finding.operations[0]
    return (0, first.path, first.method)


def _operations(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for finding in sorted(findings, key=_key):
        label = ", ".join(str(op) for op in finding.operations) or WHOLE
        groups.setdefault(label, []).append(finding)
    return list(groups.items())


def _item(finding: Finding) -> str:
    line = f"- {_LABELS[finding.level]}{text(finding.message)}"
    if finding.consumers:
        line += f" (consumers: {', '.join(text(c) for c in finding.consumers)})"
    if finding.acknowledged is not None:
        line += f" (acknowledged: {text(finding.acknowledged)})"
    return line


def render(report: DiffReport, options: RenderOptions) -> str:
    lines = [
        f"# Contract changes: {code(report.old_source)} → {code(report.new_source)}",
        "",
    ]
    unchanged = []
    for group in group_by_service(report, shown(report, options)):
        if not group.findings:
            unchanged.append(group.name)
            continue
        title = text(group.name)
        info = group.info
        if info is not None and (info.old_version or info.new_version):
            title += f" ({text(info.old_version or 'new')} → {text(info.new_version or 'removed')})"
        counts = ", ".join(
            f"{group.count(level)} {level.value}" for level in Level if group.count(level)
        )
        lines += [f"## {title}", "", counts, ""]
        for label, findings in _operations(group.findings):
            heading = WHOLE if label == WHOLE else code(label)
            lines += [f"### {heading}", ""]
            ordered = sorted(findings, key=lambda f: -f.level.rank)
            lines += [_item(f) for f in ordered]
            lines.append("")
    if unchanged:
        lines += [f"Unchanged: {', '.join(text(name) for name in unchanged)}.", ""]
    if len(lines) == 2:
        lines += ["No changes.", ""]
    return "\n".join(lines)
