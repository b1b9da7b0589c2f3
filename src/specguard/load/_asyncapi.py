"""AsyncAPI 2.6 and 3.0 documents: version check, validation and a neutral event model.

Validation uses the AsyncAPI Initiative's official JSON Schemas (vendored from the npm
package ``@asyncapi/specs``, Apache-2.0, see ``asyncapi_schemas/README.md``). The model reads
both versions into one shape: channels (id, address, messages) and operations (id, action
``send``/``receive``, channel, messages), following ``$ref``s through the spec's confined
resolver, so a document cannot make specguard read outside its root.

AsyncAPI 2.x names operations from the other party's side: a channel's ``subscribe``
operation is what the application *sends* (others subscribe to it), ``publish`` what it
*receives*. 3.0's ``action`` says it from the application's side; both are read as ``send`` /
``receive`` here.
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from specguard.errors import SpecValidationError
from specguard.load._parse import decode_pointer, encode_token

if TYPE_CHECKING:
    from specguard.load import SourceFile, Spec

__all__ = [
    "SUPPORTED",
    "Action",
    "EventChannel",
    "EventDocument",
    "EventMessage",
    "EventOperation",
    "Located",
    "check_asyncapi_version",
    "event_document",
    "validate_asyncapi",
]

# major.minor -> the vendored schema file
SUPPORTED = {"2.6": "2.6.0.json", "3.0": "3.0.0.json"}
# A channel extension naming the stream-entry field that carries the payload as JSON (a Redis
# stream entry is a flat map of strings). Without it the entry's fields are the payload.
PAYLOAD_FIELD = "x-specguard-payload-field"
# Multi-format schemas whose ``schema`` is JSON Schema (AsyncAPI Schema is a superset).
_JSON_SCHEMA_FORMATS = ("application/vnd.aai.asyncapi", "application/schema+json")


class Action(str, enum.Enum):
    """What the described application does with a channel's messages."""

    SEND = "send"
    RECEIVE = "receive"


@dataclass(frozen=True, slots=True, eq=False)
class Located:
    """A node of the document: the file it is in, its JSON pointer and its value (compared by
    identity: the value is a live, unhashable part of the document)."""

    file: SourceFile = field(repr=False)
    pointer: str
    value: Any = field(repr=False)

    @property
    def line(self) -> int | None:
        return self.file.line(self.pointer)


@dataclass(frozen=True, slots=True)
class EventMessage:
    """A message: ``payload``/``headers`` are JSON Schemas (None: absent or not JSON Schema;
    ``opaque`` names the parts written in another schema format, never judged). Headers may
    come from the first trait that defines them."""

    id: str
    name: str | None
    at: Located
    payload: Located | None
    headers: Located | None
    opaque: tuple[str, ...] = ()

    def absent(self, part: str) -> Located:
        """An empty schema (anything goes) standing for a part the message does not declare."""
        return Located(self.at.file, f"{self.at.pointer}/{part}", {})


@dataclass(frozen=True, slots=True)
class EventChannel:
    """A channel: ``address`` is the stream/topic name (None: unknown or dynamic)."""

    id: str
    address: str | None
    at: Located
    messages: tuple[EventMessage, ...]
    payload_field: str | None = None

    def message(self, message_id: str) -> EventMessage | None:
        for message in self.messages:
            if message.id == message_id:
                return message
        return None


@dataclass(frozen=True, slots=True)
class EventOperation:
    """An operation; ``messages`` are ids of the channel's messages (all of them if none)."""

    id: str
    action: Action
    channel: str
    at: Located
    messages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EventDocument:
    """An AsyncAPI document read into channels and operations."""

    version: str
    info_version: str | None
    channels: tuple[EventChannel, ...]
    operations: tuple[EventOperation, ...]

    def channel(self, channel_id: str) -> EventChannel | None:
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        return None

    def messages_of(self, operation: EventOperation) -> tuple[EventMessage, ...]:
        """The messages an operation sends or receives."""
        channel = self.channel(operation.channel)
        if channel is None:
            return ()
        if not operation.messages:
            return channel.messages
        return tuple(m for m in channel.messages if m.id in operation.messages)

    def operations_on(self, channel_id: str, action: Action) -> tuple[EventOperation, ...]:
        return tuple(
            op for op in self.operations if op.channel == channel_id and op.action is action
        )


