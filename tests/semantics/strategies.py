"""Hypothesis strategies for the judge: small JSON Schemas (2020-12 subset) and mutations."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

KEYS = st.sampled_from(["a", "b", "c"])
STRINGS = st.sampled_from(["", "a", "b", "ab", "xyz"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), STRINGS)
PATTERNS = st.sampled_from(["^a", "b$", "^[ab]*$", "^.{2}"])
TYPE_NAMES = st.sampled_from(["null", "boolean", "integer", "number", "string", "array", "object"])


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if v is not None}


def leaves() -> st.SearchStrategy[Any]:
    """Scalar schemas with the keywords the judge models."""
    strings = st.builds(
        lambda lo, hi, pattern: _clean(
            {"type": "string", "minLength": lo, "maxLength": hi, "pattern": pattern}
        ),
        _optional(st.integers(0, 3)),
        _optional(st.integers(0, 4)),
        _optional(PATTERNS),
    )
    integers = st.builds(
        lambda lo, hi, step: _clean(
            {"type": "integer", "minimum": lo, "maximum": hi, "multipleOf": step}
        ),
        _optional(st.integers(-3, 3)),
        _optional(st.integers(-3, 3)),
        _optional(st.sampled_from([1, 2, 3])),
    )
    numbers = st.builds(
        lambda lo, hi: _clean({"type": "number", "exclusiveMinimum": lo, "maximum": hi}),
        _optional(st.integers(-3, 3)),
        _optional(st.integers(-3, 3)),
    )
    return st.one_of(
        strings,
        integers,
        numbers,
        st.just({"type": "boolean"}),
        st.just({"type": "null"}),
        st.lists(SCALARS, min_size=1, max_size=3, unique_by=repr).map(lambda v: {"enum": v}),
        SCALARS.map(lambda v: {"const": v}),
        st.lists(TYPE_NAMES, min_size=1, max_size=2, unique=True).map(lambda t: {"type": t}),
        st.just({}),
    )


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    objects = st.builds(
        lambda props, required, extra, lo, hi: _clean(
            {
                "type": "object",
                "properties": props,
                "required": sorted(set(required)) or None,
                "additionalProperties": extra,
                "minProperties": lo,
                "maxProperties": hi,
            }
        ),
        st.dictionaries(KEYS, children, max_size=2),
        st.lists(KEYS, max_size=2),
        _optional(st.one_of(st.booleans(), children)),
        _optional(st.integers(0, 2)),
        _optional(st.integers(1, 3)),
    )
    arrays = st.builds(
        lambda items, lo, hi, unique: _clean(
            {
                "type": "array",
                "items": items,
                "minItems": lo,
                "maxItems": hi,
                "uniqueItems": unique or None,
            }
        ),
        _optional(children),
        _optional(st.integers(0, 2)),
        _optional(st.integers(1, 3)),
        st.booleans(),
    )
    return st.one_of(
        objects,
        arrays,
        st.lists(children, min_size=1, max_size=2).map(lambda c: {"allOf": c}),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"anyOf": c}),
        st.lists(children, min_size=1, max_size=3).map(lambda c: {"oneOf": c}),
        children.map(lambda c: {"not": c}),
    )


def schemas() -> st.SearchStrategy[Any]:
    """Small nested schemas."""
    return st.recursive(leaves(), _extend, max_leaves=5)


def _subschema_paths(schema: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if not isinstance(schema, dict):
        return out
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            out += _subschema_paths(schema[key], (*path, key))
    for key in ("allOf", "anyOf", "oneOf"):
        for i, member in enumerate(schema.get(key, [])):
            out += _subschema_paths(member, (*path, key, i))
    for name, member in schema.get("properties", {}).items():
        out += _subschema_paths(member, (*path, "properties", name))
    return out


def _get(schema: Any, path: tuple[Any, ...]) -> Any:
    for token in path:
        schema = schema[token]
    return schema


_COUNTS = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")


def _bump(node: dict[str, Any], delta: int) -> dict[str, Any]:
    out = dict(node)
    for key in ("minimum", "maximum", "exclusiveMinimum", *_COUNTS):
        if key in out:
            # counts must stay non-negative, or the schema itself is invalid
            out[key] = max(0, out[key] + delta) if key in _COUNTS else out[key] + delta
            return out
    out["minimum" if out.get("type") in ("integer", "number") else "minLength"] = 1
    return out


@st.composite
def mutations(draw: st.DrawFn, schema: Any) -> Any:
    """A copy of ``schema`` with one subschema changed (narrowed, widened or replaced)."""
    result = copy.deepcopy(schema)
    paths = _subschema_paths(result)
    path = draw(st.sampled_from(paths))
    node = _get(result, path)
    if not isinstance(node, dict):
        node = {}
    other = draw(leaves())
    operation = draw(
        st.sampled_from(
            [
                "bump+",
                "bump-",
                "required",
                "closed",
                "allOf",
                "anyOf",
                "oneOf",
                "not",
                "replace",
                "drop",
            ]
        )
    )
    if operation == "bump+":
        changed = _bump(node, 1)
    elif operation == "bump-":
        changed = _bump(node, -1)
    elif operation == "required":
        changed = dict(node)
        key = draw(KEYS)
        required = set(changed.get("required", []))
        required ^= {key}
        changed["required"] = sorted(required)
        if not required:
            del changed["required"]
    elif operation == "closed":
        changed = dict(node)
        if "additionalProperties" in changed:
            del changed["additionalProperties"]
        else:
            changed["additionalProperties"] = False
    elif operation in ("allOf", "anyOf", "oneOf"):
        changed = {operation: [node, other]}
    elif operation == "not":
        changed = {"allOf": [node, {"not": other}]}
    elif operation == "replace":
        changed = other
    else:
        changed = dict(node)
        if changed:
            changed.pop(draw(st.sampled_from(sorted(changed))))
    if not path:
        return changed
    parent = _get(result, path[:-1])
    parent[path[-1]] = changed
    return result
