"""Each report format's own contract: structure, locations, links, limits."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from specguard.model import DiffReport, Direction, Finding, Level, Location, Operation
from specguard.report import OutputFormat, RenderOptions, available_formats, render
from specguard.report._github import escape_data, escape_property
from specguard.report._markdown import MAX_CHARS, code, text
from specguard.rules import CATALOGUE

SCHEMA = json.loads(
    (Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json").read_text()
)
LINKS = RenderOptions(link_base="https://github.com/example/shop/blob")


def sarif(report: DiffReport, options: RenderOptions = LINKS) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(report, OutputFormat.SARIF, options))
    return data


def test_every_format_is_available() -> None:
    """All seven formats have a module, so `--format` accepts each of them."""
    assert set(available_formats()) == set(OutputFormat)


@pytest.mark.parametrize("scenario", ["plain", "hostile", "unchanged", "gate"])
def test_sarif_is_valid_against_the_2_1_0_schema(
    reports: dict[str, DiffReport], scenario: str
) -> None:
    """Every scenario's SARIF log validates against the vendored OASIS schema."""
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(sarif(reports[scenario])), key=str)
    assert errors == []


def test_schema_check_can_fail() -> None:
    """The vendored schema rejects what SARIF forbids (so the validity test means something)."""
    bad = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x"}},
                "results": [{"message": {"text": "m"}, "level": "bad"}],
            }
        ],
    }
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(bad))


def test_sarif_locates_results_in_the_new_spec_and_removals_via_the_old(
    reports: dict[str, DiffReport],
) -> None:
    """A change points at the new file's line; a removal at the nearest surviving new node,
    with the old node as a related location."""
    results = {r["ruleId"]: r for r in sarif(reports["plain"])["runs"][0]["results"]}
    added = results["request-parameter-required-added"]
    assert added["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "v2/orders.yaml"},
        "region": {"startLine": 22},
    }
    assert "relatedLocations" not in added
    removed = results["operation-sunset-removed"]
    assert removed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "v2/orders.yaml"
    )
    assert removed["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    related = removed["relatedLocations"][0]
    assert related["physicalLocation"] == {
        "artifactLocation": {"uri": "v1/orders.yaml"},
        "region": {"startLine": 24},
    }


def test_sarif_rules_come_from_the_catalogue(reports: dict[str, DiffReport]) -> None:
    """Rule metadata is the catalogue's: rationale, default level; results index into it."""
    run = sarif(reports["gate"])["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    by_id = {r["id"]: r for r in rules}
    catalogued = CATALOGUE["request-parameter-required-added"]
    entry = by_id["request-parameter-required-added"]
    assert entry["fullDescription"]["text"] == catalogued.rationale
    assert entry["defaultConfiguration"]["level"] == "error"
    assert "{" not in entry["shortDescription"]["text"]


def test_sarif_paths_drop_the_git_revision_and_acks_are_suppressions(
    reports: dict[str, DiffReport],
) -> None:
    """Files read at a revision map to repository paths; acknowledged results are suppressed."""
    results = sarif(reports["gate"])["runs"][0]["results"]
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in r["locations"] + r.get("relatedLocations", [])
    }
    assert uris == {"specs/orders.yaml", "specs/stock.yaml", "specguard-ack.yaml"}
    acked = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in acked] == ["request-max-length-tightened"]
    assert acked[0]["suppressions"][0]["kind"] == "external"
    assert acked[0]["partialFingerprints"]["specguardFingerprint/v1"].startswith(
        "request-max-length-tightened:"
    )


