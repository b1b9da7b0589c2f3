"""Report stage: render a :class:`~specguard.model.DiffReport` in one of several formats.

One module per format, one interface: ``render(report, options) -> str``. The JSON shape is
a versioned contract (``schemaVersion``), independent of the internal model.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from specguard.model import DiffReport, Level


class OutputFormat(str, enum.Enum):
    """Every output format of every specguard command, the one vocabulary: which command
    writes which is the report registry of the CLI (``specguard.cli._formats``)."""

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


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """What a format is: the module that renders it and whether a person reads it top to
    bottom (then breaking and warning findings are listed and safe ones counted by default)."""

    module: str
    read_by_people: bool


# The diff/check formats: their modules and defaults (the CLI's report registry offers
# them as the diff kind's --format choices).
FORMATS: Mapping[OutputFormat, FormatInfo] = MappingProxyType({
    OutputFormat.TEXT: FormatInfo("specguard.report._text", read_by_people=True),
    OutputFormat.JSON: FormatInfo("specguard.report._json", read_by_people=False),
    OutputFormat.MARKDOWN: FormatInfo("specguard.report._markdown", read_by_people=True),
    OutputFormat.HTML: FormatInfo("specguard.report._html", read_by_people=False),
    OutputFormat.SARIF: FormatInfo("specguard.report._sarif", read_by_people=False),
    OutputFormat.JUNIT: FormatInfo("specguard.report._junit", read_by_people=False),
    OutputFormat.GITHUB: FormatInfo("specguard.report._github", read_by_people=True),
})


def default_level(fmt: OutputFormat) -> Level:
    """The lowest level ``fmt`` lists unless ``--level`` says otherwise."""
    return Level.WARNING if FORMATS[fmt].read_by_people else Level.SAFE


def available_formats() -> tuple[OutputFormat, ...]:
    """Formats whose module is present (all of them once the report issue is done)."""
    found = []
    for fmt, info in FORMATS.items():
        try:
            importlib.import_module(info.module)
        except ModuleNotFoundError:
            continue
        found.append(fmt)
    return tuple(found)


def render(report: DiffReport, fmt: OutputFormat, options: RenderOptions) -> str:
    """Render ``report`` as ``fmt``; findings below ``options.min_level`` are left out."""
    module = importlib.import_module(FORMATS[fmt].module)
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
    "FORMATS",
    "WORKTREE_REVISION",
    "FormatInfo",
    "Formatter",
    "OutputFormat",
    "RenderOptions",
    "available_formats",
    "default_level",
    "gate_failed",
    "render",
    "render_changelog",
]
