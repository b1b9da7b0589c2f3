"""Keyword-by-keyword comparison of one schema pair (both already resolved from ``$ref``).

Facts only: which constraint got tighter or looser, which property appeared. Whether that
breaks a client depends on the direction, which the rules know.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from specguard.diff._keywords import SCHEMA_KEYWORDS, Handling
from specguard.diff._parts import (
    Part,
    align,
    branch_types,
    canonical,
    has_all_of,
    merged,
    pair_branches,
    types_of,
)
from specguard.diff._walk import Node
from specguard.load import encode_token
from specguard.model import (
    BoundFacts,
    BranchFacts,
    ChangeKind,
    DefaultFacts,
    Direction,
    FieldFacts,
    KeyFacts,
    PropertyFacts,
    Subject,
    TypeFacts,
    ValuesFacts,
)

if TYPE_CHECKING:
    from specguard.diff._differ import ChangeKey, Differ

ADDED, REMOVED, CHANGED = ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED
_ANY_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
_LENGTHS = (
    ("minLength", "maxLength"),
    ("minItems", "maxItems"),
    ("minProperties", "maxProperties"),
    ("minContains", "maxContains"),
)
# 2020-12 applicators whose subschema constrains the instance in the same direction: a
# narrower subschema is a tighter constraint. Present on one side only: added or removed.
_SUBSCHEMA_CONSTRAINTS = ("contains", "propertyNames", "unevaluatedProperties",
                          "unevaluatedItems", "contentSchema")


def compare_schemas(
    differ: Differ, old: Node, new: Node, direction: Direction
) -> Iterator[ChangeKey]:
    """Yield the keys of every change between ``old`` and ``new`` (and below them)."""
    o, n = old.value, new.value
    if isinstance(o, bool) or isinstance(n, bool) or not isinstance(o, dict) or not isinstance(
        n, dict
    ):
        if _canonical(o) != _canonical(n):
            yield differ.emit(Subject.SCHEMA_BOOLEAN, CHANGED, direction, old, new,
                              _summary(o), _summary(n))
        return
    o_inner, n_inner = _nullable_wrapper(o), _nullable_wrapper(n)
    if (o_inner is None) != (n_inner is None):
        yield from _nullable_wrapped(differ, old, new, direction, o_inner, n_inner)
    elif has_all_of(o) or has_all_of(n):
        yield from _composed(differ, old, new, direction)
    else:
        yield from _keywords(differ, old, new, direction)


def _is_null_schema(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kinds = schema.get("type")
    null_only = (
        kinds in ("null", ["null"])
        or ("const" in schema and schema["const"] is None)
        or schema.get("enum") == [None]
    )
    return null_only and all(
        key in ("type", "const", "enum") or SCHEMA_KEYWORDS.get(key) is Handling.ANNOTATION
        or key.startswith("x-") for key in schema
    )


def _nullable_wrapper(schema: dict[str, Any]) -> tuple[str, int] | None:
    """``oneOf``/``anyOf: [{type: 'null'}, X]`` with nothing else but annotations: the 3.1
    way to make X nullable. Returns the keyword and X's index."""
    for keyword in ("oneOf", "anyOf"):
        branches = schema.get(keyword)
        if not isinstance(branches, list) or len(branches) != 2:
            continue
        nulls = [index for index, branch in enumerate(branches) if _is_null_schema(branch)]
        if len(nulls) != 1:
            continue
        if all(key == keyword or key == "default" or key.startswith("x-")
               or SCHEMA_KEYWORDS.get(key) is Handling.ANNOTATION for key in schema):
            return keyword, 1 - nulls[0]
    return None


def _nullable_wrapped(
    differ: Differ, old: Node, new: Node, direction: Direction,
    o_inner: tuple[str, int] | None, n_inner: tuple[str, int] | None,
) -> Iterator[ChangeKey]:
    """One side wraps a schema as nullable (``$ref X`` → ``oneOf: [null, $ref X]``): compare
    the wrapped schema with the other side, and report only whether null is now admitted."""
    if o_inner is not None:
        yield from differ.diff_schema(old.child(*o_inner), new, direction)
        other = new.value
    else:
        assert n_inner is not None
        yield from differ.diff_schema(old, new.child(*n_inner), direction)
        other = old.value
    other_types = types_of(other) or branch_types(differ, old if o_inner is None else new)
    if other_types is not None and "null" in other_types:
        return  # the other side admits null by itself: nullability did not change
    old_t = ["null"] if o_inner is not None else None
    new_t = ["null"] if n_inner is not None else None
    yield differ.emit(
        Subject.SCHEMA_TYPE, CHANGED, direction,
        old.child(o_inner[0] if o_inner else "type"), new.child(n_inner[0] if n_inner else "type"),
        old_t, new_t,
        facts=TypeFacts(lost=("null",) if o_inner is not None else (),
                        gained=("null",) if n_inner is not None else ()),
    )


