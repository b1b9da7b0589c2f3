"""CLI commands of the lint stage: ``specguard lint``."""

from __future__ import annotations

import enum
import json
import sys
from typing import Any, NoReturn

import click

from specguard._inert import one_line
from specguard.lint import LintReport, lint_repository


class OutputFormat(str, enum.Enum):
    """How ``specguard lint`` prints its findings."""

    TEXT = "text"
    JSON = "json"


def _assert_never(value: NoReturn) -> NoReturn:
    """Exhaustiveness check (``typing.assert_never`` is 3.11+)."""
    raise AssertionError(f"unhandled value: {value!r}")


def render(report: LintReport, output_format: OutputFormat) -> str:
    """The report as text (one ``file:line: rule: message`` per finding) or versioned JSON."""
    if output_format is OutputFormat.TEXT:
        lines = []
        for finding in report.findings:
            where = finding.location.file
            if finding.location.line is not None:
                where += f":{finding.location.line}"
            # Names come from the contracts: a finding stays one inert line.
            lines.append(one_line(" ".join(f"{where}: {finding.rule_id}: {finding.message}"
                                           .split())))
        return "".join(line + "\n" for line in lines)
    if output_format is OutputFormat.JSON:
        document: dict[str, Any] = {
            "schemaVersion": 1,
            "inventory": report.inventory,
            "services": list(report.services),
            "findings": [
                {
                    "id": finding.rule_id,
                    "service": finding.service,
                    "message": finding.message,
                    "file": finding.location.file,
                    "line": finding.location.line,
                    "pointer": finding.location.pointer,
                }
                for finding in report.findings
            ],
        }
        return json.dumps(document, indent=2) + "\n"
    _assert_never(output_format)


@click.command("lint")
@click.option(
    "--inventory",
    default="specs/service-inventory.json",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The service inventory to check against.",
)
@click.option(
    "--root",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder the inventory's 'spec' paths are relative to; contracts may not leave it.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in OutputFormat]),
    default=OutputFormat.TEXT.value,
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report here instead of stdout.",
)
def lint(inventory: str, root: str, output_format: str, output: str | None) -> None:
    """Check the contracts against the boundary rules of the service inventory.

    Exit code 0 when clean, 1 when there are findings, 2 when the inventory is unusable.
    """
    report = lint_repository(inventory, root)
    text = render(report, OutputFormat(output_format))
    if output is None:
        click.echo(text, nl=False)
    else:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    count = len(report.findings)
    click.echo(
        f"specguard lint: {count} finding{'s' if count != 1 else ''} "
        f"in {len(report.services)} services",
        err=True,
    )
    sys.exit(0 if report.ok else 1)


COMMANDS: list[click.Command] = [lint]
