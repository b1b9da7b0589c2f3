"""Golden files: every scenario rendered in every format, compared byte for byte.

Refresh after an intended change of a format, a message or a scenario with::

    SPECGUARD_UPDATE_GOLDEN=1 python -m pytest tests/report

then review the diff of ``tests/golden/`` like any other change. The tool version in SARIF
is scrubbed; everything else (names, revisions, dates) is fixed by the scenarios.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from specguard.model import DiffReport
from specguard.report import OutputFormat, RenderOptions, render, render_changelog
from tests.report.scenarios import SCENARIOS

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
UPDATE = os.environ.get("SPECGUARD_UPDATE_GOLDEN") == "1"
EXTENSIONS = {
    OutputFormat.TEXT: "txt",
    OutputFormat.JSON: "json",
    OutputFormat.MARKDOWN: "md",
    OutputFormat.HTML: "html",
    OutputFormat.SARIF: "sarif",
    OutputFormat.JUNIT: "junit.xml",
    OutputFormat.GITHUB: "github.txt",
}
OPTIONS = RenderOptions(link_base="https://github.com/example/shop/blob")
# Written by tests/report/test_corpus_reports.py (when ../shared/corpus is present).
CORPUS_GOLDEN = (
    "github-rest-22-23.txt",
    "github-rest-22-23.md",
    "github-rest-22-23.level-safe.md",
    "github-rest-22-23.github.txt",
)
_TOOL_VERSION = re.compile(r'("name": "specguard",\n\s*"version": )"[^"]*"')


def scrub(text: str) -> str:
    """Replace what legitimately varies between runs (the tool's own version)."""
    return _TOOL_VERSION.sub(r'\1"<version>"', text)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(
            f"{path} is missing; create it with SPECGUARD_UPDATE_GOLDEN=1 pytest "
            "tests/report and review it"
        )
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from the golden file; if intended, refresh with "
        "SPECGUARD_UPDATE_GOLDEN=1 pytest tests/report"
    )


@pytest.mark.parametrize("fmt", list(OutputFormat), ids=lambda f: f.value)
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_format_matches_golden_file(
    reports: dict[str, DiffReport], scenario: str, fmt: OutputFormat
) -> None:
    """The rendering of each scenario in each format is exactly the reviewed golden file."""
    check_golden(f"{scenario}.{EXTENSIONS[fmt]}", scrub(render(reports[scenario], fmt, OPTIONS)))


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_changelog_matches_golden_file(reports: dict[str, DiffReport], scenario: str) -> None:
    """The Markdown release notes of each scenario are exactly the reviewed golden file."""
    check_golden(
        f"{scenario}.changelog.md", render_changelog(reports[scenario], RenderOptions(fail_on=None))
    )


def test_golden_folder_has_no_stale_files() -> None:
    """Every golden file belongs to a scenario and format still tested."""
    expected = {f"{s}.{ext}" for s in SCENARIOS for ext in EXTENSIONS.values()}
    expected |= {f"{s}.changelog.md" for s in SCENARIOS}
    expected |= set(CORPUS_GOLDEN)
    assert {p.name for p in GOLDEN.iterdir()} - {"README.md"} == expected
