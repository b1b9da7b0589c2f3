"""Corpus precision guard: specguard's findings on real spec pairs, snapshotted and reviewed.

For every pair of ../shared/corpus/manifest.json: the committed snapshot equals today's findings,
every snapshotted finding carries a reviewed label, no finding labelled ``false`` comes back, and
what the publisher announced (the manifest's ``ground_truth``, encoded in ground_truth.yaml) stays
found. Refresh with ``python -m tests.corpus.refresh``; see tests/corpus/README.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
import yaml

from specguard import Finding
from tests.corpus.support import (
    GROUND_TRUTH,
    LABEL_VALUES,
    REFRESH_COMMAND,
    compute,
    corpus_available,
    entry_key,
    key_of,
    label_path,
    labels_by_key,
    manifest_pairs,
    pair_entry,
    pair_names,
    read_labels,
    read_snapshot,
    show_key,
    snapshot_path,
    verdict,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not corpus_available(), reason="../shared/corpus is not present"),
]

PAIRS = pair_names()
SHOWN = 25  # keys listed in a failure message; the rest are counted


def _listing(title: str, lines: list[str]) -> str:
    more = f"\n  ... and {len(lines) - SHOWN} more" if len(lines) > SHOWN else ""
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(lines[:SHOWN]) + more


# -- 1. snapshot ---------------------------------------------------------------------------


@pytest.mark.parametrize("pair", PAIRS)
def test_snapshot_matches_current_findings(pair: str) -> None:
    """The committed snapshot lists exactly the breaking and warning findings reported now."""
    stored = read_snapshot(pair)
    assert stored is not None, (
        f"no snapshot {snapshot_path(pair)}: run `{REFRESH_COMMAND} {pair}` and label its findings"
    )
    current = compute(pair).records()
    if stored == current:
        return
    old_keys, new_keys = Counter(map(entry_key, stored)), Counter(map(entry_key, current))
    added = sorted(new_keys - old_keys, key=str)
    removed = sorted(old_keys - new_keys, key=str)
    parts = [f"{pair}: findings differ from {snapshot_path(pair).name}"]
    if added:
        parts.append(_listing("added", [show_key(k) for k in added]))
    if removed:
        parts.append(_listing("removed", [show_key(k) for k in removed]))
    if not added and not removed:
        changed = [show_key(entry_key(e)) for e in current if e not in stored]
        parts.append(_listing("same keys, changed operations or witness", changed))
    parts.append(f"refresh: `{REFRESH_COMMAND} {pair}`, then label the added findings in "
                 f"{label_path(pair).relative_to(label_path(pair).parents[3])}")
    pytest.fail("\n".join(parts), pytrace=False)


# -- 2. labels -----------------------------------------------------------------------------


@pytest.mark.parametrize("pair", PAIRS)
def test_every_snapshotted_finding_is_labelled(pair: str) -> None:
    """Each snapshotted finding has a label entry (same key) saying real, false or arguable."""
    entries = read_labels(pair)
    invalid = [f"{show_key(entry_key(e))}: label {e.get('label')!r}" for e in entries
               if e.get("label") not in LABEL_VALUES and str(e.get("label")) != "TODO"]
    labels = labels_by_key(entries)
    unlabelled = [show_key(entry_key(e)) for e in read_snapshot(pair) or []
                  if verdict(labels.get(entry_key(e))) is None]
    problems = []
    if invalid:
        problems.append(_listing(f"labels other than {'/'.join(LABEL_VALUES)}", invalid))
    if unlabelled:
        problems.append(_listing(f"unlabelled findings (label them in {label_path(pair)})",
                                 unlabelled))
    if problems:
        pytest.fail(f"{pair}:\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("pair", PAIRS)
def test_no_finding_labelled_false_comes_back(pair: str) -> None:
    """No finding specguard reports now was reviewed as false, except the known open ones.

    A false finding not fixed yet carries ``open: <reason>`` in its label (data, like a strict
    xfail): it may still be reported, and once it is gone the marker must be removed, so a
    fixed false positive that comes back fails here.
    """
    entries = read_labels(pair)
    labels = labels_by_key(entries)
    reported = {key_of(finding) for finding in compute(pair).findings}
    back: list[str] = []
    for key in reported:
        if verdict(labels.get(key)) == "false" and not any(
            e.get("open") for e in labels[key] if e.get("label") == "false"
        ):
            why = "; ".join(str(e.get("why", "")) for e in labels[key] if e.get("label") == "false")
            back.append(f"{show_key(key)}\n      why false: {why}")
    fixed = [show_key(entry_key(e)) for e in entries
             if e.get("open") and entry_key(e) not in reported]
    if back:
        pytest.fail(f"{pair}: " + _listing("findings labelled false are reported again", back),
                    pytrace=False)
    if fixed:
        pytest.fail(f"{pair}: " + _listing("open false findings are fixed: drop 'open'", fixed),
                    pytrace=False)


# -- 3. ground truth -----------------------------------------------------------------------

REPORTED_LEVELS = ["breaking", "warning"]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def matches(pattern: Mapping[str, Any], finding: Finding) -> bool:
    """Whether every key the pattern gives agrees with the finding (see ground_truth.yaml)."""
    pointers = [loc.pointer for loc in (finding.old, finding.new) if loc is not None]
    checks = {
        "id": lambda v: finding.rule_id in _as_list(v),
        "level": lambda v: finding.level.value in _as_list(v),
        "pointer": lambda v: v in pointers,
        "pointer_prefix": lambda v: any(p.startswith(v) for p in pointers),
        "pointer_regex": lambda v: any(re.search(v, p) for p in pointers),
        "message_contains": lambda v: v in finding.message,
        "operation": lambda v: v in {str(op) for op in finding.operations},
    }
    unknown = set(pattern) - set(checks) - {"count"}
    assert not unknown, f"unknown pattern keys {sorted(unknown)} in {dict(pattern)}"
    return all(checks[name](value) for name, value in pattern.items() if name != "count")


def _manifest_checks(pair: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Checks read straight from the manifest's structured ground-truth fields."""
    truth = pair.get("ground_truth") or {}
    checks: list[dict[str, Any]] = []
    for path in truth.get("removed_paths", []):
        checks.append({"prose": f"removed_paths: {path}", "present": [
            {"id": "operation-removed", "level": "breaking",
             "pointer_prefix": f"/paths/{_escape(path)}/"}]})
    for name in truth.get("webhooks_added", []):
        checks.append({"prose": f"webhooks_added: {name}", "present": [
            {"id": "operation-added", "level": "safe",
             "pointer_prefix": f"/webhooks/{_escape(name)}/"}]})
    counts = truth.get("counts") or {}
    if "operations_removed" in counts:
        checks.append({"prose": f"counts.operations_removed: {counts['operations_removed']}",
                       "present": [{"id": "operation-removed", "level": "breaking",
                                    "count": counts["operations_removed"]}]})
    if "operations_added" in counts:
        checks.append({"prose": f"counts.operations_added: {counts['operations_added']}",
                       "present": [{"id": "operation-added", "level": "safe",
                                    "count": counts["operations_added"]}]})
    if pair.get("expect") == "equivalent":
        checks.append({"prose": "expect: equivalent", "absent": [{}]})
    return checks


