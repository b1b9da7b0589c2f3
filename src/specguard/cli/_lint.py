"""CLI commands of the lint stage: ``specguard lint``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from specguard._inert import one_line
from specguard.cli._diff import write_output
from specguard.cli._formats import ResultKind, format_choice, render
from specguard.errors import SpecguardError
from specguard.lint import RULES, LintReport, lint_repository
from specguard.report import OutputFormat
from specguard.report._github import escape_data, escape_property

DEFAULT_INVENTORY = "specs/service-inventory.json"


def lint_text(report: LintReport) -> str:
    """The report as text: one ``file:line: rule: message`` per finding."""
    lines = []
    for finding in report.findings:
        where = finding.location.file
        if finding.location.line is not None:
            where += f":{finding.location.line}"
        # Names come from the contracts: a finding stays one inert line.
        lines.append(one_line(" ".join(f"{where}: {finding.rule_id}: {finding.message}"
                                       .split())))
    return "".join(line + "\n" for line in lines)


def lint_json(report: LintReport) -> str:
    """The report as versioned JSON (``schemaVersion`` 1)."""
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


def lint_github(report: LintReport) -> str:
    """One workflow annotation per finding, on the inventory or contract line it names."""
    out = []
    for finding in report.findings:
        props = [f"file={escape_property(finding.location.file)}"]
        if finding.location.line is not None:
            props.append(f"line={finding.location.line}")
        props.append(f"title={escape_property(finding.rule_id)}")
        message = escape_data(one_line(" ".join(finding.message.split())))
        out.append(f"::error {','.join(props)}::{message}\n")
    return "".join(out)


def lint_sarif(report: LintReport) -> str:
    """The report as SARIF 2.1.0 text."""
    return json.dumps(_sarif(report), indent=2) + "\n"


def _sarif(report: LintReport) -> dict[str, Any]:
    """SARIF 2.1.0 for code scanning: one result per finding, every lint rule described."""
    results = []
    for finding in report.findings:
        region = {"startLine": finding.location.line} if finding.location.line else None
        physical: dict[str, Any] = {"artifactLocation": {"uri": finding.location.file}}
        if region:
            physical["region"] = region
        results.append({
            "ruleId": finding.rule_id,
            "level": "error",
            "message": {"text": one_line(" ".join(finding.message.split()))},
            "locations": [{"physicalLocation": physical}],
        })
    rules = [
        {"id": rule.id, "shortDescription": {"text": rule.summary},
         "fullDescription": {"text": rule.rationale}}
        for rule in RULES
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "specguard lint", "rules": rules}},
                  "results": results}],
    }


@click.command("lint")
@click.option(
    "--inventory",
    default=None,
    type=click.Path(dir_okay=False),
    help="The service inventory to check against (default: 'inventory' of specguard.yaml or "
    "[tool.specguard], else specs/service-inventory.json).",
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
    type=format_choice(ResultKind.LINT),
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
def lint(inventory: str | None, root: str, output_format: str, output: str | None) -> None:
    """Check the contracts against the boundary rules of the service inventory.

    Exit code 0 when clean, 1 when there are findings, 2 when the inventory is unusable.
    """
    report = lint_repository(inventory or _configured_inventory(), root)
    text = render(ResultKind.LINT, report, OutputFormat(output_format))
    write_output(text, Path(output) if output is not None else None)
    count = len(report.findings)
    click.echo(
        f"specguard lint: {count} finding{'s' if count != 1 else ''} "
        f"in {len(report.services)} services",
        err=True,
    )
    sys.exit(0 if report.ok else 1)


def _configured_inventory() -> str:
    """The inventory the gate uses: the same config file (``check`` reads it too)."""
    from specguard.gate import known_rules, load_config, repository_root

    try:
        repo = repository_root(Path.cwd())
    except SpecguardError:
        return DEFAULT_INVENTORY  # not in a git repository: no repository config either
    config = load_config(repo, known_rules())
    return os.path.relpath(repo / config.inventory, Path.cwd())


COMMANDS: list[click.Command] = [lint]
