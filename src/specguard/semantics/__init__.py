"""Semantic judge: is every instance one schema accepts also accepted by another?

Used by ``rules`` (imports: ``model`` only; no I/O). Keyword rules compare schemas keyword by
keyword; the judge compares what they *accept*, so an equivalent refactor (allOf flattened,
``enum: [x]`` vs ``const: x``, a branch moved behind a ``$ref``) is not a change, and a break no
single keyword shows (a new allOf branch, a ``not``, overlapping oneOf branches) is caught.

The approach follows jsonsubschema (Habib, Shinnar, Hirzel, Pradel, ISSTA 2021): each schema is
rewritten into a disjunction of single-type "atoms", and inclusion is checked type by type.
Recursive ``$ref`` is handled coinductively (a pair being checked is assumed to hold).

Three outcomes: COMPATIBLE only with a proof; INCOMPATIBLE only with a witness instance that a
real validator (OpenAPI's validators on jsonschema, see :mod:`._verify`) has checked
against both schemas; UNKNOWN with a reason otherwise.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from specguard.model import Witness
from specguard.semantics._atoms import Dialect, Formats
from specguard.semantics._engine import Engine
from specguard.semantics._forms import Proved, Refuted, Unknown
from specguard.semantics._oas import Context
from specguard.semantics._verify import FORMAT_CHECKERS, VerificationError, Verifier

__all__ = ["Judge", "Outcome", "RefResolver", "Verdict"]


class Outcome(str, enum.Enum):
    """What the judge could establish."""

    COMPATIBLE = "compatible"
    INCOMPATIBLE = "incompatible"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The judge's answer: ``witness`` is set exactly when the outcome is INCOMPATIBLE."""

    outcome: Outcome
    witness: Witness | None
    reason: str


class RefResolver(Protocol):
    """Resolves a ``$ref`` written in the document ``base`` (an opaque file key).

    Returns ``(target_base, target_identity, target_node)``; ``target_identity`` is a stable
    hashable string naming the target. Raising means "unresolvable": the judge answers UNKNOWN.
    """

    def __call__(self, ref: str, base: str) -> tuple[str, str, Any]: ...


@dataclass(frozen=True, slots=True)
class _Side:
    """One schema under comparison: the node, its document and its dialect."""

    schema: Any
    base: str
    dialect: Dialect

    @property
    def key(self) -> tuple[int, str, str]:
        return (id(self.schema), self.base, self.dialect)


_MAX_CANDIDATES = 6
# Work one Judge (one diff) may spend in all; past it, the remaining pairs are "unknown" and
# their keyword findings stand. Deterministic: the same inputs give the same verdicts.
TOTAL_STEP_BUDGET = 400_000

_LABELS = {
    None: ("the first schema accepts it", "the second rejects it"),
    "request": ("the old schema accepts it", "the new one rejects it"),
    "response": ("the new schema allows it", "the old one did not"),
}