def test_junit_has_a_suite_per_service_and_a_case_per_operation(
    reports: dict[str, DiffReport],
) -> None:
    """Failing cases are exactly the operations with unacknowledged breaks."""
    root = ET.fromstring(render(reports["gate"], OutputFormat.JUNIT, RenderOptions()))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["gateway", "orders", "stock", "(gate)"]
    cases = {c.get("name"): c for c in suites["orders"].iter("testcase")}
    assert set(cases) == {
        "GET /orders/{id}",
        "GET /orders/export",
        "GET /orders/legacy",
        "(whole contract)",
    }
    assert cases["GET /orders/{id}"].find("failure") is not None
    assert cases["GET /orders/export"].find("failure") is None
    assert "operation-deprecated" in (cases["GET /orders/export"].findtext("system-out") or "")
    stock = next(suites["stock"].iter("testcase"))
    assert stock.find("failure") is None, "an acknowledged break passes"
    assert [c.get("name") for c in suites["gateway"].iter("testcase")] == ["contract unchanged"]
    assert root.get("failures") == str(sum(int(s.get("failures") or 0) for s in suites.values()))


def test_github_escapes_like_the_actions_toolkit() -> None:
    """Data escapes %, CR, LF; properties also ':' and ','."""
    assert escape_data("50%\r\nnext::x") == "50%25%0D%0Anext::x"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_commands_follow_the_gate(reports: dict[str, DiffReport]) -> None:
    """Unacknowledged breaks are errors, acknowledged ones warnings, safe changes notices; a
    closing notice sums the gate up."""
    lines = render(reports["gate"], OutputFormat.GITHUB, RenderOptions()).splitlines()
    kinds = [line.split(" ", 1)[0] for line in lines[:-1]]
    assert kinds.count("::error") == 3
    assert kinds.count("::notice") == 2
    acked = next(line for line in lines if "request-max-length-tightened" in line)
    assert acked.startswith("::warning file=specs/stock.yaml,line=8,")
    assert lines[-1] == (
        "::notice title=specguard::Gate failed: 3 unacknowledged breaking changes "
        "(4 breaking, 1 warning, 2 safe)"
    )
    relaxed = render(reports["gate"], OutputFormat.GITHUB, RenderOptions(fail_on=None))
    assert "::error" not in relaxed


def test_github_annotates_groups_within_the_per_step_limit() -> None:
    """Past N findings of a kind, one annotation per group, at most N, and the notice counts
    the groups it could not annotate."""
    findings = tuple(
        _finding(i, Level.BREAKING, rule=f"rule-{i % 12}") for i in range(120)
    )
    report = DiffReport("old.yaml", "new.yaml", findings)
    lines = render(report, OutputFormat.GITHUB, RenderOptions(annotations=10)).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10
    assert errors[0].startswith("::error file=new.yaml,line=1,title=rule-0%3A 10 changes on 10 ")
    assert "+9 more in the job summary" in errors[0]
    assert lines[-1].startswith("::notice title=specguard::Gate failed: 120 unacknowledged")
    assert "20 more in 2 groups not annotated" in lines[-1]
    few = render(report, OutputFormat.GITHUB, RenderOptions(annotations=200)).splitlines()
    assert len([line for line in few if line.startswith("::error ")]) == 120


def test_markdown_comment_has_verdict_table_and_collapsible_findings(
    reports: dict[str, DiffReport],
) -> None:
    """Verdict first, a row per service, groups that fail the gate open, each finding linked
    with the command that accepts it."""
    md = render(reports["gate"], OutputFormat.MARKDOWN, LINKS)
    lines = md.splitlines()
    assert lines[0] == "<!-- specguard-report -->"
    assert lines[1].startswith("## ❌ specguard: Gate failed: 3 unacknowledged")
    assert "| orders | `1.0.0` → `1.1.0` | 2 | 0 | 2 | 0 |" in lines
    assert "| stock | `1.0.0` → `2.0.0` | 1 | 0 | 0 | 1 |" in lines
    assert (
        "<details open>\n<summary>🔴 <b>request-parameter-required-added</b> · orders: "
        "1 change on 1 operation — old clients do not send it</summary>"
    ) in md
    assert "<details>\n<summary>🔴 <b>request-max-length-tightened</b> · stock" in md
    assert (
        "[`specs/orders.yaml:22`](https://github.com/example/shop/blob/HEAD/specs/orders.yaml#L22)"
    ) in md
    assert "  - consumers affected: gateway" in md
    assert "  - accept after review: `specguard ack request-parameter-required-added:" in md
    assert md.index("request-parameter-required-added") < md.index("ack-unused")
    passed = render(reports["unchanged"], OutputFormat.MARKDOWN, LINKS)
    assert passed.splitlines()[1] == (
        "## ✅ specguard: Gate passed: no unacknowledged breaking changes"
    )


