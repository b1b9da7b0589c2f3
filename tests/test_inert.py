"""One sanitiser for every human-readable output: untrusted text can neither forge a line of
its own (a ``::error::`` workflow command in a CI log) nor drive the reader's terminal."""

from __future__ import annotations

from specguard._inert import block, one_line
from specguard.cli._lint import lint_text
from specguard.fuzz.report import safe_text
from specguard.lint import RULES, LintFinding, LintReport
from specguard.model import Location

FORGED = "https://x/a\n::error file=x::forged\x1b[2J\u2028next"


def test_one_line_shows_breaks_and_controls_as_escapes() -> None:
    """A line break, an escape sequence and a Unicode line separator become visible text."""
    assert one_line(FORGED) == "https://x/a\\n::error file=x::forged\\x1b[2J\\u2028next"
    assert "\n" not in one_line(FORGED)


def test_block_keeps_lines_but_not_escape_sequences() -> None:
    """A response body keeps its lines and tabs; terminal escapes do not get through."""
    assert block("a\n\tb\x1b[31m") == "a\n\tb\\x1b[31m"


def test_fuzz_and_traffic_fields_stay_on_one_line() -> None:
    """A HAR URL with a line break cannot start a `::error` line of the fuzz/traffic report."""
    shown = safe_text(FORGED)
    assert "\n" not in shown and not any(
        line.startswith("::") for line in shown.splitlines()
    )


def test_lint_text_is_inert() -> None:
    """Inventory strings in a lint finding put no raw escape sequence on screen."""
    finding = LintFinding(
        rule_id=RULES[0].id,
        message="service \x1b[31mred\x1b[0m\n::error::forged",
        location=Location("specs/service-inventory.json", "", 3),
        service="orders",
    )
    text = lint_text(LintReport("inv", ("orders",), (finding,)))
    assert "\x1b" not in text and text.count("\n") == 1
    assert "\\x1b[31mred" in text
