"""JSON source lines: the indentation fast path agrees with the scanner on every pointer."""

from __future__ import annotations

import json
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
    fast = JsonLocator(text)
    slow = JsonLocator(text)
    slow._indent = 0  # force the scanner
    for pointer in pointers(doc):
        assert fast.line(pointer) == slow.line(pointer), pointer


def test_compact_json_uses_the_scanner() -> None:
    """Documents without a fixed indent still get correct lines."""
    text = '{"a": {"b": [1, {"c": 2}]},\n "d": 3}'
    locator = JsonLocator(text)
    assert locator.line("/a/b/1/c") == 1
    assert locator.line("/d") == 2
