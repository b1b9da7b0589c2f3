"""Structural equality of two schemas: the fast path for the many that did not change."""

from __future__ import annotations

from typing import Any

from specguard.semantics._atoms import hkey
from specguard.semantics._oas import Discriminated, discriminated, is_annotation
from specguard.semantics._refs import RefFailure, Refs
from specguard.vocabulary import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED

_Key = tuple[int, str, int, str]

_SCHEMA_KEYWORDS = frozenset(SCHEMA_VALUED)
_SCHEMA_LISTS = frozenset(SCHEMA_LISTS)
_SCHEMA_MAPS = frozenset(SCHEMA_MAPS)


class Equality:
    """Same schema up to annotations and where its ``$ref``s point (coinductive, memoised)."""

    __slots__ = ("_memo", "_progress", "_refs", "_trail")

    def __init__(self, refs: Refs) -> None:
        self._refs = refs
        self._memo: dict[_Key, bool] = {}
        self._progress: set[_Key] = set()
        self._trail: list[tuple[_Key, bool]] = []

    def equal(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        if a is b and a_base == b_base:
            return True
        outermost = not self._progress
        result = self._equal(a, a_base, b, b_base)
        if outermost:
            # an equality proved under an assumption only holds if the outermost one does
            for key, verdict in self._trail:
                if verdict == result or not verdict:
                    self._memo[key] = verdict
            self._trail.clear()
        return result

    def _equal(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        if a is b and a_base == b_base:
            return True
        key = (id(a), a_base, id(b), b_base)
        known = self._memo.get(key)
        if known is not None:
            return known
        if key in self._progress:
            return True
        self._progress.add(key)
        try:
            result = self._equal_schema(a, a_base, b, b_base)
        except RefFailure:
            result = False
        finally:
            self._progress.discard(key)
        self._trail.append((key, result))
        return result

    def _equal_schema(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        if not isinstance(a, dict) or not isinstance(b, dict):
            return hkey(a) == hkey(b)
        keys = {k for k in a if not is_annotation(k)}
        if keys != {k for k in b if not is_annotation(k)}:
            return False
        if "discriminator" in keys and not self._equal_discriminator(a, a_base, b, b_base):
            return False
        for keyword in keys:
            # the pairs are compared here, not in a helper: no more frames per level of
            # nesting than before (deep schemas stop at the recursion limit, "unknown")
            pairs = self._pairs(keyword, a[keyword], a_base, b[keyword], b_base)
            if pairs is False:
                return False
            if pairs is True:
                continue
            for pair in pairs:
                if not self._equal(*pair):
                    return False
        return True

    def _pairs(
        self, keyword: str, left: Any, a_base: str, right: Any, b_base: str
    ) -> list[tuple[Any, str, Any, str]] | bool:
        """The subschemas ``keyword`` holds on both sides, to be equal in turn; or whether
        its values are equal when it holds none (or the shapes differ)."""
        if keyword == "$ref":
            if not isinstance(left, str) or not isinstance(right, str):
                return False
            la, lt = self._refs.deref(left, a_base)
            ra, rt = self._refs.deref(right, b_base)
            return [(lt, la, rt, ra)]
        if keyword == "discriminator":
            return True  # compared as a whole, with its mapping's targets
        if keyword in _SCHEMA_KEYWORDS:
            return [(left, a_base, right, b_base)]
        if keyword in _SCHEMA_LISTS:
            if not isinstance(left, list) or not isinstance(right, list):
                return hkey(left) == hkey(right)
            if len(left) != len(right):
                return False
            return [(x, a_base, y, b_base) for x, y in zip(left, right, strict=True)]
        if keyword in _SCHEMA_MAPS:
            if not isinstance(left, dict) or not isinstance(right, dict):
                return hkey(left) == hkey(right)
            if left.keys() != right.keys():
                return False
            return [(left[k], a_base, right[k], b_base) for k in left]
        return hkey(left) == hkey(right)

    def _equal_discriminator(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        left, right = discriminated(a), discriminated(b)
        if not isinstance(left, Discriminated) or not isinstance(right, Discriminated):
            return hkey(a.get("discriminator")) == hkey(b.get("discriminator")) and left == right
        if left.prop != right.prop or [v for v, _ in left.entries] != [v for v, _ in right.entries]:
            return False
        for (_, lref), (_, rref) in zip(left.entries, right.entries, strict=True):
            la, lt = self._refs.deref(lref, a_base)
            ra, rt = self._refs.deref(rref, b_base)
            if not self._equal(lt, la, rt, ra):
                return False
        return True
