"""The neutral walk of two AsyncAPI documents: what was added, removed or changed.

Channels are matched by id, then by address; operations by id, then by (action, channel);
messages by id, then by name. Payloads are walked keyword by keyword (properties, required,
type, enum, through ``$ref``s and array items) and every payload and header pair is handed on
as a :class:`SchemaPair` so that the rules stage can ask the semantic judge about it. Nothing
here decides a level: the same fact is a break on a ``send`` operation and safe on a
``receive`` one, and only ``rules/_events.py`` knows that.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from specguard.load import Spec
from specguard.load._asyncapi import (
    Action,
    EventChannel,
    EventDocument,
    EventMessage,
    EventOperation,
    Located,
    event_document,
)
from specguard.model import ChangeKind, Location, Operation

__all__ = ["Aspect", "EventChange", "EventDiff", "Part", "SchemaPair", "compare_events"]

# Payload nesting walked keyword by keyword; deeper changes are left to the judge.
_MAX_DEPTH = 32


class Aspect(str, enum.Enum):
    """What an event change is about."""

    CHANNEL = "channel"
    ADDRESS = "address"
    OPERATION = "operation"
    ACTION = "action"
    OPERATION_CHANNEL = "operation-channel"
    MESSAGE = "message"
    PROPERTY = "property"
    REQUIRED = "required"
    TYPE = "type"
    ENUM = "enum"


class Part(str, enum.Enum):
    """Which schema of a message."""

    PAYLOAD = "payload"
    HEADERS = "headers"


@dataclass(frozen=True, slots=True)
class SchemaPair:
    """The old and new schema of one part of one message of one operation."""

    action: Action
    part: Part
    operation: Operation
    operation_id: str
    channel: str
    message: str
    old: Located
    new: Located


@dataclass(frozen=True, slots=True)
class EventChange:
    """A neutral fact. ``kind`` for REQUIRED: ADDED = became required, REMOVED = optional;
    for TYPE and ENUM: ADDED = gained types/values, REMOVED = lost ones."""

    aspect: Aspect
    kind: ChangeKind
    action: Action | None
    operation: Operation | None
    channel: str
    old: Location | None
    new: Location | None
    args: tuple[tuple[str, Any], ...] = ()
    pair: SchemaPair | None = None


@dataclass(frozen=True, slots=True)
class EventDiff:
    """Every change and every schema pair of two documents."""

    old: Spec
    new: Spec
    old_document: EventDocument
    new_document: EventDocument
    changes: tuple[EventChange, ...]
    pairs: tuple[SchemaPair, ...]


def compare_events(old: Spec, new: Spec) -> EventDiff:
    """Walk two AsyncAPI documents (2.6 or 3.0, in any combination)."""
    old_doc, new_doc = event_document(old), event_document(new)
    walker = _Walker(old, new, old_doc, new_doc)
    changes = list(walker.channels())
    changes += walker.operations()
    return EventDiff(old, new, old_doc, new_doc, tuple(changes), tuple(walker.pairs))


def _where(node: Located) -> Location:
    return Location(node.file.name, node.pointer or "/", node.line)


def event_operation(operation: EventOperation, channel: EventChannel | None) -> Operation:
    """How reports name an operation: its action and its channel's address (``SEND orders``)."""
    address = channel.address if channel is not None and channel.address else operation.channel
    return Operation(operation.action.value, address)


