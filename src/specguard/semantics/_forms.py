"""Canonical forms and the three kinds of answer of an inclusion check.

A canonical form (:data:`Canon`) is one tuple of atoms per JSON type, in ``TYPES`` order: the
schema accepts a value when one atom of the value's type does.

* :class:`Proved` — inclusion holds. ``deps`` lists the pairs still assumed to hold
  (coinduction for recursive ``$ref``); only proofs without open assumptions are memoised.
* :class:`Refuted` — a candidate instance of the included schema that the including one
  rejects. The public judge verifies it with a real validator before showing it.
* :class:`Unknown` — no proof and no counterexample, with a reason for the report.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from specguard.semantics._atoms import (
    TYPES,
    Atom,
    NumAtom,
    OpaqueAtom,
    StrAtom,
    atom_type,
    full,
)

Canon = tuple[tuple[Atom, ...], ...]  # one tuple of atoms per JSON type, in TYPES order
IDX: dict[str, int] = {t: i for i, t in enumerate(TYPES)}
TOP_CANON: Canon = tuple((full(t),) for t in TYPES)
BOTTOM_CANON: Canon = tuple(() for _ in TYPES)
MISSING = object()  # no sample could be built


@dataclass(frozen=True, slots=True)
class Proved:
    deps: frozenset[Hashable] = frozenset()


@dataclass(frozen=True, slots=True)
class Refuted:
    witness: Any
    alternates: tuple[Any, ...] = ()  # more candidates, for when the first fails verification


@dataclass(frozen=True, slots=True)
class Unknown:
    reason: str


Result = Proved | Refuted | Unknown
PROVED = Proved()


def opaque_canon(reason: str) -> Canon:
    return tuple((OpaqueAtom(t, reason, (full(t),)),) for t in TYPES)


def expand(atoms: Iterable[Atom]) -> list[Atom]:
    """Replace undecided atoms by their known upper bound (sound on the included side)."""
    out: list[Atom] = []
    for atom in atoms:
        if isinstance(atom, OpaqueAtom):
            out.extend(expand(atom.upper))
        else:
            out.append(atom)
    return out


def dedupe_atoms(atoms: Iterable[Atom]) -> tuple[Atom, ...]:
    return tuple(dict.fromkeys(atoms))


def with_objects(canon: Canon, objects: tuple[Atom, ...]) -> Canon:
    """``canon`` with its object atoms replaced (itself when they are the same)."""
    index = IDX["object"]
    if objects == canon[index]:
        return canon
    return tuple(objects if i == index else part for i, part in enumerate(canon))


def describe(atom: Atom) -> str:
    if isinstance(atom, StrAtom):
        if atom.patterns or atom.not_patterns:
            return "strings constrained by different patterns"
        if atom.formats or atom.not_formats:
            return "strings constrained by formats"
        return "string constraints"
    if isinstance(atom, NumAtom):
        return "number constraints (multipleOf/format)"
    if isinstance(atom, OpaqueAtom):
        return atom.reason
    return f"{atom_type(atom)} constraints"


def opaque_reason(atoms: Iterable[Atom]) -> str | None:
    for atom in atoms:
        if isinstance(atom, OpaqueAtom):
            return atom.reason
    return None
