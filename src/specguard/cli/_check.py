"""``specguard check`` (the CI gate), ``specguard ack`` and ``specguard changelog``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from pathlib import Path

import click

from specguard.api import diff_specs
from specguard.cli._diff import (
    FAIL_ON,
    color_option,
    fail_level,
    shown_level,
    use_color,
    write_output,
)
from specguard.cli._formats import ResultKind, formats_for, render
from specguard.cli._reporting import (
    accept_all_hint,
    acceptable,
    annotations_option,
    append_step_summary,
    link_revisions,
    per_group_option,
)
from specguard.errors import ConfigError, OutputError
from specguard.gate import (
    WORKTREE,
    Ack,
    CheckOptions,
    GateConfig,
    append_ack,
    base_policy,
    known_rules,
    load_config,
    repository_root,
    run_check,
    with_sources,
)
from specguard.load import load_spec
from specguard.model import DiffReport, Level
from specguard.report import (
    OutputFormat,
    RenderOptions,
    gate_failed,
    render_changelog,
)

ACK_DAYS = 90
_CHOICES = {f.value: f for f in formats_for(ResultKind.DIFF)}
_FORMATS = ", ".join(_CHOICES)


def parse_formats(
    values: tuple[str, ...], output: Path | None
) -> list[tuple[OutputFormat, Path | None]]:
    """``FORMAT`` or ``FORMAT=FILE``; at most one format goes to stdout (or ``--output``)."""
    targets: list[tuple[OutputFormat, Path | None]] = []
    to_stdout = 0
    for value in values or ("text",):
        name, sep, file = value.partition("=")
        fmt = _CHOICES.get(name.strip())
        if fmt is None:
            raise click.BadParameter(
                f"unknown format {name!r} (choose from {_FORMATS})", param_hint="--format"
            )
        if sep and not file:
            raise click.BadParameter(f"{value!r}: missing file after '='", param_hint="--format")
        if not sep:
            to_stdout += 1
        targets.append((fmt, Path(file) if sep else output))
    if to_stdout > 1:
        raise click.BadParameter(
            "only one format can go to stdout; write the others with FORMAT=FILE",
            param_hint="--format",
        )
    return targets


def _config(repo: Path, config: Path | None) -> GateConfig:
    return load_config(repo, known_rules(), config)


def _summary(report: DiffReport, seconds: float, failed: bool, fail_on: Level | None) -> str:
    counts = ", ".join(f"{report.count(level)} {level.value}" for level in Level)
    acked = sum(1 for f in report.findings if f.acknowledged is not None)
    verdict = "gate failed" if failed else ("gate passed" if fail_on else "report only")
    return (
        f"specguard: {len(report.services)} service(s) compared with {report.old_source} "
        f"in {seconds:.2f} s: {counts}, {acked} acknowledged; {verdict}"
    )


# Options shared by several commands.
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Config file (default: specguard.yaml or pyproject.toml).",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: one per CPU).",
)


@click.command()
@click.option("--base", required=True, help="Git revision to compare with (e.g. origin/main).")
@click.option(
    "--head",
    default=WORKTREE,
    show_default=True,
    help="Git revision to check, or 'worktree' for the working tree.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help=f"Report format ({_FORMATS}); repeat with =FILE to write several. Default: text.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File for the format given without =FILE (default: stdout).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 1 on an unacknowledged finding at or above this level "
    "(default: config, else breaking).",
)
@click.option(
    "--level",
    "min_level",
    type=click.Choice([lv.value for lv in Level]),
    default=None,
    help="Lowest level to show (default: warning in text, Markdown and GitHub annotations, "
    "where safe changes are only counted; safe elsewhere).",
)
@config_option
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date for sunset and ack expiry (default: today).",
)
@jobs_option
@click.option(
    "--link-base",
    default=None,
    metavar="URL",
    help="Link file:line in Markdown/HTML as URL/COMMIT/PATH#LLINE "
    "(e.g. https://github.com/org/repo/blob): old lines at the base commit, new ones at the "
    "head commit (or the work tree's HEAD).",
)
@per_group_option
@annotations_option
@click.option("--no-semantic", is_flag=True, help="Keyword rules only, no semantic judge.")
@click.option("--no-validate", is_flag=True, help="Skip OpenAPI validation.")
@color_option
@click.option(
    "--policy",
    type=click.Choice(["base", "head"]),
    default="base",
    show_default=True,
    help="Whose configuration sets the policy (fail-on, levels, exclusions, acks file): the "
    "base revision's, or the pull request's own. --config FILE is used as given.",
)
def check(
    base: str,
    head: str,
    formats: tuple[str, ...],
    output: Path | None,
    fail_on: str | None,
    min_level: str | None,
    config_file: Path | None,
    today: dt.datetime | None,
    jobs: int | None,
    link_base: str | None,
    per_group: int,
    annotations: int,
    no_semantic: bool,
    no_validate: bool,
    policy: str,
    color: str,
) -> None:
    """Gate every service of the repository against BASE; reports to stdout or files.

    Exit codes: 0 passed, 1 an unacknowledged finding at or above --fail-on (or an expired
    acknowledgement), 2 bad input.
    """
    targets = parse_formats(formats, output)
    started = time.monotonic()
    repo = repository_root(Path.cwd())
    config = _config(repo, config_file)
    weakening = None
    if config_file is None and policy == "base":
        config, weakening = base_policy(repo, base, config)
    options = CheckOptions(
        base=base,
        head=None if head == WORKTREE else head,
        today=today.date() if today else None,
        semantic=not no_semantic,
        validate=not no_validate,
        jobs=jobs,
    )
    report = run_check(repo, config, options)
    if weakening is not None:
        report = dataclasses.replace(report, findings=(weakening, *report.findings))
    threshold = fail_level(fail_on) if fail_on is not None else config.fail_on
    failed = gate_failed(report, threshold)
    unwritten = False
    revisions = link_revisions(repo, base, options.head) if link_base else ()
    for fmt, target in targets:
        colored = fmt is OutputFormat.TEXT and use_color(target, color)
        render_options = RenderOptions(
            color=colored, fail_on=threshold, min_level=shown_level(min_level, fmt),
            link_base=link_base, per_group=per_group, annotations=annotations,
            revisions=revisions,
        )
        try:
            write_output(render(ResultKind.DIFF, report, fmt, render_options), target)
            append_step_summary(report, fmt, render_options)
        except OutputError as exc:
            # one report that cannot be written must not hide the gate's verdict
            click.echo(f"specguard: error: {exc.one_line()}", err=True)
            unwritten = True
    click.echo(_summary(report, time.monotonic() - started, failed, threshold), err=True)
    hint = accept_all_hint(report, threshold, base) if failed else None
    if hint:
        click.echo(hint, err=True)
    sys.exit(1 if failed else 2 if unwritten else 0)


@click.command()
@click.argument("fingerprint", required=False)
@click.option("--reason", required=True, help="Why the break is intended.")
@click.option("--approved-by", required=True, help="Who approved it.")
@click.option(
    "--expires",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help=f"Last day the acknowledgement holds (default: {ACK_DAYS} days from today).",
)
@click.option(
    "--file",
    "ack_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Acknowledgement file (default: from config).",
)
@config_option
@click.option(
    "--all-current",
    is_flag=True,
    help="Instead of FINGERPRINT: acknowledge every unacknowledged finding of a service that "
    "fails the gate against --base now (after review; the gate's own findings are left out).",
)
@click.option("--base", default=None, help="With --all-current: the revision check compares with.")
@jobs_option
def ack(
    fingerprint: str | None,
    reason: str,
    approved_by: str,
    expires: dt.datetime | None,
    ack_file: Path | None,
    config_file: Path | None,
    all_current: bool,
    base: str | None,
    jobs: int | None,
) -> None:
    """Acknowledge the finding FINGERPRINT (from any report) as an intended break; or, with
    --all-current --base REV, every break `specguard check --base REV` fails on now."""
    if all_current == (fingerprint is not None):
        raise click.UsageError("give a FINGERPRINT or --all-current, not both")
    if all_current and base is None:
        raise click.UsageError("--all-current needs --base (the revision check compares with)")
    until = expires.date() if expires else dt.date.today() + dt.timedelta(days=ACK_DAYS)
    if not reason.strip() or not approved_by.strip():
        raise ConfigError("--reason and --approved-by must not be empty")
    if until < dt.date.today():
        # an acknowledgement that has already expired would fail the gate as ack-expired
        raise ConfigError(f"--expires {until.isoformat()} is in the past",
                          hint="give a date from today on")
    repo = repository_root(Path.cwd()) if ack_file is None or all_current else None
    if ack_file is None:
        assert repo is not None
        name = _config(repo, config_file).acks
        ack_file = repo / name
        if not ack_file.resolve().is_relative_to(repo.resolve()):
            # a symlink committed in the pull request must not redirect the write
            raise ConfigError(f"the acknowledgement file {name!r} leads outside the repository")
    if fingerprint is not None:
        wanted = [fingerprint.strip()]
    else:
        assert repo is not None and base is not None
        config = _config(repo, config_file)
        report = run_check(repo, config, CheckOptions(base=base, jobs=jobs))
        wanted = acceptable(report, config.fail_on)
        if not wanted:
            click.echo("specguard: no unacknowledged break to accept", err=True)
            return
    for item in wanted:
        append_ack(ack_file, str(ack_file), Ack(item, reason.strip(), approved_by.strip(), until))
    shown = wanted[0] if len(wanted) == 1 else f"{len(wanted)} findings"
    click.echo(
        f"specguard: acknowledged {shown} until {until.isoformat()} in {ack_file}", err=True
    )


@click.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--base", default=None, help="Git revision: release notes for the whole repository.")
@click.option(
    "--head",
    default=WORKTREE,
    show_default=True,
    help="With --base: revision to describe, or 'worktree'.",
)
@config_option
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Date for sunset policies (default: today).",
)
@jobs_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the notes to a file instead of stdout.",
)
def changelog(
    old: str | None,
    new: str | None,
    base: str | None,
    head: str,
    config_file: Path | None,
    today: dt.datetime | None,
    jobs: int | None,
    output: Path | None,
) -> None:
    """Release notes in Markdown: OLD NEW (two contracts) or --base REV (every service)."""
    day = today.date() if today else None
    if base is not None:
        if old is not None or new is not None:
            raise click.UsageError("give either OLD NEW or --base, not both")
        repo = repository_root(Path.cwd())
        report = run_check(
            repo,
            _config(repo, config_file),
            CheckOptions(
                base=base,
                head=None if head == WORKTREE else head,
                today=day,
                jobs=jobs,
                acks=False,
            ),
        )
    elif old is not None and new is not None:
        old_spec, new_spec = load_spec(old), load_spec(new)
        report = with_sources(diff_specs(old_spec, new_spec, today=day), old_spec, new_spec)
    else:
        raise click.UsageError("give OLD and NEW contracts, or --base REV")
    write_output(render_changelog(report, RenderOptions(fail_on=None)), output)


COMMANDS: list[click.Command] = [check, ack, changelog]