class _Walker:
    def __init__(self, old: Spec, new: Spec, old_doc: EventDocument, new_doc: EventDocument):
        self.old, self.new = old, new
        self.old_doc, self.new_doc = old_doc, new_doc
        self.pairs: list[SchemaPair] = []
        # old channel id -> new channel, matched by id and then by address
        self.channel_match: dict[str, EventChannel] = {}

    def channels(self) -> Iterator[EventChange]:
        new_by_id = {c.id: c for c in self.new_doc.channels}
        new_by_address = {c.address: c for c in self.new_doc.channels if c.address}
        matched: set[str] = set()
        for channel in self.old_doc.channels:
            twin = new_by_id.get(channel.id)
            if twin is None and channel.address:
                twin = new_by_address.get(channel.address)
                if twin is not None and twin.id in {c.id for c in self.old_doc.channels}:
                    twin = None  # that id is another old channel's
            args = (("channel", channel.id), ("address", channel.address or "(none)"))
            if twin is None:
                yield EventChange(
                    Aspect.CHANNEL, ChangeKind.REMOVED, None, None, channel.id,
                    _where(channel.at), None, args,
                )
                continue
            matched.add(twin.id)
            self.channel_match[channel.id] = twin
            if channel.address != twin.address:
                yield EventChange(
                    Aspect.ADDRESS, ChangeKind.CHANGED, None, None, twin.id,
                    _where(channel.at), _where(twin.at),
                    (("channel", twin.id), ("old", channel.address), ("new", twin.address)),
                )
        for channel in self.new_doc.channels:
            if channel.id not in matched:
                yield EventChange(
                    Aspect.CHANNEL, ChangeKind.ADDED, None, None, channel.id, None,
                    _where(channel.at),
                    (("channel", channel.id), ("address", channel.address or "(none)")),
                )

    def _twin_operation(
        self, operation: EventOperation, by_id: dict[str, EventOperation], taken: set[str]
    ) -> EventOperation | None:
        twin = by_id.get(operation.id)
        if twin is not None and twin.id not in taken:
            return twin
        channel = self.channel_match.get(operation.channel)
        if channel is None:
            return None
        candidates = [
            op for op in self.new_doc.operations
            if op.channel == channel.id and op.action is operation.action and op.id not in taken
            and op.id not in {o.id for o in self.old_doc.operations}
        ]
        return candidates[0] if len(candidates) == 1 else None

    def operations(self) -> Iterator[EventChange]:
        by_id = {op.id: op for op in self.new_doc.operations}
        taken: set[str] = set()
        for operation in self.old_doc.operations:
            old_channel = self.old_doc.channel(operation.channel)
            op = event_operation(operation, old_channel)
            twin = self._twin_operation(operation, by_id, taken)
            if twin is None:
                yield EventChange(
                    Aspect.OPERATION, ChangeKind.REMOVED, operation.action, op,
                    operation.channel, _where(operation.at), None,
                    (("operation", operation.id), ("action", operation.action.value)),
                )
                continue
            taken.add(twin.id)
            new_channel = self.new_doc.channel(twin.channel)
            new_op = event_operation(twin, new_channel)
            if twin.action is not operation.action:
                yield EventChange(
                    Aspect.ACTION, ChangeKind.CHANGED, twin.action, new_op, twin.channel,
                    _where(operation.at), _where(twin.at),
                    (("operation", twin.id), ("old", operation.action.value),
                     ("new", twin.action.value)),
                )
                continue
            matched_channel = self.channel_match.get(operation.channel)
            if matched_channel is None or matched_channel.id != twin.channel:
                yield EventChange(
                    Aspect.OPERATION_CHANNEL, ChangeKind.CHANGED, twin.action, new_op,
                    twin.channel, _where(operation.at), _where(twin.at),
                    (("operation", twin.id), ("old", operation.channel), ("new", twin.channel)),
                )
                continue
            yield from self.messages(operation, twin, new_op)
        for operation in self.new_doc.operations:
            if operation.id not in taken:
                yield EventChange(
                    Aspect.OPERATION, ChangeKind.ADDED, operation.action,
                    event_operation(operation, self.new_doc.channel(operation.channel)),
                    operation.channel, None, _where(operation.at),
                    (("operation", operation.id), ("action", operation.action.value)),
                )

    def messages(
        self, old_op: EventOperation, new_op: EventOperation, op: Operation
    ) -> Iterator[EventChange]:
        old_messages = self.old_doc.messages_of(old_op)
        new_messages = list(self.new_doc.messages_of(new_op))
        for message in old_messages:
            twin = _twin_message(message, new_messages)
            if twin is None:
                yield EventChange(
                    Aspect.MESSAGE, ChangeKind.REMOVED, new_op.action, op, new_op.channel,
                    _where(message.at), None,
                    (("operation", new_op.id), ("message", message.id)),
                )
                continue
            new_messages.remove(twin)
            for part in Part:
                old_schema = message.payload if part is Part.PAYLOAD else message.headers
                new_schema = twin.payload if part is Part.PAYLOAD else twin.headers
                if part.value in message.opaque or part.value in twin.opaque:
                    continue  # another schema format (Avro, protobuf): not judged
                if old_schema is None and new_schema is None:
                    continue
                # an undeclared part allows anything: declaring one narrows, dropping it widens
                # (judged as a whole; there are no keyword facts between a schema and none)
                walked = old_schema is not None and new_schema is not None
                old_schema = old_schema or message.absent(part.value)
                new_schema = new_schema or twin.absent(part.value)
                pair = SchemaPair(
                    new_op.action, part, op, new_op.id, new_op.channel, twin.id,
                    old_schema, new_schema,
                )
                self.pairs.append(pair)
                if part is Part.PAYLOAD and walked:
                    yield from _SchemaWalk(self.old, self.new, pair).walk(
                        old_schema, new_schema, "", 0
                    )
        for message in new_messages:
            yield EventChange(
                Aspect.MESSAGE, ChangeKind.ADDED, new_op.action, op, new_op.channel, None,
                _where(message.at), (("operation", new_op.id), ("message", message.id)),
            )


def _twin_message(message: EventMessage, candidates: list[EventMessage]) -> EventMessage | None:
    for candidate in candidates:
        if candidate.id == message.id:
            return candidate
    named = [c for c in candidates if message.name and c.name == message.name]
    return named[0] if len(named) == 1 else None


