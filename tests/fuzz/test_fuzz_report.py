"""Report formats with hostile spec and response text: escaping, fences, valid XML, progress."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from specguard.cli._formats import ResultKind, formats_for, render
from specguard.fuzz import (
    ALL_PHASES,
    CheckFailure,
    EngineProblem,
    FailureKind,
    FuzzReport,
    JoinedFinding,
    Observation,
    StopReason,
    VerifiedFailure,
    VerifyReport,
    progress_for,
)
from specguard.fuzz._progress import BarProgress, LineProgress
from specguard.fuzz._redact import REDACTED, Redactor
from specguard.fuzz.report import md_block, md_cell, md_code, md_text
from specguard.model import Direction, Level, Operation
from specguard.report import OutputFormat

HOSTILE_BODY = "<script>alert(1)</script>\x1b[31m red \x00 ```\n| a | b |\n@everyone"
HOSTILE_TITLE = "Schema | [click](http://evil) `x` <b>bold</b> *em* @team"


def _failure(**changes: object) -> CheckFailure:
    values: dict[str, object] = {
        "operation": Operation("post", "/orders"),
        "check": "not_a_server_error",
        "code": "ST101",
        "title": HOSTILE_TITLE,
        "message": "line one\nline two",
        "kind": FailureKind.SERVER_ERROR,
        "phase": "coverage",
        "status": 500,
        "content_type": "text/html",
        "body_excerpt": HOSTILE_BODY,
        "curl": "curl -X POST --data-binary '```' http://127.0.0.1:1/orders",
        "seed": 42,
    }
    values.update(changes)
    return CheckFailure(**values)  # type: ignore[arg-type]


def _report(*failures: CheckFailure) -> FuzzReport:
    return FuzzReport(
        spec="spec.yaml",
        target="http://127.0.0.1:1",
        seed=42,
        phases=ALL_PHASES,
        operations=(Operation("post", "/orders"), Operation("get", "/orders/{orderId}")),
        failures=failures,
        problems=(EngineProblem("GET /orders/{orderId}", "fuzzing", "Timeout: <slow>"),),
        requests=10,
        duration=0.5,
        first_failure_after=0.1,
        stop_reason=StopReason.COMPLETED,
    )


def test_markdown_escapes_inline_text_and_outfences_code() -> None:
    """No live link, HTML tag, table break or mention survives; code fences cannot be closed."""
    text = render(ResultKind.FUZZ, _report(_failure()), OutputFormat.MARKDOWN)
    assert "<b>" not in text and "[click](http" not in text
    # a zero-width space after '@' (a backslash does not stop GitHub's mentions)
    assert "@\u200bteam" in text and "@team" not in text and r"\|" in text
    # Only inside a fence, which must be longer than the ``` the body contains.
    assert text.count("<script>") == 1
    assert "````\n<script>alert(1)</script>" in text
    assert "\x1b" not in text and "\x00" not in text


def test_md_helpers() -> None:
    """Inline escaping, code spans around backticks, fences longer than any run inside."""
    assert md_text("a|b\nc*d") == r"a\|b c\*d"
    assert md_code("x ` y") == "``x ` y``"
    assert md_code("`edge`") == "`` `edge` ``"
    assert md_block("has ```` inside")[0] == "`````"
    assert md_block("plain", "sh") == ["```sh", "plain", "```"]
    assert md_cell("/a|b") == r"`/a\|b`"


def test_text_escapes_terminal_control_characters() -> None:
    """A response body cannot send escape sequences to the reader's terminal."""
    text = render(ResultKind.FUZZ, _report(_failure()), OutputFormat.TEXT)
    assert "\x1b" not in text and "\x00" not in text
    assert "\\x1b[31m" in text
    assert "reproduce (seed 42):" in text


def test_junit_is_well_formed_with_illegal_xml_characters() -> None:
    """NUL and ESC from a body do not break the XML; failures and errors are counted."""
    text = render(ResultKind.FUZZ, _report(_failure()), OutputFormat.JUNIT)
    root = ET.fromstring(text)
    assert root.get("tests") == "2" and root.get("failures") == "1" and root.get("errors") == "1"
    case = next(c for c in root.iter("testcase") if c.get("name") == "POST /orders")
    failure = case.find("failure")
    assert failure is not None and "<script>" in (failure.text or "")
    seed = root.find("./testsuite/properties/property[@name='seed']")
    assert seed is not None and seed.get("value") == "42"