def test_links_go_to_the_resolved_commits(reports: dict[str, DiffReport]) -> None:
    """Old lines link to the base commit, new lines to the head commit; only what URLs need is
    percent-encoded."""
    options = dataclasses.replace(
        LINKS, revisions=(("HEAD~1", "a" * 40), ("worktree", "b" * 40))
    )
    md = render(reports["gate"], OutputFormat.MARKDOWN, options)
    assert f"(https://github.com/example/shop/blob/{'a' * 40}/specs/orders.yaml#L2)" in md
    assert f"(https://github.com/example/shop/blob/{'b' * 40}/specs/orders.yaml#L22)" in md
    assert "/HEAD/" not in md and "HEAD~1/" not in md
    odd = DiffReport(
        "old.yaml",
        "new.yaml",
        (_finding(0, Level.BREAKING, file="specs/a b{x}@v1.yaml"),),
    )
    page = render(odd, OutputFormat.MARKDOWN, options)
    assert "/blob/" + "b" * 40 + "/specs/a%20b%7Bx%7D@v1.yaml#L1)" in page


def _finding(
    i: int, level: Level, rule: str | None = None, file: str = "new.yaml"
) -> Finding:
    op = Operation("get", f"/resource-{i}")
    return Finding(
        rule or f"rule-{level.value}",
        level,
        Direction.NONE,
        "x" * 200,
        (op,),
        None,
        Location(file, f"/paths/{i}", i + 1),
        fingerprint=f"f:{i:016x}",
    )


def test_markdown_stays_under_the_comment_limit() -> None:
    """A huge report lists breaking changes first, collapses whole groups it cannot list and
    says exactly how many findings it left out."""
    findings = tuple(_finding(i, level) for i in range(400) for level in Level)
    report = DiffReport("old.yaml", "new.yaml", findings)
    md = render(report, OutputFormat.MARKDOWN, RenderOptions())
    assert len(md) <= MAX_CHARS
    assert max(len(line) for line in md.splitlines()) <= 400
    listed = sum(md.count(f"- {icon} **{level.value}**") for icon, level in (
        ("🔴", Level.BREAKING), ("🟡", Level.WARNING), ("🟢", Level.SAFE)
    ))
    assert md.count("- 🟢 **safe**") == 0
    assert "- 🟢 **rule-safe**: 400 changes on 400 operations (not listed here)" in md
    assert f"**{1200 - listed} of the 1200 breaking, warning and safe changes are not in" in md
    assert "+" + str(400 - md.count("- 🔴 **breaking**")) + " more in this group" in md
    # never a finding cut in half: every listed finding ends with its fingerprint line
    assert md.count("  - fingerprint: `f:") + md.count("  - accept after review:") == listed


