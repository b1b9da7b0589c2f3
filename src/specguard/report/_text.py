"""Terminal text: the verdict, counts per service, then findings grouped by rule and service.

Breaking groups come first, then warnings (safe ones only with ``--level safe``; otherwise
they are counted). Each group shows its first ``per_group`` findings (past a budget of lines,
only its first) and says how many more it holds; no line is longer than :data:`MAX_LINE`
characters. Colour only when asked.
"""

from __future__ import annotations

from specguard._inert import one_line
from specguard.model import DiffReport, Finding, Level
from specguard.report import RenderOptions
from specguard.report._shared import (
    FindingGroup,
    accept_command,
    capped,
    explanation_text,
    group_by_service,
    group_findings,
    operations_brief,
    shown,
    unlisted_summary,
    verdict,
    witness_text,
)

_COLORS = {Level.BREAKING: "\x1b[31m", Level.WARNING: "\x1b[33m", Level.SAFE: "\x1b[32m"}
_RESET = "\x1b[0m"
# The longest line the text report prints (spec text is cut with an ellipsis beyond it).
MAX_LINE = 300
_MAX_WITNESS = 120
# Past this many lines of groups, each further group lists only its first finding (unless
# --per-group 0): github-rest 22 -> 23 stays under 200 lines whatever its rules find.
_BODY_BUDGET = 90


def inert(text: str) -> str:
    """Spec text on one terminal line: it must not drive the terminal (ESC sequences) nor
    start a line of its own (a CI log line starting with '::error::' is a workflow command)."""
    return one_line(text)


def _label(level: Level, color: bool) -> str:
    text = level.value.upper()
    return f"{_COLORS[level]}{text}{_RESET}" if color else text


def _where(finding: Finding) -> str:
    parts = []
    if finding.old is not None:
        parts.append(f"old {finding.old.file}:{finding.old.line or '?'}")
    if finding.new is not None:
        parts.append(f"new {finding.new.file}:{finding.new.line or '?'}")
    return ", ".join(parts)


def _line(text: str) -> str:
    return capped(text, MAX_LINE)


def _finding(report: DiffReport, finding: Finding) -> list[str]:
    ack = " (acknowledged)" if finding.acknowledged is not None else ""
    message = inert(finding.message)
    ops = inert(operations_brief(finding))
    # the message of an operation rule already names its operation
    named = len(finding.operations) == 1 and str(finding.operations[0]) in finding.message
    on = "" if named or not finding.operations else f" [{ops}]"
    lines = [_line(f"  - {message}{on}{ack}")]
    where = finding.new or finding.old
    pointer = inert(where.pointer) if where is not None else ""
    lines.append(_line(f"    at {pointer} ({inert(_where(finding))})"))
    if finding.witness is not None:
        instance = inert(witness_text(finding.witness.instance, _MAX_WITNESS))
        why = explanation_text(finding.witness.instance, finding.witness.explanation, MAX_LINE)
        lines.append(_line(f"    witness: {instance} ({inert(why)})"))
    if finding.note:
        lines.append(_line(f"    note: {inert(finding.note)}"))
    if finding.consumers:
        lines.append(_line(f"    consumers: {inert(', '.join(finding.consumers))}"))
    if finding.acknowledged is not None:
        lines.append(_line(f"    acknowledged: {inert(finding.acknowledged)}"))
    elif finding.level is Level.BREAKING and finding.fingerprint:
        lines.append(f"    accept: {accept_command(finding.fingerprint)}")
    return lines


def _group(
    report: DiffReport, group: FindingGroup, options: RenderOptions, services: bool, limit: int
) -> list[str]:
    service = f" [{inert(group.service)}]" if services else ""
    why = f": {group.rationale}" if group.rationale else ""
    lines = [_line(f"{_label(group.level, options.color)} {group.headline()}{service}{why}")]
    for finding in group.findings[:limit]:
        lines.extend(_finding(report, finding))
    if group.count > limit:
        lines.append(
            f"  (+{group.count - limit} more in this group: --per-group 0 lists them all, "
            "as do the JSON and HTML reports)"
        )
    return lines


def _table(report: DiffReport, findings: list[Finding]) -> list[str]:
    head = ("service", *(level.value for level in Level), "acknowledged")
    rows: list[tuple[str, ...]] = [head]
    for group in group_by_service(report, findings):
        counts = tuple(str(group.count(level)) for level in Level)
        rows.append((capped(inert(group.name), 60), *counts, str(group.acknowledged)))
    width = max(len(row[0]) for row in rows)
    return [
        f"{row[0]:<{width}}  "
        + "  ".join(f"{cell:>{len(title)}}" for cell, title in zip(row[1:], head[1:], strict=True))
        for row in rows
    ]


def render(report: DiffReport, options: RenderOptions) -> str:
    _, sentence = verdict(report, options)
    listed = shown(report, options)
    lines = [sentence, _line(f"Compared {inert(report.old_source)} -> {inert(report.new_source)}")]
    if report.services:
        lines += ["", *_table(report, list(report.findings))]
    lines.append("")
    body = 0
    for group in group_findings(report, listed):
        limit = options.per_group or group.count
        if options.per_group and body >= _BODY_BUDGET:
            limit = 1  # a long report still names every group, each by its first finding
        block = _group(report, group, options, bool(report.services), limit)
        lines.extend(block)
        lines.append("")
        body += len(block) + 1
    counts = ", ".join(f"{report.count(level)} {level.value}" for level in Level)
    lines.append(f"{len(report.findings)} change(s): {counts}")
    unlisted = unlisted_summary(report, options)
    if unlisted:
        lines.append(_line(unlisted))
    return "\n".join(lines) + "\n"
