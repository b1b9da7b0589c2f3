"""Markdown: a pull-request comment a reviewer can act on without opening the YAML.

A verdict line, a table of counts per service, then per service a collapsible ``<details>``
with every finding: rule, operations, message, old/new line (linked when ``link_base`` is
set) and the consumers affected. Everything taken from a spec is escaped: Markdown
punctuation is backslash-escaped, ``<``/``>``/``&`` become entities, code spans get a fence
longer than any backtick run inside, and ``@`` cannot form a mention.
"""

from __future__ import annotations

import html
import re

from specguard.model import DiffReport, Finding, Level, Location
from specguard.report import RenderOptions
from specguard.report._shared import (
    ServiceGroup,
    clean,
    failing,
    group_by_service,
    link,
    operations_label,
    shown,
    verdict,
    witness_text,
)
from specguard.report._text import accept_command

MARKER = "<!-- specguard-report -->"
# GitHub rejects comments over 65536 characters; leave room for what the workflow adds.
MAX_CHARS = 60_000
_MAX_WITNESS = 200
# Spec text always lands mid-line (line breaks are folded first), so only what forms syntax
# there is escaped: emphasis, code, links and images (via '['), tables, strikethrough, GitHub
# math ($), a heading's closing '#', and parentheses (belt and braces against "](" links).
# '.', '-', '+' or '=' only mean something at the start of a line: escaping them made
# "1\.0\.0". '<', '>' and '&' become entities, so that no raw HTML can form.
_PUNCTUATION = re.compile(r"([\\`*_\[\]()|~$#])")
_BACKTICKS = re.compile(r"`+")
_ICONS = {Level.BREAKING: "🔴", Level.WARNING: "🟡", Level.SAFE: "🟢"}


def text(value: str) -> str:
    """Spec text as inert Markdown: no markup, links, HTML, mentions or line breaks."""
    escaped = _PUNCTUATION.sub(r"\\\1", clean(value))
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after '@' keeps spec text from notifying GitHub users or teams.
    return escaped.replace("@", "@\u200b")


def code(value: str, *, in_table: bool = False) -> str:
    """Spec text as a code span: literal, whatever backticks or HTML it contains."""
    body = clean(value).replace("@", "@\u200b")
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body.strip() else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def _html(value: str) -> str:
    """Text inside raw HTML blocks (``<summary>``), where Markdown is not parsed."""
    return html.escape(clean(value), quote=True).replace("@", "@\u200b")


def _location(report: DiffReport, location: Location | None, options: RenderOptions) -> str:
    if location is None:
        return "—"
    label = code(f"{location.file}:{location.line}" if location.line else location.file)
    url = link(report, location, options)
    return label if url is None else f"[{label}]({url})"


def _operations(finding: Finding) -> str:
    return code(operations_label(finding)) if finding.operations else "the whole contract"


def _finding(report: DiffReport, finding: Finding, options: RenderOptions) -> list[str]:
    level = finding.level.value
    mark = _ICONS[finding.level]
    ack = " · acknowledged" if finding.acknowledged is not None else ""
    blocking = " · **blocks the gate**" if failing(finding, options) else ""
    # Two trailing spaces: a hard line break inside the list item.
    lines = [
        f"- {mark} **{level}**{ack}{blocking}: {text(finding.message)}  ",
        f"  `{finding.rule_id}` on {_operations(finding)}",
        f"  - old: {_location(report, finding.old, options)} · "
        f"new: {_location(report, finding.new, options)}",
    ]
    if finding.consumers:
        names = ", ".join(text(name) for name in finding.consumers)
        lines.append(f"  - consumers affected: {names}")
    if finding.acknowledged is not None:
        lines.append(f"  - acknowledged: {text(finding.acknowledged)}")
    if finding.note:
        lines.append(f"  - note: {text(finding.note)}")
    if finding.witness is not None:
        instance = witness_text(finding.witness.instance, _MAX_WITNESS)
        lines.append(f"  - witness: {code(instance)}: {text(finding.witness.explanation)}")
    if finding.fingerprint:
        lines.append(f"  - fingerprint: `{finding.fingerprint}`")
        if finding.level is Level.BREAKING and finding.acknowledged is None:
            lines.append(f"  - accept after review: `{accept_command(finding.fingerprint)}`")
    return lines


def _counts(group: ServiceGroup) -> str:
    parts = [f"{group.count(level)} {level.value}" for level in Level if group.count(level)]
    if group.acknowledged:
        parts.append(f"{group.acknowledged} acknowledged")
    return ", ".join(parts) or "no changes"


def _service(
    report: DiffReport, group: ServiceGroup, options: RenderOptions, listed: Level
) -> list[str]:
    is_open = " open" if group.failed(options) else ""
    lines = [
        f"<details{is_open}>",
        f"<summary><b>{_html(group.name)}</b>: {_html(_counts(group))}</summary>",
        "",
    ]
    info = group.info
    if info is not None and (info.old_version or info.new_version):
        lines.append(f"Version {code(info.old_version or '—')} → {code(info.new_version or '—')}")
        lines.append("")
    hidden = 0
    for finding in group.findings:
        if finding.level.rank < listed.rank and not failing(finding, options):
            hidden += 1
            continue
        lines.extend(_finding(report, finding, options))
    if hidden:
        lines.append(f"- {hidden} more change(s) below {listed.value} level not listed here")
    if not group.findings:
        lines.append("No changes.")
    lines += ["", "</details>", ""]
    return lines


def _document(report: DiffReport, options: RenderOptions, listed: Level) -> str:
    failed, sentence = verdict(report, options)
    findings = shown(report, options)
    groups = group_by_service(report, findings)
    lines = [
        MARKER,
        f"## {'❌' if failed else '✅'} specguard: {text(sentence)}",
        "",
        f"Compared {code(report.old_source)} → {code(report.new_source)}.",
        "",
        "| Service | Breaking | Warning | Safe | Acknowledged |",
        "| :-- | --: | --: | --: | --: |",
    ]
    for group in groups:
        counts = " | ".join(str(group.count(level)) for level in Level)
        lines.append(f"| {text(group.name)} | {counts} | {group.acknowledged} |")
    lines.append("")
    for group in groups:
        lines.extend(_service(report, group, options, listed))
    return "\n".join(lines)


def render(report: DiffReport, options: RenderOptions) -> str:
    """The comment; when too long for GitHub, lower levels are counted instead of listed."""
    for listed in (Level.SAFE, Level.WARNING, Level.BREAKING):
        document = _document(report, options, listed)
        if len(document) <= MAX_CHARS:
            return document
    cut = document[:MAX_CHARS].rsplit("\n", 1)[0]
    if cut.count("<details") > cut.count("</details>"):
        cut += "\n\n</details>"
    return cut + "\n\n*Report truncated: see the HTML or SARIF report for every finding.*\n"
