"""Canonical per-type schemas ("atoms") and the exact algebra on scalar atoms.

Following jsonsubschema (Habib et al., ISSTA 2021), a schema is rewritten as a disjunction of
atoms, each of which accepts values of exactly one JSON type. Scalar atoms (null, boolean,
number, string) are closed under intersection and complement, so inclusion of scalars reduces
to "is ``a ∧ ¬b`` empty?", answered by provable emptiness or by a concrete sample.

Array and object atoms keep their sub-schemas as :class:`Sch` (a conjunction of schema nodes,
expanded lazily by the engine), which is what makes recursive ``$ref`` cheap and coinductive.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Literal, TypeAlias

from specguard.semantics import _regex

JsonType: TypeAlias = Literal["null", "boolean", "number", "string", "array", "object"]
TYPES: tuple[JsonType, ...] = ("null", "boolean", "number", "string", "array", "object")
Dialect: TypeAlias = Literal["3.0", "3.1"]


def json_type(value: Any) -> JsonType | None:
    """The JSON type of a Python value as parsed from JSON (None for anything else)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return None


def hkey(value: Any) -> Hashable:
    """A hashable key with JSON equality: ``1 == 1.0`` but ``true != 1``."""
    if value is None:
        return ("z",)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, list):
        return ("a", tuple(hkey(item) for item in value))
    if isinstance(value, dict):
        return ("o", frozenset((k, hkey(v)) for k, v in value.items()))
    return ("?", repr(value))


