"""Lint rules for event streams: every stream a service writes or reads has a contract, every
received channel has a sender, and what a sender sends is what its receivers accept.

The inventory says which streams a service publishes and subscribes to (``publishes``,
``subscribes``), which AsyncAPI document describes them (``asyncapi``) and which channels of
it the service sends and receives (``sends``, ``receives``). Channels of different documents
are the same stream when their addresses are equal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specguard.errors import SpecguardError
from specguard.inventory import Inventory, ServiceEntry
from specguard.load import Spec, load_spec
from specguard.load._asyncapi import Action, EventDocument, EventMessage, event_document
from specguard.model import Location

__all__ = ["EventIssue", "event_issues"]


@dataclass(frozen=True, slots=True)
class EventIssue:
    """A violation found here, turned into a LintFinding by the checker."""

    rule_id: str
    message: str
    location: Location
    service: str


@dataclass(frozen=True, slots=True)
class _Side:
    """A service's operation on a stream: the document, the channel and its messages."""

    service: ServiceEntry
    spec: Spec
    document: EventDocument
    channel: str
    address: str
    action: Action
    messages: tuple[EventMessage, ...]


def event_issues(inventory: Inventory, root: Path) -> Iterator[EventIssue]:
    """Every event violation of the inventory's services, in inventory order."""
    loaded: dict[str, Spec | None] = {}
    sides: list[_Side] = []
    for entry in inventory.services:
        spec = None
        if entry.asyncapi is not None:
            if entry.asyncapi not in loaded:
                loaded[entry.asyncapi] = None
                spec, problem = _load(inventory, entry, root)
                loaded[entry.asyncapi] = spec
                if problem is not None:
                    yield problem
            spec = loaded[entry.asyncapi]
        document = event_document(spec) if spec is not None else None
        yield from _declared(inventory, entry, spec, document, sides)
    yield from _unsent(inventory, sides)
    yield from _incompatible(sides)


def _at(inventory: Inventory, entry: ServiceEntry, pointer: str, rule: str,
        message: str) -> EventIssue:
    return EventIssue(
        rule, message, Location(inventory.file, pointer, inventory.line(pointer)), entry.name
    )


def _load(
    inventory: Inventory, entry: ServiceEntry, root: Path
) -> tuple[Spec | None, EventIssue | None]:
    assert entry.asyncapi is not None
    pointer = f"{entry.pointer}/asyncapi"
    location = os.path.normpath(os.path.join(root, entry.asyncapi))
    if not Path(location).resolve().is_relative_to(root.resolve()):
        return None, _at(inventory, entry, pointer, "contract-missing",
                         f"{entry.asyncapi} is outside {root}")
    if not Path(location).is_file():
        return None, _at(inventory, entry, pointer, "contract-missing",
                         f"{entry.name}'s AsyncAPI document {entry.asyncapi} does not exist")
    try:
        spec = load_spec(location, root=str(root))
        if not spec.is_asyncapi:
            return None, _at(inventory, entry, pointer, "contract-invalid",
                             f"{entry.asyncapi} is not an AsyncAPI document")
        event_document(spec)
    except SpecguardError as exc:
        where = Location(exc.file or location, exc.pointer or "", exc.line)
        return None, EventIssue("contract-invalid", exc.message, where, entry.name)
    return spec, None


