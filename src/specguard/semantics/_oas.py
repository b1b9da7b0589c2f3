"""OpenAPI rules that both the judge and its verifying validator must read the same way.

Keeping them in one place is what makes "the witness is checked by a real validator" mean
something: the validator is jsonschema's, extended only by the few OpenAPI keywords below.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

Resolve: TypeAlias = Callable[[str, str], tuple[str, str, Any]]
Context: TypeAlias = Literal["request", "response"]

# Keywords that never change which instances a schema accepts.
ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "externalDocs",
        "deprecated",
        "xml",
        "$comment",
        "default",
        "$schema",
        "$id",
        "$anchor",
        "$defs",
        "definitions",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
    }
)


def is_annotation(keyword: str) -> bool:
    return keyword in ANNOTATIONS or keyword.startswith("x-")


def hidden_keyword(context: Context) -> Literal["readOnly", "writeOnly"]:
    """Properties a client never sends (request) or a server never returns (response)."""
    return "readOnly" if context == "request" else "writeOnly"


def has_flag(schema: Any, base: str, flag: str, resolve: Resolve, depth: int = 0) -> bool:
    """``schema`` is marked ``flag: true`` directly, through its ``$ref`` chain or an allOf part."""
    if not isinstance(schema, dict) or depth > 16:
        return False
    if schema.get(flag) is True:
        return True
    ref = schema.get("$ref")
    if isinstance(ref, str):
        try:
            target_base, _identity, target = resolve(ref, base)
        except Exception:  # an unresolvable $ref is reported by the judge, not here
            return False
        if has_flag(target, target_base, flag, resolve, depth + 1):
            return True
    parts = schema.get("allOf")
    if isinstance(parts, list):
        return any(has_flag(part, base, flag, resolve, depth + 1) for part in parts)
    return False


@dataclass(frozen=True, slots=True)
class Discriminated:
    """A oneOf/anyOf with a discriminator: the property value picks exactly one target.

    Like openapi-schema-validator (and so openapi-core), the discriminator replaces the
    oneOf/anyOf check. Values are the mapping keys plus the implicit name of every branch
    ``$ref`` that no mapping key already names.
    """

    prop: str
    entries: tuple[tuple[str, str], ...]  # (value, $ref written in the node's document)

    def ref_for(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        for known, ref in self.entries:
            if known == value:
                return ref
        return None


def implicit_name(ref: str) -> str:
    address, _, fragment = ref.partition("#")
    if fragment:
        token = urllib.parse.unquote(fragment).rsplit("/", 1)[-1]
        return token.replace("~1", "/").replace("~0", "~")
    stem = address.rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0]


def discriminated(schema: dict[str, Any]) -> Discriminated | str | None:
    """The discriminated union of ``schema``; a reason string when malformed; None if none."""
    disc = schema.get("discriminator")
    if disc is None or ("oneOf" not in schema and "anyOf" not in schema):
        return None
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
        return "a discriminator without a propertyName"
    mapping = disc.get("mapping") or {}
    if not isinstance(mapping, dict):
        return "a discriminator mapping that is not an object"
    entries: dict[str, str] = {}
    for value, target in mapping.items():
        if not isinstance(value, str) or not isinstance(target, str):
            return "a discriminator mapping with non-string entries"
        is_ref = "#" in target or "/" in target or "." in target
        entries[value] = target if is_ref else f"#/components/schemas/{target}"
    branches = [*_list(schema.get("oneOf")), *_list(schema.get("anyOf"))]
    for branch in branches:
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            name = implicit_name(branch["$ref"])
            if name and name not in entries:
                entries[name] = branch["$ref"]
    return Discriminated(disc["propertyName"], tuple(sorted(entries.items())))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
