"""Report stage: render a :class:`~specguard.model.DiffReport` in one of several formats.

One module per format, one interface: ``render(report, options) -> str``. The JSON shape is
a versioned contract (``schemaVersion``), independent of the internal model.
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass
from typing import Protocol

from specguard.model import DiffReport, Level


class OutputFormat(str, enum.Enum):
    """Every report format specguard writes."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"
    SARIF = "sarif"
    JUNIT = "junit"
    GITHUB = "github"


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render: colour (terminals only), the gate threshold, the lowest level shown.

    ``link_base`` (e.g. ``https://github.com/org/repo/blob``) turns file:line references in
    Markdown and HTML into links ``{link_base}/{commit}/{path}#L{line}``; ``revisions`` maps a
    revision as the report names it (``origin/main``, or :data:`WORKTREE_REVISION` for files
    read from the working tree) to the commit id to link to, resolved by the caller (the
    report stage runs no git).

    ``per_group``: the text report lists the first N findings of each group (0: all).
    ``annotations``: the GitHub format writes at most N annotations of each kind.
    """

    color: bool = False
    fail_on: Level | None = Level.BREAKING
    min_level: Level = Level.SAFE
    link_base: str | None = None
    per_group: int = 3
    annotations: int = 10
    revisions: tuple[tuple[str, str], ...] = ()


# The key of ``RenderOptions.revisions`` for files read from the working tree.
WORKTREE_REVISION = "worktree"


class Formatter(Protocol):
    def __call__(self, report: DiffReport, options: RenderOptions) -> str: ...


_MODULES = {
    OutputFormat.TEXT: "specguard.report._text",
    OutputFormat.JSON: "specguard.report._json",
    OutputFormat.MARKDOWN: "specguard.report._markdown",
    OutputFormat.HTML: "specguard.report._html",
    OutputFormat.SARIF: "specguard.report._sarif",
    OutputFormat.JUNIT: "specguard.report._junit",
    OutputFormat.GITHUB: "specguard.report._github",
}


def available_formats() -> tuple[OutputFormat, ...]:
    """Formats whose module is present (all of them once the report issue is done)."""
    found = []
    for fmt, module in _MODULES.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        found.append(fmt)
    return tuple(found)


def render(report: DiffReport, fmt: OutputFormat, options: RenderOptions) -> str:
    """Render ``report`` as ``fmt``; findings below ``options.min_level`` are left out."""
    module = importlib.import_module(_MODULES[fmt])
    formatter: Formatter = module.render
    return formatter(report, options)


def render_changelog(report: DiffReport, options: RenderOptions) -> str:
    """Release notes in Markdown: every change grouped by service and operation."""
    module = importlib.import_module("specguard.report._changelog")
    formatter: Formatter = module.render
    return formatter(report, options)


def gate_failed(report: DiffReport, fail_on: Level | None) -> bool:
    """True when an unacknowledged finding is at or above ``fail_on``."""
    if fail_on is None:
        return False
    return any(
        f.level.rank >= fail_on.rank and f.acknowledged is None for f in report.findings
    )


__all__ = [
    "WORKTREE_REVISION",
    "Formatter",
    "OutputFormat",
    "RenderOptions",
    "available_formats",
    "gate_failed",
    "render",
    "render_changelog",
]
