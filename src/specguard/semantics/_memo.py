"""What the parts of one engine share: its settings, its memo and its budget.

The parts (:mod:`._canon`, :mod:`._algebra`, :mod:`._member`, :mod:`._empty`, :mod:`._samples`,
:mod:`._inclusion`) are functions of a :class:`Ctx`; only the witness :class:`Mode` of one
question travels as a parameter. Memo entries are keyed by the identity of schema nodes and
atoms, which stay alive (in the memo itself or in the nodes) while the engine lives.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from specguard.semantics._atoms import Atom, Dialect, Formats, ObjAtom, Rule, Sch
from specguard.semantics._budget import Budget
from specguard.semantics._equal import Equality
from specguard.semantics._forms import Canon, Result
from specguard.semantics._refs import Refs

_Pair = tuple[frozenset[Hashable], frozenset[Hashable]]


class Mode(str, enum.Enum):
    """What one question wants: a counterexample when inclusion fails, or only a proof (the
    answer is then Proved or not, and the rest is cheaper)."""

    WITNESS = "witness"
    PROOF = "proof"


@dataclass(slots=True)
class Memo:
    """Every memo of one engine, by concern."""

    # canonical forms: of raw schemas and of conjunctions; the raws being built (a $ref cycle
    # that never passes through a property or item) and how often one was hit, since a form
    # built through a hit is not memoised
    raw: dict[Hashable, Canon] = field(default_factory=dict)
    sch: dict[frozenset[Hashable], Canon] = field(default_factory=dict)
    visiting: set[Hashable] = field(default_factory=set)
    cycle_hits: int = 0
    # inclusion: answers with a counterexample search, answers without, pairs assumed to hold
    check: dict[_Pair, Result] = field(default_factory=dict)
    proof: dict[_Pair, Result] = field(default_factory=dict)
    in_progress: set[Hashable] = field(default_factory=set)
    # emptiness and plain inhabitation
    empty: dict[frozenset[Hashable], bool] = field(default_factory=dict)
    empty_progress: set[frozenset[Hashable]] = field(default_factory=set)
    atom_empty: dict[int, tuple[Atom, bool]] = field(default_factory=dict)
    inhabited: dict[tuple[int, str], bool] = field(default_factory=dict)
    inhabited_progress: set[tuple[int, str]] = field(default_factory=set)
    # per object atom (by id, the atom kept alive): its rules by property name, the rules
    # that are not by name, and the key schemas computed so far
    key_index: dict[
        int, tuple[ObjAtom, dict[str, list[Sch]], tuple[Rule, ...], dict[str, Sch]]
    ] = field(default_factory=dict)
    # membership of containers (value and atom kept alive) and samples by schema
    member: dict[tuple[int, int], tuple[Any, Atom, bool | None]] = field(default_factory=dict)
    candidates: dict[tuple[frozenset[Hashable], int, int], tuple[Any, ...]] = field(
        default_factory=dict
    )


@dataclass(slots=True, eq=False)
class Ctx:
    """One engine's settings and state, passed to every part.

    ``canon`` is :func:`._canon.canon`, handed in by the engine: membership and emptiness
    expand the sub-schemas of arrays and objects lazily, and are themselves used to build
    canonical forms (enum values, oneOf branches), so this is where the parts meet.
    """

    dialect: Dialect
    formats: Formats
    refs: Refs
    equality: Equality
    canon: Callable[[Ctx, Sch], Canon]
    memo: Memo = field(default_factory=Memo)
    budget: Budget = field(default_factory=Budget)
