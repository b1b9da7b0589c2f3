"""GitHub Actions workflow commands: annotations on the new contract's lines, and a summary.

``::error`` for findings that fail the gate, ``::warning`` for warnings and for breaking
findings that do not fail it (acknowledged, or a higher ``fail_on``), ``::notice`` for safe
changes. GitHub shows only the first 10 annotations of each kind per step, so while a kind
has at most ``annotations`` findings each gets its own; beyond that each group (rule × service)
gets one, at its first finding's line, and groups past the limit are counted in the closing
``::notice``. Values are escaped as the Actions toolkit does, so spec text cannot end the
command or start a new one.
"""

from __future__ import annotations

from specguard.model import DiffReport, Finding, Level
from specguard.report import RenderOptions
from specguard.report._shared import (
    FindingGroup,
    capped,
    clean,
    failing,
    group_findings,
    operations_brief,
    operations_label,
    primary,
    repo_path,
    shown,
    unlisted_summary,
    verdict,
)

_KINDS = ("error", "warning", "notice")
# An annotation's message stops here (GitHub shows a few lines of it).
_MAX_MESSAGE = 1000


def escape_data(text: str) -> str:
    """The message part: '%', CR and LF are percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property: additionally ':' and ',' are percent-encoded."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(finding: Finding, options: RenderOptions) -> str:
    if failing(finding, options):
        return "error"
    if finding.level is Level.SAFE:
        return "notice"
    return "warning"


def _properties(report: DiffReport, finding: Finding, title: str) -> str:
    properties = []
    location = primary(finding)
    if location is not None:
        path, _ = repo_path(report, location)
        properties.append(f"file={escape_property(clean(path))}")
        if location.line:
            properties.append(f"line={location.line}")
    properties.append(f"title={escape_property(clean(title))}")
    return ",".join(properties)


def _line(report: DiffReport, finding: Finding, options: RenderOptions) -> str:
    service = f" ({finding.service})" if finding.service else ""
    message = f"{finding.level.value}: {finding.message} [{operations_label(finding)}]"
    if finding.consumers:
        message += f"; consumers affected: {', '.join(finding.consumers)}"
    if finding.acknowledged is not None:
        message += f"; acknowledged: {finding.acknowledged}"
    if finding.note:
        message += f"; note: {finding.note}"
    if finding.fingerprint:
        message += f"; fingerprint {finding.fingerprint}"
    properties = _properties(report, finding, f"{finding.rule_id}{service}")
    text = escape_data(capped(clean(message), _MAX_MESSAGE))
    return f"::{_command(finding, options)} {properties}::{text}"


def _group_line(report: DiffReport, group: FindingGroup, kind: str, services: bool) -> str:
    first = group.findings[0]
    service = f" ({group.service})" if services else ""
    rule, _, rest = group.headline().partition(": ")
    why = f" — {group.rationale}" if group.rationale else ""
    message = f"{group.level.value}: {rest}{why}. First: {first.message} "
    message += f"[{operations_brief(first)}]"
    if group.count > 1:
        message += f"; +{group.count - 1} more in the job summary and the report"
    properties = _properties(report, first, f"{rule}{service}: {rest}")
    return f"::{kind} {properties}::{escape_data(capped(clean(message), _MAX_MESSAGE))}"


def render(report: DiffReport, options: RenderOptions) -> str:
    findings = shown(report, options)
    by_kind: dict[str, list[Finding]] = {kind: [] for kind in _KINDS}
    for finding in findings:
        by_kind[_command(finding, options)].append(finding)
    limit = max(options.annotations, 1)
    lines: list[str] = []
    left_groups = left_findings = 0
    for kind, items in by_kind.items():
        room = limit - 1 if kind == "notice" else limit  # the summary is a notice too
        if len(items) <= room:
            lines.extend(_line(report, f, options) for f in items)
            continue
        groups = group_findings(report, items)
        for group in groups[:room]:
            lines.append(_group_line(report, group, kind, bool(report.services)))
        left_groups += len(groups[room:])
        left_findings += sum(g.count for g in groups[room:])
    _, sentence = verdict(report, options)
    counts = ", ".join(f"{report.count(level)} {level.value}" for level in Level)
    summary = f"{sentence} ({counts})"
    if left_groups:
        summary += (
            f"; {left_findings} more in {left_groups} group{'s' if left_groups > 1 else ''} "
            "not annotated "
            f"(GitHub shows {limit} of each kind): see the job summary or the report"
        )
    unlisted = unlisted_summary(report, options)
    if unlisted:
        summary += f"; {unlisted}"
    lines.append(f"::notice title=specguard::{escape_data(clean(summary))}")
    return "\n".join(lines) + "\n"