def is_integer(value: Any, dialect: Dialect) -> bool:
    """JSON Schema ``integer``: 3.1 (draft 2020-12) counts 1.0; 3.0 (draft 4 based) does not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, int):
        return True
    return dialect == "3.1" and value.is_integer()


def is_multiple(value: int | float, divisor: int | float) -> bool:
    """``multipleOf`` exactly as jsonschema computes it (float division for float divisors)."""
    if isinstance(divisor, float):
        quotient = value / divisor
        try:
            return int(quotient) == quotient
        except (OverflowError, ValueError):
            return (Fraction(value) / Fraction(divisor)).denominator == 1
    return not value % divisor


@dataclass(frozen=True, slots=True, eq=False)
class Values:
    """A finite set of JSON values, compared with JSON equality (hashable even for objects)."""

    items: tuple[Any, ...] = ()
    keys: frozenset[Hashable] = frozenset()

    @staticmethod
    def of(values: Iterable[Any]) -> Values:
        items = dedupe(values)
        return Values(items, frozenset(hkey(v) for v in items))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Values) and other.keys == self.keys

    def __hash__(self) -> int:
        return hash(self.keys)

    def __contains__(self, value: Any) -> bool:
        # most sets are empty (no enum/not): do not hash a whole sample object for nothing
        return bool(self.keys) and hkey(value) in self.keys

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __or__(self, other: Values) -> Values:
        if not other.items:
            return self
        if not self.items:
            return other
        return Values.of(self.items + other.items)


NO_VALUES = Values()


# ---------------------------------------------------------------------------------------------
# Schema nodes and conjunctions


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """One schema: a raw JSON schema read from ``base``, or the negation of a conjunction."""

    key: Hashable
    raw: Any = None
    base: str = ""
    negated: Sch | None = None
    dialect: Dialect = "3.1"
    # the schema describes what a sender may send: objects are closed over the properties
    # they declare (see _canon.canon)
    sender: bool = False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)


@dataclass(frozen=True, slots=True, eq=False)
class Sch:
    """A conjunction of schema nodes; the empty conjunction accepts everything."""

    nodes: tuple[Node, ...]
    key: frozenset[Hashable]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sch) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    @staticmethod
    def of(*nodes: Node) -> Sch:
        unique: dict[Hashable, Node] = {}
        for node in nodes:
            if node.key == TRUE_NODE.key:
                continue
            unique.setdefault(node.key, node)
        if FALSE_NODE.key in unique:
            return FALSE
        return Sch(tuple(unique.values()), frozenset(unique))

    def conj(self, *others: Sch) -> Sch:
        nodes = list(self.nodes)
        for other in others:
            nodes.extend(other.nodes)
        return Sch.of(*nodes)

    @property
    def is_false(self) -> bool:
        return self.key == FALSE.key


TRUE_NODE = Node(key=("bool", True), raw=True)
FALSE_NODE = Node(key=("bool", False), raw=False)
TOP = Sch((), frozenset())
FALSE = Sch((FALSE_NODE,), frozenset({FALSE_NODE.key}))


def negation(sch: Sch) -> Node:
    """The node ``not sch``."""
    return Node(key=("not", sch.key), negated=sch)


# ---------------------------------------------------------------------------------------------
# Atoms


@dataclass(frozen=True, slots=True)
class NullAtom:
    """The value null."""


@dataclass(frozen=True, slots=True)
class BoolAtom:
    """Some of the two booleans."""

    values: frozenset[bool] = frozenset({True, False})


@dataclass(frozen=True, slots=True)
class NumAtom:
    """Numbers in an interval, with integrality, multipleOf, format and exclusions."""

    lo: Fraction | None = None
    lo_excl: bool = False
    hi: Fraction | None = None
    hi_excl: bool = False
    integer: bool | None = None
    multiples: frozenset[int | float] = frozenset()
    not_multiples: frozenset[int | float] = frozenset()
    formats: frozenset[str] = frozenset()
    not_formats: frozenset[str] = frozenset()
    excluded: Values = NO_VALUES


@dataclass(frozen=True, slots=True)
class StrAtom:
    """Strings by length, patterns, formats (asserted ones only) and exclusions."""

    min_len: int = 0
    max_len: int | None = None
    patterns: frozenset[str] = frozenset()
    not_patterns: frozenset[str] = frozenset()
    formats: frozenset[str] = frozenset()
    not_formats: frozenset[str] = frozenset()
    excluded: Values = NO_VALUES


@dataclass(frozen=True, slots=True)
class ArrAtom:
    """Arrays: positional schemas, a schema for the rest, length bounds, uniqueness.

    ``opaque`` lists constraints we do not model (``contains``...): ignoring them in the
    included schema is sound (it only grows), but they make the including schema undecided.
    """

    prefix: tuple[Sch, ...] = ()
    items: Sch = TOP
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    opaque: tuple[str, ...] = ()
    excluded: Values = NO_VALUES

    def at(self, index: int) -> Sch:
        return self.prefix[index] if index < len(self.prefix) else self.items


@dataclass(frozen=True, slots=True)
class Rule:
    """A constraint on the values of some keys of an object.

    ``name``: exactly the key ``name``; ``pattern``: keys matching ``pattern`` (search);
    ``additional``: keys not in ``declared`` and matching none of ``patterns``.
    """

    kind: Literal["name", "pattern", "additional"]
    sch: Sch
    name: str = ""
    declared: frozenset[str] = frozenset()
    patterns: tuple[str, ...] = ()

    def matches(self, key: str) -> bool | None:
        if self.kind == "name":
            return key == self.name
        if self.kind == "pattern":
            return _regex.search(self.name, key)
        if key in self.declared:
            return False
        verdict: bool | None = True
        for pattern in self.patterns:
            found = _regex.search(pattern, key)
            if found is None:
                verdict = None
            elif found:
                return False
        return verdict


@dataclass(frozen=True, slots=True)
class ObjAtom:
    """Objects: per-key rules, required keys, size bounds; ``opaque`` as for arrays.

    ``declared``: the property names the schema objects behind this atom list (not names a
    complement only mentions); ``open``: one of them allows other keys explicitly
    (``additionalProperties: true`` or ``patternProperties``); ``variant``: it is (part of) a
    oneOf/anyOf branch, closed even when it declares nothing. They matter only when a sender's
    schema is closed over what it declares.
    """

    rules: tuple[Rule, ...] = ()
    required: frozenset[str] = frozenset()
    min_props: int = 0
    max_props: int | None = None
    opaque: tuple[str, ...] = ()
    excluded: Values = NO_VALUES
    declared: frozenset[str] = frozenset()
    open: bool = False
    variant: bool = False
    # dependentRequired as (key, name) pairs: when ``key`` is present, so is ``name``
    dependent: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class FinAtom:
    """A finite set of values of one type (from enum/const)."""

    type: JsonType
    values: Values


@dataclass(frozen=True, slots=True)
class OpaqueAtom:
    """An undecided subset of one type, known to lie within the union of ``upper``.

    For a oneOf that cannot be expanded exactly, ``one_of`` keeps the branches (each a union
    of atoms) and ``also`` the atoms it was intersected with: membership stays exact (exactly
    one branch, and every ``also``), so candidate witnesses can still be told apart.
    """

    type: JsonType
    reason: str
    upper: tuple[Atom, ...] = field(default=())
    one_of: tuple[tuple[Atom, ...], ...] = ()
    also: tuple[Atom, ...] = ()


Atom: TypeAlias = NullAtom | BoolAtom | NumAtom | StrAtom | ArrAtom | ObjAtom | FinAtom | OpaqueAtom


def full(kind: JsonType) -> Atom:
    """The atom accepting every value of a type."""
    if kind == "null":
        return NullAtom()
    if kind == "boolean":
        return BoolAtom()
    if kind == "number":
        return NumAtom()
    if kind == "string":
        return StrAtom()
    if kind == "array":
        return ArrAtom()
    return ObjAtom()


def atom_type(atom: Atom) -> JsonType:
    if isinstance(atom, NullAtom):
        return "null"
    if isinstance(atom, BoolAtom):
        return "boolean"
    if isinstance(atom, NumAtom):
        return "number"
    if isinstance(atom, StrAtom):
        return "string"
    if isinstance(atom, ArrAtom):
        return "array"
    if isinstance(atom, ObjAtom):
        return "object"
    return atom.type


def dedupe(values: Iterable[Any]) -> tuple[Any, ...]:
    seen: set[Hashable] = set()
    out: list[Any] = []
    for value in values:
        key = hkey(value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Formats


class Formats:
    """Which ``format`` values the verifying validators assert, per dialect.

    A format its dialect's checker does not know is an annotation: it constrains nothing.
    """

    _NUMBER_ONLY = frozenset({"int32", "int64"})
    _NEVER_STRING = frozenset({"int32", "int64", "float", "double", "password", "binary"})

    def __init__(self, checkers: dict[Dialect, Any], *, asserted: bool = True) -> None:
        self._checkers = checkers
        self._known = {dialect: frozenset(c.checkers) for dialect, c in checkers.items()}
        self._asserted = asserted

    def active(self, fmt: str, kind: JsonType, dialect: Dialect) -> bool:
        if not self._asserted or fmt not in self._known[dialect]:
            return False
        if kind == "number":
            return fmt in self._NUMBER_ONLY
        if kind == "string":
            return fmt not in self._NEVER_STRING
        return False

    def conforms(self, value: Any, fmt: str) -> bool | None:
        # a format is only ever active under a dialect whose checker knows it; the checkers
        # agree on every format they share (openapi-schema-validator builds both)
        checker = next((c for c in self._checkers.values() if fmt in c.checkers), None)
        if checker is None:
            return True
        try:
            return bool(checker.conforms(value, fmt))
        except Exception:  # a third-party format checker failing is "undecided", not a crash
            return None


FORMAT_SAMPLES: dict[str, tuple[str, ...]] = {
    "date": ("2020-01-01",),
    "date-time": ("2020-01-01T00:00:00Z",),
    "time": ("00:00:00Z",),
    "email": ("a@example.com",),
    "idn-email": ("a@example.com",),
    "idn-hostname": ("example.com",),
    "hostname": ("example.com",),
    "ipv4": ("127.0.0.1",),
    "ipv6": ("::1",),
    "uuid": ("00000000-0000-4000-8000-000000000000",),
    "regex": ("a",),
    "byte": ("AAAA",),
    "uri": ("https://example.com/",),
}


def _and(*verdicts: bool | None) -> bool | None:
    result: bool | None = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


# ---------------------------------------------------------------------------------------------
# Numbers


def _norm_num(atom: NumAtom) -> NumAtom:
    """Integer atoms get inclusive integral bounds, so emptiness and enumeration are exact."""
    if atom.integer is not True:
        return atom
    lo, hi = atom.lo, atom.hi
    if lo is not None:
        ceil = math.ceil(lo)
        lo = Fraction(ceil + 1 if atom.lo_excl and ceil == lo else ceil)
    if hi is not None:
        floor = math.floor(hi)
        hi = Fraction(floor - 1 if atom.hi_excl and floor == hi else floor)
    return replace(atom, lo=lo, lo_excl=False, hi=hi, hi_excl=False)


def make_num(**fields: Any) -> NumAtom:
    return _norm_num(NumAtom(**fields))


def num_intersect(a: NumAtom, b: NumAtom) -> NumAtom | None:
    if a.integer is not None and b.integer is not None and a.integer != b.integer:
        return None
    lo, lo_excl = a.lo, a.lo_excl
    if b.lo is not None and (lo is None or b.lo > lo or (b.lo == lo and b.lo_excl)):
        lo, lo_excl = b.lo, b.lo_excl
    hi, hi_excl = a.hi, a.hi_excl
    if b.hi is not None and (hi is None or b.hi < hi or (b.hi == hi and b.hi_excl)):
        hi, hi_excl = b.hi, b.hi_excl
    return _norm_num(
        NumAtom(
            lo=lo,
            lo_excl=lo_excl,
            hi=hi,
            hi_excl=hi_excl,
            integer=a.integer if a.integer is not None else b.integer,
            multiples=a.multiples | b.multiples,
            not_multiples=a.not_multiples | b.not_multiples,
            formats=a.formats | b.formats,
            not_formats=a.not_formats | b.not_formats,
            excluded=a.excluded | b.excluded,
        )
    )


def num_complement(a: NumAtom) -> list[Atom]:
    out: list[Atom] = []
    if a.lo is not None:
        out.append(NumAtom(hi=a.lo, hi_excl=not a.lo_excl))
    if a.hi is not None:
        out.append(NumAtom(lo=a.hi, lo_excl=not a.hi_excl))
    if a.integer is not None:
        out.append(NumAtom(integer=not a.integer))
    out.extend(NumAtom(not_multiples=frozenset({m})) for m in a.multiples)
    out.extend(NumAtom(multiples=frozenset({m})) for m in a.not_multiples)
    out.extend(NumAtom(not_formats=frozenset({f})) for f in a.formats)
    out.extend(NumAtom(formats=frozenset({f})) for f in a.not_formats)
    if a.excluded:
        out.append(FinAtom("number", a.excluded))
    return [_norm_num(x) if isinstance(x, NumAtom) else x for x in out]


def num_member(value: Any, a: NumAtom, dialect: Dialect, formats: Formats) -> bool | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if a.lo is not None and (value < a.lo or (a.lo_excl and value == a.lo)):
        return False
    if a.hi is not None and (value > a.hi or (a.hi_excl and value == a.hi)):
        return False
    if a.integer is not None and is_integer(value, dialect) != a.integer:
        return False
    if any(not is_multiple(value, m) for m in a.multiples):
        return False
    if any(is_multiple(value, m) for m in a.not_multiples):
        return False
    if value in a.excluded:
        return False
    return _and(
        *(formats.conforms(value, f) for f in a.formats),
        *(_not(formats.conforms(value, f)) for f in a.not_formats),
    )


def _not(verdict: bool | None) -> bool | None:
    return None if verdict is None else not verdict


def _divides(small: int | float, big: int | float) -> bool:
    """Every multiple of ``big`` is a multiple of ``small`` (only decided for ints)."""
    if small == big:
        return True
    return isinstance(small, int) and isinstance(big, int) and big % small == 0


def num_enumerate(a: NumAtom, dialect: Dialect, formats: Formats) -> list[int] | None:
    """All members when the atom is discrete, bounded and small; None when not enumerable."""
    if a.formats or a.not_formats or a.lo is None or a.hi is None:
        return None
    if a.integer is False:
        return None
    steps = [m for m in a.multiples if isinstance(m, int)]
    if a.integer:
        steps.append(1)
    if not steps:
        return None
    step = math.lcm(*steps)
    first, last = math.ceil(a.lo / step), math.floor(a.hi / step)
    if last - first > 2000:
        return None
    return [k * step for k in range(first, last + 1) if num_member(k * step, a, dialect, formats)]


def num_empty(a: NumAtom, dialect: Dialect, formats: Formats) -> bool:
    """Provably no number satisfies the atom."""
    if (
        a.lo is not None
        and a.hi is not None
        and (a.lo > a.hi or (a.lo == a.hi and (a.lo_excl or a.hi_excl)))
    ):
        return True
    if a.formats & a.not_formats:
        return True
    divisors = set(a.multiples) | ({1} if a.integer else set())
    if any(_divides(n, m) for m in divisors for n in a.not_multiples):
        return True
    if dialect == "3.1" and a.integer is False:
        if any(isinstance(m, int) for m in a.multiples):
            return True
        if a.lo is not None and a.lo == a.hi and a.lo.denominator == 1:
            return True
    members = num_enumerate(a, dialect, formats)
    return members is not None and not members


def num_candidates(a: NumAtom, dialect: Dialect) -> list[int | float]:
    half = Fraction(1, 2)
    points: list[Fraction] = [Fraction(x) for x in (0, 1, -1, 2, 10, 100)]
    points += [half, -half, Fraction(3, 2)]
    for bound in (a.lo, a.hi):
        if bound is not None:
            points.extend(bound + d for d in (0, 1, -1, half, -half, 2, -2, Fraction(1, 4)))
    for m in sorted(a.multiples | ({1} if a.integer else set())):
        fm = Fraction(m)
        for anchor in (a.lo, a.hi, Fraction(0)):
            if anchor is not None:
                k = math.floor(anchor / fm)
                points.extend(fm * (k + dk) for dk in (-1, 0, 1, 2))
    if a.formats or a.not_formats:
        points.extend(Fraction(x) for x in (2**31, -(2**31) - 1, 2**63, -(2**63) - 1))
    out: list[int | float] = []
    for point in points:
        try:
            if point.denominator == 1:
                out.append(int(point))
                if dialect == "3.0" and a.integer is False:
                    out.append(float(point))
            else:
                out.append(float(point))
        except OverflowError:  # a 4,001-digit bound: beyond any float, no sample there
            continue
    for m in a.multiples:
        if isinstance(m, float):
            out.extend(m * k for k in (1, 2, 3, -1))
    # keep 1 and 1.0 apart: in 3.0 only the int is an "integer"
    return _distinct_numbers(out)


def _distinct_numbers(values: list[int | float]) -> list[int | float]:
    seen: set[tuple[type, int | float]] = set()
    out: list[int | float] = []
    for value in values:
        key = (type(value), value)
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


# ---------------------------------------------------------------------------------------------
# Strings


def str_intersect(a: StrAtom, b: StrAtom) -> StrAtom:
    max_len = a.max_len if b.max_len is None else b.max_len
    if a.max_len is not None and b.max_len is not None:
        max_len = min(a.max_len, b.max_len)
    return StrAtom(
        min_len=max(a.min_len, b.min_len),
        max_len=max_len,
        patterns=a.patterns | b.patterns,
        not_patterns=a.not_patterns | b.not_patterns,
        formats=a.formats | b.formats,
        not_formats=a.not_formats | b.not_formats,
        excluded=a.excluded | b.excluded,
    )


def str_complement(a: StrAtom) -> list[Atom]:
    out: list[Atom] = []
    if a.min_len > 0:
        out.append(StrAtom(max_len=a.min_len - 1))
    if a.max_len is not None:
        out.append(StrAtom(min_len=a.max_len + 1))
    out.extend(StrAtom(not_patterns=frozenset({p})) for p in a.patterns)
    out.extend(StrAtom(patterns=frozenset({p})) for p in a.not_patterns)
    out.extend(StrAtom(not_formats=frozenset({f})) for f in a.formats)
    out.extend(StrAtom(formats=frozenset({f})) for f in a.not_formats)
    if a.excluded:
        out.append(FinAtom("string", a.excluded))
    return out


def str_member(value: Any, a: StrAtom, formats: Formats) -> bool | None:
    if not isinstance(value, str):
        return False
    if len(value) < a.min_len or (a.max_len is not None and len(value) > a.max_len):
        return False
    if value in a.excluded:
        return False
    verdicts: list[bool | None] = []
    verdicts.extend(_regex.search(p, value) for p in a.patterns)
    verdicts.extend(_not(_regex.search(p, value)) for p in a.not_patterns)
    verdicts.extend(formats.conforms(value, f) for f in a.formats)
    verdicts.extend(_not(formats.conforms(value, f)) for f in a.not_formats)
    return _and(*verdicts)


def str_empty(a: StrAtom, formats: Formats) -> bool:
    if a.max_len is not None and a.min_len > a.max_len:
        return True
    if a.patterns & a.not_patterns or a.formats & a.not_formats:
        return True
    return a.max_len == 0 and str_member("", a, formats) is False


# The longest string sample built (minLength: 3e8 is reasoned about, never materialised).
MAX_WITNESS_CHARS = 100_000


def str_candidates(a: StrAtom) -> list[str]:
    if a.min_len > MAX_WITNESS_CHARS:
        return []
    return list(_str_candidates(a))


@functools.lru_cache(maxsize=8192)
def _str_candidates(a: StrAtom) -> tuple[str, ...]:
    # Atoms are frozen values and recur across the schema pairs of one diff.
    seeds: list[str] = []
    for fmt in sorted(a.formats):
        seeds.extend(FORMAT_SAMPLES.get(fmt, ()))
    for pattern in sorted(a.patterns):
        for example in _regex.example_tuple(pattern):
            # unanchored patterns match inside longer strings: those tell patterns apart
            seeds.extend((example, example + "a", "-" + example))
    seeds.extend(["", "a", "x", "0", "a" * a.min_len, "a" * (a.min_len + 1), "not a format"])
    if a.max_len is not None:
        seeds.append("a" * a.max_len)
    out: list[str] = []
    for seed in seeds:
        out.append(seed)
        if len(seed) < a.min_len:
            pad = "a" * (a.min_len - len(seed))
            out.extend((seed + pad, pad + seed, seed + "0" * len(pad)))
    for value in list(out):
        if value in a.excluded:
            out.extend((value + "0", value + "1", "0" + value))
    return tuple(dict.fromkeys(out))


# ---------------------------------------------------------------------------------------------
# Booleans


def bool_member(value: Any, a: BoolAtom) -> bool:
    return isinstance(value, bool) and value in a.values
