"""The inclusion engine: one per (dialect, context) pair, holding the memo of its parts.

The parts, by concern: :mod:`._refs` (schema nodes, ``$ref``), :mod:`._canon` (raw schema to
canonical form), :mod:`._algebra` (union, intersection, complement, oneOf), :mod:`._member`
and :mod:`._empty` (membership, emptiness), :mod:`._samples` (candidate instances),
:mod:`._equal` (the unchanged-schema fast path), :mod:`._inclusion` (the check itself) and
:mod:`._budget` (steps). They share one :class:`~._memo.Ctx`; whether a question wants a
counterexample is the :class:`~._memo.Mode` passed down its calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from specguard.semantics._atoms import Dialect, Formats
from specguard.semantics._budget import STEP_BUDGET, BudgetExceeded
from specguard.semantics._canon import canon
from specguard.semantics._empty import is_empty
from specguard.semantics._equal import Equality
from specguard.semantics._forms import Proved, Result, Unknown
from specguard.semantics._inclusion import check
from specguard.semantics._memo import Ctx, Mode
from specguard.semantics._oas import Context, Resolve
from specguard.semantics._refs import Refs

__all__ = ["Engine"]


class Engine:
    """Decides inclusion between schemas of two documents, for one dialect and context."""

    __slots__ = ("_closed_senders", "ctx", "poisoned")

    def __init__(
        self,
        resolve: Resolve,
        dialect: Dialect,
        context: Context,
        formats: Formats,
        *,
        closed_senders: bool = True,
    ) -> None:
        refs = Refs(resolve, context)
        self.ctx = Ctx(
            dialect=dialect, formats=formats, refs=refs, equality=Equality(refs), canon=canon
        )
        # the included side is what a sender may send: closed over its declared properties
        self._closed_senders = closed_senders
        # Set when a decision was cut short: in-progress (coinductive) assumptions may be
        # left behind, so the owner must discard this engine.
        self.poisoned = False

    def decide(
        self,
        sub: Any,
        sub_base: str,
        sub_dialect: Dialect,
        sup: Any,
        sup_base: str,
        sup_dialect: Dialect,
        *,
        witness: bool = True,
    ) -> Result:
        """Is ``sub`` included in ``sup``? ``witness=False``: only a proof matters, so no
        counterexample is built (the answer is then Proved or not, the rest is cheaper)."""
        cx = self.ctx
        cx.budget.restart()
        mode = Mode.WITNESS if witness else Mode.PROOF
        try:
            return check(
                cx,
                mode,
                cx.refs.sch(sub, sub_base, sub_dialect, self._closed_senders),
                cx.refs.sch(sup, sup_base, sup_dialect),
            )
        except RecursionError:
            self.poisoned = True
            return Unknown("schemas nested too deeply to compare")
        except BudgetExceeded:
            self.poisoned = True
            return Unknown(f"too complex to decide within {STEP_BUDGET} steps")

    def shared_within(
        self,
        sender: tuple[Any, str, Dialect],
        others: Sequence[tuple[Any, str, Dialect]],
        within: tuple[Any, str, Dialect] | None,
    ) -> bool:
        """Provably every instance a sender of the first schema sends that all ``others``
        accept is also valid under ``within`` (None: there is no such instance). False when
        unsure, or when the question is too costly."""
        cx = self.ctx
        cx.budget.restart()
        try:
            both = cx.refs.sch(*sender, self._closed_senders).conj(
                *(cx.refs.sch(*other) for other in others)
            )
            if within is None:
                return is_empty(cx, both)
            return isinstance(check(cx, Mode.PROOF, both, cx.refs.sch(*within)), Proved)
        except (RecursionError, BudgetExceeded):
            self.poisoned = True
            return False

    @property
    def steps(self) -> int:
        """Units of work the last :meth:`decide` took."""
        return self.ctx.budget.steps
