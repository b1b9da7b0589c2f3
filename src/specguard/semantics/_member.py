"""Membership: does a schema accept a value? True, False, or None when undecided."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from specguard.semantics._atoms import (
    ArrAtom,
    Atom,
    BoolAtom,
    FinAtom,
    NullAtom,
    NumAtom,
    ObjAtom,
    OpaqueAtom,
    Sch,
    StrAtom,
    bool_member,
    hkey,
    json_type,
    num_member,
    str_member,
)
from specguard.semantics._forms import IDX, Canon
from specguard.semantics._keys import key_schema
from specguard.semantics._memo import Ctx

_MEMBER_MEMO_SIZE = 200_000  # remembered membership verdicts of containers, per engine


def member(cx: Ctx, value: Any, sch: Sch) -> bool | None:
    return member_canon(cx, value, cx.canon(cx, sch))


def member_canon(cx: Ctx, value: Any, canon: Canon) -> bool | None:
    kind = json_type(value)
    if kind is None:
        return False
    return member_list(cx, value, canon[IDX[kind]])


def member_list(cx: Ctx, value: Any, atoms: Iterable[Atom]) -> bool | None:
    result: bool | None = False
    for atom in atoms:
        verdict = member_atom(cx, value, atom)
        if verdict is True:
            return True
        if verdict is None:
            result = None
    return result


def member_atom(cx: Ctx, value: Any, atom: Atom) -> bool | None:
    cx.budget.tick()
    if isinstance(atom, NullAtom):
        return value is None
    if isinstance(atom, BoolAtom):
        return bool_member(value, atom)
    if isinstance(atom, NumAtom):
        return num_member(value, atom, cx.dialect, cx.formats)
    if isinstance(atom, StrAtom):
        return str_member(value, atom, cx.formats)
    if isinstance(atom, FinAtom):
        return value in atom.values
    if isinstance(atom, OpaqueAtom):
        if member_list(cx, value, atom.upper) is False:
            return False
        if not atom.one_of:
            return None
        # exactly one branch of an unexpanded oneOf, and what it was intersected with
        matches = [member_list(cx, value, branch) for branch in atom.one_of]
        exactly_one = None if None in matches else matches.count(True) == 1
        verdicts = [exactly_one, *(member_atom(cx, value, a) for a in atom.also)]
        if False in verdicts:
            return False
        return None if None in verdicts else True
    # Samples are shared between the candidates built around them and judged against the
    # same atoms again and again: remember container verdicts by identity (both kept alive).
    memo = cx.memo.member
    memo_key = (id(value), id(atom))
    known = memo.get(memo_key)
    if known is not None and known[0] is value and known[1] is atom:
        return known[2]
    if isinstance(atom, ArrAtom):
        verdict = _arr_member(cx, value, atom)
    else:
        verdict = _obj_member(cx, value, atom)
    if len(memo) > _MEMBER_MEMO_SIZE:
        memo.clear()
    memo[memo_key] = (value, atom, verdict)
    return verdict


def _arr_member(cx: Ctx, value: Any, atom: ArrAtom) -> bool | None:
    if not isinstance(value, list):
        return False
    if len(value) < atom.min_items or (
        atom.max_items is not None and len(value) > atom.max_items
    ):
        return False
    if atom.unique and len({hkey(v) for v in value}) != len(value):
        return False
    if value in atom.excluded:
        return False
    result: bool | None = None if atom.opaque else True
    # witnesses for maxItems repeat one sample object hundreds of times: judge it once
    seen: dict[tuple[int, int], bool | None] = {}
    rest = len(atom.prefix)
    for i, item in enumerate(value):
        slot = (id(item), min(i, rest))
        if slot in seen:
            verdict = seen[slot]
        else:
            verdict = seen[slot] = member(cx, item, atom.at(i))
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def _obj_member(cx: Ctx, value: Any, atom: ObjAtom) -> bool | None:
    if not isinstance(value, dict):
        return False
    if not atom.required <= value.keys():
        return False
    if len(value) < atom.min_props or (
        atom.max_props is not None and len(value) > atom.max_props
    ):
        return False
    if value in atom.excluded:
        return False
    if any(key in value and name not in value for key, name in atom.dependent):
        return False
    result: bool | None = None if atom.opaque else True
    for key, item in value.items():
        verdict = member(cx, item, key_schema(cx, atom, key))
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result
