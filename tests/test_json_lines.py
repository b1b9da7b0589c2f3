"""JSON source lines: the indentation fast path agrees with the scanner on every pointer."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from specguard.load._parse import JsonLocator, encode_token

KEYS = st.text(alphabet=st.sampled_from(list('ab/~"é\\ {}[]:')), min_size=0, max_size=4)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=25,
)


def pointers(value: Any, prefix: str = "") -> Iterator[str]:
    """Every pointer into ``value``, plus a few that name nothing."""
    yield prefix
    yield prefix + "/missing"
    if isinstance(value, dict):
        for key, child in value.items():
            yield from pointers(child, f"{prefix}/{encode_token(key)}")
    elif isinstance(value, list):
        yield f"{prefix}/{len(value)}"
        for index, child in enumerate(value):
            yield from pointers(child, f"{prefix}/{index}")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=5), st.sampled_from([1, 2, 4]), st.booleans())
def test_fast_path_matches_the_scanner(doc: dict[str, Any], indent: int, ascii_only: bool
                                       ) -> None:
    """For indented JSON, str.find on indentation gives the scanner's answer for any pointer."""
    text = json.dumps(doc, indent=indent, ensure_ascii=ascii_only)
    fast = JsonLocator(text, json.loads(text))
    slow = JsonLocator(text, json.loads(text))
    slow._indent = 0  # force the scanner
    for pointer in pointers(doc):
        assert fast.line(pointer) == slow.line(pointer), pointer


def mixed_layout(value: Any, chooser: random.Random, unit: int, margin: int = 0) -> str:
    """JSON indented by ``unit`` spaces, except that some containers are written on one line
    (``"license": { "name": "MIT" }``) and some subtrees use another unit, as hand-edited
    specs do."""
    if not isinstance(value, dict | list) or not value or chooser.random() < 0.3:
        return json.dumps(value, separators=(", ", ": ") if chooser.random() < 0.5 else None)
    if chooser.random() < 0.15:
        unit = chooser.choice([1, 2, 3, 4, 8])
    inner = " " * (margin + unit)
    colon = chooser.choice([": ", " : "])  # Adyen's specs write "key" : value
    if isinstance(value, dict):
        items = [
            f"{inner}{json.dumps(key)}{colon}{mixed_layout(child, chooser, unit, margin + unit)}"
            for key, child in value.items()
        ]
        opener, closer = "{", "}"
    else:
        items = [f"{inner}{mixed_layout(child, chooser, unit, margin + unit)}" for child in value]
        opener, closer = "[", "]"
    return opener + "\n" + ",\n".join(items) + "\n" + " " * margin + closer


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(KEYS, VALUES, min_size=1, max_size=5),
    st.sampled_from([1, 2, 4]),
    st.integers(0, 2**32),
)
def test_mixed_layouts_match_the_scanner(doc: dict[str, Any], indent: int, seed: int) -> None:
    """Below a container written inline or indented otherwise the scanner takes over, and
    answers stay right."""
    text = mixed_layout(doc, random.Random(seed), indent)
    assert json.loads(text) == doc
    fast = JsonLocator(text, json.loads(text))
    slow = JsonLocator(text, json.loads(text))
    slow._indent = 0
    for pointer in pointers(doc):
        assert fast.line(pointer) == slow.line(pointer), pointer


def test_compact_json_uses_the_scanner() -> None:
    """Documents without a fixed indent still get correct lines."""
    text = '{"a": {"b": [1, {"c": 2}]},\n "d": 3}'
    locator = JsonLocator(text, json.loads(text))
    assert locator.line("/a/b/1/c") == 1
    assert locator.line("/d") == 2


def test_space_before_colon_is_indexed_without_the_scanner() -> None:
    """Adyen's specs write ``"key" : value``; lines were once all reported as line 1."""
    doc = {"components": {"schemas": {"A": {"maxLength": 5}, "B": {"type": "string"}}}}
    text = json.dumps(doc, indent=2, separators=(",", " : "))
    locator = JsonLocator(text, doc)
    assert locator.line("/components/schemas/B/type") == 8
    assert locator.line("/components/schemas/A/maxLength") == 5
    assert locator._children == {}  # answered by the indentation index alone
