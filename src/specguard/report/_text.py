"""Terminal text: findings grouped by operation, colour only when asked (on a TTY)."""

from __future__ import annotations

from specguard._inert import one_line
from specguard.model import DiffReport, Finding, Level
from specguard.report import RenderOptions
from specguard.report._shared import witness_text

_COLORS = {Level.BREAKING: "\x1b[31m", Level.WARNING: "\x1b[33m", Level.SAFE: "\x1b[32m"}
_RESET = "\x1b[0m"
# Spec text must not drive the terminal (ESC sequences) nor start a line of its own (a CI
# log line starting with '::error::' is a workflow command): neutralise control characters.
def inert(text: str) -> str:
    """Make spec-provided text safe to print on one terminal line."""
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


_SHOWN_OPERATIONS = 3


def _operations(finding: Finding) -> str:
    """The operations a finding affects, the first few by name (a shared schema can reach
    hundreds: one line of 17,000 characters helped nobody)."""
    names = [str(op) for op in finding.operations]
    if not names:
        return "(whole document)"
    more = len(names) - _SHOWN_OPERATIONS
    return ", ".join(names[:_SHOWN_OPERATIONS]) + (f" (+{more} more)" if more > 0 else "")


_MAX_PROSE = 240


def _capped(text: str) -> str:
    """Validator explanations quote whole enums (600 values on Stripe): keep lines readable."""
    return text if len(text) <= _MAX_PROSE else text[: _MAX_PROSE - 1] + "…"


def accept_command(fingerprint: str) -> str:
    """The command that acknowledges an intended break (after review)."""
    return f'specguard ack {fingerprint} --reason "why this break is intended" --approved-by NAME'


def render(report: DiffReport, options: RenderOptions) -> str:
    shown = [f for f in report.findings if f.level.rank >= options.min_level.rank]
    groups: dict[str, list[Finding]] = {}
    for finding in shown:
        title = _operations(finding)
        if finding.service:
            title = f"[{finding.service}] {title}"
        groups.setdefault(title, []).append(finding)
    lines: list[str] = []
    for title, findings in groups.items():
        lines.append(inert(title))
        for f in findings:
            ack = " (acknowledged)" if f.acknowledged is not None else ""
            lines.append(f"  {_label(f.level, options.color)} {f.rule_id}{ack}: {inert(f.message)}")
            where = f.new or f.old
            pointer = where.pointer if where is not None else ""
            lines.append(f"    at {inert(pointer)} ({inert(_where(f))})")
            if f.witness is not None:
                instance = witness_text(f.witness.instance, 120)
                explained = _capped(f.witness.explanation)
                lines.append(f"    witness: {inert(instance)} ({inert(explained)})")
            if f.note:
                lines.append(f"    note: {inert(_capped(f.note))}")
            if f.consumers:
                lines.append(f"    consumers: {inert(', '.join(f.consumers))}")
            if f.level is Level.BREAKING and f.acknowledged is None and f.fingerprint:
                lines.append(f"    accept: {accept_command(f.fingerprint)}")
        lines.append("")
    counts = ", ".join(f"{report.count(level)} {level.value}" for level in Level)
    lines.append(f"{len(report.findings)} change(s): {counts}")
    hidden = len(report.findings) - len(shown)
    if hidden:
        lines.append(f"({hidden} below {options.min_level.value} not listed: --level safe "
                     "lists them)")
    return "\n".join(lines) + "\n"
