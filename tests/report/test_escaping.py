"""Spec text is data: HTML, Markdown, links and terminal escapes from a spec stay inert.

The hostile scenario's spec puts ``<script>``, ``<img onerror>``, ``|``, backticks,
``](javascript:...)``, ``@here`` and ESC sequences into a path, a parameter name and enum
values. Markdown is rendered with a CommonMark parser that passes raw HTML through (as
GitHub does before sanitising), so an escaping mistake would show up as a real tag or link.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from specguard.model import DiffReport
from specguard.report import OutputFormat, RenderOptions, render, render_changelog
from specguard.report._html import _SCRIPT

ESC = "\x1b"
OPTIONS = RenderOptions(link_base="https://github.com/example/shop/blob")
# The tags the reports write themselves; anything else came from a spec.
# fmt: off
MARKDOWN_TAGS = {
    "h2", "p", "code", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "b",
    "ul", "li", "strong", "br", "a",
}
HTML_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "p", "code", "span",
    "main", "section", "h2", "table", "thead", "tbody", "tr", "th", "td", "label", "input",
    "select", "option", "article", "h3", "dl", "dt", "dd", "div", "figure", "figcaption",
    "pre", "script", "a", "details", "summary", "button",
}
# fmt: on


class _Dom(HTMLParser):
    """Tags, attributes, text and script bodies of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def dom(html: str) -> _Dom:
    parser = _Dom()
    parser.feed(html)
    return parser


def assert_inert(parsed: _Dom, *, allowed: set[str]) -> None:
    """Only expected tags; no script-capable attribute or URL anywhere."""
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= allowed, tags - allowed
    for _, attrs in parsed.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), name
            assert not (value or "").strip().lower().startswith("javascript:"), value


@pytest.fixture
def hostile(reports: dict[str, DiffReport]) -> DiffReport:
    return reports["hostile"]


def test_the_scenario_is_hostile(hostile: DiffReport) -> None:
    """The findings really carry the dangerous text (so the other tests prove something)."""
    messages = " ".join(f.message for f in hostile.findings)
    for needle in ("<script>", "<img src=x onerror", "|", "`", "](javascript:", "@here", ESC):
        assert needle in messages + " ".join(str(f.operations) for f in hostile.findings), needle


def test_markdown_renders_no_markup_from_the_spec(hostile: DiffReport) -> None:
    """Rendered as CommonMark with raw HTML allowed, only the report's own tags appear."""
    markdown = render(hostile, OutputFormat.MARKDOWN, OPTIONS)
    assert ESC not in markdown
    parsed = dom(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))
    assert_inert(parsed, allowed=MARKDOWN_TAGS)
    links = [attrs["href"] or "" for tag, attrs in parsed.tags if tag == "a"]
    assert links and all(link.startswith(OPTIONS.link_base or "?") for link in links)
    text = "".join(parsed.text)
    assert "<script>alert('param')</script>" in text
    assert "](javascript:alert(5))" in text
    assert "@\u200bhere" in text and "@here" not in text


def test_markdown_table_rows_keep_their_cells(hostile: DiffReport) -> None:
    """A '|' from the spec cannot add table cells."""
    html = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(render(hostile, OutputFormat.MARKDOWN, OPTIONS))
    )
    rows = html.split("<tr>")[1:]
    assert rows and all(row.count("<td>") in (0, 5) for row in rows)


def test_changelog_renders_no_markup_from_the_spec(hostile: DiffReport) -> None:
    """The release notes escape spec text like the PR comment does."""
    notes = render_changelog(hostile, RenderOptions(fail_on=None))
    parsed = dom(MarkdownIt("commonmark", {"html": True}).render(notes))
    assert_inert(parsed, allowed=set(["h1", "h2", "h3", "p", "code", "ul", "li", "strong", "em"]))
    assert ESC not in notes


def test_html_shows_spec_text_as_text(hostile: DiffReport) -> None:
    """Autoescape: the only script is the page's own filter script."""
    page = render(hostile, OutputFormat.HTML, OPTIONS)
    assert ESC not in page
    parsed = dom(page)
    assert parsed.scripts == [_SCRIPT]
    assert_inert(parsed, allowed=HTML_TAGS)
    text = "".join(parsed.text)
    assert "<img src=x onerror=alert(1)>" in text
    assert "</code><script>alert(4)</script>" in text


def test_machine_formats_stay_well_formed(hostile: DiffReport) -> None:
    """JSON and SARIF parse, JUnit is well-formed XML, none carries a raw ESC."""
    for fmt in (OutputFormat.JSON, OutputFormat.SARIF):
        output = render(hostile, fmt, OPTIONS)
        json.loads(output)
        assert ESC not in output
    root = ET.fromstring(render(hostile, OutputFormat.JUNIT, OPTIONS))
    assert all(ESC not in (el.text or "") + "".join(el.attrib.values()) for el in root.iter())
    assert len(list(root.iter("testcase"))) == 2


def test_github_commands_cannot_be_split_or_forged(hostile: DiffReport) -> None:
    """One line per finding plus the verdict; spec text cannot start a new command."""
    output = render(hostile, OutputFormat.GITHUB, OPTIONS)
    lines = output.splitlines()
    assert len(lines) == len(hostile.findings) + 1
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])
    assert ESC not in output


def test_text_output_has_no_terminal_escapes(hostile: DiffReport) -> None:
    """Without colour, the terminal report carries no ESC byte at all."""
    assert ESC not in render(hostile, OutputFormat.TEXT, RenderOptions(color=False))
