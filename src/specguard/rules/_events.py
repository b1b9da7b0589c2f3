"""Rules for event contracts: judge the AsyncAPI walk's neutral changes by the operation's side.

An operation's ``action`` says whose promise a message schema is. What a ``send`` operation
emits may only narrow, like a response: every message the new sender emits must still be one
the old schema allowed, or receivers written against it may choke. What a ``receive``
operation accepts may only widen, like a request: every message an old sender may emit must
still be accepted. Keyword facts become rows of the catalogue through one literal table; the
semantic judge then decides each payload and header pair as a whole: a proof of compatibility
turns the keyword findings it may overrule into safe ones, a refutation with no keyword finding
to explain it is a finding of its own with the verified witness.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from specguard.diff._asyncapi import Aspect, EventChange, EventDiff, Part, SchemaPair
from specguard.errors import SpecguardError
from specguard.load import Spec
from specguard.load._asyncapi import Action
from specguard.model import ChangeKind, Direction, Finding, Level, Location
from specguard.rules._catalogue import CATALOGUE, Rule
from specguard.rules._render import make_finding

__all__ = ["classify_events", "event_direction"]

CHANNEL_REMOVED = "event-channel-removed"
CHANNEL_ADDED = "event-channel-added"
CHANNEL_ADDRESS_CHANGED = "event-channel-address-changed"
OPERATION_REMOVED = "event-operation-removed"
OPERATION_ADDED = "event-operation-added"
OPERATION_ACTION_CHANGED = "event-operation-action-changed"
OPERATION_CHANNEL_CHANGED = "event-operation-channel-changed"
SEND_MESSAGE_ADDED = "event-send-message-added"
SEND_MESSAGE_REMOVED = "event-send-message-removed"
RECEIVE_MESSAGE_ADDED = "event-receive-message-added"
RECEIVE_MESSAGE_REMOVED = "event-receive-message-removed"
SEND_PROPERTY_REMOVED = "event-send-payload-property-removed"
SEND_OPTIONAL_PROPERTY_REMOVED = "event-send-payload-optional-property-removed"
SEND_PROPERTY_ADDED = "event-send-payload-property-added"
SEND_BECAME_OPTIONAL = "event-send-payload-property-became-optional"
SEND_BECAME_REQUIRED = "event-send-payload-property-became-required"
SEND_TYPE_WIDENED = "event-send-payload-type-widened"
SEND_TYPE_NARROWED = "event-send-payload-type-narrowed"
SEND_ENUM_ADDED = "event-send-payload-enum-value-added"
SEND_ENUM_REMOVED = "event-send-payload-enum-value-removed"
SEND_PAYLOAD_WIDENED = "event-send-payload-widened"
SEND_HEADERS_WIDENED = "event-send-headers-widened"
RECEIVE_REQUIRED_PROPERTY_ADDED = "event-receive-payload-required-property-added"
RECEIVE_PROPERTY_ADDED = "event-receive-payload-property-added"
RECEIVE_PROPERTY_REMOVED = "event-receive-payload-property-removed"
RECEIVE_BECAME_REQUIRED = "event-receive-payload-property-became-required"
RECEIVE_BECAME_OPTIONAL = "event-receive-payload-property-became-optional"
RECEIVE_TYPE_NARROWED = "event-receive-payload-type-narrowed"
RECEIVE_TYPE_WIDENED = "event-receive-payload-type-widened"
RECEIVE_ENUM_REMOVED = "event-receive-payload-enum-value-removed"
RECEIVE_ENUM_ADDED = "event-receive-payload-enum-value-added"
RECEIVE_PAYLOAD_NARROWED = "event-receive-payload-narrowed"
RECEIVE_HEADERS_NARROWED = "event-receive-headers-narrowed"
PAYLOAD_UNKNOWN = "event-payload-compatibility-unknown"

_S, _R = Action.SEND, Action.RECEIVE
_ADD, _REM, _CHG = ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED

# (aspect, kind, action or None for both, required: True/False/None for any) -> rule
_TABLE: dict[tuple[Aspect, ChangeKind, Action | None, bool | None], str] = {
    (Aspect.CHANNEL, _REM, None, None): CHANNEL_REMOVED,
    (Aspect.CHANNEL, _ADD, None, None): CHANNEL_ADDED,
    (Aspect.ADDRESS, _CHG, None, None): CHANNEL_ADDRESS_CHANGED,
    (Aspect.OPERATION, _REM, None, None): OPERATION_REMOVED,
    (Aspect.OPERATION, _ADD, None, None): OPERATION_ADDED,
    (Aspect.ACTION, _CHG, None, None): OPERATION_ACTION_CHANGED,
    (Aspect.OPERATION_CHANNEL, _CHG, None, None): OPERATION_CHANNEL_CHANGED,
    (Aspect.MESSAGE, _ADD, _S, None): SEND_MESSAGE_ADDED,
    (Aspect.MESSAGE, _REM, _S, None): SEND_MESSAGE_REMOVED,
    (Aspect.MESSAGE, _ADD, _R, None): RECEIVE_MESSAGE_ADDED,
    (Aspect.MESSAGE, _REM, _R, None): RECEIVE_MESSAGE_REMOVED,
    (Aspect.PROPERTY, _REM, _S, True): SEND_PROPERTY_REMOVED,
    (Aspect.PROPERTY, _REM, _S, False): SEND_OPTIONAL_PROPERTY_REMOVED,
    (Aspect.PROPERTY, _ADD, _S, None): SEND_PROPERTY_ADDED,
    (Aspect.REQUIRED, _REM, _S, None): SEND_BECAME_OPTIONAL,
    (Aspect.REQUIRED, _ADD, _S, None): SEND_BECAME_REQUIRED,
    (Aspect.TYPE, _ADD, _S, None): SEND_TYPE_WIDENED,
    (Aspect.TYPE, _REM, _S, None): SEND_TYPE_NARROWED,
    (Aspect.ENUM, _ADD, _S, None): SEND_ENUM_ADDED,
    (Aspect.ENUM, _REM, _S, None): SEND_ENUM_REMOVED,
    (Aspect.PROPERTY, _ADD, _R, True): RECEIVE_REQUIRED_PROPERTY_ADDED,
    (Aspect.PROPERTY, _ADD, _R, False): RECEIVE_PROPERTY_ADDED,
    (Aspect.PROPERTY, _REM, _R, None): RECEIVE_PROPERTY_REMOVED,
    (Aspect.REQUIRED, _ADD, _R, None): RECEIVE_BECAME_REQUIRED,
    (Aspect.REQUIRED, _REM, _R, None): RECEIVE_BECAME_OPTIONAL,
    (Aspect.TYPE, _REM, _R, None): RECEIVE_TYPE_NARROWED,
    (Aspect.TYPE, _ADD, _R, None): RECEIVE_TYPE_WIDENED,
    (Aspect.ENUM, _REM, _R, None): RECEIVE_ENUM_REMOVED,
    (Aspect.ENUM, _ADD, _R, None): RECEIVE_ENUM_ADDED,
}

# The judge's verdict on the whole pair decides these (they are about accepted instances);
# removals are about what a reader loses and stay as they are.
_OVERRULABLE = frozenset({
    SEND_BECAME_OPTIONAL, SEND_TYPE_WIDENED, SEND_ENUM_ADDED,
    RECEIVE_REQUIRED_PROPERTY_ADDED, RECEIVE_BECAME_REQUIRED, RECEIVE_TYPE_NARROWED,
    RECEIVE_ENUM_REMOVED,
})
_ROOT = {
    (_S, Part.PAYLOAD): SEND_PAYLOAD_WIDENED,
    (_S, Part.HEADERS): SEND_HEADERS_WIDENED,
    (_R, Part.PAYLOAD): RECEIVE_PAYLOAD_NARROWED,
    (_R, Part.HEADERS): RECEIVE_HEADERS_NARROWED,
}


def event_direction(action: Action | None) -> Direction:
    """A sender's message is judged like a response, a receiver's like a request."""
    if action is Action.SEND:
        return Direction.RESPONSE
    if action is Action.RECEIVE:
        return Direction.REQUEST
    return Direction.NONE


def _rule(change: EventChange) -> Rule:
    required = dict(change.args).get("required")
    for key in ((change.aspect, change.kind, change.action, required),
                (change.aspect, change.kind, change.action, None),
                (change.aspect, change.kind, None, None)):
        if key in _TABLE:
            return CATALOGUE[_TABLE[key]]
    raise KeyError(f"no event rule for {change.aspect.value} {change.kind.value}")


def classify_events(
    diff: EventDiff,
    *,
    levels: Mapping[str, Level] | None = None,
    semantic: bool = True,
) -> tuple[Finding, ...]:
    """Findings for two AsyncAPI documents, judged by each operation's side."""
    overrides = dict(levels or {})
    by_pair: dict[SchemaPair | None, list[Finding]] = {}
    for change in diff.changes:
        rule = _rule(change)
        operations = (change.operation,) if change.operation is not None else ()
        finding = make_finding(
            rule, dict(change.args), level=overrides.get(rule.id, rule.level),
            # structural rows (channels, operations) are about both sides: no direction
            direction=(Direction.NONE if rule.direction is Direction.NONE
                       else event_direction(change.action)),
            operations=operations, old=change.old, new=change.new,
            identity=_identity(diff, change.old, change.new, change.args),
        )
        by_pair.setdefault(change.pair, []).append(finding)
    if semantic:
        judge = _EventJudge(diff.old, diff.new)
        for pair in diff.pairs:
            by_pair[pair] = judge.adjust(pair, by_pair.get(pair, []), overrides)
    return _merged(f for found in by_pair.values() for f in found)


