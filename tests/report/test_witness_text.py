"""Witnesses in reader-facing formats: compact JSON, long values abbreviated, always capped."""

from __future__ import annotations

import json

from specguard.report._shared import witness_text


def test_a_small_witness_is_plain_json() -> None:
    """What fits is shown exactly, as JSON (null, false), not as Python values."""
    assert witness_text({"a": None, "b": False}, 200) == '{"a": null, "b": false}'


def test_long_strings_and_arrays_say_their_length() -> None:
    """A maxLength or maxItems witness is shown by its size, not its 20,001 characters."""
    shown = witness_text({"name": "a" * 20001, "items": [{"id": 1}] * 1001}, 200)
    assert "20001 characters" in shown and "1001 items" in shown
    assert len(shown) < 200
    assert json.loads(shown)["items"][:3] == [{"id": 1}] * 3


def test_anything_is_capped() -> None:
    """Many short properties still end at the limit, with an ellipsis."""
    shown = witness_text({f"k{i}": i for i in range(500)}, 120)
    assert len(shown) == 120 and shown.endswith("…")


def test_witness_explanations_quote_values_as_json() -> None:
    """The validator's message names the witness as JSON (null, false), never as a Python repr."""
    from tests.semantics.support import judge

    verdict = judge().request_compatible(
        {"type": ["object", "null"]}, "old", {"type": "object"}, "new"
    )
    assert verdict.witness is not None and verdict.witness.instance is None
    assert "null is not of type" in verdict.witness.explanation
    assert "None" not in verdict.witness.explanation
    verdict = judge().request_compatible(
        {"type": "object"}, "old", {"not": {"const": {"a": False}}}, "new"
    )
    assert verdict.witness is not None
    assert verdict.witness.explanation.endswith(
        '{"a": false} should not be valid under {"const": {"a": false}}'
    )
