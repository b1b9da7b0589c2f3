"""Cursor over a loaded document: a value with the file and JSON pointer it came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specguard.load import SourceFile, Spec, encode_token
from specguard.model import Location


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """A value in one of the two documents, with where it lives (after following refs)."""

    spec: Spec
    file: SourceFile
    pointer: str
    value: Any

    @property
    def location(self) -> Location:
        return Location(self.file.name, self.pointer or "/")

    def child(self, *tokens: str | int) -> Node:
        value = self.value
        for token in tokens:
            if isinstance(value, dict):
                value = value.get(token)
            elif isinstance(value, list) and isinstance(token, int) and 0 <= token < len(value):
                value = value[token]
            else:
                value = None
        pointer = self.pointer + "".join("/" + encode_token(t) for t in tokens)
        return Node(self.spec, self.file, pointer, value)

    def get(self, key: str, default: Any = None) -> Any:
        return self.value.get(key, default) if isinstance(self.value, dict) else default

    def deref(self) -> Node:
        """Follow ``$ref`` chains to the referenced value (the node itself when not a ref)."""
        value = self.value
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return self
        file, pointer, target = self.spec.follow(value, self.file, self.pointer)
        return Node(self.spec, file, pointer, target)

    def mapping(self) -> dict[str, Any]:
        return self.value if isinstance(self.value, dict) else {}

    def items(self) -> list[Any]:
        return self.value if isinstance(self.value, list) else []