def test_json_shape_is_the_documented_contract() -> None:
    """The JSON report keeps its field names: a versioned contract."""
    data = json.loads(render(ResultKind.FUZZ, _report(_failure()), OutputFormat.JSON))
    assert set(data) == {
        "schemaVersion", "command", "spec", "target", "seed", "phases", "summary",
        "operations", "problems", "unreachable", "failures",
    }  # fmt: skip
    assert set(data["failures"][0]) == {
        "operation", "check", "code", "title", "kind", "message", "phase", "response",
        "curl", "seed", "occurrences",
    }  # fmt: skip
    assert data["summary"]["requestsPerSecond"] == 20.0


def _verify_report() -> VerifyReport:
    run = _report(_failure(), _failure(code="ST108", kind=FailureKind.RESPONSE_MISMATCH))
    finding = JoinedFinding(
        rule_id="request-max-length-tightened",
        level=Level.BREAKING,
        direction=Direction.REQUEST,
        message="maxLength | <tightened>",
        operations=(Operation("post", "/orders"),),
        location=None,
        fingerprint="fp",
        observation=Observation.CONFIRMED,
        evidence=("ST101 POST /orders",),
    )
    failures = (
        VerifiedFailure(run.failures[0], ("request-max-length-tightened",)),
        VerifiedFailure(run.failures[1], ()),
    )
    return VerifyReport("old.yaml", "new.yaml", run, failures, (finding,))


@pytest.mark.parametrize("fmt", formats_for(ResultKind.VERIFY), ids=lambda f: f.value)
def test_verify_formats_name_confirmed_and_undocumented(fmt: OutputFormat) -> None:
    """Every format says which finding was confirmed and which failure nobody predicted."""
    text = render(ResultKind.VERIFY, _verify_report(), fmt)
    assert "undocumented-behaviour-change" in text
    assert "request-max-length-tightened" in text
    assert "confirmed" in text
    if fmt is OutputFormat.JUNIT:
        assert ET.fromstring(text).get("failures") == "2"
    if fmt is OutputFormat.MARKDOWN:
        assert "<tightened>" not in text


def test_redactor_variants() -> None:
    """Whole values, scheme credentials and basic-auth forms are all hidden; short ones only
    in header lines."""
    redactor = Redactor.for_credentials([("Authorization", "Bearer abc123"), ("X-On", "1")],
                                        ("bob", "pw-secret"))  # fmt: skip
    assert redactor.text("token abc123 and Bearer abc123") == f"token {REDACTED} and {REDACTED}"
    assert redactor.text("Ym9iOnB3LXNlY3JldA== pw-secret") == f"{REDACTED} {REDACTED}"
    assert redactor.text("x 1 y") == "x 1 y"
    assert redactor.header("x-on", "1") == REDACTED
    assert redactor.header("Accept", "abc123") == REDACTED
    assert redactor.header("Accept", "json") == "json"


def test_progress_bar_on_a_terminal_and_lines_elsewhere() -> None:
    """A TTY gets one redrawn line; a pipe gets plain lines; quiet gets nothing."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    bar, lines = progress_for(terminal), progress_for(pipe)
    assert isinstance(bar, BarProgress) and isinstance(lines, LineProgress)
    for sink in (bar, lines):
        sink.phase_started("coverage", 2)
        sink.operation_done("coverage", "POST /orders", 1)
        sink.operation_done("coverage", "GET /x\x1b[2J", 1)
        sink.finished(1, 10, 0.5)
    assert "\r\x1b[2K" in terminal.getvalue()
    assert "[########################] 2/2 operations, 1 failure(s)" in terminal.getvalue()
    # each line starts with the elapsed time, "[   0.0 s] "
    assert [line[11:] for line in pipe.getvalue().splitlines()] == [
        "specguard: coverage: 2 operation(s)",
        "specguard: coverage: 1/2 POST /orders (failures so far: 1)",
        "specguard: coverage: 2/2 GET /x\\x1b[2J (failures so far: 1)",
        "specguard: done: 10 requests in 0.5s, 1 failure(s)",
    ]
    assert all(re.match(r"\[ *\d+\.\d s\] ", line) for line in pipe.getvalue().splitlines())
    assert " s" in terminal.getvalue().rsplit("\r", 1)[-1]
    quiet = io.StringIO()
    silent = progress_for(quiet, quiet=True)
    silent.phase_started("coverage", 1)
    silent.finished(0, 0, 0.0)
    assert quiet.getvalue() == ""