def _identity(
    diff: EventDiff, old: Location | None, new: Location | None,
    args: Iterable[tuple[str, Any]],
) -> tuple[str, ...]:
    from specguard.rules import finding_identity

    spec = diff.new if new is not None else diff.old
    return finding_identity(spec, new or old, args)


def _merged(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """One finding per rule and place, listing every operation it affects."""
    from specguard.rules import sort_findings

    merged: dict[tuple[Any, ...], Finding] = {}
    for finding in findings:
        key = (finding.rule_id, finding.direction, finding.old, finding.new, finding.identity)
        known = merged.get(key)
        if known is None:
            merged[key] = finding
            continue
        operations = tuple(sorted(set(known.operations) | set(finding.operations)))
        merged[key] = replace(known, operations=operations)
    return sort_findings(f.with_fingerprint() for f in merged.values())


class _EventJudge:
    """The semantic judge over the payload and header pairs of one diff."""

    def __init__(self, old: Spec, new: Spec) -> None:
        from specguard.semantics import Judge, Outcome

        self._outcome = Outcome
        self._sides = (old, new)
        self._judge = Judge(functools.partial(_resolve, {"old": old, "new": new}), dialect="3.1")

    def adjust(
        self, pair: SchemaPair, findings: list[Finding], overrides: Mapping[str, Level]
    ) -> list[Finding]:
        old_base = f"old\x00{pair.old.file.key}"
        new_base = f"new\x00{pair.new.file.key}"
        check = (self._judge.response_compatible if pair.action is Action.SEND
                 else self._judge.request_compatible)
        verdict = check(pair.old.value, old_base, pair.new.value, new_base)
        if verdict.outcome is self._outcome.COMPATIBLE:
            return [
                replace(f, level=Level.SAFE, note=f"no effect on accepted messages: "
                        f"{verdict.reason}")
                if f.rule_id in _OVERRULABLE and f.level is not Level.SAFE else f
                for f in findings
            ]
        direction = Direction.RESPONSE if pair.action is Action.SEND else Direction.REQUEST
        if verdict.outcome is self._outcome.INCOMPATIBLE and verdict.witness is not None:
            breaking = [f for f in findings if f.level is Level.BREAKING]
            explained = breaking or [
                f for f in findings if f.level is Level.WARNING and pair.action is Action.SEND
            ]
            unsafe = [f for f in findings if f.level is not Level.SAFE]
            if len(breaking) == 1 and len(unsafe) == 1:
                # the pair's only change that matters: the witness is about it
                found = breaking[0]
                return [replace(f, witness=verdict.witness) if f is found else f
                        for f in findings]
            if explained:
                return findings
            rule = CATALOGUE[_ROOT[(pair.action, pair.part)]]
            return [*findings, self._root(rule, pair, direction, overrides,
                                          witness=verdict.witness)]
        if not findings and _differs(self._sides, pair):
            rule = CATALOGUE[PAYLOAD_UNKNOWN]
            return [self._root(rule, pair, Direction.NONE, overrides, reason=verdict.reason)]
        return findings

    def _root(
        self, rule: Rule, pair: SchemaPair, direction: Direction,
        overrides: Mapping[str, Level], **extra: Any,
    ) -> Finding:
        witness = extra.pop("witness", None)
        args = {"operation": pair.operation_id, "message": pair.message, **extra}
        old = Location(pair.old.file.name, pair.old.pointer or "/", pair.old.line)
        new = Location(pair.new.file.name, pair.new.pointer or "/", pair.new.line)
        return make_finding(
            rule, args, level=overrides.get(rule.id, rule.level), direction=direction,
            operations=(pair.operation,), old=old, new=new, witness=witness,
            identity=(new.pointer, pair.operation_id, pair.message),
        )


# Nodes visited (and nesting followed) to tell two schemas apart through their $refs; past
# either they count as changed.
_CANONICAL_BUDGET = 20_000
_CANONICAL_DEPTH = 150


def _differs(sides: tuple[Spec, Spec], pair: SchemaPair) -> bool:
    """Whether the two schemas differ once their ``$ref``s are followed (bounded)."""
    try:
        old = _canonical(sides[0], pair.old.value, pair.old.file, pair.old.pointer)
        new = _canonical(sides[1], pair.new.value, pair.new.file, pair.new.pointer)
    except (SpecguardError, _TooLarge):
        return True
    return old != new


class _TooLarge(Exception):
    pass


def _canonical(spec: Spec, node: Any, file: Any, pointer: str) -> str:
    """``node`` as JSON with every ``$ref`` replaced by its target (a cycle by a marker)."""
    budget = [_CANONICAL_BUDGET]

    def walk(value: Any, base: Any, at: str, trail: frozenset[tuple[str, str]],
             depth: int = 0) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or depth > _CANONICAL_DEPTH:
            raise _TooLarge
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):
            target_file, target_at, target = spec.follow(value, base, at)
            key = (target_file.key, target_at)
            if key in trail:
                return {"$cycle": target_at}
            return walk(target, target_file, target_at, trail | {key}, depth + 1)
        if isinstance(value, dict):
            return {str(k): walk(v, base, f"{at}/{k}", trail, depth + 1)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, base, f"{at}/{i}", trail, depth + 1) for i, v in enumerate(value)]
        return value

    return json.dumps(walk(node, file, pointer, frozenset()), sort_keys=True, default=str)


def _resolve(sides: Mapping[str, Spec], ref: str, base: str) -> tuple[str, str, Any]:
    """Resolve a ``$ref`` for the judge; a base is ``old``/``new``, NUL, a file key."""
    side, _, key = base.partition("\x00")
    spec = sides[side]
    file, pointer, node = spec.resolve(ref, spec.files[key])
    return f"{side}\x00{file.key}", f"{side}\x00{file.key}#{pointer}", node

