"""The inclusion engine: canonicalise, check atom by atom, and build counterexamples.

One engine serves one (dialect, context) pair. Results come in three kinds:

* :class:`Proved` — inclusion holds. ``deps`` lists the pairs still assumed to hold
  (coinduction for recursive ``$ref``); only proofs without open assumptions are memoised.
* :class:`Refuted` — a candidate instance of the included schema that the including one
  rejects. The public judge verifies it with a real validator before showing it.
* :class:`Unknown` — no proof and no counterexample, with a reason for the report.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from specguard.semantics import _regex
from specguard.semantics._atoms import (
    FALSE,
    FALSE_NODE,
    TOP,
    TRUE_NODE,
    TYPES,
    ArrAtom,
    Atom,
    BoolAtom,
    Dialect,
    FinAtom,
    Formats,
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
    atom_type,
    bool_member,
    dedupe,
    full,
    hkey,
    json_type,
    make_num,
    negation,
    num_candidates,
    num_complement,
    num_empty,
    num_intersect,
    num_member,
    str_candidates,
    str_complement,
    str_empty,
    str_intersect,
    str_member,
)
from specguard.semantics._oas import (
    ANNOTATIONS,
    Context,
    Discriminated,
    Resolve,
    discriminated,
    has_flag,
    hidden_keyword,
    is_annotation,
)

Canon = tuple[tuple[Atom, ...], ...]  # one tuple of atoms per JSON type, in TYPES order
IDX: dict[str, int] = {t: i for i, t in enumerate(TYPES)}
TOP_CANON: Canon = tuple((full(t),) for t in TYPES)
BOTTOM_CANON: Canon = tuple(() for _ in TYPES)

# Beside annotations, keywords that cannot make a schema unsatisfiable on their own (see
# Engine._surely_inhabited; "required" is checked property by property). Beside a $ref (3.1
# applies both) they could still conflict with its target.
_CONSTRAINING = frozenset(
    {"type", "properties", "required", "items", "format", "additionalProperties"}
)
_PLAIN_KEYWORDS = ANNOTATIONS | _CONSTRAINING | {"readOnly", "writeOnly", "nullable"}
_TYPE_NAMES = frozenset({"null", "boolean", "number", "integer", "string", "array", "object"})
_MEMBER_MEMO_SIZE = 200_000  # remembered membership verdicts of containers, per engine
# The largest witness built: bounds are compared symbolically, values are only ever samples.
MAX_WITNESS_ITEMS = 10_000
_MAX_ATOMS = 64  # per type, after a product; beyond this we stop and say "undecided"
_MAX_DEPTH = 12  # nesting depth when building sample instances
# Units of work (intersections, membership tests, candidates, inclusion checks) one decision
# may take. Deterministic, unlike a time limit, so a verdict does not depend on the machine.
STEP_BUDGET = 15_000
_SAMPLE_ORDER: tuple[JsonType, ...] = ("null", "boolean", "number", "string", "object", "array")
_MISSING = object()


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


class _BudgetExceeded(Exception):
    """One decision used up :data:`STEP_BUDGET`; the engine's memo state is abandoned."""


class _RefFailure(Exception):
    pass


# every key of the instance is evaluated by some keyword (see Engine._evaluated_names)
_EVERY_NAME = "every name"


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


def _opaque_canon(reason: str) -> Canon:
    return tuple((OpaqueAtom(t, reason, (full(t),)),) for t in TYPES)


def _expand(atoms: Iterable[Atom]) -> list[Atom]:
    """Replace undecided atoms by their known upper bound (sound on the included side)."""
    out: list[Atom] = []
    for atom in atoms:
        if isinstance(atom, OpaqueAtom):
            out.extend(_expand(atom.upper))
        else:
            out.append(atom)
    return out


def _dedupe_atoms(atoms: Iterable[Atom]) -> tuple[Atom, ...]:
    return tuple(dict.fromkeys(atoms))


