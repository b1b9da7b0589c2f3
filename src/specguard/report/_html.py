"""HTML: one self-contained page (no network) with groups, filters and side-by-side snippets.

Findings are grouped as in every human format (rule × service × level, breaking first), each
group a ``<details>`` collapsed by default, so a page of thousands of findings opens on its
summary. A text filter (operation, rule id, pointer, message), level and service filters and
per-group counts update as the reader types; ``#FINGERPRINT`` opens the finding's group and
scrolls to it. Rendered from ``templates/report.html.j2`` with autoescape on, so every value
taken from a spec is text, never markup. The page's own style and script are pinned by hash in
a Content-Security-Policy: even markup that slipped through could neither run nor load anything.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from specguard.model import DiffReport, Finding, Level, Location
from specguard.report import RenderOptions
from specguard.report._shared import (
    FindingGroup,
    SnippetLine,
    accept_command,
    clean,
    explanation_text,
    failing,
    group_by_service,
    group_findings,
    group_name,
    link,
    operations_label,
    shown,
    snippet,
    unlisted_summary,
    verdict,
    where,
    witness_text,
)

_MAX_WITNESS = 400
_MAX_EXPLANATION = 600

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328;background:#fff}
header{padding:12px 20px;border-bottom:4px solid #1a7f37}header.failed{border-color:#cf222e}
h1{font-size:20px;margin:4px 0}h2{font-size:16px}main{padding:0 20px 40px}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
td.num{text-align:right}tr.failed td:first-child{border-left:4px solid #cf222e}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff}
.badge.breaking{background:#cf222e}.badge.warning{background:#9a6700}.badge.safe{background:#1a7f37}
.badge.ack{background:#6e7781}
#filters label{margin-right:14px}
.finding{border:1px solid #d0d7de;border-radius:6px;margin:12px 0;padding:8px 12px}
.finding.blocking{border-left:6px solid #cf222e}.finding h3{font-size:14px;margin:2px 0}
.finding .service{font-weight:600}.message{margin:4px 0 6px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:4px 0}dt{color:#59636e}
dd{margin:0;overflow-wrap:anywhere}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:10px}.side{margin:0;min-width:0}
figcaption{font-size:12px;color:#59636e}.absent{color:#59636e;font-style:italic}
pre{background:#f6f8fa;padding:6px 0;overflow-x:auto;margin:2px 0;font-size:12px}
.line{display:block;padding:0 8px;white-space:pre}.line.target{background:#fff8c5}
.ln{display:inline-block;width:4em;color:#8c959f;user-select:none}
#filters input[type=search]{font:inherit;padding:2px 6px}
details.group{border:1px solid #d0d7de;border-radius:6px;margin:8px 0;padding:4px 10px}
details.group>summary{cursor:pointer;padding:4px 0}
details.group.breaking{border-left:6px solid #cf222e}
details.group.warning{border-left:6px solid #9a6700}
details.group.safe{border-left:6px solid #1a7f37}
.group-count{font-weight:600}.why{color:#59636e}.permalink{font-size:12px;margin-left:6px}
.finding.targeted{outline:3px solid #0969da}.unlisted{color:#59636e}
[hidden]{display:none!important}
"""

_SCRIPT = """
(function () {
  var levels = Array.prototype.slice.call(document.querySelectorAll('.level-filter'));
  var service = document.getElementById('service-filter');
  var text = document.getElementById('text-filter');
  var groups = Array.prototype.slice.call(document.querySelectorAll('details.group'));
  var counter = document.getElementById('shown-count');
  var groupCounter = document.getElementById('shown-groups');
  var nothing = document.getElementById('nothing-matches');
  function apply() {
    var wanted = {};
    levels.forEach(function (box) { wanted[box.value] = box.checked; });
    var needle = text.value.trim().toLowerCase();
    var shown = 0, shownGroups = 0, byLevel = {};
    groups.forEach(function (group) {
      var inGroup = 0;
      group.querySelectorAll('.finding').forEach(function (el) {
        var visible = wanted[el.dataset.level] &&
          (service.value === '' || el.dataset.service === service.value) &&
          (needle === '' || el.dataset.search.indexOf(needle) !== -1);
        el.hidden = !visible;
        if (visible) {
          inGroup += 1;
          byLevel[el.dataset.level] = (byLevel[el.dataset.level] || 0) + 1;
        }
      });
      group.hidden = inGroup === 0;
      group.querySelector('.group-count').textContent = String(inGroup);
      if (needle !== '' && inGroup > 0) { group.open = true; }
      shown += inGroup;
      if (inGroup > 0) { shownGroups += 1; }
    });
    document.querySelectorAll('.level-count').forEach(function (el) {
      el.textContent = String(byLevel[el.dataset.level] || 0);
    });
    counter.textContent = String(shown);
    groupCounter.textContent = String(shownGroups);
    nothing.hidden = shown !== 0 || groups.length === 0;
  }
  function reveal() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id ? document.getElementById(id) : null;
    if (!target || !target.closest('#findings')) { return; }
    if (target.hidden || (target.parentElement && target.parentElement.hidden)) {
      text.value = '';
      service.value = '';
      levels.forEach(function (box) { box.checked = true; });
      apply();
    }
    var group = target.closest('details.group');
    if (group) { group.open = true; }
    document.querySelectorAll('.finding.targeted').forEach(function (el) {
      el.classList.remove('targeted');
    });
    if (target.classList.contains('finding')) { target.classList.add('targeted'); }
    target.scrollIntoView({block: 'start'});
  }
  function setAll(open) {
    groups.forEach(function (group) { if (!group.hidden) { group.open = open; } });
  }
  levels.forEach(function (box) { box.addEventListener('change', apply); });
  service.addEventListener('change', apply);
  text.addEventListener('input', apply);
  document.getElementById('expand-all').addEventListener('click', function () { setAll(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { setAll(false); });
  window.addEventListener('hashchange', reveal);
  reveal();
})();
"""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


