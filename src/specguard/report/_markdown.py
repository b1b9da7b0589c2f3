"""Markdown: a pull-request comment a reviewer can act on without opening the YAML.

A verdict line, a table of counts per service, then one collapsible ``<details>`` per group
(rule × service × level; breaking first, then warnings) with its count, the rule's rationale
and every finding: message, operations, old/new line (linked when ``link_base`` is set), the
consumers affected and the command that accepts it. The comment fits GitHub's limit by
collapsing whole groups (never a finding in half) and says how many findings it left out.
Everything taken from a spec is escaped: Markdown punctuation is backslash-escaped,
``<``/``>``/``&`` become entities, code spans get a fence longer than any backtick run inside,
and ``@`` cannot form a mention.
"""

from __future__ import annotations

from specguard._inert import md_code, md_html, md_text
from specguard.model import DiffReport, Finding, Level, Location
from specguard.report import RenderOptions
from specguard.report._shared import (
    FindingGroup,
    ServiceGroup,
    accept_command,
    capped,
    clean,
    explanation_text,
    failing,
    group_by_service,
    group_findings,
    link,
    operations_label,
    shown,
    unlisted_summary,
    verdict,
    witness_text,
)

MARKER = "<!-- specguard-report -->"
# GitHub rejects comments over 65,536 characters; leave room for what the workflow adds.
MAX_CHARS = 60_000
_MAX_WITNESS = 120
_MAX_WHY = 160
# Spec text in one line of the comment (a message, a note, an explanation) stops here.
_MAX_PROSE = 300
_SHOWN_OPERATIONS = 3
# Collapsed groups named one line each, at most; the rest are only counted.
_MAX_COLLAPSED_LINES = 40
_ICONS = {Level.BREAKING: "🔴", Level.WARNING: "🟡", Level.SAFE: "🟢"}
# The escapers live with every other one (specguard._inert); these names are the format's API.
text = md_text
code = md_code
_html = md_html


def _location(report: DiffReport, location: Location | None, options: RenderOptions) -> str:
    if location is None:
        return "—"
    if location.line and location.file in (report.old_source, report.new_source):
        # the file is named in the "Compared" line: a long path once, not on every finding
        label = f"line {location.line}"
    else:
        label = code(f"{location.file}:{location.line}" if location.line else location.file)
    url = link(report, location, options)
    return label if url is None else f"[{label}]({url})"


def _operations(finding: Finding) -> str:
    if not finding.operations:
        return "the whole contract"
    more = len(finding.operations) - _SHOWN_OPERATIONS
    if more <= 0:
        return code(operations_label(finding))
    first = ", ".join(str(op) for op in finding.operations[:_SHOWN_OPERATIONS])
    return f"{code(first)} (+{more} more)"


def _prose(value: str) -> str:
    return text(capped(clean(value), _MAX_PROSE))


def _finding(report: DiffReport, finding: Finding, options: RenderOptions) -> list[str]:
    level = finding.level.value
    mark = _ICONS[finding.level]
    ack = " · acknowledged" if finding.acknowledged is not None else ""
    blocking = " · **blocks the gate**" if failing(finding, options) else ""
    # Two trailing spaces: a hard line break inside the list item.
    lines = [
        f"- {mark} **{level}**{ack}{blocking}: {_prose(finding.message)}  ",
        f"  on {_operations(finding)} · old: {_location(report, finding.old, options)} · "
        f"new: {_location(report, finding.new, options)}",
    ]
    if finding.consumers:
        names = _prose(", ".join(finding.consumers))
        lines.append(f"  - consumers affected: {names}")
    if finding.acknowledged is not None:
        lines.append(f"  - acknowledged: {_prose(finding.acknowledged)}")
    if finding.note:
        lines.append(f"  - note: {_prose(finding.note)}")
    if finding.witness is not None:
        instance = witness_text(finding.witness.instance, _MAX_WITNESS)
        why = explanation_text(finding.witness.instance, finding.witness.explanation, _MAX_WHY)
        lines.append(f"  - witness: {code(instance)}: {_prose(why)}")
    if finding.fingerprint:
        if finding.level is Level.BREAKING and finding.acknowledged is None:
            lines.append(f"  - accept after review: `{accept_command(finding.fingerprint)}`")
        else:
            lines.append(f"  - fingerprint: `{finding.fingerprint}`")
    return lines


def _counts(group: ServiceGroup) -> str:
    parts = [f"{group.count(level)} {level.value}" for level in Level if group.count(level)]
    if group.acknowledged:
        parts.append(f"{group.acknowledged} acknowledged")
    return ", ".join(parts) or "no changes"