class Judge:
    """Decides schema inclusion between an old and a new document, with memoisation.

    One judge serves one comparison (one old and one new spec): memo entries are keyed by the
    identity of schema nodes, which must stay alive and unchanged while the judge is used.

    The included side (``sub``: the old request, the new response) is what a sender may send,
    and a sender sends only the properties its schema declares: its objects are closed over
    them unless the schema opens itself (``additionalProperties: true`` or a schema,
    ``patternProperties``) or declares no property at all (a free-form map). The including
    side is a receiver and tolerates what its schema does not close. ``closed_senders=False``
    compares plain JSON Schema instance sets instead.

    ``format`` is an annotation (2020-12 without the format-assertion vocabulary, and what
    OpenAPI 3.0 servers mostly do): it constrains nothing unless ``assert_formats=True``.

    ``dialect`` is the default for both sides; when the two documents differ (3.0 → 3.1), pass
    the per-side dialect to each call. Numeric ``integer`` semantics follow ``dialect`` (3.0
    does not count ``1.0`` as an integer, 3.1 does); the judge only ever builds integer
    witnesses as ints, so this matters only for proofs about integral floats.
    """

    def __init__(
        self,
        resolve: RefResolver,
        *,
        dialect: Literal["3.0", "3.1"],
        closed_senders: bool = True,
        assert_formats: bool = False,
    ) -> None:
        self._resolve = resolve
        self._closed_senders = closed_senders
        self._dialect: Dialect = dialect
        self._verifier = Verifier(resolve, assert_formats=assert_formats)
        self._formats = Formats(FORMAT_CHECKERS, asserted=assert_formats)
        self._engines: dict[tuple[Context, bool], Engine] = {}
        self._verdicts: dict[tuple[Any, ...], Verdict] = {}
        self._proofs: dict[tuple[Any, ...], Verdict] = {}  # proof-only answers, not proved
        self.steps_spent = 0

    def is_subschema(
        self,
        sub: Any,
        sub_base: str,
        sup: Any,
        sup_base: str,
        *,
        context: Literal["request", "response"],
        sub_dialect: Literal["3.0", "3.1"] | None = None,
        sup_dialect: Literal["3.0", "3.1"] | None = None,
    ) -> Verdict:
        """Every instance valid under ``sub`` is valid under ``sup``?

        The witness (when INCOMPATIBLE) is valid under ``sub`` and invalid under ``sup``.
        """
        return self._judge(
            _Side(sub, sub_base, sub_dialect or self._dialect),
            _Side(sup, sup_base, sup_dialect or self._dialect),
            context,
            None,
            closed=self._closed_senders,
        )

    def request_compatible(
        self,
        old: Any,
        old_base: str,
        new: Any,
        new_base: str,
        *,
        old_dialect: Literal["3.0", "3.1"] | None = None,
        new_dialect: Literal["3.0", "3.1"] | None = None,
        witness: bool = True,
        closed: bool | None = None,
    ) -> Verdict:
        """Does the new request schema accept everything the old one did (old ⊆ new)?

        ``witness=False`` asks only whether this is proved: no counterexample is built or
        verified, so the outcome is COMPATIBLE or UNKNOWN, never INCOMPATIBLE. ``closed``
        overrides the judge's ``closed_senders`` for this question.
        """
        return self._judge(
            _Side(old, old_base, old_dialect or self._dialect),
            _Side(new, new_base, new_dialect or self._dialect),
            "request",
            "request",
            witness,
            self._closed_senders if closed is None else closed,
        )

    def response_compatible(
        self,
        old: Any,
        old_base: str,
        new: Any,
        new_base: str,
        *,
        old_dialect: Literal["3.0", "3.1"] | None = None,
        new_dialect: Literal["3.0", "3.1"] | None = None,
        witness: bool = True,
        closed: bool | None = None,
    ) -> Verdict:
        """Is everything the new response schema allows already allowed by the old (new ⊆ old)?

        ``witness`` and ``closed`` as for :meth:`request_compatible`.
        """
        return self._judge(
            _Side(new, new_base, new_dialect or self._dialect),
            _Side(old, old_base, old_dialect or self._dialect),
            "response",
            "response",
            witness,
            self._closed_senders if closed is None else closed,
        )

    def shared_within(
        self,
        sender: tuple[Any, str],
        others: tuple[tuple[Any, str], ...],
        within: tuple[Any, str] | None = None,
        *,
        context: Literal["request", "response"],
        dialects: tuple[Literal["3.0", "3.1"], ...] = (),
        closed: bool | None = None,
    ) -> bool:
        """Proved: whatever a sender of ``sender`` (schema, base) sends that every one of
        ``others`` also accepts is valid under ``within`` — or, without ``within``, nothing is
        (they are disjoint). False: not proved. ``dialects`` per schema, in that order.

        A new oneOf branch catches no old value when, for every old branch, what the two share
        is nothing, or already matched a second old branch (so it was never valid).
        ``closed=False``: the first schema is not closed (plain instance sets).
        """
        if self.steps_spent > TOTAL_STEP_BUDGET:
            return False
        closed = self._closed_senders if closed is None else closed
        engine = self._engine(context, closed)
        given = [sender, *others] + ([within] if within is not None else [])
        sides = [(schema, base, dialects[i] if i < len(dialects) else self._dialect)
                 for i, (schema, base) in enumerate(given)]
        last = len(others) + 1
        result = engine.shared_within(
            sides[0], sides[1:last], sides[last] if within is not None else None
        )
        self.steps_spent += engine.steps
        if engine.poisoned:
            del self._engines[(context, closed)]
        return result

    def accepts(
        self,
        instance: Any,
        schema: Any,
        base: str,
        *,
        context: Literal["request", "response"],
        dialect: Literal["3.0", "3.1"] | None = None,
    ) -> bool | None:
        """Whether ``schema`` accepts ``instance`` (a real validator; None: it could not run)."""
        try:
            return self._verifier.check(
                instance, schema, base, context, dialect or self._dialect
            ).valid
        except VerificationError:
            return None

    def _engine(self, context: Context, closed: bool) -> Engine:
        engine = self._engines.get((context, closed))
        if engine is None:
            engine = Engine(self._resolve, self._dialect, context, self._formats,
                            closed_senders=closed)
            self._engines[(context, closed)] = engine
        return engine

    def _judge(
        self,
        sub: _Side,
        sup: _Side,
        context: Context,
        label: Context | None,
        witness: bool = True,
        closed: bool = True,
    ) -> Verdict:
        key = (*sub.key, *sup.key, context, label, closed)
        known = self._verdicts.get(key)
        if known is None and not witness:
            known = self._proofs.get(key)
        if known is None:
            known = self._decide(sub, sup, context, label, witness, closed)
            # a proof-only answer settles a later request for a witness only when it is a proof
            if witness or known.outcome is Outcome.COMPATIBLE:
                self._verdicts[key] = known
            else:
                self._proofs[key] = known
        return known

    def _decide(
        self,
        sub: _Side,
        sup: _Side,
        context: Context,
        label: Context | None,
        witness: bool,
        closed: bool,
    ) -> Verdict:
        if sub.schema is sup.schema and sub.base == sup.base and sub.dialect == sup.dialect:
            return Verdict(Outcome.COMPATIBLE, None, "the same schema")
        if self.steps_spent > TOTAL_STEP_BUDGET:
            return Verdict(Outcome.UNKNOWN, None, "the judge's budget for this diff is spent")
        engine = self._engine(context, closed)
        result = engine.decide(
            sub.schema, sub.base, sub.dialect, sup.schema, sup.base, sup.dialect, witness=witness
        )
        self.steps_spent += engine.steps
        if engine.poisoned:
            del self._engines[(context, closed)]
        if isinstance(result, Proved):
            return Verdict(Outcome.COMPATIBLE, None, "proved: every instance stays valid")
        if isinstance(result, Unknown):
            return Verdict(Outcome.UNKNOWN, None, result.reason)
        if not witness:
            return Verdict(Outcome.UNKNOWN, None, "not proved (no counterexample was asked for)")
        assert isinstance(result, Refuted)
        accepts, rejects = _LABELS[label]
        failure = ""
        for candidate in (result.witness, *result.alternates)[:_MAX_CANDIDATES]:
            try:
                inside = self._verifier.check(candidate, sub.schema, sub.base, context, sub.dialect)
                outside = self._verifier.check(
                    candidate, sup.schema, sup.base, context, sup.dialect
                )
            except VerificationError as exc:
                return Verdict(
                    Outcome.UNKNOWN, None, f"a counterexample could not be checked: {exc}"
                )
            if inside.valid and not outside.valid:
                explanation = f"{accepts}; {rejects}: {outside.message}"
                return Verdict(Outcome.INCOMPATIBLE, Witness(candidate, explanation), explanation)
            if not failure:
                failure = (
                    f"the validator rejects it under the first schema: {inside.message}"
                    if not inside.valid
                    else "the validator accepts it under both schemas"
                )
        return Verdict(Outcome.UNKNOWN, None, f"no counterexample could be verified ({failure})")
