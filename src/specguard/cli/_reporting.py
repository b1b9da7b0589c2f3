"""What ``diff`` and ``check`` share about reports beyond the format: the report flags, the
GitHub job summary, the commits ``--link-base`` links to, and how to accept current breaks.

The report stage runs no git and touches no file: revisions are resolved here and handed to
it as values; the job summary is written here.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import click

from specguard.cli._formats import ResultKind, render
from specguard.errors import OutputError, SpecguardError
from specguard.model import DiffReport, Level
from specguard.report import (
    WORKTREE_REVISION,
    OutputFormat,
    RenderOptions,
)

per_group_option = click.option(
    "--per-group",
    type=click.IntRange(min=0),
    default=RenderOptions().per_group,
    show_default=True,
    help="Findings listed per group (rule x service) in the text report; 0 lists all.",
)
annotations_option = click.option(
    "--annotations",
    type=click.IntRange(min=1),
    default=RenderOptions().annotations,
    show_default=True,
    help="github format: at most N annotations of each kind (GitHub shows 10 per step); "
    "past N findings, one annotation per group.",
)


def append_step_summary(report: DiffReport, fmt: OutputFormat, options: RenderOptions) -> None:
    """With ``--format github`` inside GitHub Actions, the job summary gets the Markdown report
    (the annotations show only the first few findings)."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt is not OutputFormat.GITHUB or not summary:
        return
    try:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(render(ResultKind.DIFF, report, OutputFormat.MARKDOWN, options) + "\n")
    except OSError as exc:
        raise OutputError(
            f"cannot append to the job summary: {exc.strerror or exc}", file=summary
        ) from exc


def link_revisions(repo: Path, base: str, head: str | None) -> tuple[tuple[str, str], ...]:
    """The commit ids ``--link-base`` links to: ``base`` for old lines, ``head`` (or the work
    tree's HEAD) for new ones. A revision git cannot resolve is linked as given."""
    from specguard.gate import resolve_revision

    revisions: list[tuple[str, str]] = []
    for name, rev in ((base, base), (head or WORKTREE_REVISION, head or "HEAD")):
        try:
            revisions.append((name, resolve_revision(repo, rev)))
        except SpecguardError:
            continue
    return tuple(revisions)


def accept_all_hint(report: DiffReport, fail_on: Level | None, base: str) -> str | None:
    """One line: how to acknowledge every current unacknowledged break at once, after review."""
    breaks = acceptable(report, fail_on)
    if not breaks:
        return None
    return (
        f"specguard: to accept all {len(breaks)} current break(s) after review: specguard ack "
        f'--all-current --base {shlex.quote(base)} --reason "why" --approved-by NAME'
    )


def acceptable(report: DiffReport, fail_on: Level | None) -> list[str]:
    """Fingerprints of the unacknowledged findings of services that fail the gate (findings of
    the gate itself, such as a weakened policy or an expired acknowledgement, are left to a
    decision of their own)."""
    if fail_on is None:
        return []
    return [
        f.fingerprint
        for f in report.findings
        if f.acknowledged is None
        and f.level.rank >= fail_on.rank
        and f.service is not None
        and f.fingerprint
    ]