def _declared(
    inventory: Inventory,
    entry: ServiceEntry,
    spec: Spec | None,
    document: EventDocument | None,
    sides: list[_Side],
) -> Iterator[EventIssue]:
    """Channels the service names exist and carry its operation; its streams have channels."""
    if entry.asyncapi is not None and document is None:
        return  # its document is missing or invalid: reported once, where it is named
    covered: dict[Action, set[str]] = {Action.SEND: set(), Action.RECEIVE: set()}
    for action, key, channels in ((Action.SEND, "sends", entry.sends),
                                  (Action.RECEIVE, "receives", entry.receives)):
        for index, channel_id in enumerate(channels):
            pointer = f"{entry.pointer}/{key}/{index}"
            if document is None or spec is None:
                if entry.asyncapi is None:
                    yield _at(inventory, entry, pointer, "channel-unknown",
                              f"{entry.name} {key} {channel_id} but names no 'asyncapi' document")
                continue
            channel = document.channel(channel_id)
            operations = document.operations_on(channel_id, action)
            if channel is None or not operations:
                what = ("no such channel" if channel is None
                        else f"no {action.value} operation on it")
                yield _at(inventory, entry, pointer, "channel-unknown",
                          f"{entry.name} {key} {channel_id}: {entry.asyncapi} has {what}")
                continue
            address = channel.address or channel.id
            covered[action].add(address)
            messages = tuple(m for op in operations for m in document.messages_of(op))
            sides.append(_Side(entry, spec, document, channel_id, address, action, messages))
    for action, key, streams in ((Action.SEND, "publishes", entry.publishes),
                                 (Action.RECEIVE, "subscribes", entry.subscribes)):
        for index, stream in enumerate(streams):
            if stream in covered[action]:
                continue
            verb = "sends on" if action is Action.SEND else "receives from"
            yield _at(inventory, entry, f"{entry.pointer}/{key}/{index}", "stream-contract-missing",
                      f"{entry.name} {key} {stream}, but no channel it {verb} in its AsyncAPI "
                      "document has that address")


def _unsent(inventory: Inventory, sides: list[_Side]) -> Iterator[EventIssue]:
    sent = {side.address for side in sides if side.action is Action.SEND}
    for side in sides:
        if side.action is Action.RECEIVE and side.address not in sent:
            index = side.service.receives.index(side.channel)
            yield _at(inventory, side.service, f"{side.service.pointer}/receives/{index}",
                      "channel-unsent",
                      f"{side.service.name} receives {side.channel} ({side.address}), which no "
                      "service sends")


def _incompatible(sides: list[_Side]) -> Iterator[EventIssue]:
    """What each sender sends on a stream must be accepted by each receiver of it: messages
    are paired by name, and the judge must prove or refute that the sent payload is included
    in the received one (a refutation is a finding with the verified example)."""
    from specguard.semantics import Judge, Outcome

    senders = [s for s in sides if s.action is Action.SEND]
    receivers = [s for s in sides if s.action is Action.RECEIVE]
    for receiver in receivers:
        for sender in senders:
            if sender.address != receiver.address:
                continue
            judge = Judge(_resolver(sender.spec, receiver.spec), dialect="3.1")
            for sent in sender.messages:
                accepted = [m for m in receiver.messages if m.name and m.name == sent.name]
                if sent.payload is None or len(accepted) != 1 or accepted[0].payload is None:
                    continue
                got = accepted[0].payload
                verdict = judge.request_compatible(
                    sent.payload.value, f"old\x00{sent.payload.file.key}",
                    got.value, f"new\x00{got.file.key}",
                )
                if verdict.outcome is not Outcome.INCOMPATIBLE or verdict.witness is None:
                    continue
                example = json.dumps(verdict.witness.instance, sort_keys=True)
                reason = verdict.witness.explanation.split(": ", 1)[-1]
                yield EventIssue(
                    "event-payload-rejected",
                    f"{receiver.service.name} rejects a {sent.name} {sender.service.name} may "
                    f"send on {receiver.address}, e.g. {example[:200]} ({reason})",
                    Location(got.file.name, got.pointer, got.line),
                    receiver.service.name,
                )


def _resolver(old: Spec, new: Spec) -> Any:
    def resolve(ref: str, base: str) -> tuple[str, str, Any]:
        side, _, key = base.partition("\x00")
        spec = old if side == "old" else new
        file, pointer, node = spec.resolve(ref, spec.files[key])
        return f"{side}\x00{file.key}", f"{side}\x00{file.key}#{pointer}", node

    return resolve
