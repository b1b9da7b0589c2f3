"""Cursor over a loaded document: a value with the file and JSON pointer it came from."""

from __future__ import annotations

from typing import Any

from specguard.load import SourceFile, Spec, encode_token
from specguard.model import Location


class Node:
    """A value in one of the two documents, with where it lives (after following refs).

    A plain slotted class rather than a frozen dataclass: the differ creates one per visited
    node, and frozen dataclasses pay for ``object.__setattr__`` on every construction.
    Treat instances as immutable.
    """

    __slots__ = ("file", "pointer", "spec", "value")

    def __init__(self, spec: Spec, file: SourceFile, pointer: str, value: Any) -> None:
        self.spec = spec
        self.file = file
        self.pointer = pointer
        self.value = value

    def __repr__(self) -> str:
        return f"Node({self.file.name}#{self.pointer})"

    @property
    def location(self) -> Location:
        return Location(self.file.name, self.pointer or "/")

    def child(self, *tokens: str | int) -> Node:
        value = self.value
        pointer = self.pointer
        for token in tokens:
            if isinstance(value, dict):
                value = value.get(token)
            elif isinstance(value, list) and isinstance(token, int) and 0 <= token < len(value):
                value = value[token]
            else:
                value = None
            text = str(token)
            # Escaping is rare; skip the two replaces on the hot path when not needed.
            if "~" in text or "/" in text:
                text = encode_token(text)
            pointer = f"{pointer}/{text}"
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
