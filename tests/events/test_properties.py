"""Invariants of the AsyncAPI diff over every event fixture, and hostile payload schemas."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from specguard import Level, diff_specs, load_spec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CASES = sorted(
    p.parent for p in [*FIXTURES.glob("event-*/*/old.yaml"),
                       *FIXTURES.glob("equivalent/event-*/old.yaml")]
)


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_a_document_against_itself_has_no_finding(case: Path) -> None:
    """diff(a, a) is empty on both sides of every case."""
    for side in ("old.yaml", "new.yaml"):
        spec = load_spec(str(case / side))
        assert diff_specs(spec, spec).findings == ()


@pytest.mark.parametrize("case", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_swapping_the_documents_swaps_added_and_removed(case: Path) -> None:
    """The reverse diff names the mirrored structural rules (added <-> removed)."""
    old, new = load_spec(str(case / "old.yaml")), load_spec(str(case / "new.yaml"))
    forward = {f.rule_id for f in diff_specs(old, new).findings}
    backward = {f.rule_id for f in diff_specs(new, old).findings}
    for rule_id in forward:
        if rule_id.endswith(("-added", "-removed")) and "-payload-" not in rule_id:
            head, _, tail = rule_id.rpartition("-")
            assert f"{head}-{'removed' if tail == 'added' else 'added'}" in backward, rule_id


def _doc(payload: object, schemas: dict[str, object]) -> dict[str, object]:
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "t", "version": "1.0.0"},
        "channels": {"c": {"address": "c", "messages": {"m": {"payload": payload}}}},
        "operations": {"o": {"action": "send", "channel": {"$ref": "#/channels/c"}}},
        "components": {"schemas": schemas},
    }


def test_recursive_payloads_terminate(tmp_path: Path) -> None:
    """A payload that refers to itself through two components is walked and judged quickly."""
    node = {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/B"}}}
    schemas = {"A": node, "B": {"type": "object", "properties": {
        "back": {"$ref": "#/components/schemas/A"}, "n": {"type": "integer"}}}}
    changed = yaml.safe_load(yaml.safe_dump(schemas))
    changed["B"]["properties"]["n"]["type"] = ["integer", "string"]
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(_doc({"$ref": "#/components/schemas/A"},
                                                           schemas)))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(_doc({"$ref": "#/components/schemas/A"},
                                                           changed)))
    started = time.monotonic()
    findings = diff_specs(load_spec(str(tmp_path / "old.yaml")),
                          load_spec(str(tmp_path / "new.yaml"))).findings
    assert time.monotonic() - started < 10
    assert [f.rule_id for f in findings if f.level is Level.BREAKING] == [
        "event-send-payload-type-widened"
    ]


def test_an_undecided_change_behind_a_ref_is_not_silent(tmp_path: Path) -> None:
    """A pattern rewritten inside a referenced component (no keyword rule, the judge cannot
    decide) is a warning, although the payload nodes themselves are equal ``$ref``s."""
    old = {"Id": {"type": "string", "pattern": "^(ab)+$"}}
    new = {"Id": {"type": "string", "pattern": "^a(ba)*b$"}}
    payload = {"type": "object", "properties": {"id": {"$ref": "#/components/schemas/Id"}}}
    (tmp_path / "old.yaml").write_text(yaml.safe_dump(_doc(payload, old)))
    (tmp_path / "new.yaml").write_text(yaml.safe_dump(_doc(payload, new)))
    findings = diff_specs(load_spec(str(tmp_path / "old.yaml")),
                          load_spec(str(tmp_path / "new.yaml"))).findings
    assert [(f.rule_id, f.level) for f in findings] == [
        ("event-payload-compatibility-unknown", Level.WARNING)
    ]