def _summary(group: FindingGroup, services: bool) -> str:
    service = f" · {_html(group.service)}" if services else ""
    why = f" — {_html(group.rationale)}" if group.rationale else ""
    rule, _, rest = group.headline().partition(": ")
    return f"{_ICONS[group.level]} <b>{_html(rule)}</b>{service}: {_html(rest)}{why}"


def _group(
    report: DiffReport, group: FindingGroup, options: RenderOptions, services: bool, budget: int
) -> tuple[list[str], int]:
    """The group as ``<details>``, open when it fails the gate; findings that do not fit in
    ``budget`` characters are left out whole and counted (returned as the second value)."""
    is_open = " open" if any(failing(f, options) for f in group.findings) else ""
    lines = [f"<details{is_open}>", f"<summary>{_summary(group, services)}</summary>", ""]
    closing = ["", "</details>", ""]
    size = _size(lines) + _size(closing) + 120  # room for the "+N more" line
    listed = 0
    for finding in group.findings:
        block = _finding(report, finding, options)
        if size + _size(block) > budget:
            break
        lines.extend(block)
        size += _size(block)
        listed += 1
    left = group.count - listed
    if left:
        lines.append(f"- +{left} more in this group, not listed here")
    return lines + closing, left


def _collapsed(group: FindingGroup, services: bool) -> str:
    service = f" · {text(group.service)}" if services else ""
    rule, _, rest = group.headline().partition(": ")
    return f"- {_ICONS[group.level]} **{text(rule)}**{service}: {rest} (not listed here)"


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _head(report: DiffReport, options: RenderOptions) -> list[str]:
    failed, sentence = verdict(report, options)
    lines = [
        MARKER,
        f"## {'❌' if failed else '✅'} specguard: {text(sentence)}",
        "",
        f"Compared {code(report.old_source)} → {code(report.new_source)}.",
        "",
        "| Service | Version | Breaking | Warning | Safe | Acknowledged |",
        "| :-- | :-- | --: | --: | --: | --: |",
    ]
    for service in group_by_service(report, list(report.findings)):
        counts = " | ".join(str(service.count(level)) for level in Level)
        info = service.info
        version = ""
        if info is not None and (info.old_version or info.new_version):
            version = f"{code(info.old_version or '—', in_table=True)} → " + code(
                info.new_version or "—", in_table=True
            )
        lines.append(
            f"| {text(service.name)} | {version} | {counts} | {service.acknowledged} |"
        )
    lines.append("")
    return lines


def render(report: DiffReport, options: RenderOptions) -> str:
    """The comment: groups in order while they fit in :data:`MAX_CHARS`; the rest collapsed
    to one line each (or only counted), and the count of what was left out at the end."""
    lines = _head(report, options)
    services = bool(report.services)
    groups = group_findings(report, shown(report, options))
    unlisted = unlisted_summary(report, options)
    tail = [f"*{text(unlisted)}*", ""] if unlisted else []
    if not report.findings:
        tail = ["No changes.", ""]
    footer_room = 600
    budget = MAX_CHARS - _size(lines) - _size(tail) - footer_room
    left_out = 0
    collapsed: list[FindingGroup] = []
    body: list[str] = []
    for index, group in enumerate(groups):
        later = min(len(groups) - index - 1, _MAX_COLLAPSED_LINES) * 160
        room = budget - _size(body) - later
        if collapsed or room < 400:
            collapsed.append(group)
            left_out += group.count
            continue
        block, left = _group(report, group, options, services, room)
        if left == group.count:
            collapsed.append(group)
            left_out += group.count
            continue
        body.extend(block)
        left_out += left
    if collapsed:
        body.append("Not listed in this comment:")
        body.append("")
        body.extend(_collapsed(group, services) for group in collapsed[:_MAX_COLLAPSED_LINES])
        if len(collapsed) > _MAX_COLLAPSED_LINES:
            more = collapsed[_MAX_COLLAPSED_LINES:]
            body.append(
                f"- and {len(more)} more groups ({sum(g.count for g in more)} changes)"
            )
        body.append("")
    footer = []
    if left_out:
        names = [level.value for level in Level if level.rank >= options.min_level.rank]
        levels = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        footer = [
            f"**{left_out} of the {sum(g.count for g in groups)} {levels} changes are not in "
            "this comment** (GitHub's 65,536-character limit). Read them all in the HTML or "
            "JSON report: the report artifact of the workflow, or `--format html` (`check`: "
            "`--format html=report.html`).",
            "",
        ]
    return "\n".join(lines + body + tail + footer)