def test_markdown_code_spans_survive_backticks_and_pipes() -> None:
    """Code spans use a longer fence than any backtick run; pipes are escaped in tables."""
    assert code("a`b") == "``a`b``"
    assert code("`x`") == "`` `x` ``"
    assert code("a|b", in_table=True) == "`a\\|b`"
    assert text("[x](javascript:y)") == "\\[x\\]\\(javascript:y\\)"
    assert text("version 1.0.0 - ok") == "version 1.0.0 - ok"
    assert text("<b>&") == "&lt;b&gt;&amp;"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_with_filters_and_snippets(reports: dict[str, DiffReport]) -> None:
    """No external resource, a CSP, level and service filters, old and new snippets."""
    page = render(reports["gate"], OutputFormat.HTML, LINKS)
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed")
        assert "src" not in attrs, (tag, attrs)
    csp = next(
        a["content"] for t, a in parser.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp is not None and "default-src 'none'" in csp and "unsafe-inline" not in csp
    levels = [a["value"] for t, a in parser.tags if "level-filter" in (a.get("class") or "")]
    assert levels == ["breaking", "warning", "safe"]
    options = [a["value"] for t, a in parser.tags if t == "option"]
    assert options == ["", "gateway", "orders", "stock", "(gate)"]
    articles = [a for t, a in parser.tags if t == "article"]
    assert {a["data-service"] for a in articles} == {"orders", "stock", "(gate)"}
    # The break in orders: old side absent, new side shows its line highlighted.
    assert '<span class="line target"><span class="ln">22</span>' in page
    assert "not in the old contract" in page


def test_html_snippets_show_both_sides_for_a_change(reports: dict[str, DiffReport]) -> None:
    """A changed node shows the old and the new file around their own lines."""
    page = render(reports["gate"], OutputFormat.HTML, LINKS)
    article = page[page.index('data-service="stock"') :]
    article = article[: article.index("</article>")]
    assert "old: " in article and "new: " in article
    assert article.count('class="line target"') == 2
    assert "maxLength: 8" in article


def test_html_removal_shows_the_nearest_surviving_node(reports: dict[str, DiffReport]) -> None:
    """A removed operation's new side shows where it used to hang in the new file."""
    report = reports["plain"]
    removed = next(f for f in report.findings if f.rule_id == "operation-sunset-removed")
    assert removed.anchor == Location("v2/orders.yaml", "/paths", 3)
    page = render(report, OutputFormat.HTML, RenderOptions())
    assert "new (nearest surviving node)" in page


def test_levels_below_min_level_are_left_out(reports: dict[str, DiffReport]) -> None:
    """--level warning hides safe findings in every format that lists findings."""
    options = RenderOptions(min_level=Level.WARNING)
    for fmt in (
        OutputFormat.MARKDOWN,
        OutputFormat.SARIF,
        OutputFormat.GITHUB,
        OutputFormat.JUNIT,
        OutputFormat.HTML,
        OutputFormat.TEXT,
    ):
        # the line that counts what is not listed names the rules; nothing else may
        listed = [
            line
            for line in render(reports["gate"], fmt, options).splitlines()
            if "counted, not listed" not in line
        ]
        assert not any("operation-deprecated" in line for line in listed), fmt


def test_report_without_sources_still_renders(reports: dict[str, DiffReport]) -> None:
    """Library users may pass a bare report: no snippets, paths as given, still valid."""
    bare = dataclasses.replace(reports["gate"], sources=())
    for fmt in OutputFormat:
        assert render(bare, fmt, RenderOptions())
    assert not list(jsonschema.Draft7Validator(SCHEMA).iter_errors(sarif(bare)))


def test_text_lists_the_first_findings_of_each_group_and_counts_the_rest() -> None:
    """Breaking groups first, each header counting its findings; --per-group 0 lists all."""
    findings = tuple(_finding(i, Level.WARNING, rule="rule-w") for i in range(7))
    findings += tuple(_finding(i, Level.BREAKING, rule="rule-b") for i in range(5))
    report = DiffReport("old.yaml", "new.yaml", findings)
    text_report = render(report, OutputFormat.TEXT, RenderOptions(per_group=2))
    lines = text_report.splitlines()
    assert lines[0] == "Gate failed: 5 unacknowledged breaking changes"
    headers = [line for line in lines if line.startswith(("BREAKING ", "WARNING "))]
    assert headers == [
        "BREAKING rule-b: 5 changes on 5 operations",
        "WARNING rule-w: 7 changes on 7 operations",
    ]
    assert "  (+3 more in this group: --per-group 0 lists them all" in text_report
    assert "  (+5 more in this group" in text_report
    assert text_report.count("\n  - ") == 4
    everything = render(report, OutputFormat.TEXT, RenderOptions(per_group=0))
    assert everything.count("\n  - ") == 12 and "more in this group" not in everything
