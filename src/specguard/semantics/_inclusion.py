"""Inclusion: is every instance of one schema an instance of another? Type by type, atom by
atom; structures key by key and item by item, coinductively through recursive ``$ref``.

Every function takes the :class:`Mode` of the question: with ``Mode.PROOF`` the first part
without a proof settles it, and no counterexample is built.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from specguard.semantics import _regex
from specguard.semantics._algebra import atom_complement, atom_intersect, product
from specguard.semantics._atoms import (
    FALSE,
    TOP,
    TYPES,
    ArrAtom,
    Atom,
    FinAtom,
    JsonType,
    ObjAtom,
    OpaqueAtom,
    Rule,
    Sch,
)
from specguard.semantics._canon import canon
from specguard.semantics._empty import atom_empty, is_empty, is_top, max_keys
from specguard.semantics._forms import (
    MISSING,
    PROVED,
    Canon,
    Proved,
    Refuted,
    Result,
    Unknown,
    describe,
    expand,
    opaque_reason,
)
from specguard.semantics._keys import fresh_keys, key_schema, names, patterns_of
from specguard.semantics._member import member_atom, member_canon, member_list
from specguard.semantics._memo import Ctx, Mode
from specguard.semantics._samples import atom_candidates, first, sample


def check(cx: Ctx, mode: Mode, sub: Sch, sup: Sch) -> Result:
    """Is every instance of ``sub`` an instance of ``sup``?"""
    if sub.key == sup.key or sup.key == TOP.key or sub.is_false:
        return PROVED
    memo = cx.memo
    key = (sub.key, sup.key)
    known = memo.check.get(key)
    if known is None:
        # answers without a counterexample search only settle a proof-only question, or
        # any question when they are proofs
        known = memo.proof.get(key)
        if known is not None and mode is Mode.WITNESS and not isinstance(known, Proved):
            known = None
    if known is not None:
        return known
    if key in memo.in_progress:
        return Proved(frozenset({key}))
    if _unchanged(cx, sub, sup):
        memo.check[key] = PROVED
        return PROVED
    memo.in_progress.add(key)
    try:
        result = _check_canon(cx, mode, canon(cx, sub), canon(cx, sup))
    finally:
        memo.in_progress.discard(key)
    if isinstance(result, Proved):
        deps = result.deps - {key}
        if deps:
            return Proved(deps)
        result = PROVED
    (memo.check if mode is Mode.WITNESS else memo.proof)[key] = result
    return result


def _unchanged(cx: Ctx, sub: Sch, sup: Sch) -> bool:
    """Both are one schema, the same up to annotations and where their ``$ref``s point."""
    if len(sub.nodes) != 1 or len(sup.nodes) != 1:
        return False
    left, right = sub.nodes[0], sup.nodes[0]
    return (
        left.negated is None
        and right.negated is None
        and left.dialect == right.dialect
        and cx.equality.equal(left.raw, left.base, right.raw, right.base)
    )


def _check_canon(cx: Ctx, mode: Mode, sub: Canon, sup: Canon) -> Result:
    cx.budget.tick()
    deps: set[Hashable] = set()
    unknown: str | None = None
    for i, kind in enumerate(TYPES):
        for atom in expand(sub[i]):
            result = _atom_in(cx, mode, kind, atom, sup[i])
            if mode is Mode.PROOF and not isinstance(result, Proved):
                return result  # not proved, whether or not a candidate would hold up
            if isinstance(result, Refuted):
                # the sub side may have been over-approximated: keep only real witnesses
                checked = _real_witness(cx, atom, result, sub, sup)
                if checked is not None:
                    return checked
                unknown = unknown or "a counterexample candidate did not hold up"
            elif isinstance(result, Unknown):
                unknown = unknown or result.reason
            else:
                deps |= result.deps
    if unknown is not None:
        return Unknown(unknown)
    return Proved(frozenset(deps))


def _real_witness(
    cx: Ctx, atom: Atom, found: Refuted, sub: Canon, sup: Canon
) -> Refuted | None:
    """``found`` when its witness may lie in ``sub`` and surely not in ``sup`` (with other
    candidates when it may not lie in ``sub``), else another candidate of ``atom``, if any."""
    inside = member_canon(cx, found.witness, sub)
    if inside is not False and member_canon(cx, found.witness, sup) is not True:
        if inside is None:
            return Refuted(found.witness, _alternates(cx, atom, sub, sup))
        return found
    # the candidate came from an over-approximation: look for another one
    others = _alternates(cx, atom, sub, sup)
    if others:
        return Refuted(others[0], others[1:])
    return None


def _alternates(cx: Ctx, atom: Atom, sub: Canon, sup: Canon) -> tuple[Any, ...]:
    """Other instances of ``atom`` outside ``sup``, for the validator to pick from."""
    return tuple(
        value
        for value in atom_candidates(cx, atom, 0, 6)
        if member_canon(cx, value, sub) is not False
        and member_canon(cx, value, sup) is False
    )


def _atom_in(cx: Ctx, mode: Mode, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]) -> Result:
    cx.budget.tick()
    structured = isinstance(atom, ArrAtom | ObjAtom | OpaqueAtom)
    if not structured and atom_empty(cx, atom):
        return PROVED
    result = _nonempty_atom_in(cx, mode, kind, atom, sups)
    # An empty structure is included in anything, but proving it empty canonicalises every
    # required property: ask only when inclusion was not shown the direct way.
    if structured and not isinstance(result, Proved) and atom_empty(cx, atom):
        return PROVED
    return result


def _nonempty_atom_in(
    cx: Ctx, mode: Mode, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]
) -> Result:
    if not sups:
        value = first(cx, atom_candidates(cx, atom, 0, 1), atom)
        if value is MISSING:
            return Unknown(f"cannot build a {kind} instance of the included schema")
        return Refuted(value)
    if isinstance(atom, FinAtom):
        for value in atom.values:
            verdict = member_list(cx, value, sups)
            if verdict is False:
                return Refuted(value)
            if verdict is None:
                return Unknown(opaque_reason(sups) or f"enum value {value!r} undecided")
        return PROVED
    if kind in ("null", "boolean", "number", "string"):
        return _scalar_in(cx, kind, atom, sups)
    return _structure_in(cx, mode, kind, atom, sups)


def _outside(cx: Ctx, values: Iterable[Any], atom: Atom, sups: tuple[Atom, ...]) -> Any:
    """The first of ``values`` that may be in ``atom`` and is in none of ``sups``."""
    for value in values:
        if member_atom(cx, value, atom) is not False and member_list(cx, value, sups) is False:
            return value
    return MISSING


def _scalar_in(cx: Ctx, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]) -> Result:
    """``atom ⊆ ∪ sups`` iff ``atom ∧ ¬sup1 ∧ … ∧ ¬supN`` is empty (exact for scalars)."""
    pieces: list[Atom] = [atom]
    for sup in sups:
        pieces = list(product(cx, kind, pieces, atom_complement(cx, sup)))
        if not pieces:
            return PROVED
    undecided: Atom | None = None
    for piece in pieces:
        if atom_empty(cx, piece):
            continue
        for value in atom_candidates(cx, piece, 0, 4):
            if member_atom(cx, value, atom) is True and member_list(cx, value, sups) is False:
                return Refuted(value)
        undecided = undecided or piece
    if undecided is None:
        return PROVED
    reason = opaque_reason(sups) or opaque_reason([undecided])
    return Unknown(reason or f"cannot decide inclusion of {describe(undecided)}")


def _structure_in(
    cx: Ctx, mode: Mode, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]
) -> Result:
    exact: list[Atom] = [s for s in sups if not isinstance(s, OpaqueAtom)]
    if len(exact) > 1:
        probed = _probe(cx, atom, sups, exact)
        if isinstance(probed, Refuted):
            return probed
        exact = probed
    results: list[Result] = []
    for sup in exact:
        result = _structure_sub(cx, mode, atom, sup)
        if isinstance(result, Proved):
            return result
        results.append(result)
    if len(sups) == 1 and results:
        return results[0]
    found = _outside(
        cx,
        [r.witness for r in results if isinstance(r, Refuted)]
        + atom_candidates(cx, atom, 0, 4),
        atom,
        sups,
    )
    if found is not MISSING:
        return Refuted(found)
    split = _split_in(cx, mode, kind, atom, sups)
    if split is not None:
        return split
    return Unknown(_undecided_union(kind, sups, results))


def _probe(
    cx: Ctx, atom: Atom, sups: tuple[Atom, ...], exact: list[Atom]
) -> Refuted | list[Atom]:
    """A union of many object shapes (anyOf of event types...): one instance of ``atom``
    rules out every branch that rejects it, before any structural comparison. That instance
    when no branch accepts it, else the ``exact`` branches that may."""
    probe = first(cx, atom_candidates(cx, atom, 0, 1), atom)
    if probe is MISSING or member_atom(cx, probe, atom) is not True:
        return exact
    if member_list(cx, probe, sups) is False:
        return Refuted(probe)
    return [s for s in exact if member_atom(cx, probe, s) is not False]


def _undecided_union(kind: JsonType, sups: tuple[Atom, ...], results: list[Result]) -> str:
    """Why inclusion in the union ``sups`` is undecided."""
    reason = opaque_reason(sups)
    if reason is not None:
        return reason
    reasons = [r.reason for r in results if isinstance(r, Unknown)]
    if reasons:
        return reasons[0]
    return (
        f"the {kind} schema fits no single branch of the union and no counterexample "
        "was found"
    )


def _split_in(
    cx: Ctx, mode: Mode, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]
) -> Result | None:
    """``atom ∧ ¬sup1 ∧ … ∧ ¬supN``, when every complement is exact (as for scalars).

    None when some complement is not representable or the case split grows too large.
    """
    pieces: list[Atom] = [atom]
    for sup in sups:
        complement = atom_complement(cx, sup)
        if any(isinstance(c, OpaqueAtom) for c in complement):
            return None
        pieces = list(product(cx, kind, pieces, complement))
        if not pieces:
            return PROVED
        if any(isinstance(p, OpaqueAtom) for p in pieces):
            return None
    undecided = False
    for piece in pieces:
        if atom_empty(cx, piece):
            continue
        if mode is Mode.PROOF:
            return None
        found = _outside(cx, atom_candidates(cx, piece, 0, 3), atom, sups)
        if found is not MISSING:
            return Refuted(found)
        undecided = True
    return None if undecided else PROVED


def _structure_sub(cx: Ctx, mode: Mode, atom: Atom, sup: Atom) -> Result:
    if isinstance(sup, FinAtom):
        for value in atom_candidates(cx, atom, 0, 4):
            if member_atom(cx, value, atom) is True and member_atom(cx, value, sup) is False:
                return Refuted(value)
        return Unknown("cannot prove that a schema only allows the listed enum values")
    if isinstance(atom, ArrAtom) and isinstance(sup, ArrAtom):
        return _arr_sub(cx, mode, atom, sup)
    if isinstance(atom, ObjAtom) and isinstance(sup, ObjAtom):
        return _obj_sub(cx, mode, atom, sup)
    return Unknown(f"cannot compare {describe(atom)} with {describe(sup)}")


class _Parts:
    """The parts of a structural inclusion checked so far: a counterexample settles it, an
    unknown part settles a proof-only question and is remembered otherwise."""

    __slots__ = ("deps", "mode", "unknown")

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.deps: set[Hashable] = set()
        self.unknown: str | None = None

    def settles(self, result: Result) -> Result | None:
        """The answer when ``result`` settles the question, else None (``result`` noted)."""
        if isinstance(result, Refuted):
            return result
        if isinstance(result, Unknown):
            if self.mode is Mode.PROOF:
                return result  # only a proof was asked for, and this part has none
            self.unknown = self.unknown or result.reason
        else:
            self.deps.update(result.deps)
        return None

    def result(self) -> Result:
        if self.unknown is not None:
            return Unknown(self.unknown)
        return Proved(frozenset(self.deps))


def _unmodelled_or_excluded(
    cx: Ctx, atom: ArrAtom | ObjAtom, sup: ArrAtom | ObjAtom
) -> Result | None:
    """Unknown when ``sup`` has a keyword the judge does not model; a value ``sup``
    excludes (``not: {enum}``) that ``atom`` holds; else None."""
    if sup.opaque:
        return Unknown(f"'{sup.opaque[0]}' is not supported")
    for value in sup.excluded:
        verdict = member_atom(cx, value, atom)
        if verdict is True:
            return Refuted(value)
        if verdict is None:
            return Unknown("an excluded value may still be allowed")
    return None


def _refute_with(cx: Ctx, mode: Mode, atom: Atom, restriction: Atom, reason: str) -> Result:
    """A sample of ``atom ∧ restriction``, or undecided unless that is provably empty."""
    narrowed = atom_intersect(cx, atom, restriction)
    if not narrowed or all(atom_empty(cx, n) for n in narrowed):
        return PROVED
    if mode is Mode.PROOF:
        return Unknown(reason)
    for piece in narrowed:
        value = first(cx, atom_candidates(cx, piece, 0, 3), piece)
        if value is not MISSING:
            return Refuted(value)
    return Unknown(reason)


def _obj_sub(cx: Ctx, mode: Mode, sub: ObjAtom, sup: ObjAtom) -> Result:
    found = _unmodelled_or_excluded(cx, sub, sup)
    if found is not None:
        return found
    parts = _Parts(mode)
    for restriction, reason in _obj_restrictions(cx, sub, sup):
        hit = parts.settles(_refute_with(cx, mode, sub, restriction, reason))
        if hit is not None:
            return hit
    keys = names(sub, sup)
    for name in keys:
        left = key_schema(cx, sub, name)
        # checked here, not in a helper: no more frames per level of nesting than before
        result = check(cx, mode, left, key_schema(cx, sup, name))
        hit = parts.settles(_key_in(cx, mode, sub, name, left, result))
        if hit is not None:
            return hit
    hit = parts.settles(_other_keys(cx, mode, sub, sup, keys))
    if hit is not None:
        return hit
    return parts.result()


def _obj_restrictions(cx: Ctx, sub: ObjAtom, sup: ObjAtom) -> Iterable[tuple[Atom, str]]:
    """Objects ``sup`` rejects for their keys or size, which ``sub`` may hold (lazily: the
    first one that settles the question ends the search)."""
    for name in sorted(sup.required - sub.required):
        absent = ObjAtom(rules=(Rule("name", FALSE, name=name),))
        yield absent, f"cannot show {name!r} may be missing"
    for key, name in sorted(sup.dependent - sub.dependent):
        if name in sub.required:
            continue
        # an instance of ``sub`` with ``key`` and without ``name``, unless there is none
        lacking = ObjAtom(rules=(Rule("name", FALSE, name=name),), required=frozenset({key}))
        yield lacking, f"cannot show {key!r} may come without {name!r}"
    if sup.min_props > max(sub.min_props, len(sub.required)):
        yield ObjAtom(max_props=sup.min_props - 1), "minProperties undecided"
    if sup.max_props is not None:
        sub_most = max_keys(cx, sub)
        if sub_most is None or sub_most > sup.max_props:
            yield ObjAtom(min_props=sup.max_props + 1), "maxProperties undecided"


def _key_in(
    cx: Ctx, mode: Mode, sub: ObjAtom, name: str, left: Sch, result: Result
) -> Result:
    """Whether the values ``sub`` allows under key ``name`` (``left``) are allowed, from the
    inclusion ``result`` of ``left``: a counterexample becomes an object around it."""
    if not isinstance(result, Proved) and is_empty(cx, left):
        return PROVED  # the key cannot occur in ``sub`` (asked last: emptiness is costly)
    if isinstance(result, Refuted):
        return _place(cx, mode, sub, name, result.witness)
    return result


def _place(cx: Ctx, mode: Mode, sub: ObjAtom, name: str, value: Any) -> Result:
    """An instance of ``sub`` whose key ``name`` holds ``value``."""
    pinned = ObjAtom(
        rules=(Rule("name", cx.refs.const(value), name=name),), required=frozenset({name})
    )
    return _refute_with(cx, mode, sub, pinned, f"cannot build an object around property {name!r}")


def _conj(rules: Iterable[Rule], kind: str, name: str | None = None) -> Sch:
    """The conjunction of the schemas of ``rules`` of ``kind`` (and ``name``)."""
    return TOP.conj(*(r.sch for r in rules if r.kind == kind and (name is None or r.name == name)))


def _other_keys(cx: Ctx, mode: Mode, sub: ObjAtom, sup: ObjAtom, taken: list[str]) -> Result:
    """Keys no ``properties`` names: additionalProperties and patternProperties."""
    sup_rules = [r for r in sup.rules if r.kind != "name"]
    if all(is_top(cx, r.sch) for r in sup_rules):
        return PROVED
    sub_rules = [r for r in sub.rules if r.kind != "name"]
    sub_patterns, sup_patterns = patterns_of(sub_rules), patterns_of(sup_rules)
    sub_additional = _conj(sub_rules, "additional")
    if not sub_patterns and is_empty(cx, sub_additional):
        return PROVED  # the included schema allows no other keys at all
    sup_additional = _conj(sup_rules, "additional")
    if _patterns_differ(sub_rules, sup_rules, sub_patterns, sup_patterns):
        return Unknown("patternProperties differ between the schemas")
    deps: set[Hashable] = set()
    for pattern in sorted(sub_patterns):
        result = check(
            cx, mode, _conj(sub_rules, "pattern", pattern), _conj(sup_rules, "pattern", pattern)
        )
        result = _pattern_in(cx, mode, sub, taken, pattern, result)
        if not isinstance(result, Proved):
            return result
        deps |= result.deps
    result = check(cx, mode, sub_additional, sup_additional)
    result = _additional_in(cx, mode, sub, sup, taken, result)
    if deps and isinstance(result, Proved):
        return Proved(frozenset(deps | result.deps))
    return result


def _patterns_differ(
    sub_rules: list[Rule], sup_rules: list[Rule], sub_patterns: set[str], sup_patterns: set[str]
) -> bool:
    """The two sides name different patterns, or an additionalProperties leaves other
    patterns alone than those: the keys of the two would not line up pattern by pattern."""
    if not sub_patterns and not sup_patterns:
        return False
    every = sub_patterns | sup_patterns
    uniform = all(
        set(r.patterns) == every for r in sub_rules + sup_rules if r.kind == "additional"
    )
    return sub_patterns != sup_patterns or not uniform


def _pattern_in(
    cx: Ctx, mode: Mode, sub: ObjAtom, taken: list[str], pattern: str, result: Result
) -> Result:
    """Whether the values ``sub`` allows under keys matching ``pattern`` (which both schemas
    give) are allowed, from their inclusion ``result``."""
    if not isinstance(result, Refuted):
        return result
    keys = [k for k in _regex.examples(pattern) if k not in taken]
    if not keys:
        return Unknown(f"no property name matching {pattern!r} for a counterexample")
    return _place(cx, mode, sub, keys[0], result.witness)


def _additional_in(
    cx: Ctx, mode: Mode, sub: ObjAtom, sup: ObjAtom, taken: list[str], result: Result
) -> Result:
    """Whether the values ``sub`` allows under keys no name or pattern covers are allowed,
    from their inclusion ``result``."""
    if not isinstance(result, Refuted):
        return result
    fresh = fresh_keys(taken, [sub, sup])
    if not fresh:
        return Unknown("no free property name for a counterexample")
    return _place(cx, mode, sub, fresh[0], result.witness)


def _arr_sub(cx: Ctx, mode: Mode, sub: ArrAtom, sup: ArrAtom) -> Result:
    found = _unmodelled_or_excluded(cx, sub, sup)
    if found is not None:
        return found
    parts = _Parts(mode)
    longest = _longest(cx, sub)
    # Items first: a witness with one wrong item is small and readable, where one that
    # breaks maxItems: 1000 has 1001 items.
    width = max(len(sub.prefix), len(sup.prefix))
    for i in range(width + 1):
        if longest is not None and i >= longest:
            break
        result = check(cx, mode, sub.at(i), sup.at(i))
        hit = parts.settles(_item_in(cx, mode, sub, i, result))
        if hit is not None:
            return hit
    checks: list[tuple[Atom, str]] = []
    if sup.min_items > sub.min_items:
        checks.append((ArrAtom(max_items=sup.min_items - 1), "minItems undecided"))
    if sup.max_items is not None and (longest is None or longest > sup.max_items):
        checks.append((ArrAtom(min_items=sup.max_items + 1), "maxItems undecided"))
    for restriction, reason in checks:
        hit = parts.settles(_refute_with(cx, mode, sub, restriction, reason))
        if hit is not None:
            return hit
    if sup.unique and not sub.unique and (longest is None or longest >= 2):
        hit = _duplicate(cx, mode, sub)
        if hit is not None:
            return hit
        parts.unknown = parts.unknown or "uniqueItems added and no duplicate could be built"
    return parts.result()


def _longest(cx: Ctx, sub: ArrAtom) -> int | None:
    """How many items an array of ``sub`` can hold at most (None when unbounded)."""
    longest = sub.max_items
    if is_empty(cx, sub.items):
        limit = len(sub.prefix)
        longest = limit if longest is None else min(longest, limit)
    for i in range(len(sub.prefix)):
        if is_empty(cx, sub.prefix[i]):
            longest = i if longest is None else min(longest, i)
            break
    return longest


def _item_in(cx: Ctx, mode: Mode, sub: ArrAtom, i: int, result: Result) -> Result:
    """Whether the items ``sub`` allows at position ``i`` are allowed there, from their
    inclusion ``result``: a counterexample becomes an array around it."""
    if isinstance(result, Refuted):
        prefix = (TOP,) * i + (cx.refs.const(result.witness),)
        pinned = ArrAtom(prefix=prefix, min_items=i + 1)
        # Proved here: no array of ``sub`` holds that item there, nothing to refute
        result = _refute_with(cx, mode, sub, pinned, "cannot build an array around an item")
    return result


def _duplicate(cx: Ctx, mode: Mode, sub: ArrAtom) -> Refuted | None:
    """An array of ``sub`` whose first two items are equal, if one can be built."""
    shared = sample(cx, sub.at(0).conj(sub.at(1)))
    if shared is MISSING:
        return None
    twin = cx.refs.const(shared)
    pinned = ArrAtom(prefix=(twin, twin), min_items=2)
    result = _refute_with(cx, mode, sub, pinned, "uniqueItems undecided")
    return result if isinstance(result, Refuted) else None