def _num(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _describe(atom: Atom) -> str:
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


def _plain_ref(raw: Any) -> bool:
    """``{"$ref": ...}`` with nothing beside it but annotations."""
    return (
        isinstance(raw, dict)
        and "$ref" in raw
        and all(k == "$ref" or is_annotation(k) for k in raw)
    )


class Engine:
    """Decides inclusion between schemas of two documents, for one dialect and context."""

    def __init__(
        self,
        resolve: Resolve,
        dialect: Dialect,
        context: Context,
        formats: Formats,
        *,
        closed_senders: bool = True,
    ) -> None:
        self._resolve = resolve
        # the included side is what a sender may send: closed over its declared properties
        self._closed_senders = closed_senders
        self.dialect: Dialect = dialect
        self.context: Context = context
        self._formats = formats
        self._hidden = hidden_keyword(context)
        self._nodes: dict[Hashable, Node] = {}
        self._nodes_keep: list[Any] = []  # raws whose node is their $ref target's
        self._raw_memo: dict[Hashable, Canon] = {}
        self._sch_memo: dict[frozenset[Hashable], Canon] = {}
        self._visiting: set[Hashable] = set()
        self._cycle_hits = 0
        self._check_memo: dict[tuple[frozenset[Hashable], frozenset[Hashable]], Result] = {}
        self._proof_memo: dict[tuple[frozenset[Hashable], frozenset[Hashable]], Result] = {}
        self._witness = True  # whether the current decision wants a counterexample
        self._in_progress: set[Hashable] = set()
        self._empty_memo: dict[frozenset[Hashable], bool] = {}
        self._empty_progress: set[frozenset[Hashable]] = set()
        self._eq_memo: dict[tuple[int, str, int, str], bool] = {}
        self._eq_progress: set[tuple[int, str, int, str]] = set()
        self._eq_trail: list[tuple[tuple[int, str, int, str], bool]] = []
        self._ref_memo: dict[tuple[str, str], tuple[str, Any] | str] = {}
        self._hidden_memo: dict[tuple[int, str], bool] = {}
        self._const_nodes: dict[Hashable, Node] = {}
        # per object atom (by id, the atom kept alive): its rules by property name, the rules
        # that are not by name, and the key schemas computed so far
        self._key_index: dict[
            int, tuple[ObjAtom, dict[str, list[Sch]], tuple[Rule, ...], dict[str, Sch]]
        ] = {}
        self._atom_empty_memo: dict[int, tuple[Atom, bool]] = {}
        self._inhabited_memo: dict[tuple[int, str], bool] = {}
        self._inhabited_progress: set[tuple[int, str]] = set()
        self._member_memo: dict[tuple[int, int], tuple[Any, Atom, bool | None]] = {}
        self._candidate_memo: dict[tuple[frozenset[Hashable], int, int], tuple[Any, ...]] = {}
        self._steps = 0
        # Set when a decision was cut short: in-progress (coinductive) assumptions may be
        # left behind, so the owner must discard this engine.
        self.poisoned = False

    # -----------------------------------------------------------------------------------------
    # Nodes and references

    def node(self, raw: Any, base: str, dialect: Dialect, sender: bool = False) -> Node:
        if raw is True or (isinstance(raw, dict) and not raw):
            return TRUE_NODE
        if raw is False:
            return FALSE_NODE
        key = ("raw", id(raw), base, dialect, sender)
        known = self._nodes.get(key)
        if known is None:
            target = self._plain_target(raw, base)
            if target is not None:
                # ``{"$ref": ...}`` (with annotations at most) is its target: every place that
                # refers to a component shares one node, so conjunctions of them collapse and
                # every memo keyed by nodes is shared
                known = self.node(target[1], target[0], dialect, sender)
                self._nodes_keep.append(raw)  # that node does not keep ``raw`` alive
            else:
                # the node keeps ``raw`` alive, so its id() cannot be reused while memoised
                known = Node(key=key, raw=raw, base=base, dialect=dialect, sender=sender)
            self._nodes[key] = known
        return known

    def _plain_target(self, raw: Any, base: str) -> tuple[str, Any] | None:
        """Where a chain of annotation-only ``$ref`` objects ends (None if ``raw`` is not one,
        or the chain loops or fails: that node is then kept as it is)."""
        seen: set[int] = set()
        found: tuple[str, Any] | None = None
        while _plain_ref(raw):
            if id(raw) in seen or len(seen) > 64:
                return None
            seen.add(id(raw))
            try:
                base, raw = self._deref(raw["$ref"], base)
            except _RefFailure:
                return None
            found = (base, raw)
        return found

    def sch(self, raw: Any, base: str, dialect: Dialect, sender: bool = False) -> Sch:
        return Sch.of(self.node(raw, base, dialect, sender))

    def _const(self, value: Any) -> Sch:
        key = ("const", hkey(value))
        known = self._const_nodes.get(key)
        if known is None:
            raw = {"enum": [value]}
            known = self._const_nodes[key] = Node(key=key, raw=raw, base="", dialect="3.1")
        return Sch.of(known)

    def _deref(self, ref: Any, base: str) -> tuple[str, Any]:
        if not isinstance(ref, str):
            raise _RefFailure("a $ref that is not a string")
        memo_key = (ref, base)
        known = self._ref_memo.get(memo_key)
        if known is None:
            try:
                target_base, _identity, target = self._resolve(ref, base)
                known = (target_base, target)
            except Exception as exc:  # resolver is caller code over untrusted input
                known = f"unresolvable $ref {ref!r}: {exc}"
            self._ref_memo[memo_key] = known
        if isinstance(known, str):
            raise _RefFailure(known)
        return known

    def _is_hidden(self, raw: Any, base: str) -> bool:
        key = (id(raw), base)
        known = self._hidden_memo.get(key)
        if known is None:
            known = self._hidden_memo[key] = has_flag(raw, base, self._hidden, self._resolve)
        return known

    # -----------------------------------------------------------------------------------------
    # Canonical form

    def canon(self, sch: Sch) -> Canon:
        self._tick()
        known = self._sch_memo.get(sch.key)
        if known is not None:
            return known
        hits = self._cycle_hits
        result = TOP_CANON
        for node in sch.nodes:
            result = self._intersect(result, self._canon_node(node))
            if result == BOTTOM_CANON:
                break
        if any(node.sender for node in sch.nodes):
            result = self._closed(result)
        if hits == self._cycle_hits:
            self._sch_memo[sch.key] = result
        return result

    def _canon_node(self, node: Node) -> Canon:
        if node.negated is not None:
            known = self._raw_memo.get(node.key)
            if known is None:
                hits = self._cycle_hits
                known = self._complement(self.canon(node.negated))
                if hits == self._cycle_hits:
                    self._raw_memo[node.key] = known
            return known
        return self._canon_raw(node.raw, node.base, node.dialect, node.sender)

    @staticmethod
    def _variant(canon: Canon) -> Canon:
        """A oneOf/anyOf branch is a shape of its own: one that says nothing about its keys
        (no property, no size, nothing required) is an empty variant a sender puts nothing
        in, not a free-form map. One that bounds its size is a map and stays open."""
        objects = canon[IDX["object"]]
        marked = tuple(
            replace(atom, variant=True)
            if isinstance(atom, ObjAtom) and not atom.variant and (
                atom.declared or (not atom.rules and not atom.required
                                  and atom.min_props == 0 and atom.max_props is None))
            else atom
            for atom in objects
        )
        if marked == objects:
            return canon
        return tuple(marked if i == IDX["object"] else part for i, part in enumerate(canon))

    @staticmethod
    def _closed(canon: Canon) -> Canon:
        """What a sender may send: only the properties its schema declares.

        Applied to a whole schema position (after allOf members are merged and oneOf/anyOf
        branches distributed), so an allOf's members close over their union. A schema that
        declares no property (a free-form map, unless it is a oneOf/anyOf variant) or opens
        itself explicitly stays as written, and so does an explicit ``additionalProperties``
        schema.
        """
        objects = canon[IDX["object"]]
        closed = tuple(Engine._close_atom(atom) for atom in objects)
        if closed == objects:
            return canon
        return tuple(closed if i == IDX["object"] else part for i, part in enumerate(canon))

    @staticmethod
    def _close_atom(atom: Atom) -> Atom:
        if isinstance(atom, OpaqueAtom):
            # an unexpanded oneOf: its branches are what a sender picks from
            close = Engine._close_atom
            return replace(
                atom,
                upper=tuple(close(a) for a in atom.upper),
                one_of=tuple(tuple(close(a) for a in branch) for branch in atom.one_of),
                also=tuple(close(a) for a in atom.also),
            )
        if (not isinstance(atom, ObjAtom) or atom.open or atom.opaque
                or not (atom.declared or atom.variant)
                or any(r.kind == "additional" for r in atom.rules)):
            return atom
        patterns = tuple(r.name for r in atom.rules if r.kind == "pattern")
        extra = Rule("additional", FALSE, declared=atom.declared, patterns=patterns)
        return replace(atom, rules=(*atom.rules, extra))

    def _canon_raw(self, raw: Any, base: str, dialect: Dialect, sender: bool = False) -> Canon:
        if raw is True:
            return TOP_CANON
        if raw is False:
            return BOTTOM_CANON
        if not isinstance(raw, dict):
            return _opaque_canon("a schema that is neither an object nor a boolean")
        key = ("raw", id(raw), base, dialect, sender)
        known = self._raw_memo.get(key)
        if known is not None:
            return known
        if key in self._visiting:
            self._cycle_hits += 1
            return _opaque_canon("a $ref cycle that never passes through a property or item")
        self._visiting.add(key)
        hits = self._cycle_hits
        try:
            result = self._build(raw, base, dialect, sender)
        finally:
            self._visiting.discard(key)
        if hits == self._cycle_hits:
            self._nodes.setdefault(
                key, Node(key=key, raw=raw, base=base, dialect=dialect, sender=sender)
            )
            self._raw_memo[key] = result
        return result

    def _build(self, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool) -> Canon:
        target = self._plain_target(raw, base)
        if target is not None:
            # the commonest schema of all: a reference, perhaps with a description. Its own
            # keywords add nothing, and sharing the target's atoms shares their memos.
            return self._canon_raw(target[1], target[0], dialect, sender)
        parts: list[Canon] = [self._own(raw, base, dialect, sender)]
        if "$ref" in raw:
            try:
                target_base, target = self._deref(raw["$ref"], base)
                parts.append(self._canon_raw(target, target_base, dialect, sender))
            except _RefFailure as exc:
                parts.append(_opaque_canon(str(exc)))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in raw and (not isinstance(raw[keyword], list) or not raw[keyword]):
                parts.append(_opaque_canon(f"{keyword} that is not a non-empty list"))
        for member in self._list(raw.get("allOf")):
            parts.append(self._canon_raw(member, base, dialect, sender))
        disc = discriminated(raw)
        if isinstance(disc, str):
            parts.append(_opaque_canon(disc))
        elif disc is not None:
            parts.append(self._discriminated(disc, base, dialect, sender))
        else:
            if self._list(raw.get("anyOf")):
                union = BOTTOM_CANON
                for member in raw["anyOf"]:
                    branch = self._variant(self._canon_raw(member, base, dialect, sender))
                    union = self._union(union, branch)
                parts.append(union)
            if self._list(raw.get("oneOf")):
                branches = [
                    self._variant(self._canon_raw(m, base, dialect, sender)) for m in raw["oneOf"]
                ]
                parts.append(self._one_of(branches))
        if "not" in raw:
            negated = raw["not"]
            inner = negated.get("not") if isinstance(negated, dict) else None
            if inner is not None and all(k == "not" or is_annotation(k) for k in negated):
                # not(not X) is X; going through two complements would lose precision
                parts.append(self._canon_raw(inner, base, dialect, sender))
            else:
                # what a negation excludes is not closed: closing it would widen the sender
                parts.append(self._complement(self._canon_raw(negated, base, dialect)))
        if dialect == "3.1" and "if" in raw:
            condition = self._canon_raw(raw["if"], base, dialect)  # used negated too
            then = self._canon_raw(raw.get("then", True), base, dialect, sender)
            otherwise = self._canon_raw(raw.get("else", True), base, dialect, sender)
            parts.append(
                self._union(
                    self._intersect(condition, then),
                    self._intersect(self._complement(condition), otherwise),
                )
            )
        result = TOP_CANON
        for part in parts:
            result = self._intersect(result, part)
            if result == BOTTOM_CANON:
                return result
        if "enum" in raw:
            values = raw["enum"]
            if not isinstance(values, list):
                return self._intersect(result, _opaque_canon("enum that is not a list"))
            result = self._restrict(result, values)
        if dialect == "3.1" and "const" in raw:
            result = self._restrict(result, [raw["const"]])
        return result

    @staticmethod
    def _list(value: Any) -> list[Any]:
        return value if isinstance(value, list) else []

    def _own(self, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool) -> Canon:
        """The atoms a single schema object contributes through its type-specific keywords."""
        declared = raw.get("type")
        integer: bool | None = None
        allowed: set[str]
        if declared is None:
            allowed = set(TYPES)
        else:
            if isinstance(declared, str):
                names = [declared]
            elif isinstance(declared, list) and dialect == "3.1":
                names = declared
            else:
                return _opaque_canon(f"type {declared!r} is not understood")
            allowed = set()
            for name in names:
                if name == "integer":
                    allowed.add("number")
                elif name in IDX:
                    allowed.add(name)
                else:
                    return _opaque_canon(f"unknown type {name!r}")
            if "integer" in names and "number" not in names:
                integer = True
            # OpenAPI 3.0.3: nullable only adds null next to an explicit type
            if dialect == "3.0" and raw.get("nullable") is True:
                allowed.add("null")
        out: list[tuple[Atom, ...]] = []
        for kind in TYPES:
            if kind not in allowed:
                out.append(())
            elif kind == "null":
                out.append((NullAtom(),))
            elif kind == "boolean":
                out.append((BoolAtom(),))
            elif kind == "number":
                out.append((self._number(raw, integer, dialect),))
            elif kind == "string":
                out.append((self._string(raw, dialect),))
            elif kind == "array":
                out.append((self._array(raw, base, dialect, sender),))
            else:
                out.append((self._object(raw, base, dialect, sender),))
        return tuple(out)

    def _number(self, raw: dict[str, Any], integer: bool | None, dialect: Dialect) -> Atom:
        def bad(keyword: str) -> Atom:
            return OpaqueAtom("number", f"{keyword} that is not a number", (NumAtom(),))

        lo: Fraction | None = None
        lo_excl = False
        hi: Fraction | None = None
        hi_excl = False
        if dialect == "3.1":
            for keyword, exclusive, is_low in (
                ("minimum", False, True),
                ("exclusiveMinimum", True, True),
                ("maximum", False, False),
                ("exclusiveMaximum", True, False),
            ):
                if keyword not in raw:
                    continue
                if not _num(raw[keyword]):
                    return bad(keyword)
                value = Fraction(raw[keyword])
                if is_low and (lo is None or value > lo or (value == lo and exclusive)):
                    lo, lo_excl = value, exclusive
                if not is_low and (hi is None or value < hi or (value == hi and exclusive)):
                    hi, hi_excl = value, exclusive
        else:
            # draft-4 style: boolean exclusive flags modify minimum/maximum (truthiness, as
            # jsonschema's minimum_draft3_draft4 reads them)
            if "minimum" in raw:
                if not _num(raw["minimum"]):
                    return bad("minimum")
                lo, lo_excl = Fraction(raw["minimum"]), bool(raw.get("exclusiveMinimum", False))
            if "maximum" in raw:
                if not _num(raw["maximum"]):
                    return bad("maximum")
                hi, hi_excl = Fraction(raw["maximum"]), bool(raw.get("exclusiveMaximum", False))
        multiples: frozenset[int | float] = frozenset()
        if "multipleOf" in raw:
            divisor = raw["multipleOf"]
            if not _num(divisor) or divisor <= 0:
                return bad("multipleOf")
            multiples = frozenset({divisor})
        fmt = raw.get("format")
        formats = frozenset(
            {fmt} if isinstance(fmt, str) and self._formats.active(fmt, "number", dialect) else ()
        )
        return make_num(
            lo=lo,
            lo_excl=lo_excl,
            hi=hi,
            hi_excl=hi_excl,
            integer=integer,
            multiples=multiples,
            formats=formats,
        )

    def _string(self, raw: dict[str, Any], dialect: Dialect) -> Atom:
        min_len, max_len = 0, None
        if "minLength" in raw:
            if not _num(raw["minLength"]):
                return OpaqueAtom("string", "minLength that is not a number", (StrAtom(),))
            min_len = max(0, -int(-raw["minLength"] // 1))
        if "maxLength" in raw:
            if not _num(raw["maxLength"]):
                return OpaqueAtom("string", "maxLength that is not a number", (StrAtom(),))
            max_len = int(raw["maxLength"] // 1)
        patterns: frozenset[str] = frozenset()
        if "pattern" in raw:
            pattern = raw["pattern"]
            if not isinstance(pattern, str) or _regex.compiled(pattern) is None:
                return OpaqueAtom("string", f"pattern {pattern!r} is not usable", (StrAtom(),))
            patterns = frozenset({pattern})
        fmt = raw.get("format")
        formats = frozenset(
            {fmt} if isinstance(fmt, str) and self._formats.active(fmt, "string", dialect) else ()
        )
        return StrAtom(min_len=min_len, max_len=max_len, patterns=patterns, formats=formats)

    def _array(self, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool) -> Atom:
        def bad(reason: str) -> Atom:
            return OpaqueAtom("array", reason, (ArrAtom(),))

        prefix: tuple[Sch, ...] = ()
        items = TOP
        opaque: list[str] = []
        if "items" in raw:
            if not isinstance(raw["items"], dict | bool):
                return bad("items given as a list")
            items = self.sch(raw["items"], base, dialect, sender)
        if dialect == "3.1":
            if "prefixItems" in raw:
                if not isinstance(raw["prefixItems"], list):
                    return bad("prefixItems that is not a list")
                prefix = tuple(
                    self.sch(member, base, dialect, sender) for member in raw["prefixItems"]
                )
            opaque.extend(kw for kw in ("contains", "unevaluatedItems") if kw in raw)
        min_items, max_items = 0, None
        if "minItems" in raw:
            if not _num(raw["minItems"]):
                return bad("minItems that is not a number")
            min_items = max(0, -int(-raw["minItems"] // 1))
        if "maxItems" in raw:
            if not _num(raw["maxItems"]):
                return bad("maxItems that is not a number")
            max_items = int(raw["maxItems"] // 1)
        return ArrAtom(
            prefix=prefix,
            items=items,
            min_items=min_items,
            max_items=max_items,
            unique=raw.get("uniqueItems") is True,
            opaque=tuple(opaque),
        )

    def _object(self, raw: dict[str, Any], base: str, dialect: Dialect, sender: bool) -> Atom:
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
            if self._is_hidden(schema, base):
                # readOnly in requests / writeOnly in responses: never sent, and the
                # validator skips "required" for it in the same schema object
                rules.append(Rule("name", FALSE, name=name))
                needed.discard(name)
            else:
                rules.append(Rule("name", self.sch(schema, base, dialect, sender), name=name))
        for pattern in patterns:
            if not isinstance(pattern, str) or _regex.compiled(pattern) is None:
                return bad(f"patternProperties key {pattern!r} is not usable")
        if dialect == "3.1":
            # 3.0 validators do not apply patternProperties, but still exempt matching keys
            # from additionalProperties (jsonschema's find_additional_properties)
            rules.extend(
                Rule("pattern", self.sch(schema, base, dialect, sender), name=pattern)
                for pattern, schema in patterns.items()
            )
        extra = raw.get("additionalProperties", True)
        if not isinstance(extra, dict | bool):
            return bad("additionalProperties that is neither an object nor a boolean")
        if extra is not True and extra != {}:
            rules.append(
                Rule(
                    "additional",
                    self.sch(extra, base, dialect, sender),
                    declared=frozenset(properties),
                    patterns=tuple(patterns),
                )
            )
        min_props, max_props = 0, None
        if "minProperties" in raw:
            if not _num(raw["minProperties"]):
                return bad("minProperties that is not a number")
            min_props = max(0, -int(-raw["minProperties"] // 1))
        if "maxProperties" in raw:
            if not _num(raw["maxProperties"]):
                return bad("maxProperties that is not a number")
            max_props = int(raw["maxProperties"] // 1)
        opaque: list[str] = []
        dependent: frozenset[tuple[str, str]] = frozenset()
        if dialect == "3.1":
            if "dependentSchemas" in raw:
                opaque.append("dependentSchemas")
            unevaluated = raw.get("unevaluatedProperties", True)
            if unevaluated is not True and unevaluated != {}:
                evaluated = self._evaluated_names(raw, base)
                if evaluated is None or not isinstance(unevaluated, dict | bool):
                    opaque.append("unevaluatedProperties")
                elif isinstance(evaluated, tuple):
                    names, pattern_keys = evaluated
                    rules.append(Rule("additional", self.sch(unevaluated, base, dialect, sender),
                                      declared=names, patterns=pattern_keys))
            if "dependentRequired" in raw:
                found = _dependent_pairs(raw["dependentRequired"])
                if found is None:
                    opaque.append("dependentRequired")
                else:
                    dependent = found
            if "propertyNames" in raw and raw["propertyNames"] not in (True, {}):
                opaque.append("propertyNames")
        return ObjAtom(
            rules=tuple(rules),
            required=frozenset(needed),
            min_props=min_props,
            max_props=max_props,
            opaque=tuple(opaque),
            declared=frozenset(properties),
            open=bool(patterns) or ("additionalProperties" in raw and extra in (True, {})),
            dependent=dependent,
        )

    def _evaluated_names(
        self, raw: dict[str, Any], base: str
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
                    target_base, target = self._deref(schema["$ref"], where)
                except _RefFailure:
                    return None
                stack.append((target, target_base))
            members = schema.get("allOf", [])
            if not isinstance(members, list):
                return None
            stack.extend((member, where) for member in members)
        return frozenset(names), tuple(dict.fromkeys(patterns))

    def _discriminated(
        self, disc: Discriminated, base: str, dialect: Dialect, sender: bool
    ) -> Canon:
        result = BOTTOM_CANON
        for value, ref in disc.entries:
            try:
                target_base, target = self._deref(ref, base)
            except _RefFailure as exc:
                return _opaque_canon(f"discriminator value {value!r}: {exc}")
            tag = ObjAtom(
                rules=(Rule("name", self._const(value), name=disc.prop),),
                required=frozenset({disc.prop}),
                declared=frozenset({disc.prop}),
            )
            tagged: Canon = tuple(((tag,) if t == "object" else ()) for t in TYPES)
            result = self._union(
                result,
                self._intersect(self._canon_raw(target, target_base, dialect, sender), tagged),
            )
        return result

    def _restrict(self, canon: Canon, values: Sequence[Any]) -> Canon:
        """enum/const: the listed values that the rest of the schema accepts."""
        kept: dict[JsonType, list[Any]] = {t: [] for t in TYPES}
        unsure: set[JsonType] = set()
        for value in values:
            kind = json_type(value)
            if kind is None:
                continue
            verdict = self._member_list(value, canon[IDX[kind]])
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
            atom = self._finite(kind, kept[kind])
            if kind in unsure:
                atom = OpaqueAtom(kind, "an enum value whose validity is undecided", (atom,))
            out.append((atom,))
        return tuple(out)

    @staticmethod
    def _finite(kind: JsonType, values: Sequence[Any]) -> Atom:
        if kind == "null":
            return NullAtom()
        if kind == "boolean":
            return BoolAtom(frozenset(bool(v) for v in values))
        return FinAtom(kind, Values.of(values))

    # -----------------------------------------------------------------------------------------
    # Boolean algebra on canonical forms

    def _union(self, a: Canon, b: Canon) -> Canon:
        if a == BOTTOM_CANON:
            return b
        return tuple(_dedupe_atoms(a[i] + b[i]) for i in range(len(TYPES)))

    def _intersect(self, a: Canon, b: Canon) -> Canon:
        if a is TOP_CANON or a == TOP_CANON:
            return b
        if b is TOP_CANON or b == TOP_CANON:
            return a
        return tuple(self._product(TYPES[i], list(a[i]), list(b[i])) for i in range(len(TYPES)))

    def _product(self, kind: JsonType, xs: list[Atom], ys: list[Atom]) -> tuple[Atom, ...]:
        if not xs or not ys:
            return ()
        if len(xs) * len(ys) > _MAX_ATOMS * 4:
            smaller = xs if len(xs) <= len(ys) else ys
            return (OpaqueAtom(kind, "too many combinations to expand", tuple(_expand(smaller))),)
        out: list[Atom] = []
        for x in xs:
            for y in ys:
                out.extend(self._atom_intersect(x, y))
        result = _dedupe_atoms(out)
        if len(result) > _MAX_ATOMS:
            smaller = xs if len(xs) <= len(ys) else ys
            return (OpaqueAtom(kind, "too many combinations to expand", tuple(_expand(smaller))),)
        return result

    def _atom_intersect(self, x: Atom, y: Atom) -> list[Atom]:
        self._tick()
        if isinstance(y, OpaqueAtom) and not isinstance(x, OpaqueAtom):
            x, y = y, x
        if isinstance(x, OpaqueAtom):
            if isinstance(y, OpaqueAtom) and y.one_of and not x.one_of:
                x, y = y, x
            upper: list[Atom] = []
            for u in x.upper:
                for z in y.upper if isinstance(y, OpaqueAtom) else (y,):
                    upper.extend(self._atom_intersect(u, z))
            if not upper:
                return []
            also = x.also
            if x.one_of and y != full(x.type):
                also = (*also, y)
            narrowed = _dedupe_atoms(_expand(upper))
            return [OpaqueAtom(x.type, x.reason, narrowed, x.one_of, also)]
        if isinstance(y, FinAtom) and not isinstance(x, FinAtom):
            x, y = y, x
        if isinstance(x, FinAtom):
            kept: list[Any] = []
            unsure = False
            for value in x.values:
                verdict = self._member_atom(value, y)
                if verdict is not False:
                    kept.append(value)
                    unsure = unsure or verdict is None
            if not kept:
                return []
            atom = FinAtom(x.type, Values.of(kept))
            if unsure:
                return [OpaqueAtom(x.type, "an enum value whose validity is undecided", (atom,))]
            return [atom]
        if isinstance(x, NullAtom) and isinstance(y, NullAtom):
            return [x]
        if isinstance(x, BoolAtom) and isinstance(y, BoolAtom):
            values = x.values & y.values
            return [BoolAtom(values)] if values else []
        if isinstance(x, NumAtom) and isinstance(y, NumAtom):
            num = num_intersect(x, y)
            if num is None or num_empty(num, self.dialect, self._formats):
                return []
            return [num]
        if isinstance(x, StrAtom) and isinstance(y, StrAtom):
            text = str_intersect(x, y)
            return [] if str_empty(text, self._formats) else [text]
        if isinstance(x, ArrAtom) and isinstance(y, ArrAtom):
            return self._arr_intersect(x, y)
        if isinstance(x, ObjAtom) and isinstance(y, ObjAtom):
            return self._obj_intersect(x, y)
        raise AssertionError(f"atoms of different types: {x!r} and {y!r}")

    @staticmethod
    def _arr_intersect(x: ArrAtom, y: ArrAtom) -> list[Atom]:
        length = max(len(x.prefix), len(y.prefix))
        max_items = x.max_items if y.max_items is None else y.max_items
        if x.max_items is not None and y.max_items is not None:
            max_items = min(x.max_items, y.max_items)
        atom = ArrAtom(
            prefix=tuple(x.at(i).conj(y.at(i)) for i in range(length)),
            items=x.items.conj(y.items),
            min_items=max(x.min_items, y.min_items),
            max_items=max_items,
            unique=x.unique or y.unique,
            opaque=tuple(dict.fromkeys(x.opaque + y.opaque)),
            excluded=x.excluded | y.excluded,
        )
        if atom.max_items is not None and atom.min_items > atom.max_items:
            return []
        if any(atom.at(i).is_false for i in range(min(atom.min_items, length + 1))):
            return []
        return [atom]

    def _obj_intersect(self, x: ObjAtom, y: ObjAtom) -> list[Atom]:
        max_props = x.max_props if y.max_props is None else y.max_props
        if x.max_props is not None and y.max_props is not None:
            max_props = min(x.max_props, y.max_props)
        atom = ObjAtom(
            rules=tuple(dict.fromkeys(x.rules + y.rules)),
            required=x.required | y.required,
            min_props=max(x.min_props, y.min_props),
            max_props=max_props,
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
        if any(
            rule.matches(name) is not False for rule in forbidding for name in atom.required
        ):
            return []
        return [atom]

    def _complement(self, canon: Canon) -> Canon:
        out: list[tuple[Atom, ...]] = []
        for i, kind in enumerate(TYPES):
            out.append(self._complement_atoms(kind, canon[i]))
        return tuple(out)

    def _complement_atoms(self, kind: JsonType, atoms: Sequence[Atom]) -> tuple[Atom, ...]:
        acc: list[Atom] = [full(kind)]
        for atom in atoms:
            acc = list(self._product(kind, acc, self._atom_complement(atom)))
            if not acc:
                break
        return tuple(acc)

    def _atom_complement(self, atom: Atom) -> list[Atom]:
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
            if atom.type == "number":
                return [NumAtom(excluded=atom.values)]
            if atom.type == "string":
                return [StrAtom(excluded=atom.values)]
            if atom.type == "array":
                return [ArrAtom(excluded=atom.values)]
            return [ObjAtom(excluded=atom.values)]
        if isinstance(atom, OpaqueAtom):
            return [OpaqueAtom(atom.type, atom.reason, (full(atom.type),))]
        if isinstance(atom, ArrAtom):
            return self._arr_complement(atom)
        return self._obj_complement(atom)

    def _arr_complement(self, atom: ArrAtom) -> list[Atom]:
        if atom.opaque or atom.unique or not self.is_top(atom.items):
            reason = "'not' over an array schema with items, uniqueItems or contains"
            return [OpaqueAtom("array", reason, (ArrAtom(),))]
        out: list[Atom] = []
        if atom.min_items > 0:
            out.append(ArrAtom(max_items=atom.min_items - 1))
        if atom.max_items is not None:
            out.append(ArrAtom(min_items=atom.max_items + 1))
        for i, position in enumerate(atom.prefix):
            if not self.is_top(position):
                prefix = (TOP,) * i + (Sch.of(negation(position)),)
                out.append(ArrAtom(prefix=prefix, min_items=i + 1))
        if atom.excluded:
            out.append(FinAtom("array", atom.excluded))
        return out

    def _obj_complement(self, atom: ObjAtom) -> list[Atom]:
        if atom.opaque or atom.dependent or any(
            rule.kind != "name" and not self.is_top(rule.sch) for rule in atom.rules
        ):
            reason = ("'not' over an object schema with additional/pattern properties or "
                      "dependentRequired")
            return [OpaqueAtom("object", reason, (ObjAtom(),))]
        out: list[Atom] = []
        for name in sorted(atom.required):
            out.append(ObjAtom(rules=(Rule("name", FALSE, name=name),)))
        names = dict.fromkeys(rule.name for rule in atom.rules if rule.kind == "name")
        for name in names:
            value = self.key_schema(atom, name)
            if not self.is_top(value):
                rule = Rule("name", Sch.of(negation(value)), name=name)
                out.append(ObjAtom(rules=(rule,), required=frozenset({name})))
        if atom.min_props > 0:
            out.append(ObjAtom(max_props=atom.min_props - 1))
        if atom.max_props is not None:
            out.append(ObjAtom(min_props=atom.max_props + 1))
        if atom.excluded:
            out.append(FinAtom("object", atom.excluded))
        return out

    def _one_of(self, canons: list[Canon]) -> Canon:
        out: list[tuple[Atom, ...]] = []
        for i, kind in enumerate(TYPES):
            lists = [c[i] for c in canons if c[i]]
            if len(lists) <= 1:
                out.append(lists[0] if lists else ())
                continue
            together = [atom for atoms in lists for atom in atoms]
            if self._disjoint(lists):
                out.append(_dedupe_atoms(together))
                continue
            # exactly one branch: each branch minus all the others
            complements = [self._complement_atoms(kind, atoms) for atoms in lists]
            result: list[Atom] = []
            exact = True
            for j, atoms in enumerate(lists):
                acc = list(atoms)
                for k, complement in enumerate(complements):
                    if k != j:
                        acc = list(self._product(kind, acc, list(complement)))
                        # once a piece is opaque (or too many) the answer is the opaque
                        # union below: carrying on only multiplies opaque atoms
                        if any(isinstance(a, OpaqueAtom) for a in acc):
                            exact = False
                            break
                result.extend(acc)
                if not exact or len(result) > _MAX_ATOMS:
                    exact = False
                    break
            if not exact:
                reason = "oneOf with overlapping branches that cannot be told apart exactly"
                upper = _dedupe_atoms(_expand(together))
                out.append((OpaqueAtom(kind, reason, upper, one_of=tuple(lists)),))
            else:
                out.append(_dedupe_atoms(result))
        return tuple(out)

    def _disjoint(self, lists: list[tuple[Atom, ...]]) -> bool:
        for j, left in enumerate(lists):
            for right in lists[j + 1 :]:
                for x in left:
                    for y in right:
                        if any(not self._atom_empty(z) for z in self._atom_intersect(x, y)):
                            return False
        return True

    # -----------------------------------------------------------------------------------------
    # Object helpers

    def key_schema(self, atom: ObjAtom, key: str) -> Sch:
        """The conjunction of every rule of ``atom`` that applies to ``key``."""
        # Objects of real specs have dozens of properties and every key of every sample is
        # looked up: scanning all rules per key made membership quadratic.
        index = self._key_index.get(id(atom))
        if index is None or index[0] is not atom:
            by_name: dict[str, list[Sch]] = {}
            for rule in atom.rules:
                if rule.kind == "name":
                    by_name.setdefault(rule.name, []).append(rule.sch)
            others = tuple(rule for rule in atom.rules if rule.kind != "name")
            index = self._key_index[id(atom)] = (atom, by_name, others, {})
        _, by_name, others, known = index
        found = known.get(key)
        if found is None:
            found = known[key] = TOP.conj(
                *by_name.get(key, ()),
                *(rule.sch for rule in others if rule.matches(key) is not False),
            )
        return found

    @staticmethod
    def _names(*atoms: ObjAtom) -> list[str]:
        names: dict[str, None] = {}
        for atom in atoms:
            names.update(dict.fromkeys(sorted(atom.required)))
            for rule in atom.rules:
                if rule.kind == "name":
                    names[rule.name] = None
                elif rule.kind == "additional":
                    names.update(dict.fromkeys(sorted(rule.declared)))
        return list(names)

    @staticmethod
    def _fresh_keys(taken: Iterable[str], atoms: Sequence[ObjAtom], count: int = 1) -> list[str]:
        """Property names outside ``taken`` that match no pattern of ``atoms``."""
        used = set(taken)
        patterns = [r.name for a in atoms for r in a.rules if r.kind == "pattern"]
        patterns += [
            p for a in atoms for r in a.rules if r.kind == "additional" for p in r.patterns
        ]
        out: list[str] = []
        for index in range(count + 8):
            for candidate in (f"x{index}" if index else "x", f"z{index}", f"_k{index}"):
                if candidate in used or candidate in out:
                    continue
                if all(_regex.search(p, candidate) is False for p in patterns):
                    out.append(candidate)
                    break
            if len(out) >= count:
                break
        return out

    # -----------------------------------------------------------------------------------------
    # Predicates: top, emptiness, membership

    def is_top(self, sch: Sch) -> bool:
        if sch.key == TOP.key:
            return True
        canon = self.canon(sch)
        return all(len(canon[i]) == 1 and canon[i][0] == full(t) for i, t in enumerate(TYPES))

    def is_empty(self, sch: Sch) -> bool:
        """Provably no instance satisfies ``sch`` (False when unsure)."""
        if sch.is_false:
            return True
        known = self._empty_memo.get(sch.key)
        if known is not None:
            return known
        if len(sch.nodes) == 1 and sch.nodes[0].negated is None:
            node = sch.nodes[0]
            if self._surely_inhabited(node.raw, node.base):
                # Emptiness of an object asks about every required property, which would
                # canonicalise whole schema trees the inclusion check itself skips as equal.
                return False
        if sch.key in self._empty_progress:
            return False
        self._empty_progress.add(sch.key)
        try:
            canon = self.canon(sch)
            result = all(self._atom_empty(atom) for atoms in canon for atom in atoms)
        finally:
            self._empty_progress.discard(sch.key)
        self._empty_memo[sch.key] = result
        return result

    def _surely_inhabited(self, raw: Any, base: str) -> bool:
        """Some instance plainly satisfies ``raw`` (False when unsure), read off its keywords.

        Only schemas made of keywords that cannot conflict qualify (a type, properties,
        required properties that qualify in turn, annotations); anything else, and a cycle
        through required properties, is left to the full emptiness check.
        """
        key = (id(raw), base)
        known = self._inhabited_memo.get(key)
        if known is not None:
            return known
        if key in self._inhabited_progress:
            return False
        self._inhabited_progress.add(key)
        try:
            result = self._inhabited(raw, base)
        except _RefFailure:
            result = False
        finally:
            self._inhabited_progress.discard(key)
        # a False reached through the cycle assumption above is merely unsure: still sound
        # (schema nodes outlive the engine's memos, as for every memo keyed by id here)
        self._inhabited_memo[key] = result
        return result

    def _inhabited(self, raw: Any, base: str) -> bool:
        if raw is True:
            return True
        if not isinstance(raw, dict):
            return False
        extra = [k for k in raw if k not in _PLAIN_KEYWORDS and not k.startswith("x-")]
        if extra:
            if extra == ["$ref"] and not any(k in raw for k in _CONSTRAINING):
                target_base, target = self._deref(raw["$ref"], base)
                return self._surely_inhabited(target, target_base)
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
            if not self._is_hidden(schema, base) and not self._surely_inhabited(schema, base):
                return False
        return True

    def _atom_empty(self, atom: Atom) -> bool:
        if isinstance(atom, NullAtom):
            return False
        if isinstance(atom, BoolAtom):
            return not atom.values
        if isinstance(atom, NumAtom):
            return num_empty(atom, self.dialect, self._formats)
        if isinstance(atom, StrAtom):
            return str_empty(atom, self._formats)
        if isinstance(atom, FinAtom):
            return not atom.values
        if isinstance(atom, OpaqueAtom):
            return all(self._atom_empty(u) for u in atom.upper)
        # structures recur (canonical forms are memoised) and are asked about again and again
        known = self._atom_empty_memo.get(id(atom))
        if known is not None and known[0] is atom:
            return known[1]
        result = self._structure_empty(atom)
        self._atom_empty_memo[id(atom)] = (atom, result)
        return result

    def _structure_empty(self, atom: ArrAtom | ObjAtom) -> bool:
        if isinstance(atom, ArrAtom):
            if atom.max_items is not None and atom.min_items > atom.max_items:
                return True
            return any(
                self.is_empty(atom.at(i)) for i in range(min(atom.min_items, len(atom.prefix) + 1))
            )
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
            most = self._max_keys(atom)
            if most is not None and least > most:
                return True
        return any(self.is_empty(self.key_schema(atom, k)) for k in sorted(needed))

    def _max_keys(self, atom: ObjAtom) -> int | None:
        """How many keys an instance can have at most (None when unbounded)."""
        most = atom.max_props
        if any(rule.kind == "pattern" and not self.is_empty(rule.sch) for rule in atom.rules):
            return most
        fresh = self._fresh_keys(self._names(atom), [atom])
        if not fresh or not self.is_empty(self.key_schema(atom, fresh[0])):
            return most
        # no key outside the declared names can appear
        possible = sum(1 for k in self._names(atom) if not self.is_empty(self.key_schema(atom, k)))
        return possible if most is None else min(most, possible)

    def member(self, value: Any, sch: Sch) -> bool | None:
        return self._member_canon(value, self.canon(sch))

    def _member_canon(self, value: Any, canon: Canon) -> bool | None:
        kind = json_type(value)
        if kind is None:
            return False
        return self._member_list(value, canon[IDX[kind]])

    def _member_list(self, value: Any, atoms: Iterable[Atom]) -> bool | None:
        result: bool | None = False
        for atom in atoms:
            verdict = self._member_atom(value, atom)
            if verdict is True:
                return True
            if verdict is None:
                result = None
        return result

    def _member_atom(self, value: Any, atom: Atom) -> bool | None:
        self._tick()
        if isinstance(atom, NullAtom):
            return value is None
        if isinstance(atom, BoolAtom):
            return bool_member(value, atom)
        if isinstance(atom, NumAtom):
            return num_member(value, atom, self.dialect, self._formats)
        if isinstance(atom, StrAtom):
            return str_member(value, atom, self._formats)
        if isinstance(atom, FinAtom):
            return value in atom.values
        if isinstance(atom, OpaqueAtom):
            if self._member_list(value, atom.upper) is False:
                return False
            if not atom.one_of:
                return None
            matches = [self._member_list(value, branch) for branch in atom.one_of]
            exactly_one = None if None in matches else matches.count(True) == 1
            verdicts = [exactly_one, *(self._member_atom(value, a) for a in atom.also)]
            if False in verdicts:
                return False
            return None if None in verdicts else True
        # Samples are shared between the candidates built around them and judged against the
        # same atoms again and again: remember container verdicts by identity (both kept alive).
        memo_key = (id(value), id(atom))
        known = self._member_memo.get(memo_key)
        if known is not None and known[0] is value and known[1] is atom:
            return known[2]
        if isinstance(atom, ArrAtom):
            verdict = self._arr_member(value, atom)
        else:
            verdict = self._obj_member(value, atom)
        if len(self._member_memo) > _MEMBER_MEMO_SIZE:
            self._member_memo.clear()
        self._member_memo[memo_key] = (value, atom, verdict)
        return verdict

    def _arr_member(self, value: Any, atom: ArrAtom) -> bool | None:
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
                verdict = seen[slot] = self.member(item, atom.at(i))
            if verdict is False:
                return False
            if verdict is None:
                result = None
        return result

    def _obj_member(self, value: Any, atom: ObjAtom) -> bool | None:
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
            verdict = self.member(item, self.key_schema(atom, key))
            if verdict is False:
                return False
            if verdict is None:
                result = None
        return result

    # -----------------------------------------------------------------------------------------
    # Samples (candidate witnesses)

    def sample(self, sch: Sch, depth: int = 0) -> Any:
        """One instance of ``sch``, or ``_MISSING``."""
        found = self.candidates(sch, depth, 1)
        return found[0] if found else _MISSING

    def candidates(self, sch: Sch, depth: int, limit: int) -> list[Any]:
        if depth > _MAX_DEPTH:
            return []
        memo_key = (sch.key, depth, limit)
        known = self._candidate_memo.get(memo_key)
        if known is None:
            # the same property schemas are sampled again for every object built around them
            known = self._candidate_memo[memo_key] = tuple(self._candidates(sch, depth, limit))
        return list(known)

    def _candidates(self, sch: Sch, depth: int, limit: int) -> list[Any]:
        canon = self.canon(sch)
        sure: list[Any] = []
        maybe: list[Any] = []
        for kind in _SAMPLE_ORDER:
            for atom in _expand(canon[IDX[kind]]):
                for value in self._atom_candidates(atom, depth, limit):
                    verdict = self._member_canon(value, canon)
                    if verdict is True:
                        sure.append(value)
                    elif verdict is None:
                        maybe.append(value)
                    if len(sure) >= limit:
                        return sure
        return list(dedupe(sure + maybe))[:limit]

    def _atom_candidates(self, atom: Atom, depth: int, limit: int) -> list[Any]:
        self._tick()
        if isinstance(atom, NullAtom):
            return [None]
        if isinstance(atom, BoolAtom):
            return sorted(atom.values)
        if isinstance(atom, FinAtom):
            return list(atom.values)
        if isinstance(atom, NumAtom):
            return [
                v
                for v in num_candidates(atom, self.dialect)
                if num_member(v, atom, self.dialect, self._formats)
            ][: max(limit, 4)]
        if isinstance(atom, StrAtom):
            return [v for v in str_candidates(atom) if str_member(v, atom, self._formats)][
                : max(limit, 4)
            ]
        if isinstance(atom, OpaqueAtom):
            return [v for u in atom.upper for v in self._atom_candidates(u, depth, limit)]
        if isinstance(atom, ArrAtom):
            return self._arr_candidates(atom, depth, limit)
        return self._obj_candidates(atom, depth, limit)

    def _arr_candidates(self, atom: ArrAtom, depth: int, limit: int) -> list[Any]:
        lengths = [atom.min_items]
        if atom.max_items is None or atom.max_items > atom.min_items:
            lengths.append(atom.min_items + 1)
        out: list[Any] = []
        for length in lengths[: max(1, limit)]:
            if length > MAX_WITNESS_ITEMS:
                continue  # minItems: 10**18 is reasoned about, never built

            built: list[Any] = []
            used: set[Hashable] = set()
            for i in range(length):
                options = [
                    o
                    for o in self.candidates(
                        atom.at(i), depth + 1, length + 2 if atom.unique else 1
                    )
                    if not atom.unique or hkey(o) not in used
                ]
                if not options:
                    break
                used.add(hkey(options[0]))
                built.append(options[0])
            else:
                if self._member_atom(built, atom) is not False:
                    out.append(built)
        return out

    def _obj_candidates(self, atom: ObjAtom, depth: int, limit: int) -> list[Any]:
        base: dict[str, Any] = {}
        for name in sorted(atom.required):
            value = self.sample(self.key_schema(atom, name), depth + 1)
            if value is _MISSING:
                return []
            base[name] = value
        for _ in range(len(atom.dependent)):  # dependentRequired: close over what is present
            wanting = sorted({n for k, n in atom.dependent if k in base and n not in base})
            if not wanting:
                break
            for name in wanting:
                value = self.sample(self.key_schema(atom, name), depth + 1)
                if value is _MISSING:
                    return []
                base[name] = value
        # optional keys only as far as minProperties or variety (limit) asks: sampling every
        # optional property of every nested object is exponential on real specs
        wanted = max(0, atom.min_props - len(base)) + (max(0, limit - 1) if depth < 2 else 0)
        extras: list[tuple[str, Any]] = []
        if wanted:
            optional = dict.fromkeys(
                rule.name
                for rule in atom.rules
                if rule.kind == "name" and rule.name not in base and not rule.sch.is_false
            )
            for name in optional:
                if len(extras) >= wanted:
                    break
                value = self.sample(self.key_schema(atom, name), depth + 1)
                if value is not _MISSING:
                    extras.append((name, value))
            missing = wanted - len(extras)
            for fresh in self._fresh_keys(self._names(atom), [atom], max(missing, 0)):
                if len(extras) >= wanted:
                    break
                value = self.sample(self.key_schema(atom, fresh), depth + 1)
                if value is _MISSING:
                    break
                extras.append((fresh, value))
        out: list[Any] = []
        first = dict(base)
        pool = list(extras)
        while len(first) < atom.min_props and pool:
            name, value = pool.pop(0)
            first[name] = value
        out.append(first)
        for name, value in pool[: max(0, limit - 1)]:
            out.append({**first, name: value})
        return [o for o in out if self._member_atom(o, atom) is not False]

    # -----------------------------------------------------------------------------------------
    # Structural equality (fast path for unchanged schemas)

    def equal(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        """Same schema up to annotations and where its ``$ref``s point (coinductive)."""
        if a is b and a_base == b_base:
            return True
        outermost = not self._eq_progress
        result = self._equal(a, a_base, b, b_base)
        if outermost:
            # an equality proved under an assumption only holds if the outermost one does
            for key, verdict in self._eq_trail:
                if verdict == result or not verdict:
                    self._eq_memo[key] = verdict
            self._eq_trail.clear()
        return result

    def _equal(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        if a is b and a_base == b_base:
            return True
        key = (id(a), a_base, id(b), b_base)
        known = self._eq_memo.get(key)
        if known is not None:
            return known
        if key in self._eq_progress:
            return True
        self._eq_progress.add(key)
        try:
            result = self._equal_schema(a, a_base, b, b_base)
        except _RefFailure:
            result = False
        finally:
            self._eq_progress.discard(key)
        self._eq_trail.append((key, result))
        return result

    _SCHEMA_KEYWORDS = frozenset(
        {
            "items",
            "additionalProperties",
            "not",
            "if",
            "then",
            "else",
            "contains",
            "propertyNames",
            "unevaluatedItems",
            "unevaluatedProperties",
            "additionalItems",
        }
    )
    _SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
    _SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})

    def _equal_schema(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        if not isinstance(a, dict) or not isinstance(b, dict):
            return hkey(a) == hkey(b)
        keys = {k for k in a if not is_annotation(k)}
        if keys != {k for k in b if not is_annotation(k)}:
            return False
        if "discriminator" in keys and not self._equal_discriminator(a, a_base, b, b_base):
            return False
        for keyword in keys:
            left, right = a[keyword], b[keyword]
            if keyword == "$ref":
                if not isinstance(left, str) or not isinstance(right, str):
                    return False
                la, lt = self._deref(left, a_base)
                ra, rt = self._deref(right, b_base)
                if not self._equal(lt, la, rt, ra):
                    return False
            elif keyword == "discriminator":
                continue
            elif keyword in self._SCHEMA_KEYWORDS:
                if not self._equal(left, a_base, right, b_base):
                    return False
            elif keyword in self._SCHEMA_LISTS:
                if not isinstance(left, list) or not isinstance(right, list):
                    return hkey(left) == hkey(right)
                if len(left) != len(right) or not all(
                    self._equal(x, a_base, y, b_base) for x, y in zip(left, right, strict=True)
                ):
                    return False
            elif keyword in self._SCHEMA_MAPS:
                if not isinstance(left, dict) or not isinstance(right, dict):
                    return hkey(left) == hkey(right)
                if left.keys() != right.keys() or not all(
                    self._equal(left[k], a_base, right[k], b_base) for k in left
                ):
                    return False
            elif hkey(left) != hkey(right):
                return False
        return True

    def _equal_discriminator(self, a: Any, a_base: str, b: Any, b_base: str) -> bool:
        left, right = discriminated(a), discriminated(b)
        if not isinstance(left, Discriminated) or not isinstance(right, Discriminated):
            return hkey(a.get("discriminator")) == hkey(b.get("discriminator")) and left == right
        if left.prop != right.prop or [v for v, _ in left.entries] != [v for v, _ in right.entries]:
            return False
        for (_, lref), (_, rref) in zip(left.entries, right.entries, strict=True):
            la, lt = self._deref(lref, a_base)
            ra, rt = self._deref(rref, b_base)
            if not self._equal(lt, la, rt, ra):
                return False
        return True

    # -----------------------------------------------------------------------------------------
    # Inclusion

    def check(self, sub: Sch, sup: Sch) -> Result:
        """Is every instance of ``sub`` an instance of ``sup``?"""
        if sub.key == sup.key or sup.key == TOP.key or sub.is_false:
            return PROVED
        key = (sub.key, sup.key)
        known = self._check_memo.get(key)
        if known is None:
            # answers without a counterexample search only settle a proof-only question, or
            # any question when they are proofs
            known = self._proof_memo.get(key)
            if known is not None and self._witness and not isinstance(known, Proved):
                known = None
        if known is not None:
            return known
        if key in self._in_progress:
            return Proved(frozenset({key}))
        if len(sub.nodes) == 1 and len(sup.nodes) == 1:
            left, right = sub.nodes[0], sup.nodes[0]
            if (
                left.negated is None
                and right.negated is None
                and left.dialect == right.dialect
                and self.equal(left.raw, left.base, right.raw, right.base)
            ):
                self._check_memo[key] = PROVED
                return PROVED
        self._in_progress.add(key)
        try:
            result = self._check_canon(self.canon(sub), self.canon(sup))
        finally:
            self._in_progress.discard(key)
        if isinstance(result, Proved):
            deps = result.deps - {key}
            if deps:
                return Proved(deps)
            result = PROVED
        (self._check_memo if self._witness else self._proof_memo)[key] = result
        return result

    def _check_canon(self, sub: Canon, sup: Canon) -> Result:
        self._tick()
        deps: set[Hashable] = set()
        unknown: str | None = None
        for i, kind in enumerate(TYPES):
            for atom in _expand(sub[i]):
                result = self._atom_in(kind, atom, sup[i])
                if not self._witness and not isinstance(result, Proved):
                    return result  # not proved, whether or not a candidate would hold up
                if isinstance(result, Refuted):
                    # the sub side may have been over-approximated: keep only real witnesses
                    inside = self._member_canon(result.witness, sub)
                    if inside is not False and self._member_canon(result.witness, sup) is not True:
                        if inside is None:
                            result = Refuted(result.witness, self._alternates(atom, sub, sup))
                        return result
                    # the candidate came from an over-approximation: look for another one
                    others = self._alternates(atom, sub, sup)
                    if others:
                        return Refuted(others[0], others[1:])
                    unknown = unknown or "a counterexample candidate did not hold up"
                elif isinstance(result, Unknown):
                    unknown = unknown or result.reason
                else:
                    deps |= result.deps
        if unknown is not None:
            return Unknown(unknown)
        return Proved(frozenset(deps))

    def _alternates(self, atom: Atom, sub: Canon, sup: Canon) -> tuple[Any, ...]:
        """Other instances of ``atom`` outside ``sup``, for the validator to pick from."""
        return tuple(
            value
            for value in self._atom_candidates(atom, 0, 6)
            if self._member_canon(value, sub) is not False
            and self._member_canon(value, sup) is False
        )

    def _atom_in(self, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]) -> Result:
        self._tick()
        structured = isinstance(atom, ArrAtom | ObjAtom | OpaqueAtom)
        if not structured and self._atom_empty(atom):
            return PROVED
        result = self._nonempty_atom_in(kind, atom, sups)
        # An empty structure is included in anything, but proving it empty canonicalises every
        # required property: ask only when inclusion was not shown the direct way.
        if structured and not isinstance(result, Proved) and self._atom_empty(atom):
            return PROVED
        return result

    def _nonempty_atom_in(self, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]) -> Result:
        if not sups:
            value = self._first(self._atom_candidates(atom, 0, 1), atom)
            if value is _MISSING:
                return Unknown(f"cannot build a {kind} instance of the included schema")
            return Refuted(value)
        if isinstance(atom, FinAtom):
            for value in atom.values:
                verdict = self._member_list(value, sups)
                if verdict is False:
                    return Refuted(value)
                if verdict is None:
                    return Unknown(self._opaque_reason(sups) or f"enum value {value!r} undecided")
            return PROVED
        if kind in ("null", "boolean", "number", "string"):
            return self._scalar_in(kind, atom, sups)
        return self._structure_in(kind, atom, sups)

    def _first(self, values: Iterable[Any], atom: Atom) -> Any:
        """The first value surely in ``atom``, else the first one possibly in it."""
        fallback = _MISSING
        for value in values:
            verdict = self._member_atom(value, atom)
            if verdict is True:
                return value
            if verdict is None and fallback is _MISSING:
                fallback = value
        return fallback

    @staticmethod
    def _opaque_reason(atoms: Iterable[Atom]) -> str | None:
        for atom in atoms:
            if isinstance(atom, OpaqueAtom):
                return atom.reason
        return None

    def _scalar_in(self, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]) -> Result:
        """``atom ⊆ ∪ sups`` iff ``atom ∧ ¬sup1 ∧ … ∧ ¬supN`` is empty (exact for scalars)."""
        pieces: list[Atom] = [atom]
        for sup in sups:
            pieces = list(self._product(kind, pieces, self._atom_complement(sup)))
            if not pieces:
                return PROVED
        undecided: Atom | None = None
        for piece in pieces:
            if self._atom_empty(piece):
                continue
            for value in self._atom_candidates(piece, 0, 4):
                if (
                    self._member_atom(value, atom) is True
                    and self._member_list(value, sups) is False
                ):
                    return Refuted(value)
            undecided = undecided or piece
        if undecided is None:
            return PROVED
        reason = self._opaque_reason(sups) or self._opaque_reason([undecided])
        return Unknown(reason or f"cannot decide inclusion of {_describe(undecided)}")

    def _structure_in(self, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]) -> Result:
        results: list[Result] = []
        exact = [s for s in sups if not isinstance(s, OpaqueAtom)]
        if len(exact) > 1:
            # A union of many object shapes (anyOf of event types...): one instance of ``atom``
            # rules out every branch that rejects it, before any structural comparison.
            probe = self._first(self._atom_candidates(atom, 0, 1), atom)
            if probe is not _MISSING and self._member_atom(probe, atom) is True:
                if self._member_list(probe, sups) is False:
                    return Refuted(probe)
                exact = [s for s in exact if self._member_atom(probe, s) is not False]
        for sup in exact:
            result = self._structure_sub(atom, sup)
            if isinstance(result, Proved):
                return result
            results.append(result)
        if len(sups) == 1 and results:
            return results[0]
        candidates = [r.witness for r in results if isinstance(r, Refuted)]
        candidates += self._atom_candidates(atom, 0, 4)
        for value in candidates:
            if self._member_atom(value, atom) is not False and (
                self._member_list(value, sups) is False
            ):
                return Refuted(value)
        split = self._split_in(kind, atom, sups)
        if split is not None:
            return split
        reason = self._opaque_reason(sups)
        if reason is None:
            reasons = [r.reason for r in results if isinstance(r, Unknown)]
            reason = (
                reasons[0]
                if reasons
                else (
                    f"the {kind} schema fits no single branch of the union and no counterexample "
                    "was found"
                )
            )
        return Unknown(reason)

    def _split_in(self, kind: JsonType, atom: Atom, sups: tuple[Atom, ...]) -> Result | None:
        """``atom ∧ ¬sup1 ∧ … ∧ ¬supN``, when every complement is exact (as for scalars).

        None when some complement is not representable or the case split grows too large.
        """
        pieces: list[Atom] = [atom]
        for sup in sups:
            complement = self._atom_complement(sup)
            if any(isinstance(c, OpaqueAtom) for c in complement):
                return None
            pieces = list(self._product(kind, pieces, complement))
            if not pieces:
                return PROVED
            if any(isinstance(p, OpaqueAtom) for p in pieces):
                return None
        undecided = False
        for piece in pieces:
            if self._atom_empty(piece):
                continue
            if not self._witness:
                return None
            for value in self._atom_candidates(piece, 0, 3):
                if self._member_atom(value, atom) is not False and (
                    self._member_list(value, sups) is False
                ):
                    return Refuted(value)
            undecided = True
        return None if undecided else PROVED

    def _structure_sub(self, atom: Atom, sup: Atom) -> Result:
        if isinstance(sup, FinAtom):
            for value in self._atom_candidates(atom, 0, 4):
                if (
                    self._member_atom(value, atom) is True
                    and self._member_atom(value, sup) is False
                ):
                    return Refuted(value)
            return Unknown("cannot prove that a schema only allows the listed enum values")
        if isinstance(atom, ArrAtom) and isinstance(sup, ArrAtom):
            return self._arr_sub(atom, sup)
        if isinstance(atom, ObjAtom) and isinstance(sup, ObjAtom):
            return self._obj_sub(atom, sup)
        return Unknown(f"cannot compare {_describe(atom)} with {_describe(sup)}")

    def _excluded_in(self, atom: Atom, excluded: Values) -> Result | None:
        for value in excluded:
            verdict = self._member_atom(value, atom)
            if verdict is True:
                return Refuted(value)
            if verdict is None:
                return Unknown("an excluded value may still be allowed")
        return None

    def _refute_with(self, atom: Atom, restriction: Atom, reason: str) -> Result:
        """A sample of ``atom ∧ restriction``, or undecided unless that is provably empty."""
        narrowed = self._atom_intersect(atom, restriction)
        if not narrowed or all(self._atom_empty(n) for n in narrowed):
            return PROVED
        if not self._witness:
            return Unknown(reason)
        for piece in narrowed:
            value = self._first(self._atom_candidates(piece, 0, 3), piece)
            if value is not _MISSING:
                return Refuted(value)
        return Unknown(reason)

    def _obj_sub(self, sub: ObjAtom, sup: ObjAtom) -> Result:
        if sup.opaque:
            return Unknown(f"'{sup.opaque[0]}' is not supported")
        found = self._excluded_in(sub, sup.excluded)
        if found is not None:
            return found
        deps: set[Hashable] = set()
        unknown: str | None = None

        def merge(result: Result) -> Result | None:
            nonlocal unknown
            if isinstance(result, Refuted):
                return result
            if isinstance(result, Unknown):
                if not self._witness:
                    return result  # only a proof was asked for, and this part has none
                unknown = unknown or result.reason
            else:
                deps.update(result.deps)
            return None

        for name in sorted(sup.required - sub.required):
            absent = ObjAtom(rules=(Rule("name", FALSE, name=name),))
            hit = merge(self._refute_with(sub, absent, f"cannot show {name!r} may be missing"))
            if hit is not None:
                return hit
        for key, name in sorted(sup.dependent - sub.dependent):
            if name in sub.required:
                continue
            # an instance of ``sub`` with ``key`` and without ``name``, unless there is none
            lacking = ObjAtom(rules=(Rule("name", FALSE, name=name),),
                              required=frozenset({key}))
            hit = merge(self._refute_with(
                sub, lacking, f"cannot show {key!r} may come without {name!r}"))
            if hit is not None:
                return hit
        if sup.min_props > max(sub.min_props, len(sub.required)):
            small = ObjAtom(max_props=sup.min_props - 1)
            hit = merge(self._refute_with(sub, small, "minProperties undecided"))
            if hit is not None:
                return hit
        sub_most = self._max_keys(sub) if sup.max_props is not None else None
        if sup.max_props is not None and (sub_most is None or sub_most > sup.max_props):
            big = ObjAtom(min_props=sup.max_props + 1)
            hit = merge(self._refute_with(sub, big, "maxProperties undecided"))
            if hit is not None:
                return hit
        names = self._names(sub, sup)
        for name in names:
            left = self.key_schema(sub, name)
            result = self.check(left, self.key_schema(sup, name))
            if not isinstance(result, Proved) and self.is_empty(left):
                continue  # the key cannot occur in ``sub`` (asked last: emptiness is costly)
            if isinstance(result, Refuted):
                result = self._place(sub, name, result.witness)
            hit = merge(result)
            if hit is not None:
                return hit
        hit = merge(self._other_keys(sub, sup, names))
        if hit is not None:
            return hit
        if unknown is not None:
            return Unknown(unknown)
        return Proved(frozenset(deps))

    def _place(self, sub: ObjAtom, name: str, value: Any) -> Result:
        """An instance of ``sub`` whose key ``name`` holds ``value``."""
        pinned = ObjAtom(
            rules=(Rule("name", self._const(value), name=name),), required=frozenset({name})
        )
        return self._refute_with(sub, pinned, f"cannot build an object around property {name!r}")

    def _other_keys(self, sub: ObjAtom, sup: ObjAtom, names: list[str]) -> Result:
        """Keys no ``properties`` names: additionalProperties and patternProperties."""
        sup_rules = [r for r in sup.rules if r.kind != "name"]
        if all(self.is_top(r.sch) for r in sup_rules):
            return PROVED
        sub_rules = [r for r in sub.rules if r.kind != "name"]
        sub_patterns = {r.name for r in sub_rules if r.kind == "pattern"} | {
            p for r in sub_rules if r.kind == "additional" for p in r.patterns
        }
        sup_patterns = {r.name for r in sup_rules if r.kind == "pattern"} | {
            p for r in sup_rules if r.kind == "additional" for p in r.patterns
        }
        sub_additional = TOP.conj(*(r.sch for r in sub_rules if r.kind == "additional"))
        if not sub_patterns and self.is_empty(sub_additional):
            return PROVED  # the included schema allows no other keys at all
        sup_additional = TOP.conj(*(r.sch for r in sup_rules if r.kind == "additional"))
        if not sub_patterns and not sup_patterns:
            result = self.check(sub_additional, sup_additional)
            if isinstance(result, Refuted):
                fresh = self._fresh_keys(names, [sub, sup])
                if not fresh:
                    return Unknown("no free property name for a counterexample")
                return self._place(sub, fresh[0], result.witness)
            return result
        uniform = all(
            set(r.patterns) == sub_patterns | sup_patterns
            for r in sub_rules + sup_rules
            if r.kind == "additional"
        )
        if sub_patterns != sup_patterns or not uniform:
            return Unknown("patternProperties differ between the schemas")
        deps: set[Hashable] = set()
        for pattern in sorted(sub_patterns):
            left = TOP.conj(
                *(r.sch for r in sub_rules if r.kind == "pattern" and r.name == pattern)
            )
            right = TOP.conj(
                *(r.sch for r in sup_rules if r.kind == "pattern" and r.name == pattern)
            )
            result = self.check(left, right)
            if isinstance(result, Refuted):
                keys = [k for k in _regex.examples(pattern) if k not in names]
                return (
                    self._place(sub, keys[0], result.witness)
                    if keys
                    else Unknown(f"no property name matching {pattern!r} for a counterexample")
                )
            if isinstance(result, Unknown):
                return result
            deps |= result.deps
        result = self.check(sub_additional, sup_additional)
        if isinstance(result, Refuted):
            fresh = self._fresh_keys(names, [sub, sup])
            if not fresh:
                return Unknown("no free property name for a counterexample")
            return self._place(sub, fresh[0], result.witness)
        if isinstance(result, Unknown):
            return result
        return Proved(frozenset(deps | result.deps))

    def _arr_sub(self, sub: ArrAtom, sup: ArrAtom) -> Result:
        if sup.opaque:
            return Unknown(f"'{sup.opaque[0]}' is not supported")
        found = self._excluded_in(sub, sup.excluded)
        if found is not None:
            return found
        deps: set[Hashable] = set()
        unknown: str | None = None
        longest = sub.max_items
        if self.is_empty(sub.items):
            limit = len(sub.prefix)
            longest = limit if longest is None else min(longest, limit)
        for i in range(len(sub.prefix)):
            if self.is_empty(sub.prefix[i]):
                longest = i if longest is None else min(longest, i)
                break
        # Items first: a witness with one wrong item is small and readable, where one that
        # breaks maxItems: 1000 has 1001 items.
        width = max(len(sub.prefix), len(sup.prefix))
        for i in range(width + 1):
            if longest is not None and i >= longest:
                break
            left = sub.at(i)
            result = self.check(left, sup.at(i))
            if isinstance(result, Refuted):
                prefix = (TOP,) * i + (self._const(result.witness),)
                pinned = ArrAtom(prefix=prefix, min_items=i + 1)
                # Proved here: no array of ``sub`` holds that item there, nothing to refute
                result = self._refute_with(sub, pinned, "cannot build an array around an item")
            if isinstance(result, Refuted):
                return result
            if isinstance(result, Unknown):
                if not self._witness:
                    return result  # only a proof was asked for, and this part has none
                unknown = unknown or result.reason
            else:
                deps |= result.deps
        checks: list[tuple[Atom, str]] = []
        if sup.min_items > sub.min_items:
            checks.append((ArrAtom(max_items=sup.min_items - 1), "minItems undecided"))
        if sup.max_items is not None and (longest is None or longest > sup.max_items):
            checks.append((ArrAtom(min_items=sup.max_items + 1), "maxItems undecided"))
        for restriction, reason in checks:
            result = self._refute_with(sub, restriction, reason)
            if isinstance(result, Refuted):
                return result
            if isinstance(result, Unknown):
                if not self._witness:
                    return result  # only a proof was asked for, and this part has none
                unknown = unknown or result.reason
        if sup.unique and not sub.unique and (longest is None or longest >= 2):
            shared = self.sample(sub.at(0).conj(sub.at(1)))
            if shared is not _MISSING:
                twin = self._const(shared)
                pinned = ArrAtom(prefix=(twin, twin), min_items=2)
                result = self._refute_with(sub, pinned, "uniqueItems undecided")
                if isinstance(result, Refuted):
                    return result
            unknown = unknown or "uniqueItems added and no duplicate could be built"
        if unknown is not None:
            return Unknown(unknown)
        return Proved(frozenset(deps))

    # -----------------------------------------------------------------------------------------
    # Entry point

    def decide(
        self,
        sub: Any,
        sub_base: str,
        sub_dialect: Dialect,
        sup: Any,
        sup_base: str,
        sup_dialect: Dialect,
        *,
        witness: bool = True,
    ) -> Result:
        """Is ``sub`` included in ``sup``? ``witness=False``: only a proof matters, so no
        counterexample is built (the answer is then Proved or not, the rest is cheaper)."""
        self._steps = 0
        self._witness = witness
        try:
            return self.check(
                self.sch(sub, sub_base, sub_dialect, self._closed_senders),
                self.sch(sup, sup_base, sup_dialect),
            )
        except RecursionError:
            self.poisoned = True
            return Unknown("schemas nested too deeply to compare")
        except _BudgetExceeded:
            self.poisoned = True
            return Unknown(f"too complex to decide within {STEP_BUDGET} steps")

    def shared_within(
        self,
        sender: tuple[Any, str, Dialect],
        others: Sequence[tuple[Any, str, Dialect]],
        within: tuple[Any, str, Dialect] | None,
    ) -> bool:
        """Provably every instance a sender of the first schema sends that all ``others``
        accept is also valid under ``within`` (None: there is no such instance). False when
        unsure, or when the question is too costly."""
        self._steps = 0
        self._witness = False
        try:
            both = self.sch(*sender, self._closed_senders).conj(
                *(self.sch(*other) for other in others)
            )
            if within is None:
                return self.is_empty(both)
            return isinstance(self.check(both, self.sch(*within)), Proved)
        except (RecursionError, _BudgetExceeded):
            self.poisoned = True
            return False

    @property
    def steps(self) -> int:
        """Units of work the last :meth:`decide` took."""
        return self._steps

    def _tick(self) -> None:
        """Count a unit of work; a pathological schema (a product of many oneOfs) stops at
        the budget with "unknown" instead of running for minutes and gigabytes."""
        self._steps += 1
        if self._steps > STEP_BUDGET:
            raise _BudgetExceeded