def check_asyncapi_version(source: SourceFile) -> None:
    """Refuse an AsyncAPI version specguard has no schema for, with a clear message."""
    version = str(source.data.get("asyncapi"))
    if ".".join(version.split(".")[:2]) not in SUPPORTED:
        raise SpecValidationError(
            f"unsupported AsyncAPI version {version!r}",
            file=source.name,
            line=source.line("/asyncapi"),
            hint="specguard reads AsyncAPI 2.6.x and 3.0.x",
        )


@functools.cache
def _validator(version: str) -> Any:
    import jsonschema

    resource = importlib.resources.files("specguard.load") / "asyncapi_schemas" / SUPPORTED[version]
    schema = json.loads(resource.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def validate_asyncapi(spec: Spec) -> None:
    """Validate against the official schema; the best-matching error as one line with its line."""
    import jsonschema

    version = ".".join(spec.asyncapi_version.split(".")[:2])
    error = jsonschema.exceptions.best_match(_validator(version).iter_errors(spec.data))
    if error is None:
        event_document(spec)  # every $ref resolves, inside the root
        return
    pointer = "".join("/" + encode_token(token) for token in error.absolute_path)
    message = " ".join(str(error.message).split())
    if len(message) > 300:
        message = message[:297] + "..."
    raise SpecValidationError(
        f"invalid AsyncAPI {version} document: {message}",
        file=spec.root.name,
        line=spec.root.line(pointer),
        pointer=pointer or "/",
        hint="use --no-validate to diff anyway",
    )


# -- the model ---------------------------------------------------------------------------------


def event_document(spec: Spec) -> EventDocument:
    """Read channels, operations and messages (2.6 or 3.0) into one model."""
    reader = _Reader(spec)
    if spec.asyncapi_version.startswith("2."):
        channels, operations = reader.v2()
    else:
        channels, operations = reader.v3()
    info = spec.data.get("info")
    version = info.get("version") if isinstance(info, dict) else None
    return EventDocument(
        spec.asyncapi_version,
        str(version) if version is not None else None,
        channels,
        operations,
    )


class _Reader:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec

    def at(self, pointer: str) -> Located:
        return self.follow(Located(self.spec.root, pointer, self.spec.root.get(pointer)))

    def follow(self, node: Located) -> Located:
        file, pointer, value = self.spec.follow(node.value, node.file, node.pointer)
        return Located(file, pointer, value)

    def child(self, node: Located, *tokens: str) -> Located | None:
        value = node.value
        pointer = node.pointer
        for token in tokens:
            if not isinstance(value, dict) or token not in value:
                return None
            value = value[token]
            pointer += "/" + encode_token(token)
        return self.follow(Located(node.file, pointer, value))

    def entries(self, node: Located | None) -> list[tuple[str, Located]]:
        if node is None or not isinstance(node.value, dict):
            return []
        return [
            (str(key), self.follow(Located(node.file, f"{node.pointer}/{encode_token(key)}", v)))
            for key, v in node.value.items()
        ]

    def schema(self, message: Located, key: str) -> Located | None:
        node = self.child(message, key)
        if node is None:
            return None
        value = node.value
        if isinstance(value, dict) and "schemaFormat" in value and "schema" in value:
            # a Multi Format Schema Object (3.0): only JSON Schema dialects are judged
            if not str(value["schemaFormat"]).startswith(_JSON_SCHEMA_FORMATS):
                return None
            return self.child(node, "schema")
        legacy = message.value.get("schemaFormat") if isinstance(message.value, dict) else None
        if key == "payload" and legacy is not None and not str(legacy).startswith(
            _JSON_SCHEMA_FORMATS
        ):
            return None  # 2.x: Avro, RAML, protobuf payloads are not JSON Schema
        return node

    def message(self, message_id: str, node: Located) -> EventMessage:
        value = node.value if isinstance(node.value, dict) else {}
        name = value.get("name")
        payload, headers = self.schema(node, "payload"), self.schema(node, "headers")
        if headers is None and "headers" not in value:
            # traits are merged under the message: the message's own headers win
            for _, trait in self.entries_of_list(self.child(node, "traits")):
                if isinstance(trait.value, dict) and "headers" in trait.value:
                    headers = self.schema(trait, "headers")
                    break
        opaque = tuple(
            part for part, schema in (("payload", payload), ("headers", headers))
            if schema is None and part in value
        )
        return EventMessage(
            message_id, str(name) if name is not None else None, node, payload, headers, opaque
        )

    def entries_of_list(self, node: Located | None) -> list[tuple[int, Located]]:
        if node is None or not isinstance(node.value, list):
            return []
        return [
            (index, self.follow(Located(node.file, f"{node.pointer}/{index}", item)))
            for index, item in enumerate(node.value)
        ]

    # -- 3.0 ---------------------------------------------------------------------------------

    def v3(self) -> tuple[tuple[EventChannel, ...], tuple[EventOperation, ...]]:
        root = Located(self.spec.root, "", self.spec.data)
        channels = []
        for channel_id, node in self.entries(self.child(root, "channels")):
            address = node.value.get("address") if isinstance(node.value, dict) else None
            messages = tuple(
                self.message(message_id, message)
                for message_id, message in self.entries(self.child(node, "messages"))
            )
            field = node.value.get(PAYLOAD_FIELD) if isinstance(node.value, dict) else None
            channels.append(
                EventChannel(
                    channel_id,
                    str(address) if address is not None else None,
                    node,
                    messages,
                    str(field) if field is not None else None,
                )
            )
        operations = []
        for operation_id, node in self.entries(self.child(root, "operations")):
            value = node.value if isinstance(node.value, dict) else {}
            target = _ref_target(value.get("channel"), "channels")
            message_ids = tuple(
                _ref_target(ref, "messages") or "" for ref in value.get("messages") or ()
            )
            operations.append(
                EventOperation(
                    operation_id,
                    Action(value.get("action", "send")),
                    target or "",
                    node,
                    message_ids,
                )
            )
        return tuple(channels), tuple(operations)

    # -- 2.6 ---------------------------------------------------------------------------------

    def v2(self) -> tuple[tuple[EventChannel, ...], tuple[EventOperation, ...]]:
        root = Located(self.spec.root, "", self.spec.data)
        channels = []
        operations = []
        for address, node in self.entries(self.child(root, "channels")):
            messages: dict[str, EventMessage] = {}
            for key, action in (("subscribe", Action.SEND), ("publish", Action.RECEIVE)):
                operation = self.child(node, key)
                if operation is None or not isinstance(operation.value, dict):
                    continue
                ids = []
                for message_id, message in self.v2_messages(operation):
                    messages.setdefault(message_id, self.message(message_id, message))
                    ids.append(message_id)
                operation_id = operation.value.get("operationId")
                operations.append(
                    EventOperation(
                        str(operation_id) if operation_id else f"{key} {address}",
                        action,
                        address,
                        operation,
                        tuple(ids),
                    )
                )
            field = node.value.get(PAYLOAD_FIELD) if isinstance(node.value, dict) else None
            channels.append(
                EventChannel(
                    address,
                    address,
                    node,
                    tuple(messages.values()),
                    str(field) if field is not None else None,
                )
            )
        return tuple(channels), tuple(operations)

    def v2_messages(self, operation: Located) -> list[tuple[str, Located]]:
        raw = operation.value.get("message")
        if raw is None:
            return []
        pointer = f"{operation.pointer}/message"
        if isinstance(raw, dict) and isinstance(raw.get("oneOf"), list):
            nodes = [
                (item, f"{pointer}/oneOf/{index}") for index, item in enumerate(raw["oneOf"])
            ]
        else:
            nodes = [(raw, pointer)]
        found = []
        for index, (item, at) in enumerate(nodes):
            node = self.follow(Located(operation.file, at, item))
            value = node.value if isinstance(node.value, dict) else {}
            ref_name = _ref_target(item, "messages")
            message_id = value.get("messageId") or ref_name or value.get("name") or str(index)
            found.append((str(message_id), node))
        return found


def _ref_target(node: Any, collection: str) -> str | None:
    """The key a ``$ref`` names in ``collection`` (``#/channels/x`` -> ``x``)."""
    if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
        return None
    _, _, fragment = node["$ref"].partition("#")
    try:
        tokens = decode_pointer(fragment)
    except ValueError:
        return None
    for index in range(len(tokens) - 2, -1, -1):
        if tokens[index] == collection:
            return tokens[index + 1]
    return None

