"""Bridge between keyword rules and the semantic judge (``specguard.semantics``).

Keyword rules see one keyword at a time; the judge decides by what the schemas accept. Where
a keyword rule about the accepted instance set fires but the judge proves the pair compatible
in that direction, the finding is downgraded to safe with a note; where the judge refutes
compatibility, the finding carries the judge's verified witness. A top-level schema whose
changes no keyword rule judged breaking, but which the judge proves incompatible, gets a
finding of its own (``request-body-schema-narrowed`` and friends).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from specguard.diff import DiffTree, Node, SchemaRoot, declared_properties
from specguard.load import Spec, decode_pointer, encode_token
from specguard.model import Direction, Finding, Level, Location, Operation, Part
from specguard.rules._catalogue import CATALOGUE, JudgePolicy
from specguard.rules._render import make_finding

# How far the judge may act on a finding is a fact of its rule (``Rule.judge``): rules about
# the set of instances a schema accepts it may overrule; rules about behaviour the schema
# cannot express (a removed optional property clients read, a changed default, a format) it
# only witnesses or leaves alone.


def _policy(rule_id: str) -> JudgePolicy:
    rule = CATALOGUE.get(rule_id)
    return rule.judge if rule is not None else JudgePolicy.EQUIVALENCE


def _judged(rule_id: str) -> bool:
    """The changed pair itself is judged (a verdict, a witness)."""
    return _policy(rule_id) in (JudgePolicy.DECIDES, JudgePolicy.WITNESSES)


def _never_downgraded(rule_id: str) -> bool:
    return _policy(rule_id) in (JudgePolicy.WITNESSES, JudgePolicy.NEVER)


def _is_removal(rule_id: str) -> bool:
    return _policy(rule_id) is JudgePolicy.REMOVAL


def _isolated(rule_id: str) -> bool:
    rule = CATALOGUE.get(rule_id)
    return rule is not None and rule.isolated


def _beyond_validation(finding: Finding) -> bool:
    """Under ``contentSchema``: the data a string carries, which no validator looks into, so a
    root schema that accepts the same instances proves nothing about it."""
    return any(loc is not None and "/contentSchema" in loc.pointer
               for loc in (finding.old, finding.new))


ROOT_RULES: dict[tuple[Part, Direction], str] = {
    (Part.BODY, Direction.REQUEST): "request-body-schema-narrowed",
    (Part.PARAMETER, Direction.REQUEST): "request-parameter-schema-narrowed",
    (Part.HEADER, Direction.REQUEST): "request-parameter-schema-narrowed",
    (Part.BODY, Direction.RESPONSE): "response-body-schema-widened",
    (Part.HEADER, Direction.RESPONSE): "response-header-schema-widened",
    # a callback's (or webhook's) parameters are sent by the API
    (Part.PARAMETER, Direction.RESPONSE): "response-parameter-schema-widened",
}


class SemanticBridge:
    """Runs the judge on schema pairs of one diff, memoised per (old, new, direction)."""

    def __init__(self, tree: DiffTree, judge_cls: Any, outcome: Any) -> None:
        self._tree = tree
        self._outcome = outcome
        # The judge's resolver must not hold the bridge: a cycle would keep the judge and its
        # memos (hundreds of thousands of objects) alive until a full collection.
        resolve = functools.partial(_resolve, {"old": tree.old, "new": tree.new})
        self._judge = judge_cls(resolve, dialect="3.1" if tree.new.is_31 else "3.0")
        self._patched: list[Any] = []
        # file key -> ($ref -> the oneOf lists of that file that name it)
        self._unions: dict[str, dict[str, list[list[Any]]]] = {}
        self._dialects = {"old_dialect": "3.1" if tree.old.is_31 else "3.0",
                          "new_dialect": "3.1" if tree.new.is_31 else "3.0"}

    @classmethod
    def create(cls, tree: DiffTree) -> SemanticBridge:
        from specguard.semantics import Judge, Outcome

        return cls(tree, Judge, Outcome)

    def verdict(
        self, old: Node, new: Node, direction: Direction, *, witness: bool = True,
        closed: bool = True, new_side: str = "new",
    ) -> Any:
        """The judge's verdict; ``witness=False`` when only a proof of compatibility matters
        (cheaper: no counterexample is built, the outcome is never INCOMPATIBLE).
        ``closed=False`` compares plain instance sets (senders not closed); ``new_side``
        names the document whose ``$ref``s the second schema follows."""
        old_base, new_base = f"old\x00{old.file.key}", f"{new_side}\x00{new.file.key}"
        check = (self._judge.response_compatible if direction is Direction.RESPONSE
                 else self._judge.request_compatible)
        dialects = dict(self._dialects)
        if new_side == "old":
            dialects["new_dialect"] = dialects["old_dialect"]
        # the judge memoises per schema pair and mode
        return check(old.value, old_base, new.value, new_base, witness=witness, closed=closed,
                     **dialects)

    def adjust(self, finding: Finding, pair: tuple[Node, Node] | None) -> Finding:
        """Downgrade a keyword finding the judge disproves; attach the witness it proves.

        The witness must show the change the finding states: the old schema with only that
        change applied is judged too. If that change alone affects no old client, the finding
        is safe (the pair's other changes have findings of their own); a witness is attached
        only when it is one of that change and the whole new schema treats it the same way.
        """
        if pair is None or finding.level is Level.SAFE:
            return finding
        if finding.direction not in (Direction.REQUEST, Direction.RESPONSE):
            return finding
        if _is_removal(finding.rule_id):
            # what a client loses is no matter of accepted instances: only a property that
            # merely moved (still declared, and no instance shown to break) is overruled
            if _still_declared(finding, pair[1]) and self.verdict(
                    pair[0], pair[1], finding.direction
            ).outcome != self._outcome.INCOMPATIBLE:
                return replace(finding, level=Level.SAFE, note=(
                    "the property is still declared (it moved into an allOf/oneOf/anyOf "
                    "member) and no old instance was found to break"))
            return finding
        if not _judged(finding.rule_id):
            return finding
        if finding.rule_id in _PATTERN_CHANGED and _pattern_change_harmless(finding, pair):
            return replace(finding, level=Level.SAFE, witness=None, note=(
                "every string the old schema allowed here stays allowed (requests) or every "
                "new one was allowed before (responses): proved on the patterns' automata"))
        if finding.rule_id == ENUM_VALUES_REMOVED and self._moved_to_a_sibling(finding, pair):
            return replace(finding, level=Level.SAFE, note=(
                "the removed values moved to another oneOf branch, which accepts every old "
                "request carrying them and shares none with the other branches (proved)"))
        added = _oneof_branch(finding, *pair) if finding.rule_id == ONEOF_BRANCH_ADDED else None
        if added is not None and self._catches_nothing_old(added, pair):
            return replace(finding, level=Level.SAFE, note=(
                "no old valid request matches the new branch and another one (proved), so "
                "none turns ambiguous"))
        keep = _never_downgraded(finding.rule_id)
        verdict = self.verdict(pair[0], pair[1], finding.direction)
        if verdict.outcome == self._outcome.COMPATIBLE:
            if keep:
                return finding
            return replace(finding, level=Level.SAFE,
                           note=f"no effect on accepted instances: {verdict.reason}")
        if verdict.outcome != self._outcome.INCOMPATIBLE or verdict.witness is None:
            return finding
        isolated = _with_change(finding, *pair)
        if isolated is not None:
            # the judge memoises by id(): the patched schema must outlive the diff
            self._patched.append(isolated.value)
            alone = self.verdict(pair[0], isolated, finding.direction, new_side="old")
            if (alone.outcome == self._outcome.COMPATIBLE and not keep
                    and _isolated(finding.rule_id)):
                return replace(finding, level=Level.SAFE, note=(
                    "this change alone affects no old client (proved); the schema's other "
                    "changes are reported on their own"))
            if (alone.outcome == self._outcome.INCOMPATIBLE and alone.witness is not None
                    and self._whole_agrees(alone.witness.instance, pair[1], finding.direction)):
                verdict = alone
            elif _isolated(finding.rule_id):
                return finding  # the pair's witness would be about another change
            # else the pointer may not name all of the change (a 3.0 exclusive bound, a
            # required property): the pair's witness stands
        if added is not None and not self._judge.accepts(
                verdict.witness.instance, added[1], f"new\x00{pair[1].file.key}",
                context="request", dialect=self._dialects["new_dialect"]):
            return finding  # the witness is about another change, not this branch
        if finding.direction is Direction.REQUEST and finding.level is Level.WARNING:
            # A proven counterexample: an old, valid request the new schema rejects.
            return replace(finding, level=Level.BREAKING, witness=verdict.witness,
                           note="the judge found an old request the new schema rejects")
        return replace(finding, witness=verdict.witness)

    def _catches_nothing_old(
        self, added: tuple[list[Any], Any, list[Any]], pair: tuple[Node, Node]
    ) -> bool:
        """The new branch makes no old valid value ambiguous (proved). An old value breaks
        only if it matches the new branch and another new branch; for every old branch, what
        an old client sends through it into both is nothing, or also matched a second old
        branch (and so was never a valid oneOf value)."""
        old_branches, branch, new_branches = added
        old_base, new_base = f"old\x00{pair[0].file.key}", f"new\x00{pair[1].file.key}"
        old_d, new_d = self._dialects["old_dialect"], self._dialects["new_dialect"]
        if not old_branches or len(old_branches) + len(new_branches) > _MAX_BRANCHES:
            return False
        shared = self._judge.shared_within

        def never_valid(parts: tuple[tuple[Any, str], ...], dialects: tuple[Any, ...],
                        skip: int) -> bool:
            """Nothing an old client sends through old branch ``skip`` lies in ``parts``, or
            all of it also matched another old branch (so it was never a valid value)."""
            context: Literal["request"] = "request"
            if shared(parts[0], parts[1:], context=context, dialects=dialects):
                return True
            return any(
                shared(parts[0], parts[1:], (other, old_base), context=context,
                       dialects=(*dialects, old_d))
                for j, other in enumerate(old_branches) if j != skip
            )

        # no value at all matches the new branch and another new one: nothing turns ambiguous
        # (values that moved from an old branch into it are judged where they moved from)
        siblings = [other for other in new_branches if other is not branch]
        if all(shared((branch, new_base), ((other, new_base),), context="request",
                      dialects=(new_d, new_d), closed=False) for other in siblings):
            return True
        # else an old value is rejected only if it matches the new branch and another new one
        for i, old in enumerate(old_branches):
            pair_parts = ((old, old_base), (branch, new_base))
            if never_valid(pair_parts, (old_d, new_d), i):
                continue
            if not all(never_valid((*pair_parts, (other, new_base)), (old_d, new_d, new_d), i)
                       for other in siblings):
                return False
        return True

    def _moved_to_a_sibling(self, finding: Finding, pair: tuple[Node, Node]) -> bool:
        """Enum values a oneOf branch (a component) lost in a request, now carried by another
        branch of every oneOf that lists the component: old requests with those values are
        accepted by exactly that branch (Adyen moved "twint" into a TwintDetails branch)."""
        old, new = pair
        place = _branch_property(finding, old)
        if place is None:
            return False
        component, prop = place
        old_values, new_values = old.get("enum"), new.get("enum")
        if not isinstance(old_values, list) or not isinstance(new_values, list):
            return False
        removed = [v for v in old_values if v not in new_values]
        unions = self._unions_listing(new, f"#{component}")
        if not removed or not unions:
            return False
        moved: dict[str, Any] = {"allOf": [
            {"$ref": f"#{component}"},
            {"properties": {prop: {"enum": removed}}, "required": [prop]},
        ]}
        self._patched.append(moved)  # the judge memoises by id()
        old_base, new_base = f"old\x00{old.file.key}", f"new\x00{new.file.key}"
        dialects = (self._dialects["old_dialect"], self._dialects["new_dialect"])
        for branches in unions:
            takers = [
                branch for branch in branches
                if self._judge.request_compatible(
                    moved, old_base, branch, new_base, witness=False, **self._dialects
                ).outcome == self._outcome.COMPATIBLE
            ]
            if len(takers) != 1 or not all(
                self._judge.shared_within((moved, old_base), ((other, new_base),),
                                          context="request", dialects=dialects)
                for other in branches if other is not takers[0]
            ):
                return False
        return True

    def _unions_listing(self, new: Node, ref: str) -> list[list[Any]]:
        """Every oneOf of the new node's file that lists ``ref`` (indexed once per file: a
        ``#/...`` ref only ever names its own file's components)."""
        index = self._unions.get(new.file.key)
        if index is None:
            index = self._unions[new.file.key] = {}
            stack: list[Any] = [new.file.data]
            seen: set[int] = set()
            while stack:
                node = stack.pop()
                if id(node) in seen:
                    continue
                seen.add(id(node))
                if isinstance(node, dict):
                    branches = node.get("oneOf")
                    if isinstance(branches, list):
                        for branch in branches:
                            if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
                                index.setdefault(branch["$ref"], []).append(branches)
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
        return index.get(ref, [])

    def _whole_agrees(self, instance: Any, new: Node, direction: Direction) -> bool:
        """The whole new schema rejects (request) or allows (response) the instance too."""
        context = "response" if direction is Direction.RESPONSE else "request"
        accepted = self._judge.accepts(instance, new.value, f"new\x00{new.file.key}",
                                       context=context, dialect=self._dialects["new_dialect"])
        return accepted is (direction is Direction.RESPONSE)

    def judge_roots(
        self, findings_by_key: dict[Any, list[Finding]], overrides: Mapping[str, Level]
    ) -> list[Finding]:
        """Judge each top-level schema pair (body, parameter, header) as a whole.

        Compatible: keyword findings below it that only it reached are downgraded to safe
        (a refactor such as a flattened allOf changes no accepted instance). Incompatible
        with nothing that explains it: a finding of its own, with the witness.
        """

        grouped: dict[tuple[Any, ...], tuple[SchemaRoot, set[Operation]]] = {}
        for root in self._tree.roots:
            # a body that is only a $ref is its component: one finding lists every operation
            old, new = _component(root.old), _component(root.new)
            ident = (old.file.name, old.pointer, new.file.name, new.pointer, root.kind,
                     root.direction)
            group = grouped.get(ident)
            if group is None:  # one copy per component pair, not one per operation
                group = grouped[ident] = (replace(root, old=old, new=new), set())
            group[1].add(root.operation)
        proven_equal: dict[Any, bool] = {}  # key -> every root reaching it was compatible
        equivalent: set[Any] = set()  # keys under roots proven equivalent in both directions
        results = []
        for root, operations in grouped.values():
            keys = [k for k in self._tree.expand(root.keys) if findings_by_key.get(k)]
            found = [f for k in keys for f in findings_by_key[k]]
            if not found:
                continue
            explained = any(_explains(f) for f in found)
            # Keys whose findings a proof of equivalence could still downgrade: skip the
            # judge once another root reaching them was not compatible (all must be).
            open_keys = [k for k in keys if proven_equal.get(k, True) and any(
                f.level is not Level.SAFE and not _never_downgraded(f.rule_id)
                and not _beyond_validation(f) for f in findings_by_key[k])]
            rule_id = ROOT_RULES.get((root.kind, root.direction))
            wants_root_finding = not explained and rule_id is not None and not (
                # Only changes response policy deems safe (a new property, a tighter
                # bound): clients tolerate them, nothing for the judge to refute.
                root.direction is Direction.RESPONSE
                and not any(_overrulable(f) for f in found))
            if not open_keys and not wants_root_finding:
                continue
            verdict = self.verdict(root.old, root.new, root.direction, witness=wants_root_finding)
            compatible = verdict.outcome == self._outcome.COMPATIBLE
            for key in keys:
                proven_equal[key] = proven_equal.get(key, True) and compatible
            if compatible and any(f.level is not Level.SAFE and not _overrulable(f)
                                  for f in found):
                # Findings about behaviour (a "removed" property that only moved into an
                # allOf branch) stand unless the schemas are equivalent both ways.
                # as plain instance sets: closed senders make a removed property "compatible"
                both = (root.direction, root.direction.flipped())
                if all(self.verdict(root.old, root.new, way, witness=False, closed=False).outcome
                       == self._outcome.COMPATIBLE for way in both):
                    equivalent.update(keys)
            if (not wants_root_finding or verdict.outcome != self._outcome.INCOMPATIBLE
                    or verdict.witness is None):
                continue
            assert rule_id is not None
            rule = CATALOGUE[rule_id]
            results.append(make_finding(
                rule, {}, level=overrides.get(rule.id, rule.level), direction=root.direction,
                operations=tuple(sorted(operations)), old=_located(root.old),
                new=_located(root.new), witness=verdict.witness, note=verdict.reason or None,
            ))
        for key, equal in proven_equal.items():
            if equal:
                both_ways = key in equivalent
                findings_by_key[key] = [
                    replace(f, level=Level.SAFE, witness=None,
                            note="the schema as a whole accepts the same instances")
                    if f.level is not Level.SAFE and not _never_downgraded(f.rule_id)
                    and not _beyond_validation(f) and (both_ways or _overrulable(f)) else f
                    for f in findings_by_key[key]
                ]
        return results


_ABSENT = object()
ONEOF_BRANCH_ADDED = "request-oneof-branch-added"
ENUM_VALUES_REMOVED = "request-enum-value-removed"


def _branch_property(finding: Finding, old: Node) -> tuple[str, str] | None:
    """(component pointer, property) when the finding is the enum of a top-level property of
    a component schema in the compared file: ``/components/schemas/X/properties/P/enum``."""
    where = finding.old
    if where is None or where.file != old.file.name:
        return None
    tokens = decode_pointer(where.pointer)
    if (len(tokens) != 6 or tokens[:2] != ["components", "schemas"]
            or tokens[3] != "properties" or tokens[5] != "enum"):
        return None
    return "/components/schemas/" + encode_token(tokens[2]), tokens[4]
_MAX_BRANCHES = 100  # pairs of branches are compared: bound the quadratic work


def _oneof_branch(
    finding: Finding, old: Node, new: Node
) -> tuple[list[Any], Any, list[Any]] | None:
    """(the old oneOf's branches, the added branch, the new oneOf's branches) of a new-branch
    finding, when they lie in the compared pair's own documents."""
    where = finding.new
    if where is None or where.file != new.file.name or not where.pointer.startswith(
            new.pointer + "/"):
        return None
    tokens = decode_pointer(where.pointer[len(new.pointer):])
    if len(tokens) < 2 or tokens[-2] != "oneOf":
        return None
    branches = _at(old.value, tokens[:-1])
    siblings = _at(new.value, tokens[:-1])
    branch = _at(new.value, tokens)
    if not isinstance(branches, list) or not isinstance(siblings, list) or branch is _ABSENT:
        return None
    return branches, branch, siblings


def _still_declared(finding: Finding, new: Node) -> bool:
    """Whether the property a removal finding names is declared by the new schema anyway."""
    if finding.old is None:
        return False
    tokens = decode_pointer(finding.old.pointer)
    if len(tokens) < 2 or tokens[-2] != "properties":
        return False
    return tokens[-1] in declared_properties(new)


def _with_change(finding: Finding, old: Node, new: Node) -> Node | None:
    """The old schema with only the finding's change applied (None when it cannot be isolated:
    the change lies behind another ``$ref``, or its new value holds one of the new document).
    """
    tokens: list[str] | None = None
    for where, side in ((finding.new, new), (finding.old, old)):
        if where is not None and where.file == side.file.name and (
                where.pointer.startswith(side.pointer + "/")):
            tokens = decode_pointer(where.pointer[len(side.pointer):])
            break
    if not tokens:
        return None
    value = _at(new.value, tokens)
    if value is not _ABSENT and '"$ref"' in json.dumps(value, default=str):
        return None
    patched = _patched(old.value, tokens, value)
    if patched is _ABSENT:
        return None
    return Node(old.spec, old.file, old.pointer, patched)


def _at(value: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _ABSENT
    return value


def _patched(value: Any, tokens: list[str], replacement: Any) -> Any:
    """A copy of ``value`` with the node at ``tokens`` set to ``replacement`` (``_ABSENT``:
    removed); copies only along the path. ``_ABSENT`` when the path does not fit."""
    head, rest = tokens[0], tokens[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if rest:
            inner = _patched(value.get(head, {}), rest, replacement)
            if inner is _ABSENT:
                return _ABSENT
            copy[head] = inner
        elif replacement is _ABSENT:
            copy.pop(head, None)
        else:
            copy[head] = replacement
        return copy
    if isinstance(value, list) and head.isdigit():
        items, index = list(value), int(head)
        if rest:
            if index >= len(items):
                return _ABSENT
            inner = _patched(items[index], rest, replacement)
            if inner is _ABSENT:
                return _ABSENT
            items[index] = inner
        elif replacement is _ABSENT:
            if index < len(items):
                del items[index]
        elif index < len(items):
            items[index] = replacement
        else:
            items.append(replacement)  # a new branch: its position does not matter
        return items
    return _ABSENT


def _resolve(sides: Mapping[str, Spec], ref: str, base: str) -> tuple[str, str, Any]:
    """Resolve a ``$ref`` for the judge; a base is ``old``/``new``, NUL, a file key."""
    side, _, key = base.partition("\x00")
    spec = sides[side]
    file, pointer, node = spec.resolve(ref, spec.files[key])
    return f"{side}\x00{file.key}", f"{side}\x00{file.key}#{pointer}", node


_PATTERN_CHANGED = frozenset({"request-pattern-changed", "response-pattern-changed"})


def _pattern_change_harmless(finding: Finding, pair: tuple[Node, Node]) -> bool:
    """The pattern change alone (the old schema with the new pattern, old length bounds)
    affects no old client: the patterns' languages nest the right way round."""
    from specguard.semantics._languages import pattern_included

    old, new = pair[0].value, pair[1].value
    if not isinstance(old, dict) or not isinstance(new, dict):
        return False
    before, after = old.get("pattern"), new.get("pattern")
    low, high = old.get("minLength", 0), old.get("maxLength")
    if not isinstance(before, str) or not isinstance(after, str):
        return False
    if not isinstance(low, int) or isinstance(low, bool) or not (
            high is None or (isinstance(high, int) and not isinstance(high, bool))):
        return False
    if finding.direction is Direction.REQUEST:
        return pattern_included(before, after, min_length=low, max_length=high) is True
    return pattern_included(after, before, min_length=low, max_length=high) is True


def _overrulable(finding: Finding) -> bool:
    """Keyword findings about accepted instances, which a proof of equivalence overrules."""
    return _policy(finding.rule_id) in (JudgePolicy.DECIDES, JudgePolicy.ROOT)


_REF_SIBLINGS = frozenset({"$ref", "description", "summary", "title", "example", "examples"})


def _component(node: Node) -> Node:
    """The schema a ``$ref``-only schema (annotations aside) stands for, else the node."""
    value = node.value
    if isinstance(value, dict) and "$ref" in value and value.keys() <= _REF_SIBLINGS:
        try:
            return node.deref()
        except Exception:  # an unresolvable ref: the differ has reported it already
            return node
    return node


def _explains(finding: Finding) -> bool:
    """Whether a keyword finding already accounts for what the judge refutes.

    Breaking findings do; so do response warnings, which are warnings by policy (a new enum
    value, a removed optional property) although the response set technically widened, and
    removals allowed by a passed sunset date. A request warning or the catch-all does not:
    when the judge proves an old request is now rejected, that is a break.
    """
    if finding.rule_id.endswith("-sunset-removed"):
        return True
    if _is_removal(finding.rule_id):
        return False  # what a client loses, not what it may now receive
    if finding.level is Level.BREAKING:
        return True
    return (finding.level is Level.WARNING and finding.direction is Direction.RESPONSE
            and finding.rule_id != "unclassified-change")


def _located(node: Node) -> Location:
    pointer = node.pointer or "/"
    return Location(node.file.name, pointer, node.file.line(node.pointer))
