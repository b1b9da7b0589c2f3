"""Hypothesis strategies: small OpenAPI 3.1 documents and mutations of them."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

NAMES = st.sampled_from(["id", "name", "qty", "sku", "note", "tags", "price"])
METHODS = st.sampled_from(["get", "post", "put", "delete"])


def schemas(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """JSON Schemas of the subset OpenAPI uses, nested up to ``depth``."""
    leaf = st.one_of(
        st.builds(lambda lo, hi: {"type": "integer", "minimum": lo, "maximum": lo + hi},
                  st.integers(-5, 5), st.integers(0, 10)),
        st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(1, 20)),
        st.builds(lambda vals: {"type": "string", "enum": sorted(set(vals))},
                  st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4)),
        st.just({"type": "boolean"}),
        st.just({"type": ["string", "null"]}),
    )
    if depth <= 0:
        return leaf
    inner = schemas(depth - 1)
    objects = st.builds(
        lambda props, required, closed: {
            "type": "object",
            "properties": props,
            "required": sorted(set(required) & set(props)),
            **({"additionalProperties": False} if closed else {}),
        },
        st.dictionaries(NAMES, inner, max_size=3),
        st.lists(NAMES, max_size=3),
        st.booleans(),
    )
    arrays = st.builds(lambda items, n: {"type": "array", "items": items, "maxItems": n},
                       inner, st.integers(1, 5))
    return st.one_of(leaf, objects, arrays)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid OpenAPI 3.1 document with a few operations, bodies, parameters and refs."""
    components = draw(st.dictionaries(st.sampled_from(["Order", "Item", "Error"]), schemas(),
                                      max_size=2))
    paths: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(["/orders", "/orders/{id}", "/items"]),
                              min_size=1, max_size=3, unique=True)):
        item: dict[str, Any] = {}
        for method in draw(st.lists(METHODS, min_size=1, max_size=2, unique=True)):
            op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
            params = [{"name": "id", "in": "path", "required": True,
                       "schema": {"type": "string"}}] if "{id}" in path else []
            for name in draw(st.lists(NAMES, max_size=2, unique=True)):
                params.append({"name": name, "in": "query", "required": draw(st.booleans()),
                               "schema": draw(schemas(0))})
            if params:
                op["parameters"] = params
            body = draw(st.one_of(st.none(), schemas(1), st.sampled_from(
                [{"$ref": f"#/components/schemas/{n}"} for n in components] or [None])))
            if body is not None and method in ("post", "put"):
                op["requestBody"] = {"required": True,
                                     "content": {"application/json": {"schema": body}}}
            response = draw(st.one_of(schemas(1), st.sampled_from(
                [{"$ref": f"#/components/schemas/{n}"} for n in components] or [{}])))
            op["responses"]["200"]["content"] = {"application/json": {"schema": response}}
            item[method] = op
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "generated", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": components},
    }


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with one schema keyword changed somewhere."""
    result = copy.deepcopy(document)
    nodes: list[dict[str, Any]] = []
    stack: list[Any] = [result["paths"], result["components"]]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "type" in value:
                nodes.append(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    if not nodes:
        return result
    target = draw(st.sampled_from(nodes))
    mutation = draw(st.sampled_from(["maxLength", "maximum", "required", "enum", "type"]))
    if mutation == "maxLength":
        target["maxLength"] = draw(st.integers(0, 30))
    elif mutation == "maximum":
        target["maximum"] = draw(st.integers(-10, 20))
    elif mutation == "required":
        target["required"] = draw(st.lists(NAMES, max_size=3, unique=True))
    elif mutation == "enum":
        target["enum"] = draw(st.lists(st.sampled_from(["a", "b", "x"]), min_size=1,
                                       max_size=3, unique=True))
    else:
        target["type"] = draw(st.sampled_from(["string", "integer", "number", "object"]))
    return result
