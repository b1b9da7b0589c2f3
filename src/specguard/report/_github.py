"""GitHub Actions workflow commands: one annotation per finding on the new contract's line.

``::error`` for findings that fail the gate, ``::warning`` for warnings and for breaking
findings that do not fail it (acknowledged, or a higher ``fail_on``), ``::notice`` for safe
changes. Values are escaped as the Actions toolkit does, so spec text cannot end the command
or start a new one.
"""

from __future__ import annotations

from specguard.model import DiffReport, Finding, Level
from specguard.report import RenderOptions
from specguard.report._shared import (
    clean,
    failing,
    operations_label,
    primary,
    repo_path,
    shown,
    verdict,
)


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


def _line(report: DiffReport, finding: Finding, options: RenderOptions) -> str:
    properties = []
    location = primary(finding)
    if location is not None:
        path, _ = repo_path(report, location)
        properties.append(f"file={escape_property(clean(path))}")
        if location.line:
            properties.append(f"line={location.line}")
    service = f" ({finding.service})" if finding.service else ""
    properties.append(f"title={escape_property(clean(f'{finding.rule_id}{service}'))}")
    message = f"{finding.level.value}: {finding.message} [{operations_label(finding)}]"
    if finding.consumers:
        message += f"; consumers affected: {', '.join(finding.consumers)}"
    if finding.acknowledged is not None:
        message += f"; acknowledged: {finding.acknowledged}"
    if finding.note:
        message += f"; note: {finding.note}"
    if finding.fingerprint:
        message += f"; fingerprint {finding.fingerprint}"
    return f"::{_command(finding, options)} {','.join(properties)}::{escape_data(clean(message))}"


def render(report: DiffReport, options: RenderOptions) -> str:
    lines = [_line(report, f, options) for f in shown(report, options)]
    _, sentence = verdict(report, options)
    lines.append(f"specguard: {sentence}")
    return "\n".join(lines) + "\n"