def _composed(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    """Compare two schemas of which at least one is an allOf, part by part.

    Parts pair up by ``$ref`` target (see :func:`specguard.diff._parts.align`): ``$ref X``
    against ``allOf [$ref X, extra]`` compares X with X. When only one side has parts left
    over, each of its leftover allOf members is one added (or removed) allOf branch, judged
    by the allOf rules; the rest compares as usual. When both sides have leftovers, the
    parts of each side are laid over one another and compared keyword by keyword, so a
    property that moved between the wrapper and a member is not removed.
    """
    alignment = align(differ, old, new)
    o_rest, n_rest = alignment.unmatched(alignment.old), alignment.unmatched(alignment.new)
    reported: set[int] = set()
    if not o_rest or not n_rest:
        o_count, n_count = len(old.get("allOf") or ()), len(new.get("allOf") or ())
        for part in o_rest:
            if part.slot is not None:
                reported.add(id(part))
                yield differ.emit(Subject.SCHEMA_ALL_OF, REMOVED, direction, part.slot, None,
                                  facts=BranchFacts(remaining=n_count, index=part.index))
        for part in n_rest:
            if part.slot is not None:
                reported.add(id(part))
                yield differ.emit(Subject.SCHEMA_ALL_OF, ADDED, direction, None, part.slot,
                                  facts=BranchFacts(previous=o_count, index=part.index))
    if all(id(part) in reported for part in o_rest + n_rest):
        # Nothing else differs in the set of parts: compare the pairs.
        for o_part, n_part in alignment.pairs():
            if o_part.wrapper or n_part.wrapper:
                yield from _keywords(differ, merged(differ, [o_part], o_part.node),
                                     merged(differ, [n_part], n_part.node), direction)
            else:
                yield from differ.diff_schema(o_part.node, n_part.node, direction)
        return
    yield from _keywords(
        differ,
        merged(differ, _kept(alignment.old, reported), old),
        merged(differ, _kept(alignment.new, reported), new),
        direction,
    )


def _kept(parts: list[Part], reported: set[int]) -> list[Part]:
    return [part for part in parts if id(part) not in reported]


def _keywords(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    """Keyword-by-keyword comparison of two schema objects (allOf already opened or absent)."""
    o, n = old.value, new.value
    emit = differ.emit
    yield from _types(differ, old, new, direction)
    yield from _enum(differ, old, new, direction)
    yield from _objects(differ, old, new, direction)
    yield from _bounds(differ, old, new, direction)
    for low, high in _LENGTHS:
        for name, tighter_when_larger in ((low, True), (high, False)):
            ov, nv = o.get(name), n.get(name)
            if name == "minContains" and ("contains" in o or "contains" in n):
                # minContains defaults to 1 beside contains
                ov, nv = (1 if ov is None else ov), (1 if nv is None else nv)
            if ov != nv and _is_number(ov, nv):
                tightened = _tightened(ov, nv, tighter_when_larger)
                yield emit(Subject(f"schema.{name}"), CHANGED, direction, old.child(name),
                           new.child(name), ov, nv,
                           facts=BoundFacts(tightened=tightened, keyword=name))
    yield from _multiple_of(differ, old, new, direction)
    if bool(o.get("uniqueItems")) != bool(n.get("uniqueItems")):
        yield emit(Subject.SCHEMA_UNIQUE_ITEMS, CHANGED, direction, old.child("uniqueItems"),
                   new.child("uniqueItems"), bool(o.get("uniqueItems")),
                   bool(n.get("uniqueItems")),
                   facts=BoundFacts(tightened=bool(n.get("uniqueItems"))))
    for name in ("pattern", "format"):
        if o.get(name) != n.get(name):
            kind = ADDED if name not in o else REMOVED if name not in n else CHANGED
            yield emit(Subject(f"schema.{name}"), kind, direction, old.child(name), new.child(name),
                       o.get(name), n.get(name))
    yield from _arrays(differ, old, new, direction)
    yield from _dependencies(differ, old, new, direction)
    yield from _content(differ, old, new, direction)
    yield from _extensible_enum(differ, old, new, direction)
    for name in _SUBSCHEMA_CONSTRAINTS:
        yield from _subschema_constraint(differ, old, new, direction, name)
    for combinator in ("allOf", "anyOf", "oneOf"):
        yield from _combinator(differ, old, new, direction, combinator)
    yield from _negation(differ, old, new, direction)
    yield from _discriminator(differ, old, new, direction)
    if ("default" in o or "default" in n) and _canonical(o.get("default")) != _canonical(
        n.get("default")
    ):
        yield emit(Subject.SCHEMA_DEFAULT, CHANGED, direction, old.child("default"),
                   new.child("default"), o.get("default"), n.get("default"),
                   facts=DefaultFacts(types=tuple(sorted(types_of(n) or ()))))
    for flag in ("deprecated", "readOnly", "writeOnly"):
        if bool(o.get(flag)) != bool(n.get(flag)):
            yield emit(Subject(f"schema.{flag}"), CHANGED, direction, old.child(flag),
                       new.child(flag),
                       bool(o.get(flag)), bool(n.get(flag)))
    for name in o.keys() | n.keys():
        handling = SCHEMA_KEYWORDS.get(name)
        if handling is Handling.JUDGED or handling is Handling.ANNOTATION:
            continue
        if name.startswith("x-"):
            continue
        if _canonical(o.get(name)) != _canonical(n.get(name)):
            yield emit(Subject.UNCLASSIFIED, CHANGED, direction, old.child(name), new.child(name),
                       _summary(o.get(name)), _summary(n.get(name)),
                       facts=FieldFacts(object="schema", field=name))


# Keywords whose values are data, not schemas: a "$ref" key inside them is not a reference.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "example", "examples"})


def refs_within(
    old: Node, new: Node, direction: Direction, data: bytes | None = None
) -> Iterator[tuple[Node, Node, Direction]]:
    """The ``$ref`` nodes inside two textually equal schemas, paired, with their direction.

    Used when two subtrees are equal: only the targets of their references can still differ.
    ``data`` is ``marshal.dumps`` of the old subtree when the caller has it.
    The direction flips under ``not``; properties hidden in this direction are skipped, as
    :func:`compare_schemas` skips them.
    """
    if data is None:
        try:
            data = marshal.dumps(old.value)
        except ValueError:  # not plain data (or nested past marshal's limit): walk it
            data = b"$ref"
    if b"$ref" not in data:
        # Most equal subtrees hold no reference at all: one C-speed serialisation settles
        # that, where the walk below costs a Python step per container.
        return
    hidden = "readOnly" if direction is Direction.REQUEST else "writeOnly"
    # Walk the raw values (both sides are equal text) and build nodes only at references.
    stack: list[tuple[Any, Any, str, Direction]] = []

    def push(o_value: Any, n_value: Any, suffix: str, flow: Direction) -> None:
        if isinstance(o_value, (dict, list)):
            stack.append((o_value, n_value, suffix, flow))

    def children(o_value: Any, n_value: Any, suffix: str, flow: Direction) -> None:
        if isinstance(o_value, list):
            for index, item in enumerate(o_value):
                push(item, n_value[index], f"{suffix}/{index}", flow)
            return
        if not isinstance(o_value, dict):  # a wrong-typed schema (e.g. `not: 5`) holds no refs
            return
        for key, child in o_value.items():
            if key in _DATA_KEYWORDS:
                continue
            token = encode_token(key) if "~" in key or "/" in key else key
            if key == "properties" and isinstance(child, dict):
                for name, prop in child.items():
                    if not (isinstance(prop, dict) and prop.get(hidden) is True):
                        name_token = encode_token(name) if "~" in name or "/" in name else name
                        push(prop, n_value[key][name], f"{suffix}/{token}/{name_token}", flow)
                continue
            push(child, n_value[key], f"{suffix}/{token}",
                 flow.flipped() if key == "not" else flow)

    children(old.value, new.value, "", direction)
    while stack:
        o_value, n_value, suffix, flow = stack.pop()
        if isinstance(o_value, dict) and isinstance(o_value.get("$ref"), str):
            yield (Node(old.spec, old.file, old.pointer + suffix, o_value),
                   Node(new.spec, new.file, new.pointer + suffix, n_value), flow)
            continue
        children(o_value, n_value, suffix, flow)


# -- helpers -----------------------------------------------------------------------------


_canonical = canonical


def _summary(value: Any) -> Any:
    """Small values verbatim; large ones shortened, so findings never carry whole subtrees."""
    text = _canonical(value)
    return value if len(text) <= 200 else text[:197] + "..."


def _is_number(*values: Any) -> bool:
    return all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
               for v in values)


def _tightened(old: Any, new: Any, tighter_when_larger: bool) -> bool:
    if new is None:
        return False
    if old is None:
        return True
    return bool(new > old) if tighter_when_larger else bool(new < old)


def _covered(kind: str, types: frozenset[str] | None) -> bool:
    if types is None:
        return True
    return kind in types or (kind == "integer" and "number" in types)


def _types(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    old_t, new_t = types_of(old.value), types_of(new.value)
    if old_t == new_t:
        return
    # No `type` of its own: a schema admits only what its anyOf/oneOf branches admit.
    old_t = old_t if old_t is not None else branch_types(differ, old)
    new_t = new_t if new_t is not None else branch_types(differ, new)
    if old_t == new_t:
        return
    lost = sorted(t for t in (old_t or _ANY_TYPES) if not _covered(t, new_t))
    gained = sorted(t for t in (new_t or _ANY_TYPES) if not _covered(t, old_t))
    if not lost and not gained:
        return
    anchor = "type" if "type" in old.value or "type" in new.value else "nullable"
    yield differ.emit(
        Subject.SCHEMA_TYPE, CHANGED, direction, old.child(anchor), new.child(anchor),
        sorted(old_t) if old_t is not None else None,
        sorted(new_t) if new_t is not None else None,
        facts=TypeFacts(lost=tuple(lost), gained=tuple(gained)),
    )


def _allowed_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    values: dict[str, Any] | None = None
    if isinstance(schema.get("enum"), list):
        values = {_canonical(v): v for v in schema["enum"]}
        if schema.get("nullable") is True and "null" not in values:
            values["null"] = None
    if "const" in schema:
        const = {_canonical(schema["const"]): schema["const"]}
        values = const if values is None else {k: v for k, v in values.items() if k in const}
    return values


def _enum(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    old_v, new_v = _allowed_values(old.value), _allowed_values(new.value)
    if old_v is None and new_v is None:
        return
    if old_v is not None and new_v is not None and old_v.keys() == new_v.keys():
        return
    anchor_old = "enum" if "enum" in old.value else "const"
    anchor_new = "enum" if "enum" in new.value else "const"
    if old_v is None or new_v is None:
        kind = ADDED if old_v is None else REMOVED
        yield differ.emit(Subject.SCHEMA_ENUM, kind, direction, old.child(anchor_old),
                          new.child(anchor_new), _summary(list((old_v or {}).values())),
                          _summary(list((new_v or {}).values())))
        return
    added = [new_v[k] for k in new_v.keys() - old_v.keys()]
    removed = [old_v[k] for k in old_v.keys() - new_v.keys()]
    if len(old_v) == 1 and len(new_v) == 1:
        # One fixed value for another (const, or an enum of one): every value is new.
        yield differ.emit(Subject.SCHEMA_CONST, CHANGED, direction, old.child(anchor_old),
                          new.child(anchor_new), _summary(removed[0]), _summary(added[0]))
        return
    yield differ.emit(Subject.SCHEMA_ENUM, CHANGED, direction, old.child(anchor_old),
                      new.child(anchor_new), None, None,
                      facts=ValuesFacts(added=tuple(sorted(map(_canonical, added))),
                                        removed=tuple(sorted(map(_canonical, removed)))))


def _visible_properties(node: Node, direction: Direction) -> dict[str, Node]:
    """Properties that exist for this direction: readOnly ones are not sent in requests,
    writeOnly ones never appear in responses."""
    hidden = "readOnly" if direction is Direction.REQUEST else "writeOnly"
    props = node.child("properties")
    result = {}
    for name in props.mapping():
        child = props.child(name)
        resolved = child.deref() if isinstance(child.value, dict) else child
        if direction is not Direction.NONE and resolved.get(hidden) is True:
            continue
        result[name] = child
    return result


def _objects(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    emit = differ.emit
    old_props = _visible_properties(old, direction)
    new_props = _visible_properties(new, direction)
    hidden_old = set(old.child("properties").mapping()) - set(old_props)
    hidden_new = set(new.child("properties").mapping()) - set(new_props)
    old_req = {r for r in old.get("required", []) if isinstance(r, str)} - hidden_old
    new_req = {r for r in new.get("required", []) if isinstance(r, str)} - hidden_new
    old_additional = _additional(old)
    new_additional = _additional(new)
    for name in sorted(new_req - old_req):
        yield emit(Subject.SCHEMA_REQUIRED, ADDED, direction, old.child("required"),
                   new.child("required"), None, name,
                   facts=PropertyFacts(name=name, new_property=name not in old_props))
    for name in sorted(old_req - new_req):
        yield emit(Subject.SCHEMA_REQUIRED, REMOVED, direction, old.child("required"),
                   new.child("required"), name, None,
                   facts=PropertyFacts(name=name, property_removed=name not in new_props))
    flag = "readOnly" if direction is Direction.REQUEST else "writeOnly"
    for name in sorted(old_props.keys() - new_props.keys()):
        if name in hidden_new:
            # Now hidden in this direction (readOnly in a request, writeOnly in a response):
            # not a removal, but the flag change must not vanish silently.
            yield emit(Subject(f"schema.{flag}"), CHANGED, direction,
                       old_props[name].deref().child(flag),
                       new.child("properties", name).deref().child(flag), False, True,
                       facts=PropertyFacts(name=name, required=name in old_req))
            continue
        yield emit(Subject.SCHEMA_PROPERTY, REMOVED, direction, old_props[name], None,
                   facts=PropertyFacts(name=name, required=name in old_req,
                                       additional_forbidden=new_additional is False,
                                       deprecated=bool(old_props[name].deref().get("deprecated")),
                                       sunset=old_props[name].deref().get("x-sunset")))
    for name in sorted(new_props.keys() - old_props.keys()):
        if name in hidden_old:
            yield emit(Subject(f"schema.{flag}"), CHANGED, direction,
                       old.child("properties", name).deref().child(flag),
                       new_props[name].deref().child(flag), True, False)
            continue
        yield emit(Subject.SCHEMA_PROPERTY, ADDED, direction, None, new_props[name],
                   facts=PropertyFacts(name=name, required=name in new_req,
                                       additional_forbidden=old_additional is False))
    for name in sorted(old_props.keys() & new_props.keys()):
        yield from differ.diff_schema(old_props[name], new_props[name], direction)
    if isinstance(old_additional, Node) and isinstance(new_additional, Node):
        yield from differ.diff_schema(old_additional, new_additional, direction)
    elif old_additional is not new_additional:
        yield emit(Subject.SCHEMA_ADDITIONAL_PROPERTIES, CHANGED, direction,
                   old.child("additionalProperties"), new.child("additionalProperties"),
                   _additional_summary(old_additional), _additional_summary(new_additional),
                   facts=BoundFacts(tightened=_additional_rank(new_additional)
                                    < _additional_rank(old_additional)))
    old_pp, new_pp = old.child("patternProperties"), new.child("patternProperties")
    for pattern in sorted(old_pp.mapping().keys() - new_pp.mapping().keys()):
        yield emit(Subject.SCHEMA_PATTERN_PROPERTIES, REMOVED, direction, old_pp.child(pattern),
                   None,
                   facts=KeyFacts(pattern=pattern))
    for pattern in sorted(new_pp.mapping().keys() - old_pp.mapping().keys()):
        yield emit(Subject.SCHEMA_PATTERN_PROPERTIES, ADDED, direction, None, new_pp.child(pattern),
                   facts=KeyFacts(pattern=pattern))
    for pattern in sorted(old_pp.mapping().keys() & new_pp.mapping().keys()):
        yield from differ.diff_schema(old_pp.child(pattern), new_pp.child(pattern), direction)


def _additional(node: Node) -> bool | Node:
    value = node.get("additionalProperties", True)
    if value is True or value == {}:
        return True
    if value is False:
        return False
    return node.child("additionalProperties")


def _additional_summary(value: bool | Node) -> Any:
    return value if isinstance(value, bool) else "schema"


def _additional_rank(value: bool | Node) -> int:
    return 2 if value is True else 0 if value is False else 1


def _lower(schema: dict[str, Any]) -> Any:
    return _bound(schema, "minimum", "exclusiveMinimum", max)


def _upper(schema: dict[str, Any]) -> Any:
    return _bound(schema, "maximum", "exclusiveMaximum", min)


def _bound(schema: dict[str, Any], inclusive: str, exclusive: str, pick: Any) -> Any:
    """Effective bound as (value, exclusive); 3.0 boolean and 3.1 numeric exclusives."""
    candidates = []
    value = schema.get(inclusive)
    flag = schema.get(exclusive)
    if _is_number(value) and value is not None:
        candidates.append((value, flag is True))
    if _is_number(flag) and flag is not None:
        candidates.append((flag, True))
    if not candidates:
        return None
    best = candidates[0]
    for candidate in candidates[1:]:
        if candidate[0] == best[0]:
            best = (best[0], best[1] or candidate[1])
        elif pick(candidate[0], best[0]) == candidate[0]:
            best = candidate
    return best


def _bounds(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    for name, get, sign in (("minimum", _lower, 1), ("maximum", _upper, -1)):
        old_b, new_b = get(old.value), get(new.value)
        if old_b == new_b:
            continue
        if new_b is None:
            tightened = False
        elif old_b is None:
            tightened = True
        elif new_b[0] != old_b[0]:
            tightened = (new_b[0] - old_b[0]) * sign > 0
        else:
            tightened = new_b[1] and not old_b[1]
        exclusive = "exclusiveMinimum" if sign == 1 else "exclusiveMaximum"
        anchor_old = name if name in old.value else exclusive
        anchor_new = name if name in new.value else exclusive
        yield differ.emit(Subject(f"schema.{name}"), CHANGED, direction, old.child(anchor_old),
                          new.child(anchor_new), _show_bound(old_b), _show_bound(new_b),
                          facts=BoundFacts(tightened=tightened, keyword=name))


def _show_bound(bound: tuple[float, bool] | None) -> Any:
    if bound is None:
        return None
    return f"{bound[0]} (exclusive)" if bound[1] else bound[0]


def _multiple_of(
    differ: Differ, old: Node, new: Node, direction: Direction
) -> Iterator[ChangeKey]:
    ov, nv = old.get("multipleOf"), new.get("multipleOf")
    if ov == nv or not _is_number(ov, nv):
        return
    if ov is None or nv is None:
        tightened, loosened = ov is None, nv is None
    else:
        # new = k * old (k integer): fewer values pass; old = k * new: more pass; else both.
        ratio = Fraction(str(nv)) / Fraction(str(ov))
        tightened = (1 / ratio).denominator != 1
        loosened = ratio.denominator != 1
    yield differ.emit(Subject.SCHEMA_MULTIPLE_OF, CHANGED, direction, old.child("multipleOf"),
                      new.child("multipleOf"), ov, nv,
                      facts=BoundFacts(tightened=tightened, loosened=loosened))


def _arrays(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    o_items, n_items = old.get("items"), new.get("items")
    if isinstance(o_items, dict) and isinstance(n_items, dict):
        yield from differ.diff_schema(old.child("items"), new.child("items"), direction)
    elif _canonical(o_items) != _canonical(n_items) and not (
        o_items in (None, True, {}) and n_items in (None, True, {})
    ):
        yield differ.emit(Subject.SCHEMA_ITEMS, CHANGED, direction, old.child("items"),
                          new.child("items"), _summary(o_items), _summary(n_items))
    o_prefix, n_prefix = old.child("prefixItems"), new.child("prefixItems")
    common = min(len(o_prefix.items()), len(n_prefix.items()))
    for index in range(common):
        yield from differ.diff_schema(o_prefix.child(index), n_prefix.child(index), direction)
    if len(o_prefix.items()) != len(n_prefix.items()):
        yield differ.emit(Subject.SCHEMA_PREFIX_ITEMS, CHANGED, direction, o_prefix, n_prefix,
                          len(o_prefix.items()), len(n_prefix.items()))


def _combinator(
    differ: Differ, old: Node, new: Node, direction: Direction, keyword: str
) -> Iterator[ChangeKey]:
    o_list, n_list = old.child(keyword), new.child(keyword)
    o_count, n_count = len(o_list.items()), len(n_list.items())
    if not o_count and not n_count:
        return
    if keyword != "allOf" and not (o_count and n_count):
        # A whole anyOf/oneOf appeared or disappeared: one constraint, not one per branch.
        yield differ.emit(Subject(f"schema.{keyword}"), ADDED if n_count else REMOVED, direction,
                          o_list if o_count else None, n_list if n_count else None,
                          facts=BranchFacts(previous=o_count, remaining=n_count,
                                            index=max(o_count, n_count) - 1))
        return
    # Paired by content, $ref target, discriminator value, title, likeness; never by position
    # alone: a branch inserted mid-list must not make its neighbours compare.
    pairs, old_left, new_left = pair_branches(differ, old, new, keyword)
    for i, j in pairs:
        yield from differ.diff_schema(o_list.child(i), n_list.child(j), direction)
    for i in old_left:
        yield differ.emit(Subject(f"schema.{keyword}"), REMOVED, direction, o_list.child(i), None,
                          facts=BranchFacts(remaining=n_count, index=i))
    for j in new_left:
        yield differ.emit(Subject(f"schema.{keyword}"), ADDED, direction, None, n_list.child(j),
                          facts=BranchFacts(previous=o_count, index=j))


def _trivial(schema: Any) -> bool:
    return schema is True or schema == {} or schema is None


def _subschema_constraint(
    differ: Differ, old: Node, new: Node, direction: Direction, name: str
) -> Iterator[ChangeKey]:
    """``contains``, ``propertyNames``, ``unevaluated*``: a subschema that constrains the
    instance (its items, its keys, what no other keyword evaluated)."""
    ov, nv = old.get(name), new.get(name)
    if _trivial(ov) and _trivial(nv):
        return
    if not _trivial(ov) and not _trivial(nv):
        if isinstance(ov, dict) and isinstance(nv, dict):
            yield from differ.diff_schema(old.child(name), new.child(name), direction)
        elif _canonical(ov) != _canonical(nv):
            # false vs a schema: false admits nothing, so moving to a schema loosens
            yield differ.emit(Subject(f"schema.{name}"), CHANGED, direction, old.child(name),
                              new.child(name), _summary(ov), _summary(nv),
                              facts=BoundFacts(tightened=nv is False, loosened=ov is False,
                                               keyword=name))
        return
    tightened = _trivial(ov)
    yield differ.emit(Subject(f"schema.{name}"), CHANGED, direction, old.child(name),
                      new.child(name),
                      _summary(ov), _summary(nv),
                      facts=BoundFacts(tightened=tightened, loosened=not tightened, keyword=name))


def _dependencies(
    differ: Differ, old: Node, new: Node, direction: Direction
) -> Iterator[ChangeKey]:
    """``dependentRequired`` (pairs: key -> name it requires) and ``dependentSchemas``."""
    o, n = old.value, new.value
    if not any(k in o or k in n for k in ("dependentRequired", "dependentSchemas")):
        return  # the common case, on every schema pair: no nodes built

    def pairs(value: Any) -> set[tuple[str, str]]:
        if not isinstance(value, dict):
            return set()
        return {(str(key), str(name)) for key, names in value.items()
                if isinstance(names, list) for name in names}

    o_pairs, n_pairs = pairs(old.get("dependentRequired")), pairs(new.get("dependentRequired"))
    if o_pairs != n_pairs:
        yield differ.emit(
            Subject.SCHEMA_DEPENDENT_REQUIRED, CHANGED, direction, old.child("dependentRequired"),
            new.child("dependentRequired"), _dependency_text(o_pairs),
            _dependency_text(n_pairs),
                          facts=BoundFacts(tightened=bool(n_pairs - o_pairs),
                                           loosened=bool(o_pairs - n_pairs),
                                           keyword="dependentRequired"))
    o_deps, n_deps = old.child("dependentSchemas"), new.child("dependentSchemas")
    o_keys = {k for k, v in o_deps.mapping().items() if not _trivial(v)}
    n_keys = {k for k, v in n_deps.mapping().items() if not _trivial(v)}
    for key in sorted(o_keys & n_keys):
        yield from differ.diff_schema(o_deps.child(key), n_deps.child(key), direction)
    if o_keys != n_keys:
        yield differ.emit(
            Subject.SCHEMA_DEPENDENT_SCHEMAS, CHANGED, direction, o_deps, n_deps,
            sorted(o_keys), sorted(n_keys),
                          facts=BoundFacts(tightened=bool(n_keys - o_keys),
                                           loosened=bool(o_keys - n_keys),
                                           keyword="dependentSchemas"))


def _content(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    """``contentEncoding`` and ``contentMediaType``: how a string carries other data. No
    validator asserts them, but both ends encode and decode by them."""
    for name in ("contentEncoding", "contentMediaType"):
        ov, nv = old.get(name), new.get(name)
        if _canonical(ov) == _canonical(nv):
            continue
        kind = ADDED if ov is None else REMOVED if nv is None else CHANGED
        yield differ.emit(Subject(f"schema.{name}"), kind, direction, old.child(name),
                          new.child(name),
                          _summary(ov), _summary(nv))


def _extensible_values(schema: dict[str, Any]) -> dict[str, Any] | None:
    """Zalando's ``x-extensible-enum``: plain values or ``{value: ...}`` entries."""
    listed = schema.get("x-extensible-enum")
    if not isinstance(listed, list):
        return None
    values = [item.get("value") if isinstance(item, dict) and "value" in item else item
              for item in listed]
    return {_canonical(value): value for value in values}


def _extensible_enum(
    differ: Differ, old: Node, new: Node, direction: Direction
) -> Iterator[ChangeKey]:
    """Values a schema names while promising more may come: clients must accept unknown ones."""
    old_v, new_v = _extensible_values(old.value), _extensible_values(new.value)
    if old_v is None or new_v is None or old_v.keys() == new_v.keys():
        return  # introduced or dropped: an annotation of an open set says nothing new
    yield differ.emit(Subject.SCHEMA_X_EXTENSIBLE_ENUM, CHANGED, direction,
                      old.child("x-extensible-enum"), new.child("x-extensible-enum"), None, None,
                      facts=ValuesFacts(added=tuple(sorted(new_v.keys() - old_v.keys())),
                                        removed=tuple(sorted(old_v.keys() - new_v.keys()))))


def _dependency_text(pairs: set[tuple[str, str]]) -> str:
    return ", ".join(f"{key} needs {name}" for key, name in sorted(pairs)) or "none"


def _negation(differ: Differ, old: Node, new: Node, direction: Direction) -> Iterator[ChangeKey]:
    o_not, n_not = old.get("not"), new.get("not")
    if o_not is None and n_not is None:
        return
    if o_not is not None and n_not is not None:
        if _canonical(o_not) != _canonical(n_not):
            # Keyword rules read inverted inside `not` (a value removed from the inner enum
            # is a value added outside); one change, judged as a whole by the semantic judge.
            yield differ.emit(Subject.SCHEMA_NOT, CHANGED, direction, old.child("not"),
                              new.child("not"))
        else:
            # Same text: only referenced schemas can differ; narrowing them widens the outer.
            yield from differ.diff_schema(old.child("not"), new.child("not"),
                                          direction.flipped())
        return
    kind = ADDED if o_not is None else REMOVED
    yield differ.emit(Subject.SCHEMA_NOT, kind, direction, old.child("not"), new.child("not"))


def _discriminator(
    differ: Differ, old: Node, new: Node, direction: Direction
) -> Iterator[ChangeKey]:
    o_disc, n_disc = old.child("discriminator"), new.child("discriminator")
    if o_disc.value is None and n_disc.value is None:
        return
    if o_disc.get("propertyName") != n_disc.get("propertyName"):
        yield differ.emit(Subject.SCHEMA_DISCRIMINATOR, CHANGED, direction,
                          o_disc.child("propertyName"), n_disc.child("propertyName"),
                          o_disc.get("propertyName"), n_disc.get("propertyName"))
    o_map, n_map = o_disc.child("mapping").mapping(), n_disc.child("mapping").mapping()
    for value in sorted(o_map.keys() - n_map.keys()):
        yield differ.emit(Subject.SCHEMA_DISCRIMINATOR_MAPPING, REMOVED, direction,
                          o_disc.child("mapping", value), None, facts=KeyFacts(value=value))
    for value in sorted(n_map.keys() - o_map.keys()):
        yield differ.emit(Subject.SCHEMA_DISCRIMINATOR_MAPPING, ADDED, direction, None,
                          n_disc.child("mapping", value), facts=KeyFacts(value=value))
