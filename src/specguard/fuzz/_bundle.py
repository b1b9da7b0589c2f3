"""Make one self-contained document out of a (possibly multi-file) spec for the engines.

schemathesis and openapi-core would resolve relative and remote ``$ref`` themselves, with
their own rules and their own network access. We give them a copy in which every reference
is local (``#/...``): targets in other files are copied, once each, under
``components/x-specguard-bundled`` and the references rewritten. The files are read through
:class:`~specguard.load.Spec`, so the same confinement applies as everywhere else.
"""

from __future__ import annotations

import urllib.parse
from collections import deque
from typing import Any

from specguard.load import SourceFile, Spec, encode_token

BUNDLE_KEY = "x-specguard-bundled"

# Literal data: a "$ref" key in an example or a default is a value, not a reference.
_DATA_KEYWORDS = frozenset({"example", "default", "const", "enum"})


# Characters a JSON pointer may keep unescaped inside a URI fragment (RFC 6901 section 6).
_POINTER_SAFE = "/~:@!$&'()*+,;="


def bundle(spec: Spec) -> dict[str, Any]:
    """A deep copy of ``spec.data`` whose references all point into the copy itself."""
    return _Bundler(spec).run()


class _Bundler:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.slots: dict[tuple[str, str], int] = {}
        self.pending: deque[tuple[int, SourceFile, Any]] = deque()

    def run(self) -> dict[str, Any]:
        root = self.spec.root
        copy = self.rewrite(root.data, root)
        if not isinstance(copy, dict):  # pragma: no cover - load_spec only returns mappings
            raise TypeError("an OpenAPI document must be a mapping")
        bundled: list[Any] = []
        # Bounded by the number of distinct (file, pointer) targets, each queued once.
        while self.pending:
            index, source, node = self.pending.popleft()
            while len(bundled) <= index:
                bundled.append(None)
            bundled[index] = self.rewrite(node, source)
        if bundled:
            components = copy.setdefault("components", {})
            components[BUNDLE_KEY] = {str(i): node for i, node in enumerate(bundled)}
        return copy

    def rewrite(self, node: Any, source: SourceFile) -> Any:
        if isinstance(node, list):
            return [self.rewrite(item, source) for item in node]
        if not isinstance(node, dict):
            return node
        result: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                result[key] = self.reference(value, source)
            elif key in _DATA_KEYWORDS or (isinstance(key, str) and key.startswith("x-")):
                result[key] = value
            else:
                result[key] = self.rewrite(value, source)
        return result

    def reference(self, ref: str, source: SourceFile) -> str:
        if ref.startswith("#") and source is self.spec.root:
            return ref
        target, pointer, node = self.spec.resolve(ref, source)
        if target is self.spec.root:
            return "#" + urllib.parse.quote(pointer, safe=_POINTER_SAFE)
        key = (target.key, pointer)
        index = self.slots.get(key)
        if index is None:
            index = len(self.slots)
            self.slots[key] = index
            self.pending.append((index, target, node))
        return f"#/components/{encode_token(BUNDLE_KEY)}/{index}"
