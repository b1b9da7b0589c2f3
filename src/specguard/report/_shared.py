"""What the reviewer-facing formats share: grouping by service, locations, snippets, clean text.

Nothing here escapes for a particular output language; each format escapes what it writes.
``clean`` only removes what no format should ever pass on: control characters (terminal
escape sequences included) and line breaks inside one-line values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from specguard.model import DiffReport, Finding, Level, Location, ServiceInfo
from specguard.report import RenderOptions, gate_failed

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029]+")
UNNAMED = "(contract)"
# Findings of a multi-service gate that belong to no service (acknowledgement problems).
GATE_GROUP = "(gate)"
SNIPPET_CONTEXT = 3
_MAX_SNIPPET_LINE = 300


_LONG_TEXT = 40
_LONG_LIST = 3


def witness_text(instance: Any, limit: int) -> str:
    """A witness as compact JSON a reader can take in: long strings and arrays abbreviated with
    their length said (a maxLength witness is 20,001 characters, a maxItems one 1,001 items),
    the whole capped at ``limit`` characters. Machine formats keep the full instance."""
    text = json.dumps(_abbreviated(instance), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _abbreviated(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _LONG_TEXT:
        return f"{value[:12]}…({len(value)} characters)"
    if isinstance(value, list):
        shown = [_abbreviated(item) for item in value[:_LONG_LIST]]
        if len(value) > _LONG_LIST:
            shown.append(f"…({len(value)} items)")
        return shown
    if isinstance(value, dict):
        return {key: _abbreviated(item) for key, item in value.items()}
    return value


def clean(text: str) -> str:
    """One line of spec-provided text without control characters or line breaks."""
    return _CONTROL.sub("?", _BREAKS.sub(" ", text))


def clean_line(text: str) -> str:
    """A source line for a snippet: tabs kept, control characters replaced, length capped."""
    line = _CONTROL.sub("?", text.replace("\r", ""))
    if len(line) > _MAX_SNIPPET_LINE:
        line = line[:_MAX_SNIPPET_LINE] + "…"
    return line


def shown(report: DiffReport, options: RenderOptions) -> list[Finding]:
    """The findings at or above ``options.min_level``, in report order."""
    return [f for f in report.findings if f.level.rank >= options.min_level.rank]


def failing(finding: Finding, options: RenderOptions) -> bool:
    """True when this finding alone would fail the gate."""
    return (
        options.fail_on is not None
        and finding.acknowledged is None
        and finding.level.rank >= options.fail_on.rank
    )


@dataclass(slots=True)
class ServiceGroup:
    """The findings of one service (or of the single contract of a plain diff)."""

    name: str
    info: ServiceInfo | None
    findings: list[Finding] = field(default_factory=list)

    def count(self, level: Level) -> int:
        return sum(1 for f in self.findings if f.level is level)

    @property
    def acknowledged(self) -> int:
        return sum(1 for f in self.findings if f.acknowledged is not None)

    def failed(self, options: RenderOptions) -> bool:
        return any(failing(f, options) for f in self.findings)


def group_by_service(report: DiffReport, findings: list[Finding]) -> list[ServiceGroup]:
    """Groups in the report's service order (services without findings included), then the rest."""
    groups: dict[str, ServiceGroup] = {
        info.name: ServiceGroup(info.name, info) for info in report.services
    }
    for finding in findings:
        name = group_name(report, finding)
        if name not in groups:
            groups[name] = ServiceGroup(name, None)
        groups[name].findings.append(finding)
    known = [groups[info.name] for info in report.services]
    rest = sorted((g for n, g in groups.items() if g.info is None), key=lambda g: g.name)
    return known + rest


WHOLE_CONTRACT = "(whole contract)"


def operations_label(finding: Finding) -> str:
    return ", ".join(str(op) for op in finding.operations) or WHOLE_CONTRACT


def group_name(report: DiffReport, finding: Finding) -> str:
    """The group a finding is listed under (see :func:`group_by_service`)."""
    return finding.service or (GATE_GROUP if report.services else UNNAMED)


def primary(finding: Finding) -> Location | None:
    """Where a finding shows in the new contract: its new node, or for removals the anchor."""
    return finding.new or finding.anchor or finding.old


def repo_path(report: DiffReport, location: Location) -> tuple[str, str | None]:
    """(path within the repository, git revision or None for the working tree)."""
    source = report.source(location.file)
    if source is not None and source.path is not None:
        return source.path, source.revision
    return location.file, None


def link(report: DiffReport, location: Location, options: RenderOptions) -> str | None:
    """A browsable URL of the location, when ``options.link_base`` is set."""
    base = (options.link_base or "").rstrip("/")
    if not base.startswith(("https://", "http://")):
        return None
    path, revision = repo_path(report, location)
    # Quoting keeps file names and revisions from breaking out of the URL (or the link).
    url = f"{base}/{quote(revision or 'HEAD', safe='')}/{quote(path, safe='/')}"
    return f"{url}#L{location.line}" if location.line else url


def where(location: Location | None) -> str:
    if location is None:
        return "—"
    return f"{location.file}:{location.line}" if location.line else location.file


@dataclass(frozen=True, slots=True)
class SnippetLine:
    number: int
    text: str
    target: bool


def snippet(
    report: DiffReport, location: Location | None, context: int = SNIPPET_CONTEXT
) -> tuple[SnippetLine, ...]:
    """Source lines around ``location`` (empty when the report has no text for the file)."""
    if location is None or location.line is None:
        return ()
    source = report.source(location.file)
    if source is None:
        return ()
    lines = source.text.splitlines()
    first = max(1, location.line - context)
    last = min(len(lines), location.line + context)
    return tuple(
        SnippetLine(n, clean_line(lines[n - 1]), n == location.line) for n in range(first, last + 1)
    )


def verdict(report: DiffReport, options: RenderOptions) -> tuple[bool, str]:
    """(gate failed, one sentence a reviewer reads first)."""
    failed = gate_failed(report, options.fail_on)
    acked = sum(1 for f in report.findings if f.acknowledged is not None)
    acked_note = f" ({acked} acknowledged)" if acked else ""
    if options.fail_on is None:
        return failed, f"Report only: {len(report.findings)} change(s){acked_note}"
    blocking = sum(1 for f in report.findings if failing(f, options))
    if options.fail_on is Level.BREAKING:
        one, many = "breaking change", "breaking changes"
    else:
        level = options.fail_on.value
        one, many = f"change at {level} level or above", f"changes at {level} level or above"
    if failed:
        return failed, f"Gate failed: {blocking} unacknowledged {one if blocking == 1 else many}"
    return failed, f"Gate passed: no unacknowledged {many}{acked_note}"
