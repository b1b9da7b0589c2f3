"""Schema nodes and ``$ref`` resolution: one node per schema object, shared by every place
that refers to it, and the readOnly/writeOnly flag read through references."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from specguard.semantics._atoms import FALSE_NODE, TRUE_NODE, Dialect, Node, Sch, hkey
from specguard.semantics._oas import Context, Resolve, has_flag, hidden_keyword, is_annotation


class RefFailure(Exception):
    """A ``$ref`` that is not a string or that the resolver cannot resolve."""


def plain_ref(raw: Any) -> bool:
    """``{"$ref": ...}`` with nothing beside it but annotations."""
    return (
        isinstance(raw, dict)
        and "$ref" in raw
        and all(k == "$ref" or is_annotation(k) for k in raw)
    )


class Refs:
    """Nodes of the schemas of both documents, and where their references lead (memoised).

    Memo entries are keyed by ``id()`` of schema objects: a node keeps its raw schema alive,
    and ``keep`` holds the raws whose node is their ``$ref`` target's.
    """

    __slots__ = ("_consts", "_hidden", "_hidden_memo", "_keep", "_ref_memo", "_resolve", "nodes")

    def __init__(self, resolve: Resolve, context: Context) -> None:
        self._resolve = resolve
        self._hidden = hidden_keyword(context)
        self.nodes: dict[Hashable, Node] = {}
        self._keep: list[Any] = []
        self._ref_memo: dict[tuple[str, str], tuple[str, Any] | str] = {}
        self._hidden_memo: dict[tuple[int, str], bool] = {}
        self._consts: dict[Hashable, Node] = {}

    def node(self, raw: Any, base: str, dialect: Dialect, sender: bool = False) -> Node:
        if raw is True or (isinstance(raw, dict) and not raw):
            return TRUE_NODE
        if raw is False:
            return FALSE_NODE
        key = ("raw", id(raw), base, dialect, sender)
        known = self.nodes.get(key)
        if known is None:
            target = self.plain_target(raw, base)
            if target is not None:
                # ``{"$ref": ...}`` (with annotations at most) is its target: every place that
                # refers to a component shares one node, so conjunctions of them collapse and
                # every memo keyed by nodes is shared
                known = self.node(target[1], target[0], dialect, sender)
                self._keep.append(raw)  # that node does not keep ``raw`` alive
            else:
                # the node keeps ``raw`` alive, so its id() cannot be reused while memoised
                known = Node(key=key, raw=raw, base=base, dialect=dialect, sender=sender)
            self.nodes[key] = known
        return known

    def plain_target(self, raw: Any, base: str) -> tuple[str, Any] | None:
        """Where a chain of annotation-only ``$ref`` objects ends (None if ``raw`` is not one,
        or the chain loops or fails: that node is then kept as it is)."""
        seen: set[int] = set()
        found: tuple[str, Any] | None = None
        while plain_ref(raw):
            if id(raw) in seen or len(seen) > 64:
                return None
            seen.add(id(raw))
            try:
                base, raw = self.deref(raw["$ref"], base)
            except RefFailure:
                return None
            found = (base, raw)
        return found

    def sch(self, raw: Any, base: str, dialect: Dialect, sender: bool = False) -> Sch:
        return Sch.of(self.node(raw, base, dialect, sender))

    def const(self, value: Any) -> Sch:
        """The schema accepting exactly ``value``."""
        key = ("const", hkey(value))
        known = self._consts.get(key)
        if known is None:
            raw = {"enum": [value]}
            known = self._consts[key] = Node(key=key, raw=raw, base="", dialect="3.1")
        return Sch.of(known)

    def deref(self, ref: Any, base: str) -> tuple[str, Any]:
        """``(target_base, target)`` of ``ref`` written in ``base``; raises RefFailure."""
        if not isinstance(ref, str):
            raise RefFailure("a $ref that is not a string")
        memo_key = (ref, base)
        known = self._ref_memo.get(memo_key)
        if known is None:
            try:
                target_base, _identity, target = self._resolve(ref, base)
                known = (target_base, target)
            except Exception as exc:  # resolver is caller code over untrusted input
                known = f"unresolvable $ref {ref!r}: {exc}"
            self._ref_memo[memo_key] = known
        if isinstance(known, str):
            raise RefFailure(known)
        return known

    def is_hidden(self, raw: Any, base: str) -> bool:
        """readOnly in requests, writeOnly in responses: never sent."""
        key = (id(raw), base)
        known = self._hidden_memo.get(key)
        if known is None:
            known = self._hidden_memo[key] = has_flag(raw, base, self._hidden, self._resolve)
        return known
