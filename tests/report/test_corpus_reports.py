"""Reports of a large real change: github-rest 22 -> 23 (../shared/corpus), in every format.

Text, Markdown (as the CLI renders them: safe changes counted; and with ``--level safe``, which
must collapse groups to fit) and GitHub annotations are golden files; HTML, JSON, SARIF and
JUnit (0.9-1.7 MB each) are checked by their properties instead. Skipped where the corpus is
absent. The semantic judge is off, as in the other golden scenarios: its evolving verdicts
have tests of their own. Refresh with ``SPECGUARD_UPDATE_GOLDEN=1 python -m pytest tests/report``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from specguard import diff_specs, load_spec
from specguard.gate import with_sources
from specguard.model import DiffReport, Level
from specguard.report import OutputFormat, RenderOptions, render
from specguard.report._text import MAX_LINE
from tests.corpus.support import CORPUS, TODAY, corpus_available, pair_entry
from tests.report.scenarios import inside
from tests.report.test_golden import CORPUS_GOLDEN, check_golden, scrub

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not corpus_available(), reason="../shared/corpus is not present"),
]

PAIR = "github-rest-22-23"
GITHUB_LIMIT = 65_536
MARKDOWN_LINE = 400
PEOPLE = RenderOptions(min_level=Level.WARNING)
EVERYTHING = RenderOptions()


@pytest.fixture(scope="module")
def report() -> DiffReport:
    """The pair diffed with file names relative to the corpus folder (stable everywhere)."""
    entry = pair_entry(PAIR)
    with inside(CORPUS):
        old, new = load_spec(entry["old"]), load_spec(entry["new"])
        return with_sources(diff_specs(old, new, today=TODAY, semantic=False), old, new)


GOLDEN_FORMATS = {
    "github-rest-22-23.txt": (OutputFormat.TEXT, PEOPLE),
    "github-rest-22-23.md": (OutputFormat.MARKDOWN, PEOPLE),
    "github-rest-22-23.level-safe.md": (OutputFormat.MARKDOWN, EVERYTHING),
    "github-rest-22-23.github.txt": (OutputFormat.GITHUB, PEOPLE),
}


def test_the_golden_folder_knows_these_files() -> None:
    """The stale-file check of the golden folder expects exactly the files written here."""
    assert set(GOLDEN_FORMATS) == set(CORPUS_GOLDEN)


@pytest.mark.parametrize(
    ("name", "fmt", "options"),
    [(name, fmt, options) for name, (fmt, options) in GOLDEN_FORMATS.items()],
    ids=list(GOLDEN_FORMATS),
)
def test_reader_formats_match_golden_files(
    report: DiffReport, name: str, fmt: OutputFormat, options: RenderOptions
) -> None:
    """The reviewer-facing formats of the large pair are exactly the reviewed golden files."""
    check_golden(name, scrub(render(report, fmt, options)))


def test_text_is_short_with_no_long_line(report: DiffReport) -> None:
    """At most 200 lines by default, none over the cap, safe changes only counted."""
    text = render(report, OutputFormat.TEXT, PEOPLE)
    lines = text.splitlines()
    assert len(lines) <= 200
    assert max(len(line) for line in lines) <= MAX_LINE
    assert lines[0].startswith("Gate failed: ")
    safe = report.count(Level.SAFE)
    assert lines[-1].startswith(f"{safe} safe changes counted, not listed")


def test_every_removed_operation_is_counted_in_its_group_header(report: DiffReport) -> None:
    """The manifest's 40 removed operations are one group whose header counts all of them."""
    removed = pair_entry(PAIR)["ground_truth"]["counts"]["operations_removed"]
    assert sum(1 for f in report.findings if f.rule_id == "operation-removed") == removed
    header = f"operation-removed: {removed} changes on {removed} operations"
    assert f"BREAKING {header}: " in render(report, OutputFormat.TEXT, PEOPLE)
    assert f"<b>operation-removed</b>: {removed} changes on {removed} operations" in render(
        report, OutputFormat.MARKDOWN, PEOPLE
    )
    assert f"operation-removed%3A {removed} changes on {removed} operations" in render(
        report, OutputFormat.GITHUB, PEOPLE
    )


@pytest.mark.parametrize("options", [PEOPLE, EVERYTHING], ids=["default", "level-safe"])
def test_markdown_fits_a_comment_and_counts_what_it_leaves_out(
    report: DiffReport, options: RenderOptions
) -> None:
    """Under GitHub's limit, no long line, and the exact number of findings not listed."""
    md = render(report, OutputFormat.MARKDOWN, options)
    assert len(md) <= GITHUB_LIMIT
    assert max(len(line) for line in md.splitlines()) <= MARKDOWN_LINE
    listed = len(re.findall(r"^- [🔴🟡🟢] \*\*(breaking|warning|safe)\*\*", md, re.MULTILINE))
    total = sum(1 for f in report.findings if f.level.rank >= options.min_level.rank)
    left = re.search(r"\*\*(\d+) of the (\d+) [a-z, ]+ changes are not in this comment\*\*", md)
    if listed == total:
        assert left is None
    else:
        assert left is not None and (int(left[1]), int(left[2])) == (total - listed, total)


def test_github_annotations_stay_within_the_per_step_limit(report: DiffReport) -> None:
    """At most 10 annotations of each kind, and a closing notice."""
    lines = render(report, OutputFormat.GITHUB, PEOPLE).splitlines()
    for kind in ("::error ", "::warning ", "::notice "):
        assert sum(1 for line in lines if line.startswith(kind)) <= 10
    assert lines[-1].startswith("::notice title=specguard::Gate failed")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_holds_every_finding_in_collapsed_groups(report: DiffReport) -> None:
    """One self-contained page: every finding, in groups all collapsed, nothing fetched."""
    page = _Page()
    page.feed(render(report, OutputFormat.HTML, EVERYTHING))
    articles = [a for t, a in page.tags if t == "article"]
    assert len(articles) == len(report.findings)
    groups = [a for t, a in page.tags if t == "details"]
    assert groups and all("open" not in a for a in groups)
    assert not any("src" in a or t in ("link", "img", "iframe") for t, a in page.tags)
    ids = [a["id"] for a in articles if a.get("id")]
    assert len(ids) == len(set(ids)) == len(report.findings)


def test_machine_formats_hold_every_finding(report: DiffReport) -> None:
    """JSON and SARIF list every finding; JUnit parses and fails the broken operations."""
    data = json.loads(render(report, OutputFormat.JSON, EVERYTHING))
    assert len(data["findings"]) == len(report.findings)
    assert data["summary"] == {level.value: report.count(level) for level in Level}
    sarif = json.loads(render(report, OutputFormat.SARIF, EVERYTHING))
    assert len(sarif["runs"][0]["results"]) == len(report.findings)
    junit = ET.fromstring(render(report, OutputFormat.JUNIT, EVERYTHING))
    assert int(junit.get("failures") or 0) >= 40
