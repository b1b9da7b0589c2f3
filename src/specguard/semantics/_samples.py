"""Samples: instances of a schema, built atom by atom as counterexample candidates.

Bounds are compared symbolically; values are only ever samples, of bounded size and depth.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from specguard.semantics._atoms import (
    ArrAtom,
    Atom,
    BoolAtom,
    FinAtom,
    JsonType,
    NullAtom,
    NumAtom,
    ObjAtom,
    OpaqueAtom,
    Sch,
    StrAtom,
    dedupe,
    hkey,
    num_candidates,
    num_member,
    str_candidates,
    str_member,
)
from specguard.semantics._canon import canon
from specguard.semantics._forms import IDX, MISSING, expand
from specguard.semantics._keys import fresh_keys, key_schema, names
from specguard.semantics._member import member_atom, member_canon
from specguard.semantics._memo import Ctx

# The largest witness built: bounds are compared symbolically, values are only ever samples.
MAX_WITNESS_ITEMS = 10_000
_MAX_DEPTH = 12  # nesting depth when building sample instances
_SAMPLE_ORDER: tuple[JsonType, ...] = ("null", "boolean", "number", "string", "object", "array")


def sample(cx: Ctx, sch: Sch, depth: int = 0) -> Any:
    """One instance of ``sch``, or ``MISSING``."""
    return _one(candidates(cx, sch, depth, 1))


def _one(found: list[Any]) -> Any:
    return found[0] if found else MISSING


def candidates(cx: Ctx, sch: Sch, depth: int, limit: int) -> list[Any]:
    """Up to ``limit`` instances of ``sch``: sure ones first, then possible ones."""
    if depth > _MAX_DEPTH:
        return []
    memo = cx.memo.candidates
    memo_key = (sch.key, depth, limit)
    known = memo.get(memo_key)
    if known is None:
        # the same property schemas are sampled again for every object built around them
        known = memo[memo_key] = tuple(_candidates(cx, sch, depth, limit))
    return list(known)


def _candidates(cx: Ctx, sch: Sch, depth: int, limit: int) -> list[Any]:
    form = canon(cx, sch)
    sure: list[Any] = []
    maybe: list[Any] = []
    for kind in _SAMPLE_ORDER:
        for atom in expand(form[IDX[kind]]):
            for value in atom_candidates(cx, atom, depth, limit):
                verdict = member_canon(cx, value, form)
                if verdict is True:
                    sure.append(value)
                elif verdict is None:
                    maybe.append(value)
                if len(sure) >= limit:
                    return sure
    return list(dedupe(sure + maybe))[:limit]


def atom_candidates(cx: Ctx, atom: Atom, depth: int, limit: int) -> list[Any]:
    """Values of ``atom``'s type meant to be in it (not all need be: check membership)."""
    cx.budget.tick()
    if isinstance(atom, NullAtom):
        return [None]
    if isinstance(atom, BoolAtom):
        return sorted(atom.values)
    if isinstance(atom, FinAtom):
        return list(atom.values)
    if isinstance(atom, NumAtom):
        return [
            v
            for v in num_candidates(atom, cx.dialect)
            if num_member(v, atom, cx.dialect, cx.formats)
        ][: max(limit, 4)]
    if isinstance(atom, StrAtom):
        return [v for v in str_candidates(atom) if str_member(v, atom, cx.formats)][
            : max(limit, 4)
        ]
    if isinstance(atom, OpaqueAtom):
        return [v for u in atom.upper for v in atom_candidates(cx, u, depth, limit)]
    if isinstance(atom, ArrAtom):
        return _arr_candidates(cx, atom, depth, limit)
    return _obj_candidates(cx, atom, depth, limit)


def first(cx: Ctx, values: Iterable[Any], atom: Atom) -> Any:
    """The first value surely in ``atom``, else the first one possibly in it."""
    fallback = MISSING
    for value in values:
        verdict = member_atom(cx, value, atom)
        if verdict is True:
            return value
        if verdict is None and fallback is MISSING:
            fallback = value
    return fallback


def _arr_candidates(cx: Ctx, atom: ArrAtom, depth: int, limit: int) -> list[Any]:
    lengths = [atom.min_items]
    if atom.max_items is None or atom.max_items > atom.min_items:
        lengths.append(atom.min_items + 1)
    out: list[Any] = []
    for length in lengths[: max(1, limit)]:
        if length > MAX_WITNESS_ITEMS:
            continue  # minItems: 10**18 is reasoned about, never built
        built: list[Any] = []
        used: set[Hashable] = set()
        wanted = length + 2 if atom.unique else 1
        for i in range(length):
            # sampled here, not in a helper: no more frames per level of nesting than before
            options = [
                o
                for o in candidates(cx, atom.at(i), depth + 1, wanted)
                if not atom.unique or hkey(o) not in used
            ]
            if not options:
                break
            used.add(hkey(options[0]))
            built.append(options[0])
        else:
            if member_atom(cx, built, atom) is not False:
                out.append(built)
    return out


def _obj_candidates(cx: Ctx, atom: ObjAtom, depth: int, limit: int) -> list[Any]:
    base = _required_part(cx, atom, depth)
    if base is None:
        return []
    # optional keys only as far as minProperties or variety (limit) asks: sampling every
    # optional property of every nested object is exponential on real specs
    wanted = max(0, atom.min_props - len(base)) + (max(0, limit - 1) if depth < 2 else 0)
    pool = _optional_part(cx, atom, depth, base, wanted) if wanted else []
    out: list[Any] = []
    first_one = dict(base)
    while len(first_one) < atom.min_props and pool:
        name, value = pool.pop(0)
        first_one[name] = value
    out.append(first_one)
    for name, value in pool[: max(0, limit - 1)]:
        out.append({**first_one, name: value})
    return [o for o in out if member_atom(cx, o, atom) is not False]


def _required_part(cx: Ctx, atom: ObjAtom, depth: int) -> dict[str, Any] | None:
    """Samples of the required keys and of those dependentRequired brings (None: some key
    has no sample)."""
    base: dict[str, Any] = {}
    for name in sorted(atom.required):
        value = _one(candidates(cx, key_schema(cx, atom, name), depth + 1, 1))
        if value is MISSING:
            return None
        base[name] = value
    for _ in range(len(atom.dependent)):  # dependentRequired: close over what is present
        wanting = sorted({n for k, n in atom.dependent if k in base and n not in base})
        if not wanting:
            break
        for name in wanting:
            value = _one(candidates(cx, key_schema(cx, atom, name), depth + 1, 1))
            if value is MISSING:
                return None
            base[name] = value
    return base


def _optional_part(
    cx: Ctx, atom: ObjAtom, depth: int, base: dict[str, Any], wanted: int
) -> list[tuple[str, Any]]:
    """Up to ``wanted`` more keys with samples: declared optional properties first, then
    fresh names."""
    extras: list[tuple[str, Any]] = []
    optional = dict.fromkeys(
        rule.name
        for rule in atom.rules
        if rule.kind == "name" and rule.name not in base and not rule.sch.is_false
    )
    for name in optional:
        if len(extras) >= wanted:
            break
        value = _one(candidates(cx, key_schema(cx, atom, name), depth + 1, 1))
        if value is not MISSING:
            extras.append((name, value))
    missing = wanted - len(extras)
    for fresh in fresh_keys(names(atom), [atom], max(missing, 0)):
        if len(extras) >= wanted:
            break
        value = _one(candidates(cx, key_schema(cx, atom, fresh), depth + 1, 1))
        if value is MISSING:
            break
        extras.append((fresh, value))
    return extras
