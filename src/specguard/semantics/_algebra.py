"""The boolean algebra on canonical forms: union, intersection, complement and oneOf.

Products of atoms are bounded (:data:`MAX_ATOMS` per type): beyond it the answer is an opaque
atom with a known upper bound, which keeps proofs sound and says "undecided" elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from specguard.semantics._atoms import (
    FALSE,
    TOP,
    TYPES,
    ArrAtom,
    Atom,
    BoolAtom,
    FinAtom,
    JsonType,
    NullAtom,
    NumAtom,
    ObjAtom,
    OpaqueAtom,
    Rule,
    Sch,
    StrAtom,
    Values,
    full,
    negation,
    num_complement,
    num_empty,
    num_intersect,
    str_complement,
    str_empty,
    str_intersect,
)
from specguard.semantics._empty import atom_empty, is_top
from specguard.semantics._forms import BOTTOM_CANON, TOP_CANON, Canon, dedupe_atoms, expand
from specguard.semantics._keys import key_schema
from specguard.semantics._member import member_atom
from specguard.semantics._memo import Ctx

MAX_ATOMS = 64  # per type, after a product; beyond this we stop and say "undecided"


def union(a: Canon, b: Canon) -> Canon:
    if a == BOTTOM_CANON:
        return b
    return tuple(dedupe_atoms(a[i] + b[i]) for i in range(len(TYPES)))


def intersect(cx: Ctx, a: Canon, b: Canon) -> Canon:
    if a is TOP_CANON or a == TOP_CANON:
        return b
    if b is TOP_CANON or b == TOP_CANON:
        return a
    return tuple(product(cx, TYPES[i], list(a[i]), list(b[i])) for i in range(len(TYPES)))


def product(cx: Ctx, kind: JsonType, xs: list[Atom], ys: list[Atom]) -> tuple[Atom, ...]:
    """The pairwise intersections of ``xs`` and ``ys`` (atoms of type ``kind``)."""
    if not xs or not ys:
        return ()
    if len(xs) * len(ys) > MAX_ATOMS * 4:
        return _too_many(kind, xs, ys)
    out: list[Atom] = []
    for x in xs:
        for y in ys:
            out.extend(atom_intersect(cx, x, y))
    result = dedupe_atoms(out)
    if len(result) > MAX_ATOMS:
        return _too_many(kind, xs, ys)
    return result


def _too_many(kind: JsonType, xs: list[Atom], ys: list[Atom]) -> tuple[Atom, ...]:
    smaller = xs if len(xs) <= len(ys) else ys
    return (OpaqueAtom(kind, "too many combinations to expand", tuple(expand(smaller))),)


def atom_intersect(cx: Ctx, x: Atom, y: Atom) -> list[Atom]:
    cx.budget.tick()
    if isinstance(y, OpaqueAtom) and not isinstance(x, OpaqueAtom):
        x, y = y, x
    if isinstance(x, OpaqueAtom):
        return _opaque_intersect(cx, x, y)
    if isinstance(y, FinAtom) and not isinstance(x, FinAtom):
        x, y = y, x
    if isinstance(x, FinAtom):
        return _finite_intersect(cx, x, y)
    if isinstance(x, NullAtom) and isinstance(y, NullAtom):
        return [x]
    if isinstance(x, BoolAtom) and isinstance(y, BoolAtom):
        values = x.values & y.values
        return [BoolAtom(values)] if values else []
    if isinstance(x, NumAtom) and isinstance(y, NumAtom):
        num = num_intersect(x, y)
        if num is None or num_empty(num, cx.dialect, cx.formats):
            return []
        return [num]
    if isinstance(x, StrAtom) and isinstance(y, StrAtom):
        text = str_intersect(x, y)
        return [] if str_empty(text, cx.formats) else [text]
    if isinstance(x, ArrAtom) and isinstance(y, ArrAtom):
        return _arr_intersect(x, y)
    if isinstance(x, ObjAtom) and isinstance(y, ObjAtom):
        return _obj_intersect(x, y)
    raise AssertionError(f"atoms of different types: {x!r} and {y!r}")


def _opaque_intersect(cx: Ctx, x: OpaqueAtom, y: Atom) -> list[Atom]:
    if isinstance(y, OpaqueAtom) and y.one_of and not x.one_of:
        x, y = y, x
    upper: list[Atom] = []
    for u in x.upper:
        for z in y.upper if isinstance(y, OpaqueAtom) else (y,):
            upper.extend(atom_intersect(cx, u, z))
    if not upper:
        return []
    also = x.also
    if x.one_of and y != full(x.type):
        also = (*also, y)
    narrowed = dedupe_atoms(expand(upper))
    return [OpaqueAtom(x.type, x.reason, narrowed, x.one_of, also)]


def _finite_intersect(cx: Ctx, x: FinAtom, y: Atom) -> list[Atom]:
    kept: list[Any] = []
    unsure = False
    for value in x.values:
        verdict = member_atom(cx, value, y)
        if verdict is not False:
            kept.append(value)
            unsure = unsure or verdict is None
    if not kept:
        return []
    atom = FinAtom(x.type, Values.of(kept))
    if unsure:
        return [OpaqueAtom(x.type, "an enum value whose validity is undecided", (atom,))]
    return [atom]


def _smaller_bound(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


def _arr_intersect(x: ArrAtom, y: ArrAtom) -> list[Atom]:
    length = max(len(x.prefix), len(y.prefix))
    atom = ArrAtom(
        prefix=tuple(x.at(i).conj(y.at(i)) for i in range(length)),
        items=x.items.conj(y.items),
        min_items=max(x.min_items, y.min_items),
        max_items=_smaller_bound(x.max_items, y.max_items),
        unique=x.unique or y.unique,
        opaque=tuple(dict.fromkeys(x.opaque + y.opaque)),
        excluded=x.excluded | y.excluded,
    )
    if atom.max_items is not None and atom.min_items > atom.max_items:
        return []
    if any(atom.at(i).is_false for i in range(min(atom.min_items, length + 1))):
        return []
    return [atom]


def _obj_intersect(x: ObjAtom, y: ObjAtom) -> list[Atom]:
    atom = ObjAtom(
        rules=tuple(dict.fromkeys(x.rules + y.rules)),
        required=x.required | y.required,
        min_props=max(x.min_props, y.min_props),
        max_props=_smaller_bound(x.max_props, y.max_props),
        opaque=tuple(dict.fromkeys(x.opaque + y.opaque)),
        excluded=x.excluded | y.excluded,
        declared=x.declared | y.declared,
        open=x.open or y.open,
        variant=x.variant or y.variant,
        dependent=x.dependent | y.dependent,
    )
    if atom.max_props is not None and max(atom.min_props, len(atom.required)) > atom.max_props:
        return []
    # a required key that some rule forbids (key_schema would be false); few rules are
    # false, so look at those rather than index the new atom
    forbidding = [rule for rule in atom.rules if rule.sch.is_false]
    if any(rule.matches(name) is not False for rule in forbidding for name in atom.required):
        return []
    return [atom]


def complement(cx: Ctx, canon: Canon) -> Canon:
    return tuple(complement_atoms(cx, kind, canon[i]) for i, kind in enumerate(TYPES))


def complement_atoms(cx: Ctx, kind: JsonType, atoms: Sequence[Atom]) -> tuple[Atom, ...]:
    acc: list[Atom] = [full(kind)]
    for atom in atoms:
        acc = list(product(cx, kind, acc, atom_complement(cx, atom)))
        if not acc:
            break
    return tuple(acc)


def atom_complement(cx: Ctx, atom: Atom) -> list[Atom]:
    if isinstance(atom, NullAtom):
        return []
    if isinstance(atom, BoolAtom):
        rest = frozenset({True, False}) - atom.values
        return [BoolAtom(rest)] if rest else []
    if isinstance(atom, NumAtom):
        return num_complement(atom)
    if isinstance(atom, StrAtom):
        return str_complement(atom)
    if isinstance(atom, FinAtom):
        return [_excluding(atom)]
    if isinstance(atom, OpaqueAtom):
        return [OpaqueAtom(atom.type, atom.reason, (full(atom.type),))]
    if isinstance(atom, ArrAtom):
        return _arr_complement(cx, atom)
    return _obj_complement(cx, atom)


def _excluding(atom: FinAtom) -> Atom:
    if atom.type == "number":
        return NumAtom(excluded=atom.values)
    if atom.type == "string":
        return StrAtom(excluded=atom.values)
    if atom.type == "array":
        return ArrAtom(excluded=atom.values)
    return ObjAtom(excluded=atom.values)


def _arr_complement(cx: Ctx, atom: ArrAtom) -> list[Atom]:
    if atom.opaque or atom.unique or not is_top(cx, atom.items):
        reason = "'not' over an array schema with items, uniqueItems or contains"
        return [OpaqueAtom("array", reason, (ArrAtom(),))]
    out: list[Atom] = []
    if atom.min_items > 0:
        out.append(ArrAtom(max_items=atom.min_items - 1))
    if atom.max_items is not None:
        out.append(ArrAtom(min_items=atom.max_items + 1))
    for i, position in enumerate(atom.prefix):
        if not is_top(cx, position):
            prefix = (TOP,) * i + (Sch.of(negation(position)),)
            out.append(ArrAtom(prefix=prefix, min_items=i + 1))
    if atom.excluded:
        out.append(FinAtom("array", atom.excluded))
    return out


def _obj_complement(cx: Ctx, atom: ObjAtom) -> list[Atom]:
    if atom.opaque or atom.dependent or any(
        rule.kind != "name" and not is_top(cx, rule.sch) for rule in atom.rules
    ):
        reason = ("'not' over an object schema with additional/pattern properties or "
                  "dependentRequired")
        return [OpaqueAtom("object", reason, (ObjAtom(),))]
    out: list[Atom] = []
    for name in sorted(atom.required):
        out.append(ObjAtom(rules=(Rule("name", FALSE, name=name),)))
    names = dict.fromkeys(rule.name for rule in atom.rules if rule.kind == "name")
    for name in names:
        value = key_schema(cx, atom, name)
        if not is_top(cx, value):
            rule = Rule("name", Sch.of(negation(value)), name=name)
            out.append(ObjAtom(rules=(rule,), required=frozenset({name})))
    if atom.min_props > 0:
        out.append(ObjAtom(max_props=atom.min_props - 1))
    if atom.max_props is not None:
        out.append(ObjAtom(min_props=atom.max_props + 1))
    if atom.excluded:
        out.append(FinAtom("object", atom.excluded))
    return out


def one_of(cx: Ctx, canons: list[Canon]) -> Canon:
    """Exactly one of ``canons``, type by type."""
    out: list[tuple[Atom, ...]] = []
    for i, kind in enumerate(TYPES):
        lists = [c[i] for c in canons if c[i]]
        if len(lists) <= 1:
            out.append(lists[0] if lists else ())
        elif _disjoint(cx, lists):
            out.append(dedupe_atoms(atom for atoms in lists for atom in atoms))
        else:
            out.append(_exactly_one(cx, kind, lists))
    return tuple(out)


def _exactly_one(cx: Ctx, kind: JsonType, lists: list[tuple[Atom, ...]]) -> tuple[Atom, ...]:
    """Each branch minus all the others, or an opaque union when that is not exact."""
    complements = [complement_atoms(cx, kind, atoms) for atoms in lists]
    result: list[Atom] = []
    for j, atoms in enumerate(lists):
        acc = list(atoms)
        for k, other in enumerate(complements):
            if k != j:
                acc = list(product(cx, kind, acc, list(other)))
                # once a piece is opaque (or too many) the answer is the opaque union
                # below: carrying on only multiplies opaque atoms
                if any(isinstance(a, OpaqueAtom) for a in acc):
                    return _overlapping(kind, lists)
        result.extend(acc)
        if len(result) > MAX_ATOMS:
            return _overlapping(kind, lists)
    return dedupe_atoms(result)


def _overlapping(kind: JsonType, lists: list[tuple[Atom, ...]]) -> tuple[Atom, ...]:
    reason = "oneOf with overlapping branches that cannot be told apart exactly"
    upper = dedupe_atoms(expand([atom for atoms in lists for atom in atoms]))
    return (OpaqueAtom(kind, reason, upper, one_of=tuple(lists)),)


def _disjoint(cx: Ctx, lists: list[tuple[Atom, ...]]) -> bool:
    for j, left in enumerate(lists):
        for right in lists[j + 1 :]:
            for x in left:
                for y in right:
                    if any(not atom_empty(cx, z) for z in atom_intersect(cx, x, y)):
                        return False
    return True
