"""Validate stream entries against the channel of an AsyncAPI document."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from specguard.errors import LoadError, SpecguardError
from specguard.load import Spec
from specguard.load._asyncapi import Action, EventChannel, EventMessage, Located, event_document

MAX_EXAMPLES = 3
"""Rejected entries kept per message type."""
MAX_COUNT = 100_000
_PAGE = 500
_EXCERPT = 200
_REASON = 300
UNMATCHED = "(no matching message)"


@dataclass(frozen=True, slots=True)
class Rejected:
    """One rejected entry: its stream id, why, and an excerpt of what it carried."""

    entry_id: str
    reason: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class MessageTally:
    """Entries of one message type: how many were checked and rejected, with examples."""

    name: str
    checked: int
    rejected: int
    examples: tuple[Rejected, ...]


@dataclass(frozen=True, slots=True)
class EventsReport:
    """The outcome of one ``specguard events`` run."""

    spec: str
    stream: str
    channel: str
    server: str
    length: int
    read: int
    seconds: float
    deadline_reached: bool
    messages: tuple[MessageTally, ...]

    @property
    def rejected(self) -> int:
        return sum(tally.rejected for tally in self.messages)


class _Validator:
    """Validators for the payload and headers schemas of a channel's messages."""

    def __init__(self, spec: Spec) -> None:
        import jsonschema
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7

        self._spec = spec
        uris: dict[str, Any] = {}

        def retrieve(uri: str) -> Resource[Any]:
            # the spec's own confined resolver: a $ref never leaves the root
            return DRAFT7.create_resource(spec.file_for_uri(uri))

        self._registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
        self._cls = jsonschema.Draft7Validator
        self._checker = jsonschema.Draft7Validator.FORMAT_CHECKER
        self._validators = uris

    def _uri(self, node: Located) -> str:
        key = node.file.key
        if node.file is self._spec.root:
            return self._spec.root_uri()
        return PurePosixPath(key).as_uri() if key.startswith("/") else key

    def error(self, instance: Any, schema: Located) -> str | None:
        """None when ``instance`` is valid under ``schema``, else the first error, one line."""
        key = f"{self._uri(schema)}#{schema.pointer}"
        validator = self._validators.get(key)
        if validator is None:
            validator = self._validators[key] = self._cls(
                {"$ref": key}, registry=self._registry, format_checker=self._checker
            )
        try:
            error = next(iter(validator.iter_errors(instance)), None)
        except SpecguardError as exc:
            return exc.message
        except RecursionError:
            return "schema nested too deeply to validate"
        if error is None:
            return None
        where = "".join(f"/{token}" for token in error.absolute_path)
        message = " ".join(str(error.message).split())
        text = f"{message} at {where}" if where else message
        return text[:_REASON]


def channel_for(spec: Spec, stream: str) -> EventChannel:
    """The channel whose address is ``stream``; a one-line error naming the ones there are."""
    document = event_document(spec)
    for channel in document.channels:
        if channel.address == stream:
            return channel
    known = ", ".join(sorted(c.address for c in document.channels if c.address)) or "none"
    raise LoadError(
        f"no channel has the address {stream!r}",
        file=spec.root.name,
        hint=f"channel addresses in the document: {known}",
    )


def _promised(spec: Spec, channel: EventChannel) -> tuple[EventMessage, ...]:
    """What senders promise to put on the channel: the messages of its send operations
    (every message of the channel when no operation sends on it)."""
    document = event_document(spec)
    sending = document.operations_on(channel.id, Action.SEND)
    if not sending:
        return channel.messages
    ids = {m.id for op in sending for m in document.messages_of(op)}
    return tuple(m for m in channel.messages if m.id in ids)


