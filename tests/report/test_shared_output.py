"""One home for what every command's reports share: the format registry, the sanitiser and
escapers, the XML writer and the exhaustiveness check."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from specguard import _inert
from specguard._typing import assert_never
from specguard._xml import xml_document
from specguard.fuzz import report as fuzz_report
from specguard.model import Level
from specguard.report import (
    FORMATS,
    OutputFormat,
    _junit,
    _markdown,
    available_formats,
    default_level,
)


def test_every_format_is_registered_once() -> None:
    """The registry covers the closed vocabulary; people-read formats count safe changes."""
    assert set(FORMATS) == set(OutputFormat) == set(available_formats())
    read = {fmt for fmt in OutputFormat if default_level(fmt) is Level.WARNING}
    assert read == {OutputFormat.TEXT, OutputFormat.MARKDOWN, OutputFormat.GITHUB}


def test_the_reports_use_the_one_escaper() -> None:
    """Diff/check Markdown and the fuzz report escape with the same functions."""
    assert _markdown.text is _inert.md_text and _markdown.code is _inert.md_code
    assert fuzz_report.md_text is _inert.md_text and fuzz_report.md_code is _inert.md_code
    assert fuzz_report.md_block is _inert.md_block


def test_markdown_escapes_only_what_forms_syntax() -> None:
    """Versions stay readable; links, HTML and mentions cannot form."""
    assert _inert.md_text("v1.0.0-beta+2 {x}!") == "v1.0.0-beta+2 {x}!"
    assert _inert.md_text("[a](b) <i> @team") == "\\[a\\]\\(b\\) &lt;i&gt; @\u200bteam"
    assert _inert.md_html("<b>@x</b>") == "&lt;b&gt;@\u200bx&lt;/b&gt;"


def test_xml_text_shows_what_xml_cannot_carry() -> None:
    """Characters XML 1.0 forbids become visible escapes; tab and line breaks stay."""
    assert _inert.xml_text("a\x00b\x1b\tc\nd\ufffe") == "a\\x00b\\x1b\tc\nd\\ufffe"
    root = ET.Element("testsuites", name=_inert.xml_text("x\x01"))
    document = xml_document(root)
    assert document == '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="x\\x01" />\n'
    assert ET.fromstring(document.split("\n", 1)[1]).get("name") == "x\\x01"


def test_junit_of_both_report_families_uses_the_one_writer() -> None:
    """Diff/check JUnit and fuzz JUnit import the same writer."""
    assert _junit.xml_document is xml_document is fuzz_report.xml_document


def test_assert_never_raises_on_an_unhandled_value() -> None:
    """A member that slipped past the type checker is an error, not a silent fall-through."""
    with pytest.raises(AssertionError, match="unhandled value"):
        assert_never("json")  # type: ignore[arg-type]


def test_no_copy_of_the_shared_pieces_is_left_in_the_source() -> None:
    """Control-character classes, XML writing and assert_never live in one module each."""
    src = Path(__file__).resolve().parents[2] / "src" / "specguard"
    homes = {
        r"re\.compile\([^)]*\\x(00|1f)": "_inert.py",
        r"ET\.indent\(|<\?xml version": "_xml.py",
        r"def _?assert_never\(": "_typing.py",
    }
    for pattern, home in homes.items():
        found = sorted(
            str(path.relative_to(src))
            for path in src.rglob("*.py")
            if re.search(pattern, path.read_text(encoding="utf-8"))
        )
        assert found == [home], pattern
