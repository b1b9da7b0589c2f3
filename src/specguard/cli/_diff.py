"""``specguard diff`` and ``specguard rules``."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import click

from specguard.api import diff_specs
from specguard.cli import silence_stdout
from specguard.cli._formats import ResultKind, format_choice, render
from specguard.cli._reporting import annotations_option, append_step_summary, per_group_option
from specguard.errors import OutputError
from specguard.gate._sources import with_sources  # not the whole gate: 70 ms of imports
from specguard.load import loaded_pair, validate_specs
from specguard.model import Level, LifecyclePolicy
from specguard.report import OutputFormat, RenderOptions, default_level, gate_failed
from specguard.rules import CATALOGUE, Rule

FAIL_ON = ("breaking", "warning", "never")


def fail_level(value: str) -> Level | None:
    return None if value == "never" else Level(value)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


class Progress:
    """What a large diff is doing, on one stderr line, only on a terminal (seconds pass on a
    12 MB spec; a pipe or a CI log gets nothing)."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._started = time.monotonic()

    def stage(self, name: str) -> None:
        if self._enabled:
            elapsed = time.monotonic() - self._started
            click.echo(f"\rspecguard: {name}… ({elapsed:.1f} s)\x1b[K", nl=False, err=True)

    def done(self) -> None:
        if self._enabled:
            click.echo("\r\x1b[K", nl=False, err=True)


def shown_level(given: str | None, fmt: OutputFormat) -> Level:
    """``--level`` as given, else the format's default (formats a person reads top to bottom
    count safe changes instead of listing them)."""
    if given is not None:
        return Level(given)
    return default_level(fmt)


def write_output(text: str, output: Path | None) -> None:
    """Reports go to stdout or --output; never mixed with progress or errors (stderr).

    Missing folders of ``--output`` are created. A reader that closes stdout early (``| head``)
    ends the report quietly: the command still exits with its verdict. Anything else that
    stops the report is an :class:`OutputError` (one line).
    """
    if output is None:
        try:
            # colour is decided by --color; click would strip it from anything but a terminal
            click.echo(text, nl=False, color=True)
            sys.stdout.flush()
        except BrokenPipeError:
            silence_stdout()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write the report: {exc.strerror or exc}",
                          file=str(output)) from exc



def use_color(output: Path | None, choice: str = "auto") -> bool:
    """Colour for a report on stdout: ``--color always|never``, else (auto) a terminal unless
    ``NO_COLOR`` is set, or anywhere when ``FORCE_COLOR`` is (CI logs render ANSI colours)."""
    if output is not None or choice == "never":
        return False
    if choice == "always":
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the text report (auto: on a terminal; NO_COLOR and FORCE_COLOR are honoured).",
)


@click.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=format_choice(ResultKind.DIFF),
              default="text", show_default=True, help="Report format.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="breaking", show_default=True,
              help="Exit 1 when a finding at or above this level exists.")
@click.option("--level", "min_level", type=click.Choice([lv.value for lv in Level]),
              default=None, help="Lowest level to show (default: warning in text, Markdown "
              "and GitHub annotations, where safe changes are only counted; safe elsewhere).")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Folder $refs may not leave (default: each spec's folder).")
@click.option("--allow-remote-refs", is_flag=True, help="Fetch http(s) $refs.")
@click.option("--no-validate", is_flag=True, help="Skip OpenAPI validation of both specs.")
@click.option("--no-semantic", is_flag=True, help="Keyword rules only, no semantic judge.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date for sunset policies (default: today).")
@click.option("--deprecation-days-beta", type=click.IntRange(min=0),
              default=LifecyclePolicy().deprecation_days_beta, show_default=True,
              help="Minimum days between deprecating a beta operation (or its parameter) and "
              "its x-sunset date (0: not enforced).")
@click.option("--deprecation-days-stable", type=click.IntRange(min=0),
              default=LifecyclePolicy().deprecation_days_stable, show_default=True,
              help="The same for stable operations (and those without x-stability-level).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the report to a file instead of stdout.")
@click.option("--jobs", "-j", type=click.IntRange(1, 2), default=None,
              help="Processes: 2 loads the old document and validates both in a helper "
              "process while this one loads the new one and compares; 1 does all here "
              "(default on Linux: 2 for documents over 512 KB when two CPUs are free).")
@color_option
@per_group_option
@annotations_option
def diff(
    old: str, new: str, fmt: str, fail_on: str, min_level: str | None, root: str | None,
    allow_remote_refs: bool, no_validate: bool, no_semantic: bool, today: dt.datetime | None,
    deprecation_days_beta: int, deprecation_days_stable: int, output: Path | None,
    jobs: int | None, color: str, per_group: int, annotations: int,
) -> None:
    """Compare OLD and NEW contracts (paths, '-' for stdin, or REV:path) and judge every change.

    Exit codes: 0 nothing at or above --fail-on, 1 gate failed, 2 bad input.
    """
    if old == "-" and new == "-":
        raise click.UsageError("only one of OLD and NEW can be read from stdin")
    progress = Progress(stderr_is_terminal())
    progress.stage("loading")
    with loaded_pair(old, new, root=root, allow_remote_refs=allow_remote_refs, jobs=jobs,
                     validate=not no_validate) as (old_spec, new_spec, validation):
        if not no_validate:
            # event contracts are validated here; an invalid OpenAPI document is a finding
            validate_specs([spec for spec in (old_spec, new_spec) if spec.is_asyncapi])
        progress.stage("validating, comparing and judging")
        lifecycle = LifecyclePolicy(deprecation_days_beta, deprecation_days_stable)
        report = diff_specs(old_spec, new_spec, today=today.date() if today else None,
                            semantic=not no_semantic, lifecycle=lifecycle,
                            validate=not no_validate, validation=validation)
    progress.done()
    # Source text and removal anchors for snippets (HTML), SARIF and GitHub locations.
    report = with_sources(report, old_spec, new_spec)
    threshold = fail_level(fail_on)
    render_options = RenderOptions(
        color=use_color(output, color), fail_on=threshold,
        min_level=shown_level(min_level, OutputFormat(fmt)), per_group=per_group,
        annotations=annotations)
    write_output(render(ResultKind.DIFF, report, OutputFormat(fmt), render_options), output)
    append_step_summary(report, OutputFormat(fmt), render_options)
    sys.exit(1 if gate_failed(report, threshold) else 0)


@click.command()
@click.option("--format", "fmt", type=format_choice(ResultKind.RULES), default="text",
              show_default=True)
def rules(fmt: str) -> None:
    """List the rule catalogue: id, level, direction, message and rationale."""
    entries = sorted(CATALOGUE.values(), key=lambda r: r.id)
    click.echo(render(ResultKind.RULES, entries, OutputFormat(fmt)), nl=False)


def rules_json(entries: list[Rule]) -> str:
    """The catalogue as a JSON list: id, level, direction, message and rationale."""
    return json.dumps([
        {"id": r.id, "level": r.level.value, "direction": r.direction.value,
         "message": r.message, "rationale": r.rationale} for r in entries
    ], indent=2) + "\n"


def rules_text(entries: list[Rule]) -> str:
    """The catalogue as aligned columns: id, level, direction, rationale."""
    width = max(len(r.id) for r in entries)
    return "".join(
        f"{r.id:<{width}}  {r.level.value:<8}  {r.direction.value:<8}  {r.rationale}\n"
        for r in entries
    )


COMMANDS: list[click.Command] = [diff, rules]
