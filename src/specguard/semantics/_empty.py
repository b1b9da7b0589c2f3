"""Emptiness: provably no instance satisfies a schema (False when unsure), and the cheap
checks beside it (the schema that accepts everything, plainly inhabited schemas)."""

from __future__ import annotations

from typing import Any

from specguard.semantics._atoms import (
    TOP,
    TYPES,
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
    full,
    num_empty,
    str_empty,
)
from specguard.semantics._keys import fresh_keys, key_schema, names
from specguard.semantics._memo import Ctx
from specguard.semantics._oas import ANNOTATIONS
from specguard.semantics._refs import RefFailure

# Beside annotations, keywords that cannot make a schema unsatisfiable on their own (see
# surely_inhabited; "required" is checked property by property). Beside a $ref (3.1 applies
# both) they could still conflict with its target.
_CONSTRAINING = frozenset(
    {"type", "properties", "required", "items", "format", "additionalProperties"}
)
_PLAIN_KEYWORDS = ANNOTATIONS | _CONSTRAINING | {"readOnly", "writeOnly", "nullable"}
_TYPE_NAMES = frozenset({"null", "boolean", "number", "integer", "string", "array", "object"})


def is_top(cx: Ctx, sch: Sch) -> bool:
    """``sch`` accepts every value."""
    if sch.key == TOP.key:
        return True
    canon = cx.canon(cx, sch)
    return all(len(canon[i]) == 1 and canon[i][0] == full(t) for i, t in enumerate(TYPES))


def is_empty(cx: Ctx, sch: Sch) -> bool:
    """Provably no instance satisfies ``sch`` (False when unsure)."""
    if sch.is_false:
        return True
    memo = cx.memo
    known = memo.empty.get(sch.key)
    if known is not None:
        return known
    if len(sch.nodes) == 1 and sch.nodes[0].negated is None:
        node = sch.nodes[0]
        if surely_inhabited(cx, node.raw, node.base):
            # Emptiness of an object asks about every required property, which would
            # canonicalise whole schema trees the inclusion check itself skips as equal.
            return False
    if sch.key in memo.empty_progress:
        return False
    memo.empty_progress.add(sch.key)
    try:
        canon = cx.canon(cx, sch)
        result = all(atom_empty(cx, atom) for atoms in canon for atom in atoms)
    finally:
        memo.empty_progress.discard(sch.key)
    memo.empty[sch.key] = result
    return result


def surely_inhabited(cx: Ctx, raw: Any, base: str) -> bool:
    """Some instance plainly satisfies ``raw`` (False when unsure), read off its keywords.

    Only schemas made of keywords that cannot conflict qualify (a type, properties,
    required properties that qualify in turn, annotations); anything else, and a cycle
    through required properties, is left to the full emptiness check.
    """
    memo = cx.memo
    key = (id(raw), base)
    known = memo.inhabited.get(key)
    if known is not None:
        return known
    if key in memo.inhabited_progress:
        return False
    memo.inhabited_progress.add(key)
    try:
        result = _inhabited(cx, raw, base)
    except RefFailure:
        result = False
    finally:
        memo.inhabited_progress.discard(key)
    # a False reached through the cycle assumption above is merely unsure: still sound
    # (schema nodes outlive the engine's memos, as for every memo keyed by id here)
    memo.inhabited[key] = result
    return result


def _inhabited(cx: Ctx, raw: Any, base: str) -> bool:
    if raw is True:
        return True
    if not isinstance(raw, dict):
        return False
    extra = [k for k in raw if k not in _PLAIN_KEYWORDS and not k.startswith("x-")]
    if extra:
        if extra == ["$ref"] and not any(k in raw for k in _CONSTRAINING):
            target_base, target = cx.refs.deref(raw["$ref"], base)
            return surely_inhabited(cx, target, target_base)
        return False
    kinds = raw.get("type")
    if kinds is None:
        return True  # any scalar will do: properties and required constrain objects only
    if isinstance(kinds, str):
        kinds = [kinds]
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= _TYPE_NAMES:
        return False
    if kinds != ["object"]:
        return True  # a value of another type: "" or 0 or [] or null or true
    properties = raw.get("properties", {})
    required = raw.get("required", [])
    if not isinstance(properties, dict) or not isinstance(required, list):
        return False
    for name in required:
        if not isinstance(name, str) or name not in properties:
            return False
        schema = properties[name]
        if not cx.refs.is_hidden(schema, base) and not surely_inhabited(cx, schema, base):
            return False
    return True


def atom_empty(cx: Ctx, atom: Atom) -> bool:
    if isinstance(atom, NullAtom):
        return False
    if isinstance(atom, BoolAtom):
        return not atom.values
    if isinstance(atom, NumAtom):
        return num_empty(atom, cx.dialect, cx.formats)
    if isinstance(atom, StrAtom):
        return str_empty(atom, cx.formats)
    if isinstance(atom, FinAtom):
        return not atom.values
    if isinstance(atom, OpaqueAtom):
        return all(atom_empty(cx, u) for u in atom.upper)
    # structures recur (canonical forms are memoised) and are asked about again and again
    memo = cx.memo.atom_empty
    known = memo.get(id(atom))
    if known is not None and known[0] is atom:
        return known[1]
    result = _arr_empty(cx, atom) if isinstance(atom, ArrAtom) else _obj_empty(cx, atom)
    memo[id(atom)] = (atom, result)
    return result


def _arr_empty(cx: Ctx, atom: ArrAtom) -> bool:
    if atom.max_items is not None and atom.min_items > atom.max_items:
        return True
    return any(
        is_empty(cx, atom.at(i)) for i in range(min(atom.min_items, len(atom.prefix) + 1))
    )


def _obj_empty(cx: Ctx, atom: ObjAtom) -> bool:
    needed = set(atom.required)
    while True:  # dependentRequired: a present key brings its dependants
        more = {name for key, name in atom.dependent if key in needed} - needed
        if not more:
            break
        needed |= more
    least = max(atom.min_props, len(needed))
    if atom.max_props is not None and least > atom.max_props:
        return True
    if least:  # with no key needed, a bound on how many keys can exist is moot
        most = max_keys(cx, atom)
        if most is not None and least > most:
            return True
    return any(is_empty(cx, key_schema(cx, atom, k)) for k in sorted(needed))


def max_keys(cx: Ctx, atom: ObjAtom) -> int | None:
    """How many keys an instance can have at most (None when unbounded)."""
    most = atom.max_props
    if any(rule.kind == "pattern" and not is_empty(cx, rule.sch) for rule in atom.rules):
        return most
    fresh = fresh_keys(names(atom), [atom])
    if not fresh or not is_empty(cx, key_schema(cx, atom, fresh[0])):
        return most
    # no key outside the declared names can appear
    possible = sum(1 for k in names(atom) if not is_empty(cx, key_schema(cx, atom, k)))
    return possible if most is None else min(most, possible)
