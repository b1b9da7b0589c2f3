"""One parametrised test over every case in fixtures/: the findings that must and must not appear.

Each case is a folder with old.yaml (or .json), new.yaml and expected.yaml:

    description: what the case shows
    today: 2026-01-01            # optional: date for sunset policies
    deprecation-days: {beta: 31, stable: 180}  # optional: the lifecycle policy's notice
    findings:                    # each must match at least one finding
      - {id: rule-id, level: breaking, pointer: /paths/..., operations: ["GET /a"], witness: true}
    absent:                      # none may match any finding
      - {level: breaking}
    complete: true               # default: every breaking/warning finding is listed above
    xfail: "reason"              # a known gap, kept as data (strict: it must still fail)
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from specguard import Finding, Level, diff_specs, load_spec
from specguard.model import LifecyclePolicy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NON_CASE_FOLDERS = {"lint", "hostile"}


def _cases() -> list[Any]:
    params = []
    for expected in sorted(FIXTURES.rglob("expected.yaml")):
        folder = expected.parent
        if NON_CASE_FOLDERS & set(folder.relative_to(FIXTURES).parts):
            continue
        spec = yaml.safe_load(expected.read_text())
        marks = [pytest.mark.xfail(reason=spec["xfail"], strict=True)] if "xfail" in spec else []
        params.append(pytest.param(folder, id=str(folder.relative_to(FIXTURES)), marks=marks))
    return params


def _side(folder: Path, name: str) -> Path:
    for suffix in (".yaml", ".yml", ".json"):
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(folder / name)


def matches(pattern: dict[str, Any], finding: Finding) -> bool:
    """A pattern matches when every key it gives agrees with the finding."""
    if "id" in pattern and pattern["id"] != finding.rule_id:
        return False
    if "level" in pattern and pattern["level"] != finding.level.value:
        return False
    if "pointer" in pattern:
        pointers = {loc.pointer for loc in (finding.old, finding.new) if loc is not None}
        if pattern["pointer"] not in pointers:
            return False
    if "operations" in pattern and set(pattern["operations"]) != {
        str(op) for op in finding.operations
    }:
        return False
    return "witness" not in pattern or pattern["witness"] == (finding.witness is not None)


def run_case(folder: Path) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    expected = yaml.safe_load((folder / "expected.yaml").read_text()) or {}
    today = expected.get("today")
    if isinstance(today, str):
        today = dt.date.fromisoformat(today)
    # validated as the CLI validates: an invalid side is a finding, not an error
    old = load_spec(str(_side(folder, "old")), validate=False)
    new = load_spec(str(_side(folder, "new")), validate=False)
    days = expected.get("deprecation-days") or {}
    policy = LifecyclePolicy(**{f"deprecation_days_{level}": n for level, n in days.items()})
    report = diff_specs(old, new, today=today or dt.date(2026, 1, 1), lifecycle=policy,
                        validate=True)
    return expected, report.findings


@pytest.mark.parametrize("folder", _cases())
def test_fixture(folder: Path) -> None:
    """The diff of old vs new yields exactly the expected findings for this case."""
    expected, findings = run_case(folder)
    wanted = expected.get("findings") or []
    shown = "\n".join(f"  {f.level.value} {f.rule_id} {(f.new or f.old)}" for f in findings)
    for pattern in wanted:
        assert any(matches(pattern, f) for f in findings), f"missing {pattern}; got:\n{shown}"
    for pattern in expected.get("absent") or []:
        hit = [f for f in findings if matches(pattern, f)]
        assert not hit, f"unexpected {pattern}: {hit[0].rule_id} {hit[0].message}"
    if expected.get("complete", True):
        for finding in findings:
            if finding.level is Level.SAFE:
                continue
            assert any(matches(p, finding) for p in wanted), (
                f"unlisted {finding.level.value} {finding.rule_id}: {finding.message} at "
                f"{(finding.new or finding.old)}"
            )
    for finding in findings:
        if finding.witness is not None:
            assert finding.level is not Level.SAFE
