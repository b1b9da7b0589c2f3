"""The one report registry: which result kind each command has, which formats each kind is
written in, and the renderer of every (kind, format).

Every command's ``--format`` choices come from here, and every report a command writes is
rendered by :func:`render`. The formats are one closed vocabulary,
:class:`specguard.report.OutputFormat`; a kind supports exactly the formats it has a row for,
listed in the order ``--help`` shows them. The registry lives in the CLI because only the CLI
may import every stage; renderers are named, not imported, so ``specguard diff`` never loads
the fuzz stage.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import click

from specguard.report import FORMATS, OutputFormat, RenderOptions


class ResultKind(str, enum.Enum):
    """What a command's report is about."""

    DIFF = "diff"  # a DiffReport: `specguard diff` and `specguard check`
    RULES = "rules"  # the rule catalogue: `specguard rules`
    FUZZ = "fuzz"
    VERIFY = "verify"
    TRAFFIC = "traffic"
    LINT = "lint"
    EVENTS = "events"


@dataclass(frozen=True, slots=True)
class Renderer:
    """``module.function`` renders one kind in one format; ``options``: it takes the
    :class:`~specguard.report.RenderOptions` as second argument (the diff formats do)."""

    module: str
    function: str
    options: bool = False


def _rows(kind: ResultKind, module: str, functions: Mapping[OutputFormat, str]) -> dict[
    tuple[ResultKind, OutputFormat], Renderer
]:
    return {(kind, fmt): Renderer(module, function) for fmt, function in functions.items()}


_F = OutputFormat
_FUZZ = "specguard.fuzz.report"

# (result kind, format) -> renderer; a kind's formats are its rows, in --help order. The diff
# formats are report.FORMATS (one module each, with the one ``render(report, options)``).
RENDERERS: Mapping[tuple[ResultKind, OutputFormat], Renderer] = MappingProxyType({
    **{(ResultKind.DIFF, fmt): Renderer(info.module, "render", options=True)
       for fmt, info in FORMATS.items()},
    **_rows(ResultKind.RULES, "specguard.cli._diff", {
        _F.TEXT: "rules_text", _F.JSON: "rules_json"}),
    **_rows(ResultKind.FUZZ, _FUZZ, {
        _F.TEXT: "fuzz_text", _F.JSON: "fuzz_json", _F.MARKDOWN: "fuzz_markdown",
        _F.JUNIT: "fuzz_junit"}),
    **_rows(ResultKind.VERIFY, _FUZZ, {
        _F.TEXT: "verify_text", _F.JSON: "verify_json", _F.MARKDOWN: "verify_markdown",
        _F.JUNIT: "verify_junit"}),
    **_rows(ResultKind.TRAFFIC, _FUZZ, {
        _F.TEXT: "traffic_text", _F.JSON: "traffic_json", _F.MARKDOWN: "traffic_markdown",
        _F.JUNIT: "traffic_junit"}),
    **_rows(ResultKind.LINT, "specguard.cli._lint", {
        _F.TEXT: "lint_text", _F.JSON: "lint_json", _F.GITHUB: "lint_github",
        _F.SARIF: "lint_sarif"}),
    **_rows(ResultKind.EVENTS, "specguard.events._render", {
        _F.TEXT: "events_text", _F.JSON: "events_json"}),
})

# The command -> the kind of its report; `tests/test_formats_registry.py` checks that every
# command with a --format option is here and offers exactly its kind's formats.
COMMAND_KINDS: Mapping[str, ResultKind] = MappingProxyType({
    "diff": ResultKind.DIFF,
    "check": ResultKind.DIFF,
    "rules": ResultKind.RULES,
    "fuzz": ResultKind.FUZZ,
    "verify": ResultKind.VERIFY,
    "traffic": ResultKind.TRAFFIC,
    "lint": ResultKind.LINT,
    "events": ResultKind.EVENTS,
})


def formats_for(kind: ResultKind) -> tuple[OutputFormat, ...]:
    """The formats ``kind`` is written in, in registry order."""
    return tuple(fmt for k, fmt in RENDERERS if k is kind)


def format_choice(kind: ResultKind) -> click.Choice[str]:
    """The ``--format`` choices of a command whose report is ``kind``."""
    return click.Choice([fmt.value for fmt in formats_for(kind)])


def render(
    kind: ResultKind, result: object, fmt: OutputFormat, options: RenderOptions | None = None
) -> str:
    """``result`` (a report of ``kind``) written as ``fmt``: the one entry every command's
    report goes through. ``options`` matter to the diff formats only."""
    try:
        renderer = RENDERERS[kind, fmt]
    except KeyError:
        raise ValueError(f"no {fmt.value} report of {kind.value} results") from None
    function: Callable[..., Any] = getattr(
        importlib.import_module(renderer.module), renderer.function
    )
    if renderer.options:
        text = function(result, RenderOptions() if options is None else options)
    else:
        text = function(result)
    assert isinstance(text, str)
    return text


__all__ = [
    "COMMAND_KINDS",
    "RENDERERS",
    "Renderer",
    "ResultKind",
    "format_choice",
    "formats_for",
    "render",
]
