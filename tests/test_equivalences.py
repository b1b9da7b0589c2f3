"""Invariants over the fixture documents: self-diffs are empty, equivalences hold both ways.

The cases in ``fixtures/equivalent/`` say old ≡ new; equivalence is symmetric, so new vs old
must be just as quiet. Every document of every case, compared with itself, yields nothing.
Every finding the fixtures produce renders its message with all fields filled in.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from functools import cache
from pathlib import Path

import pytest
import yaml

from specguard import Finding, Level, Spec, diff_specs, load_spec
from specguard.rules import CATALOGUE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NON_CASE_FOLDERS = {"lint", "hostile"}
TODAY = dt.date(2026, 1, 1)


def _side(folder: Path, name: str) -> Path:
    for suffix in (".yaml", ".yml", ".json"):
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(folder / name)


def _folders(under: Path) -> list[Path]:
    folders = []
    for expected in sorted(under.rglob("expected.yaml")):
        if NON_CASE_FOLDERS & set(expected.relative_to(FIXTURES).parts):
            continue
        if "xfail" in (yaml.safe_load(expected.read_text()) or {}):
            continue
        folders.append(expected.parent)
    return folders


def _ids(folders: list[Path]) -> list[str]:
    return [str(folder.relative_to(FIXTURES)) for folder in folders]


CASES = _folders(FIXTURES)
EQUIVALENT = _folders(FIXTURES / "equivalent")


@cache
def _load(path: Path) -> Spec:
    # Each document is loaded once for all the comparisons it takes part in.
    return load_spec(str(path), validate=False)


def _diff(old: Path, new: Path) -> tuple[Finding, ...]:
    # validated as the CLI validates: an invalid side is a finding, not an error
    return diff_specs(_load(old), _load(new), today=TODAY, validate=True).findings


def _loud(findings: tuple[Finding, ...]) -> list[str]:
    return [
        f"{f.level.value} {f.rule_id}: {f.message}" for f in findings if f.level is not Level.SAFE
    ]


def test_there_are_equivalence_cases() -> None:
    """The equivalence folder is populated, so the parametrised tests below cannot pass empty."""
    assert len(EQUIVALENT) >= 10


@pytest.mark.parametrize("folder", EQUIVALENT, ids=_ids(EQUIVALENT))
def test_equivalence_is_symmetric(folder: Path) -> None:
    """An equivalent pair compared the other way round yields no breaking or warning finding."""
    assert not _loud(_diff(_side(folder, "new"), _side(folder, "old")))


@pytest.mark.parametrize("folder", CASES, ids=_ids(CASES))
def test_documents_equal_themselves(folder: Path) -> None:
    """Each side of a case compared with itself yields no finding at all (but that an invalid
    document is still invalid)."""
    for name in ("old", "new"):
        side = _side(folder, name)
        found = _diff(side, side)
        assert all(f.rule_id == "contract-still-invalid" for f in found), found
        assert len(found) <= 1


def _unfilled(template: str, message: str) -> list[str]:
    """Fields of ``template`` that ``message`` shows as the '?' placeholder of missing args."""
    parts = list(string.Formatter().parse(template))
    regex = "".join(
        re.escape(literal) + ("(.*)" if name is not None else "") for literal, name, _, _ in parts
    )
    match = re.fullmatch(regex, message, flags=re.DOTALL)
    assert match is not None, (template, message)
    names = [name for _, name, _, _ in parts if name is not None]
    return [name for name, value in zip(names, match.groups(), strict=True) if value == "?"]


def test_unfilled_detects_missing_fields() -> None:
    """The placeholder check itself notices a field rendered as '?'."""
    assert _unfilled("property '{name}' was removed", "property '?' was removed") == ["name"]
    assert _unfilled("property '{name}' was removed", "property 'id' was removed") == []


@pytest.mark.parametrize("folder", CASES, ids=_ids(CASES))
def test_messages_are_filled(folder: Path) -> None:
    """Every finding's message has all the fields of its template filled in."""
    for finding in _diff(_side(folder, "old"), _side(folder, "new")):
        template = CATALOGUE[finding.rule_id].message
        assert not _unfilled(template, finding.message), (finding.rule_id, finding.message)