def _failures(check: Mapping[str, Any], findings: tuple[Finding, ...]) -> list[str]:
    problems = []
    for pattern in check.get("present", []):
        assert "level" in pattern, f"a present pattern names its level: {dict(pattern)}"
        hits = sum(1 for f in findings if matches(pattern, f))
        wanted = pattern.get("count")
        if (hits == 0) if wanted is None else (hits != wanted):
            problems.append(f"expected {wanted if wanted is not None else '>= 1'} finding(s) "
                            f"matching {dict(pattern)}, got {hits}")
    for pattern in check.get("absent", []):
        full = {"level": REPORTED_LEVELS, **pattern}
        hits_list = [f for f in findings if matches(full, f)]
        if hits_list:
            shown = "; ".join(show_key(key_of(f)) for f in hits_list[:5])
            problems.append(f"expected no finding matching {full}, got {len(hits_list)}: {shown}")
    return problems


def _ground_truth_pairs() -> list[str]:
    return [p["name"] for p in manifest_pairs() if "ground_truth" in p or "expect" in p]


def _encoded() -> dict[str, Any]:
    document = yaml.safe_load(GROUND_TRUTH.read_text(encoding="utf-8")) or {}
    return dict(document.get("pairs") or {})


@pytest.mark.parametrize("pair", _ground_truth_pairs())
def test_ground_truth(pair: str) -> None:
    """What the publisher announced is reported at the level it implies; traps stay quiet."""
    encoded = _encoded()
    assert pair in encoded, f"{pair} has ground truth in the manifest: encode it in {GROUND_TRUTH}"
    checks = _manifest_checks(pair_entry(pair)) + list(encoded[pair].get("checks") or [])
    findings = compute(pair).report.findings
    failed: list[str] = []
    for check in checks:
        problems = _failures(check, findings)
        gap = check.get("gap")
        if gap and not problems:
            failed.append(f"[{check['prose'][:100]}] now passes: remove its gap mark ({gap})")
        elif problems and not gap:
            failed.append(f"[{check['prose'][:100]}]\n    " + "\n    ".join(problems))
    if failed:
        pytest.fail(f"{pair}:\n  " + "\n  ".join(failed), pytrace=False)


def test_ground_truth_file_names_only_manifest_pairs() -> None:
    """ground_truth.yaml has no entry for a pair the manifest lacks (a renamed pair is not lost)."""
    stray = sorted(set(_encoded()) - set(_ground_truth_pairs()))
    assert not stray, f"pairs in {GROUND_TRUTH.name} without ground truth in the manifest: {stray}"
