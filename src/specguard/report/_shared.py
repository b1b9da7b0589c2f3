"""What the reviewer-facing formats share: grouping by service, locations, snippets, clean text.

Nothing here escapes for a particular output language; each format escapes what it writes.
``clean`` only removes what no format should ever pass on: control characters (terminal
escape sequences included) and line breaks inside one-line values.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from specguard._inert import flat, unprintable
from specguard.model import DiffReport, Finding, Level, Location, ServiceInfo
from specguard.report import WORKTREE_REVISION, RenderOptions, gate_failed
from specguard.rules import CATALOGUE

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


def explanation_text(instance: Any, explanation: str, limit: int) -> str:
    """The validator's explanation with the witness quoted as :func:`witness_text` shows it (a
    maxLength message quotes all 20,001 characters), capped at ``limit`` characters."""
    try:
        quoted = json.dumps(instance, ensure_ascii=False)
    except (TypeError, ValueError):
        quoted = ""
    if len(quoted) > _LONG_TEXT and quoted in explanation:
        explanation = explanation.replace(quoted, witness_text(instance, limit))
    return capped(explanation, limit)


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


def capped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (validator explanations quote whole
    enums: 600 values on Stripe)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def accept_command(fingerprint: str) -> str:
    """The command that acknowledges an intended break (after review)."""
    return f'specguard ack {fingerprint} --reason "why this break is intended" --approved-by NAME'


def clean(text: str) -> str:
    """One line of spec-provided text without control characters or line breaks."""
    return flat(text)


def clean_line(text: str) -> str:
    """A source line for a snippet: tabs kept, control characters replaced, length capped."""
    line = unprintable(text.replace("\r", ""))
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
# What a URL path may carry as is (RFC 3986 pchar less ';', '=' and the parentheses a Markdown
# link would end at): '{', '%' or ' ' are encoded.
_PATH_SAFE = "/-._~!$&'*+,@:"


def operations_label(finding: Finding) -> str:
    return ", ".join(str(op) for op in finding.operations) or WHOLE_CONTRACT


SHOWN_OPERATIONS = 3


def operations_brief(finding: Finding) -> str:
    """The operations a finding affects, the first few by name and "+N more" (a shared schema
    can reach hundreds: one line of 17,000 characters helped nobody)."""
    names = [str(op) for op in finding.operations]
    if not names:
        return WHOLE_CONTRACT
    more = len(names) - SHOWN_OPERATIONS
    return ", ".join(names[:SHOWN_OPERATIONS]) + (f" (+{more} more)" if more > 0 else "")


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
    commits = dict(options.revisions)
    commit = commits.get(revision or WORKTREE_REVISION) or revision or "HEAD"
    # Quoting keeps file names and revisions from breaking out of the URL (or the link); a
    # commit id needs none, a path keeps its slashes and the characters URLs allow.
    url = f"{base}/{quote(commit, safe='')}/{quote(path, safe=_PATH_SAFE)}"
    return f"{url}#L{location.line}" if location.line else url


def where(location: Location | None) -> str:
    if location is None:
        return "—"
    return f"{location.file}:{location.line}" if location.line else location.file


@lru_cache(maxsize=16)
def _lines(text: str) -> tuple[str, ...]:
    """A source's lines, split once per report (a string caches its hash, so looking up a 12 MB
    text again is cheap; splitting it for every snippet took 25 s on github-rest)."""
    return tuple(text.splitlines())


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
    lines = _lines(source.text)
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


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """The findings of one rule at one level in one service: what a reviewer reads as one item
    ("40 operations removed"), with the rule's one-line rationale."""

    rule_id: str
    service: str
    level: Level
    findings: tuple[Finding, ...]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def operations(self) -> int:
        """How many distinct operations the group's findings affect."""
        return len({op for f in self.findings for op in f.operations})

    @property
    def rationale(self) -> str:
        rule = CATALOGUE.get(self.rule_id)
        return rule.rationale if rule is not None else ""

    @property
    def blocking(self) -> int:
        """Findings that are not acknowledged (those are what the gate may fail on)."""
        return sum(1 for f in self.findings if f.acknowledged is None)

    @property
    def anchor(self) -> str:
        """A stable HTML id for the group."""
        digest = hashlib.sha256(
            "\x1f".join((self.rule_id, self.service, self.level.value)).encode()
        ).hexdigest()[:10]
        return f"group-{self.rule_id}-{digest}"

    def headline(self) -> str:
        """"operation-removed: 40 changes on 40 operations" (names from the catalogue only)."""
        changes = f"{self.count} change{'s' if self.count != 1 else ''}"
        ops = self.operations
        where = f" on {ops} operation{'s' if ops != 1 else ''}" if ops else ""
        return f"{self.rule_id}: {changes}{where}"


def group_findings(report: DiffReport, findings: list[Finding]) -> list[FindingGroup]:
    """One group per (rule, service, level): breaking first, then warning, then safe; within a
    level, groups that fail the gate before acknowledged ones, then services in report order,
    larger groups first."""
    order = {info.name: index for index, info in enumerate(report.services)}
    keyed: dict[tuple[str, str, Level], list[Finding]] = {}
    for finding in findings:
        key = (finding.rule_id, group_name(report, finding), finding.level)
        keyed.setdefault(key, []).append(finding)
    groups = [
        FindingGroup(rule_id, service, level, tuple(items))
        for (rule_id, service, level), items in keyed.items()
    ]
    return sorted(
        groups,
        key=lambda g: (
            -g.level.rank,
            g.blocking == 0,
            order.get(g.service, len(order)),
            g.service,
            -g.count,
            g.rule_id,
        ),
    )


def unlisted_summary(report: DiffReport, options: RenderOptions, limit: int = 3) -> str | None:
    """One line counting the findings below ``options.min_level`` by rule (the commonest
    first), or None when nothing is left out."""
    hidden = [f for f in report.findings if f.level.rank < options.min_level.rank]
    if not hidden:
        return None
    by_rule: dict[str, int] = {}
    for finding in hidden:
        by_rule[finding.rule_id] = by_rule.get(finding.rule_id, 0) + 1
    ranked = sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{rule_id} {count}" for rule_id, count in ranked[:limit])
    more = f", +{len(ranked) - limit} more rules" if len(ranked) > limit else ""
    levels = " and ".join(
        level.value for level in Level if level.rank < options.min_level.rank
    )
    return (
        f"{len(hidden)} {levels} change{'s' if len(hidden) != 1 else ''} counted, not listed "
        f"({named}{more}): --level safe lists them"
    )