class _Tally:
    """Entries judged so far, by message type."""

    def __init__(self, spec: Spec, channel: EventChannel) -> None:
        self._validator = _Validator(spec)
        self._channel = channel
        self._messages = _promised(spec, channel)
        self._checked: dict[str, int] = {}
        self._rejected: dict[str, int] = {}
        self._examples: dict[str, list[Rejected]] = {}

    def feed(self, entry_id: str, fields: dict[str, str]) -> None:
        name, reason, shown = _judge(self._validator, self._channel, self._messages, fields)
        self._checked[name] = self._checked.get(name, 0) + 1
        if reason is not None:
            self._rejected[name] = self._rejected.get(name, 0) + 1
            kept = self._examples.setdefault(name, [])
            if len(kept) < MAX_EXAMPLES:
                kept.append(Rejected(entry_id, reason, shown))

    def result(self) -> tuple[MessageTally, ...]:
        return tuple(
            MessageTally(name, self._checked[name], self._rejected.get(name, 0),
                         tuple(self._examples.get(name, ())))
            for name in sorted(self._checked)
        )


def validate_entries(
    spec: Spec, channel: EventChannel, entries: Iterable[tuple[str, dict[str, str]]]
) -> tuple[MessageTally, ...]:
    """Tally entries (id, fields) by message type, rejected ones with examples."""
    tally = _Tally(spec, channel)
    for entry_id, fields in entries:
        tally.feed(entry_id, fields)
    return tally.result()


def _excerpt(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _judge(
    validator: _Validator,
    channel: EventChannel,
    messages: Sequence[EventMessage],
    fields: dict[str, str],
) -> tuple[str, str | None, str]:
    """(message type, rejection reason or None, excerpt) of one entry."""
    headers = dict(fields)
    shown = _excerpt(fields)
    payload: Any = headers
    if channel.payload_field is not None:
        raw = headers.pop(channel.payload_field, None)
        label = headers.get("type") or UNMATCHED
        if raw is None:
            return label, f"no field {channel.payload_field!r} holds the payload", shown
        try:
            payload = json.loads(raw)
        except ValueError as exc:
            return label, f"field {channel.payload_field!r} is not JSON: {exc}", shown
        shown = _excerpt(payload)
    first_header_error = None
    for message in messages:
        if message.headers is not None and channel.payload_field is not None:
            error = validator.error(headers, message.headers)
            if error is not None:
                first_header_error = first_header_error or error
                continue
        name = message.name or message.id
        if message.payload is None:
            return name, None, shown
        return name, validator.error(payload, message.payload), shown
    label = fields.get("type") or UNMATCHED
    return label, f"no message of channel {channel.id} matches: {first_header_error}", shown


def display_url(url: str) -> str:
    """The Redis URL without its password, for reports."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urllib.parse.urlunsplit((parts.scheme, user + host + port, parts.path, "", ""))


def check_stream(
    spec: Spec, url: str, stream: str, *, count: int = 1000, max_time: float = 30.0
) -> EventsReport:
    """Read the ``count`` most recent entries of ``stream`` (read-only) and validate them."""
    import redis

    if not 1 <= count <= MAX_COUNT:
        raise LoadError(f"--count must be between 1 and {MAX_COUNT}", file=spec.root.name)
    channel = channel_for(spec, stream)
    started = time.monotonic()
    deadline = started + max_time
    shown_url = display_url(url)
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=max(0.5, max_time), socket_connect_timeout=min(5.0, max_time)
        )
    except ValueError as exc:
        raise LoadError(f"not a Redis URL: {exc}", file=shown_url) from None
    tally = _Tally(spec, channel)
    read = 0
    reached = False
    try:
        length = int(client.xlen(stream))
        cursor = "+"
        # newest first, page by page; each page is judged before the next is read, so the
        # deadline bounds reading and judging together
        while read < count:
            if time.monotonic() > deadline:
                reached = True
                break
            page = client.xrevrange(stream, max=cursor, min="-", count=min(_PAGE, count - read))
            if not page:
                break
            for entry_id, fields in page:
                tally.feed(_text(entry_id),
                           {_text(k): _text(v) for k, v in (fields or {}).items()})
                read += 1
            cursor = "(" + _text(page[-1][0])
    except redis.exceptions.ResponseError as exc:
        raise LoadError(f"cannot read stream {stream!r}: {exc}", file=shown_url) from None
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
        raise LoadError(f"cannot reach Redis: {exc}", file=shown_url) from None
    finally:
        client.close()
    return EventsReport(
        spec=spec.root.name,
        stream=stream,
        channel=channel.id,
        server=shown_url,
        length=length,
        read=read,
        seconds=time.monotonic() - started,
        deadline_reached=reached,
        messages=tally.result(),
    )


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return str(value)