class _SchemaWalk:
    """Keyword facts of one payload pair: properties, required, type and enum, recursively."""

    def __init__(self, old: Spec, new: Spec, pair: SchemaPair) -> None:
        self.old, self.new, self.pair = old, new, pair
        self.seen: set[tuple[str, str, str, str]] = set()

    def change(
        self, aspect: Aspect, kind: ChangeKind, old: Located | None, new: Located | None,
        args: tuple[tuple[str, Any], ...],
    ) -> EventChange:
        pair = self.pair
        return EventChange(
            aspect, kind, pair.action, pair.operation, pair.channel,
            _where(old) if old is not None else None, _where(new) if new is not None else None,
            args, pair,
        )

    def follow(self, spec: Spec, node: Located) -> Located:
        file, pointer, value = spec.follow(node.value, node.file, node.pointer)
        return Located(file, pointer, value)

    def walk(self, old: Located, new: Located, name: str, depth: int) -> Iterator[EventChange]:
        old, new = self.follow(self.old, old), self.follow(self.new, new)
        key = (old.file.key, old.pointer, new.file.key, new.pointer)
        if key in self.seen or depth > _MAX_DEPTH:
            return
        self.seen.add(key)
        if not isinstance(old.value, dict) or not isinstance(new.value, dict):
            return
        label = name or "(payload)"
        yield from self.types(old, new, label)
        yield from self.values(old, new, label)
        yield from self.properties(old, new, name, depth)
        items_old, items_new = old.value.get("items"), new.value.get("items")
        if isinstance(items_old, dict) and isinstance(items_new, dict):
            yield from self.walk(
                Located(old.file, f"{old.pointer}/items", items_old),
                Located(new.file, f"{new.pointer}/items", items_new),
                f"{name}[]" if name else "[]",
                depth + 1,
            )

    def types(self, old: Located, new: Located, label: str) -> Iterator[EventChange]:
        old_types, new_types = _types(old.value), _types(new.value)
        if old_types is None or new_types is None:
            return
        lost, gained = sorted(old_types - new_types), sorted(new_types - old_types)
        if "number" in old_types:
            gained = [t for t in gained if t != "integer"]
        if "number" in new_types:
            lost = [t for t in lost if t != "integer"]
        if lost:
            yield self.change(Aspect.TYPE, ChangeKind.REMOVED, old, new,
                              (("name", label), ("lost", lost)))
        if gained:
            yield self.change(Aspect.TYPE, ChangeKind.ADDED, old, new,
                              (("name", label), ("gained", gained)))

    def values(self, old: Located, new: Located, label: str) -> Iterator[EventChange]:
        old_values, new_values = _values(old.value), _values(new.value)
        if old_values is None or new_values is None:
            return
        removed = [json.loads(v) for v in sorted(old_values - new_values)]
        added = [json.loads(v) for v in sorted(new_values - old_values)]
        if removed:
            yield self.change(Aspect.ENUM, ChangeKind.REMOVED, old, new,
                              (("name", label), ("removed", removed)))
        if added:
            yield self.change(Aspect.ENUM, ChangeKind.ADDED, old, new,
                              (("name", label), ("added", added)))

    def properties(
        self, old: Located, new: Located, name: str, depth: int
    ) -> Iterator[EventChange]:
        old_props = old.value.get("properties")
        new_props = new.value.get("properties")
        old_props = old_props if isinstance(old_props, dict) else {}
        new_props = new_props if isinstance(new_props, dict) else {}
        old_required = set(_strings(old.value.get("required")))
        new_required = set(_strings(new.value.get("required")))
        for prop, schema in old_props.items():
            dotted = f"{name}.{prop}" if name else str(prop)
            old_at = Located(old.file, f"{old.pointer}/properties/{_token(prop)}", schema)
            if prop not in new_props:
                yield self.change(
                    Aspect.PROPERTY, ChangeKind.REMOVED, old_at, None,
                    (("name", dotted), ("required", prop in old_required)),
                )
                continue
            new_at = Located(new.file, f"{new.pointer}/properties/{_token(prop)}",
                             new_props[prop])
            if (prop in old_required) != (prop in new_required):
                kind = ChangeKind.ADDED if prop in new_required else ChangeKind.REMOVED
                yield self.change(Aspect.REQUIRED, kind, old_at, new_at, (("name", dotted),))
            yield from self.walk(old_at, new_at, dotted, depth + 1)
        for prop, schema in new_props.items():
            if prop not in old_props:
                dotted = f"{name}.{prop}" if name else str(prop)
                new_at = Located(new.file, f"{new.pointer}/properties/{_token(prop)}", schema)
                yield self.change(
                    Aspect.PROPERTY, ChangeKind.ADDED, None, new_at,
                    (("name", dotted), ("required", prop in new_required)),
                )


def _token(name: Any) -> str:
    return str(name).replace("~", "~0").replace("/", "~1")


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _types(schema: dict[str, Any]) -> set[str] | None:
    value = schema.get("type")
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return set(value)
    return None


def _values(schema: dict[str, Any]) -> set[str] | None:
    if "const" in schema:
        return {json.dumps(schema["const"], sort_keys=True)}
    value = schema.get("enum")
    if isinstance(value, list):
        return {json.dumps(v, sort_keys=True) for v in value}
    return None