@cache
def _template() -> jinja2.Template:
    text = (resources.files("specguard.report") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    return env.from_string(text)


@dataclass(frozen=True, slots=True)
class _Side:
    title: str
    where: str
    url: str | None
    lines: tuple[SnippetLine, ...]
    absent: str


@dataclass(frozen=True, slots=True)
class _FindingView:
    level: str
    blocking: bool
    service: str
    rule_id: str
    operations: str
    message: str
    consumers: str
    acknowledged: str
    note: str
    witness: str
    witness_explanation: str
    pointer: str
    fingerprint: str
    accept: str
    search: str
    sides: tuple[_Side, ...]


@dataclass(frozen=True, slots=True)
class _GroupView:
    anchor: str
    level: str
    rule_id: str
    service: str
    count: int
    headline: str
    rationale: str
    findings: tuple[_FindingView, ...]


def _side(
    report: DiffReport,
    title: str,
    location: Location | None,
    options: RenderOptions,
    absent: str,
) -> _Side:
    return _Side(
        title=title,
        where=clean(where(location)),
        url=link(report, location, options) if location is not None else None,
        lines=snippet(report, location),
        absent=absent,
    )


def _search(finding: Finding) -> str:
    """What the text filter matches: rule id, operations, pointers, message, service."""
    parts = [finding.rule_id, finding.service or "", finding.message]
    parts += [str(op) for op in finding.operations]
    parts += [loc.pointer for loc in (finding.old, finding.new) if loc is not None]
    return clean(" ".join(parts)).lower()


def _view(report: DiffReport, finding: Finding, options: RenderOptions) -> _FindingView:
    location = finding.new or finding.old
    witness = explanation = ""
    if finding.witness is not None:
        witness = witness_text(finding.witness.instance, _MAX_WITNESS)
        explanation = explanation_text(
            finding.witness.instance, finding.witness.explanation, _MAX_EXPLANATION
        )
    new_side = finding.new or finding.anchor
    unaccepted = finding.level is Level.BREAKING and finding.acknowledged is None
    return _FindingView(
        level=finding.level.value,
        blocking=failing(finding, options),
        service=clean(group_name(report, finding)),
        rule_id=finding.rule_id,
        operations=clean(operations_label(finding)),
        message=clean(finding.message),
        consumers=clean(", ".join(finding.consumers)),
        acknowledged=clean(finding.acknowledged or ""),
        note=clean(finding.note or ""),
        witness=clean(witness),
        witness_explanation=clean(explanation),
        pointer=clean(location.pointer if location is not None else ""),
        fingerprint=finding.fingerprint,
        accept=accept_command(finding.fingerprint) if unaccepted and finding.fingerprint else "",
        search=_search(finding),
        sides=(
            _side(report, "old", finding.old, options, "not in the old contract"),
            _side(
                report,
                "new" if finding.new is not None else "new (nearest surviving node)",
                new_side,
                options,
                "not in the new contract",
            ),
        ),
    )


def _group(report: DiffReport, group: FindingGroup, options: RenderOptions) -> _GroupView:
    rule, _, rest = group.headline().partition(": ")
    return _GroupView(
        anchor=group.anchor,
        level=group.level.value,
        rule_id=rule,
        service=clean(group.service),
        count=group.count,
        headline=rest,
        rationale=group.rationale,
        findings=tuple(_view(report, f, options) for f in group.findings),
    )


def render(report: DiffReport, options: RenderOptions) -> str:
    findings = shown(report, options)
    groups = group_by_service(report, findings)
    failed, sentence = verdict(report, options)
    services: list[dict[str, Any]] = []
    for group in groups:
        info = group.info
        versions = ""
        if info is not None and (info.old_version or info.new_version):
            versions = f"{info.old_version or '—'} → {info.new_version or '—'}"
        services.append(
            {
                "name": clean(group.name),
                "versions": clean(versions),
                "counts": [group.count(level) for level in Level],
                "acknowledged": group.acknowledged,
                "failed": group.failed(options),
            }
        )
    return (
        _template().render(
            verdict=sentence,
            failed=failed,
            old_source=clean(report.old_source),
            new_source=clean(report.new_source),
            totals=[(level.value, report.count(level)) for level in Level],
            listed=[
                (level.value, sum(1 for f in findings if f.level is level))
                for level in Level
                if level.rank >= options.min_level.rank
            ],
            acknowledged=sum(1 for f in report.findings if f.acknowledged is not None),
            services=services,
            show_services=bool(report.services),
            groups=[_group(report, g, options) for g in group_findings(report, findings)],
            findings_count=len(findings),
            unlisted=unlisted_summary(report, options) or "",
            style=_STYLE,
            script=_SCRIPT,
            style_hash=_csp_hash(_STYLE),
            script_hash=_csp_hash(_SCRIPT),
        )
        + "\n"
    )
