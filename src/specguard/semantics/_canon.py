"""Canonical forms: a raw schema (with its document and dialect) rewritten as atoms.

:func:`canon` is the entry point: the conjunction of a :class:`Sch`'s nodes, closed over the
declared properties when it is a sender's. Canonical forms are memoised per raw schema and
per conjunction, except when built through a ``$ref`` cycle that was cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

from specguard.semantics import _regex
from specguard.semantics._algebra import complement, intersect, one_of, union
from specguard.semantics._atoms import (
    FALSE,
    TOP,
    TYPES,
    ArrAtom,
    Atom,
    BoolAtom,
    Dialect,
    FinAtom,
    JsonType,
    Node,
    NullAtom,
    NumAtom,
    ObjAtom,
    OpaqueAtom,
    Rule,
    Sch,
    StrAtom,
    Values,
    json_type,
    make_num,
)
from specguard.semantics._forms import (
    BOTTOM_CANON,
    IDX,
    TOP_CANON,
    Canon,
    opaque_canon,
    with_objects,
)
from specguard.semantics._member import member_list
from specguard.semantics._memo import Ctx
from specguard.semantics._oas import Discriminated, discriminated, is_annotation
from specguard.semantics._refs import RefFailure

# every key of the instance is evaluated by some keyword (see _evaluated_names)
_EVERY_NAME = "every name"


def canon(cx: Ctx, sch: Sch) -> Canon:
    """The canonical form of the conjunction ``sch``."""
    cx.budget.tick()
    memo = cx.memo
    known = memo.sch.get(sch.key)
    if known is not None:
        return known
    hits = memo.cycle_hits
    result = TOP_CANON
    for node in sch.nodes:
        result = intersect(cx, result, _canon_node(cx, node))
        if result == BOTTOM_CANON:
            break
    if any(node.sender for node in sch.nodes):
        result = _closed(result)
    if hits == memo.cycle_hits:
        memo.sch[sch.key] = result
    return result


def _canon_node(cx: Ctx, node: Node) -> Canon:
    if node.negated is None:
        return _canon_raw(cx, node.raw, node.base, node.dialect, node.sender)
    memo = cx.memo
    known = memo.raw.get(node.key)
    if known is None:
        hits = memo.cycle_hits
        known = complement(cx, canon(cx, node.negated))
        if hits == memo.cycle_hits:
            memo.raw[node.key] = known
    return known


def _variant(form: Canon) -> Canon:
    """A oneOf/anyOf branch is a shape of its own: one that says nothing about its keys
    (no property, no size, nothing required) is an empty variant a sender puts nothing
    in, not a free-form map. One that bounds its size is a map and stays open."""
    return with_objects(form, tuple(
        replace(atom, variant=True)
        if isinstance(atom, ObjAtom) and not atom.variant and (
            atom.declared or (not atom.rules and not atom.required
                              and atom.min_props == 0 and atom.max_props is None))
        else atom
        for atom in form[IDX["object"]]
    ))


def _closed(form: Canon) -> Canon:
    """What a sender may send: only the properties its schema declares.

    Applied to a whole schema position (after allOf members are merged and oneOf/anyOf
    branches distributed), so an allOf's members close over their union. A schema that
    declares no property (a free-form map, unless it is a oneOf/anyOf variant) or opens
    itself explicitly stays as written, and so does an explicit ``additionalProperties``
    schema.
    """
    return with_objects(form, tuple(_close_atom(atom) for atom in form[IDX["object"]]))


def _close_atom(atom: Atom) -> Atom:
    if isinstance(atom, OpaqueAtom):
        # an unexpanded oneOf: its branches are what a sender picks from
        return replace(
            atom,
            upper=tuple(_close_atom(a) for a in atom.upper),
            one_of=tuple(tuple(_close_atom(a) for a in branch) for branch in atom.one_of),
            also=tuple(_close_atom(a) for a in atom.also),
        )
    if (not isinstance(atom, ObjAtom) or atom.open or atom.opaque
            or not (atom.declared or atom.variant)
            or any(r.kind == "additional" for r in atom.rules)):
        return atom
    patterns = tuple(r.name for r in atom.rules if r.kind == "pattern")
    extra = Rule("additional", FALSE, declared=atom.declared, patterns=patterns)
    return replace(atom, rules=(*atom.rules, extra))


def _canon_raw(cx: Ctx, raw: Any, base: str, dialect: Dialect, sender: bool = False) -> Canon:
    if raw is True:
        return TOP_CANON
    if raw is False:
        return BOTTOM_CANON
    if not isinstance(raw, dict):
        return opaque_canon("a schema that is neither an object nor a boolean")
    memo = cx.memo
    key = ("raw", id(raw), base, dialect, sender)
    known = memo.raw.get(key)
    if known is not None:
        return known
    if key in memo.visiting:
        memo.cycle_hits += 1
        return opaque_canon("a $ref cycle that never passes through a property or item")
    memo.visiting.add(key)
    hits = memo.cycle_hits
    try:
        # built here, not in a helper: no more frames per level of nesting than before
        # (deep schemas stop at the recursion limit, "unknown")
        target = cx.refs.plain_target(raw, base)
        if target is not None:
            # the commonest schema of all: a reference, perhaps with a description. Its own
            # keywords add nothing, and sharing the target's atoms shares their memos.
            result = _canon_raw(cx, target[1], target[0], dialect, sender)
        else:
            parts = [
                _own(cx, raw, base, dialect, sender),
                *_referenced(cx, raw, base, dialect, sender),
                *_branches(cx, raw, base, dialect, sender),
                *_negated(cx, raw, base, dialect, sender),
                *_conditional(cx, raw, base, dialect, sender),
            ]
            result = _combined(cx, raw, dialect, parts)
    finally:
        memo.visiting.discard(key)
    if hits == memo.cycle_hits:
        cx.refs.nodes.setdefault(
            key, Node(key=key, raw=raw, base=base, dialect=dialect, sender=sender)
        )
        memo.raw[key] = result
    return result


def _combined(cx: Ctx, raw: dict[str, Any], dialect: Dialect, parts: list[Canon]) -> Canon:
    """The conjunction of ``parts``, restricted by ``enum`` and (3.1) ``const``."""
    result = TOP_CANON
    for part in parts:
        result = intersect(cx, result, part)
        if result == BOTTOM_CANON:
            return result
    if "enum" in raw:
        values = raw["enum"]
        if not isinstance(values, list):
            return intersect(cx, result, opaque_canon("enum that is not a list"))
        result = _restrict(cx, result, values)
    if dialect == "3.1" and "const" in raw:
        result = _restrict(cx, result, [raw["const"]])
    return result


def _referenced(
    cx: Ctx, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool
) -> list[Canon]:
    """The target of ``$ref`` beside other keywords, and the ``allOf`` members."""
    parts: list[Canon] = []
    if "$ref" in raw:
        try:
            target_base, target = cx.refs.deref(raw["$ref"], base)
            parts.append(_canon_raw(cx, target, target_base, dialect, sender))
        except RefFailure as exc:
            parts.append(opaque_canon(str(exc)))
    for keyword in ("allOf", "anyOf", "oneOf"):
        if keyword in raw and (not isinstance(raw[keyword], list) or not raw[keyword]):
            parts.append(opaque_canon(f"{keyword} that is not a non-empty list"))
    for member in _list(raw.get("allOf")):
        parts.append(_canon_raw(cx, member, base, dialect, sender))
    return parts


def _branches(
    cx: Ctx, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool
) -> list[Canon]:
    """A discriminated oneOf/anyOf, or the union of anyOf and the exactly-one of oneOf."""
    disc = discriminated(raw)
    if isinstance(disc, str):
        return [opaque_canon(disc)]
    if disc is not None:
        return [_discriminated(cx, disc, base, dialect, sender)]
    parts: list[Canon] = []
    if _list(raw.get("anyOf")):
        either = BOTTOM_CANON
        for member in raw["anyOf"]:
            either = union(either, _variant(_canon_raw(cx, member, base, dialect, sender)))
        parts.append(either)
    if _list(raw.get("oneOf")):
        branches = [_variant(_canon_raw(cx, m, base, dialect, sender)) for m in raw["oneOf"]]
        parts.append(one_of(cx, branches))
    return parts


def _negated(
    cx: Ctx, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool
) -> list[Canon]:
    if "not" not in raw:
        return []
    negated = raw["not"]
    inner = negated.get("not") if isinstance(negated, dict) else None
    if inner is not None and all(k == "not" or is_annotation(k) for k in negated):
        # not(not X) is X; going through two complements would lose precision
        return [_canon_raw(cx, inner, base, dialect, sender)]
    # what a negation excludes is not closed: closing it would widen the sender
    return [complement(cx, _canon_raw(cx, negated, base, dialect))]


def _conditional(
    cx: Ctx, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool
) -> list[Canon]:
    if dialect != "3.1" or "if" not in raw:
        return []
    condition = _canon_raw(cx, raw["if"], base, dialect)  # used negated too
    then = _canon_raw(cx, raw.get("then", True), base, dialect, sender)
    otherwise = _canon_raw(cx, raw.get("else", True), base, dialect, sender)
    return [
        union(
            intersect(cx, condition, then),
            intersect(cx, complement(cx, condition), otherwise),
        )
    ]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _own(cx: Ctx, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool) -> Canon:
    """The atoms a single schema object contributes through its type-specific keywords."""
    allowed = _allowed_types(raw, dialect)
    if isinstance(allowed, str):
        return opaque_canon(allowed)
    kinds, integer = allowed
    out: list[tuple[Atom, ...]] = []
    for kind in TYPES:
        if kind not in kinds:
            out.append(())
        elif kind == "null":
            out.append((NullAtom(),))
        elif kind == "boolean":
            out.append((BoolAtom(),))
        elif kind == "number":
            out.append((_number(cx, raw, integer, dialect),))
        elif kind == "string":
            out.append((_string(cx, raw, dialect),))
        elif kind == "array":
            out.append((_array(cx, raw, base, dialect, sender),))
        else:
            out.append((_object(cx, raw, base, dialect, sender),))
    return tuple(out)


def _allowed_types(raw: dict[str, Any], dialect: Dialect) -> tuple[set[str], bool | None] | str:
    """The JSON types ``type`` allows and whether numbers must be integers (a reason when
    ``type`` is not understood)."""
    declared = raw.get("type")
    if declared is None:
        return set(TYPES), None
    if isinstance(declared, str):
        names = [declared]
    elif isinstance(declared, list) and dialect == "3.1":
        names = declared
    else:
        return f"type {declared!r} is not understood"
    allowed: set[str] = set()
    for name in names:
        if name == "integer":
            allowed.add("number")
        elif name in IDX:
            allowed.add(name)
        else:
            return f"unknown type {name!r}"
    integer = True if "integer" in names and "number" not in names else None
    # OpenAPI 3.0.3: nullable only adds null next to an explicit type
    if dialect == "3.0" and raw.get("nullable") is True:
        allowed.add("null")
    return allowed, integer


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _counts(raw: dict[str, Any], low: str, high: str) -> tuple[int, int | None] | str:
    """A lower and upper bound on a count (length, items, properties), or the keyword that
    is not a number."""
    least, most = 0, None
    if low in raw:
        if not _num(raw[low]):
            return low
        least = max(0, -int(-raw[low] // 1))
    if high in raw:
        if not _num(raw[high]):
            return high
        most = int(raw[high] // 1)
    return least, most


def _formats(cx: Ctx, raw: dict[str, Any], kind: JsonType, dialect: Dialect) -> frozenset[str]:
    fmt = raw.get("format")
    return frozenset(
        {fmt} if isinstance(fmt, str) and cx.formats.active(fmt, kind, dialect) else ()
    )


def _number(cx: Ctx, raw: dict[str, Any], integer: bool | None, dialect: Dialect) -> Atom:
    bounds = _interval(raw) if dialect == "3.1" else _draft4_interval(raw)
    if isinstance(bounds, str):
        return OpaqueAtom("number", f"{bounds} that is not a number", (NumAtom(),))
    lo, lo_excl, hi, hi_excl = bounds
    multiples: frozenset[int | float] = frozenset()
    if "multipleOf" in raw:
        divisor = raw["multipleOf"]
        if not _num(divisor) or divisor <= 0:
            return OpaqueAtom("number", "multipleOf that is not a number", (NumAtom(),))
        multiples = frozenset({divisor})
    return make_num(
        lo=lo,
        lo_excl=lo_excl,
        hi=hi,
        hi_excl=hi_excl,
        integer=integer,
        multiples=multiples,
        formats=_formats(cx, raw, "number", dialect),
    )


_Interval = tuple[Fraction | None, bool, Fraction | None, bool]


def _interval(raw: dict[str, Any]) -> _Interval | str:
    """2020-12 bounds: the tightest of minimum/exclusiveMinimum and maximum/exclusiveMaximum
    (the keyword that is not a number otherwise)."""
    lo: Fraction | None = None
    lo_excl = False
    hi: Fraction | None = None
    hi_excl = False
    for keyword, exclusive, is_low in (
        ("minimum", False, True),
        ("exclusiveMinimum", True, True),
        ("maximum", False, False),
        ("exclusiveMaximum", True, False),
    ):
        if keyword not in raw:
            continue
        if not _num(raw[keyword]):
            return keyword
        value = Fraction(raw[keyword])
        if is_low and (lo is None or value > lo or (value == lo and exclusive)):
            lo, lo_excl = value, exclusive
        if not is_low and (hi is None or value < hi or (value == hi and exclusive)):
            hi, hi_excl = value, exclusive
    return lo, lo_excl, hi, hi_excl


def _draft4_interval(raw: dict[str, Any]) -> _Interval | str:
    """Draft-4 style: boolean exclusive flags modify minimum/maximum (truthiness, as
    jsonschema's minimum_draft3_draft4 reads them)."""
    lo: Fraction | None = None
    lo_excl = False
    hi: Fraction | None = None
    hi_excl = False
    if "minimum" in raw:
        if not _num(raw["minimum"]):
            return "minimum"
        lo, lo_excl = Fraction(raw["minimum"]), bool(raw.get("exclusiveMinimum", False))
    if "maximum" in raw:
        if not _num(raw["maximum"]):
            return "maximum"
        hi, hi_excl = Fraction(raw["maximum"]), bool(raw.get("exclusiveMaximum", False))
    return lo, lo_excl, hi, hi_excl


def _string(cx: Ctx, raw: dict[str, Any], dialect: Dialect) -> Atom:
    counts = _counts(raw, "minLength", "maxLength")
    if isinstance(counts, str):
        return OpaqueAtom("string", f"{counts} that is not a number", (StrAtom(),))
    min_len, max_len = counts
    patterns: frozenset[str] = frozenset()
    if "pattern" in raw:
        pattern = raw["pattern"]
        if not isinstance(pattern, str) or _regex.compiled(pattern) is None:
            return OpaqueAtom("string", f"pattern {pattern!r} is not usable", (StrAtom(),))
        patterns = frozenset({pattern})
    return StrAtom(
        min_len=min_len,
        max_len=max_len,
        patterns=patterns,
        formats=_formats(cx, raw, "string", dialect),
    )


def _array(cx: Ctx, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool) -> Atom:
    def bad(reason: str) -> Atom:
        return OpaqueAtom("array", reason, (ArrAtom(),))

    prefix: tuple[Sch, ...] = ()
    items = TOP
    opaque: list[str] = []
    if "items" in raw:
        if not isinstance(raw["items"], dict | bool):
            return bad("items given as a list")
        items = cx.refs.sch(raw["items"], base, dialect, sender)
    if dialect == "3.1":
        if "prefixItems" in raw:
            if not isinstance(raw["prefixItems"], list):
                return bad("prefixItems that is not a list")
            prefix = tuple(
                cx.refs.sch(member, base, dialect, sender) for member in raw["prefixItems"]
            )
        opaque.extend(kw for kw in ("contains", "unevaluatedItems") if kw in raw)
    counts = _counts(raw, "minItems", "maxItems")
    if isinstance(counts, str):
        return bad(f"{counts} that is not a number")
    min_items, max_items = counts
    return ArrAtom(
        prefix=prefix,
        items=items,
        min_items=min_items,
        max_items=max_items,
        unique=raw.get("uniqueItems") is True,
        opaque=tuple(opaque),
    )


def _object(cx: Ctx, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool) -> Atom:
    def bad(reason: str) -> Atom:
        return OpaqueAtom("object", reason, (ObjAtom(),))

    properties = raw.get("properties", {})
    required = raw.get("required", [])
    patterns = raw.get("patternProperties", {})
    if not isinstance(properties, dict) or not isinstance(patterns, dict):
        return bad("properties that are not an object")
    if not isinstance(required, list) or not all(isinstance(k, str) for k in required):
        return bad("required that is not a list of names")
    needed = set(required)
    rules: list[Rule] = []
    for name, schema in properties.items():
        if cx.refs.is_hidden(schema, base):
            # readOnly in requests / writeOnly in responses: never sent, and the
            # validator skips "required" for it in the same schema object
            rules.append(Rule("name", FALSE, name=name))
            needed.discard(name)
        else:
            rules.append(Rule("name", cx.refs.sch(schema, base, dialect, sender), name=name))
    for pattern in patterns:
        if not isinstance(pattern, str) or _regex.compiled(pattern) is None:
            return bad(f"patternProperties key {pattern!r} is not usable")
    if dialect == "3.1":
        # 3.0 validators do not apply patternProperties, but still exempt matching keys
        # from additionalProperties (jsonschema's find_additional_properties)
        rules.extend(
            Rule("pattern", cx.refs.sch(schema, base, dialect, sender), name=pattern)
            for pattern, schema in patterns.items()
        )
    extra = raw.get("additionalProperties", True)
    if not isinstance(extra, dict | bool):
        return bad("additionalProperties that is neither an object nor a boolean")
    if extra is not True and extra != {}:
        rules.append(
            Rule(
                "additional",
                cx.refs.sch(extra, base, dialect, sender),
                declared=frozenset(properties),
                patterns=tuple(patterns),
            )
        )
    counts = _counts(raw, "minProperties", "maxProperties")
    if isinstance(counts, str):
        return bad(f"{counts} that is not a number")
    opaque: list[str] = []
    dependent: frozenset[tuple[str, str]] = frozenset()
    if dialect == "3.1":
        dependent = _object_2020(cx, raw, base, sender, rules, opaque)
    return ObjAtom(
        rules=tuple(rules),
        required=frozenset(needed),
        min_props=counts[0],
        max_props=counts[1],
        opaque=tuple(opaque),
        declared=frozenset(properties),
        open=bool(patterns) or ("additionalProperties" in raw and extra in (True, {})),
        dependent=dependent,
    )


def _object_2020(
    cx: Ctx, raw: dict[str, Any], base: str, sender: bool, rules: list[Rule], opaque: list[str]
) -> frozenset[tuple[str, str]]:
    """The 2020-12 object keywords: an ``unevaluatedProperties`` rule is added to ``rules``,
    keywords not modelled to ``opaque``; returns the dependentRequired pairs."""
    dependent: frozenset[tuple[str, str]] = frozenset()
    if "dependentSchemas" in raw:
        opaque.append("dependentSchemas")
    unevaluated = raw.get("unevaluatedProperties", True)
    if unevaluated is not True and unevaluated != {}:
        evaluated = _evaluated_names(cx, raw, base)
        if evaluated is None or not isinstance(unevaluated, dict | bool):
            opaque.append("unevaluatedProperties")
        elif isinstance(evaluated, tuple):
            names, pattern_keys = evaluated
            rules.append(Rule("additional", cx.refs.sch(unevaluated, base, "3.1", sender),
                              declared=names, patterns=pattern_keys))
    if "dependentRequired" in raw:
        found = _dependent_pairs(raw["dependentRequired"])
        if found is None:
            opaque.append("dependentRequired")
        else:
            dependent = found
    if "propertyNames" in raw and raw["propertyNames"] not in (True, {}):
        opaque.append("propertyNames")
    return dependent


def _dependent_pairs(value: Any) -> frozenset[tuple[str, str]] | None:
    """dependentRequired as (key, name) pairs; None when it is not a map of name lists."""
    if not isinstance(value, dict):
        return None
    pairs: set[tuple[str, str]] = set()
    for key, names in value.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return None
        pairs.update((str(key), name) for name in names if name != key)
    return frozenset(pairs)


def _evaluated_names(
    cx: Ctx, raw: dict[str, Any], base: str
) -> tuple[frozenset[str], tuple[str, ...]] | str | None:
    """The property names and patterns that ``unevaluatedProperties`` leaves alone: those
    of the schema and of everything it applies through ``allOf`` and ``$ref`` (applied
    whenever the instance is valid). ``_EVERY_NAME`` when an ``additionalProperties``
    evaluates every key; None when a conditional applicator (anyOf, oneOf, if,
    dependentSchemas) would make the set depend on the instance."""
    names: set[str] = set()
    patterns: list[str] = []
    stack: list[tuple[Any, str]] = [(raw, base)]
    seen: set[int] = set()
    while stack:
        schema, where = stack.pop()
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        if len(seen) > 64:
            return None
        if any(kw in schema for kw in ("anyOf", "oneOf", "if", "dependentSchemas",
                                       "$dynamicRef")):
            return None
        if "additionalProperties" in schema or (
            schema is not raw and "unevaluatedProperties" in schema
        ):
            return _EVERY_NAME
        properties = schema.get("properties", {})
        pattern_map = schema.get("patternProperties", {})
        if not isinstance(properties, dict) or not isinstance(pattern_map, dict):
            return None
        names.update(str(name) for name in properties)
        for pattern in pattern_map:
            if not isinstance(pattern, str) or _regex.compiled(pattern) is None:
                return None
            patterns.append(pattern)
        if "$ref" in schema:
            try:
                target_base, target = cx.refs.deref(schema["$ref"], where)
            except RefFailure:
                return None
            stack.append((target, target_base))
        members = schema.get("allOf", [])
        if not isinstance(members, list):
            return None
        stack.extend((member, where) for member in members)
    return frozenset(names), tuple(dict.fromkeys(patterns))


def _discriminated(
    cx: Ctx, disc: Discriminated, base: str, dialect: Dialect, sender: bool
) -> Canon:
    result = BOTTOM_CANON
    for value, ref in disc.entries:
        try:
            target_base, target = cx.refs.deref(ref, base)
        except RefFailure as exc:
            return opaque_canon(f"discriminator value {value!r}: {exc}")
        tag = ObjAtom(
            rules=(Rule("name", cx.refs.const(value), name=disc.prop),),
            required=frozenset({disc.prop}),
            declared=frozenset({disc.prop}),
        )
        tagged: Canon = tuple(((tag,) if t == "object" else ()) for t in TYPES)
        result = union(
            result,
            intersect(cx, _canon_raw(cx, target, target_base, dialect, sender), tagged),
        )
    return result


def _restrict(cx: Ctx, form: Canon, values: Sequence[Any]) -> Canon:
    """enum/const: the listed values that the rest of the schema accepts."""
    kept: dict[JsonType, list[Any]] = {t: [] for t in TYPES}
    unsure: set[JsonType] = set()
    for value in values:
        kind = json_type(value)
        if kind is None:
            continue
        verdict = member_list(cx, value, form[IDX[kind]])
        if verdict is False:
            continue
        kept[kind].append(value)
        if verdict is None:
            unsure.add(kind)
    out: list[tuple[Atom, ...]] = []
    for kind in TYPES:
        if not kept[kind]:
            out.append(())
            continue
        atom = _finite(kind, kept[kind])
        if kind in unsure:
            atom = OpaqueAtom(kind, "an enum value whose validity is undecided", (atom,))
        out.append((atom,))
    return tuple(out)


def _finite(kind: JsonType, values: Sequence[Any]) -> Atom:
    if kind == "null":
        return NullAtom()
    if kind == "boolean":
        return BoolAtom(frozenset(bool(v) for v in values))
    return FinAtom(kind, Values.of(values))
