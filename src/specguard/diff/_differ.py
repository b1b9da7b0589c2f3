"""The semantic walk: pairs up OpenAPI objects of two documents and records neutral changes.

Nothing here decides breaking vs safe. Each step knows the data-flow :class:`Direction`
(request or response, flipped inside webhooks and callbacks) and passes it on, so rules can
judge. Schema pairs are memoised per (old node, new node, direction): a shared component is
compared once, and recursion through ``$ref`` terminates (a pair being compared counts as
equal while we are inside it — coinduction).
"""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from specguard.diff._keywords import (
    HEADER_FIELDS,
    MEDIA_TYPE_FIELDS,
    OPERATION_FIELDS,
    PARAMETER_FIELDS,
    PATH_ITEM_FIELDS,
    REQUEST_BODY_FIELDS,
    RESPONSE_FIELDS,
    SCHEMA_KEYWORDS,
    SECURITY_SCHEME_FIELDS,
    Handling,
)
from specguard.diff._schema import compare_schemas, refs_within
from specguard.diff._walk import Node
from specguard.errors import SpecValidationError
from specguard.load import Spec
from specguard.model import (
    NO_FACTS,
    BodyFacts,
    Change,
    ChangeKind,
    Direction,
    Facts,
    FieldFacts,
    HeaderFacts,
    MediaFacts,
    Operation,
    OperationFacts,
    ParameterFacts,
    Part,
    ResponseFacts,
    SchemaFacts,
    SecurityFacts,
    Subject,
)
from specguard.vocabulary import HTTP_METHODS, PATH_PARAMETER

ADDED, REMOVED, CHANGED = ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED
REQ, RESP = Direction.REQUEST, Direction.RESPONSE

ChangeKey = tuple[Any, ...]
# First element of a link to a memoised schema pair inside a list of change keys.
PAIR = "\x00pair"

# Each level of schema nesting costs about three Python frames; with documents held to
# 256 levels (load.MAX_NESTING) this keeps well inside the recursion limit of 1000.
MAX_SCHEMA_DEPTH = 150


@dataclass(slots=True)
class Entry:
    """A change and the operations through which the differ reached it."""

    change: Change
    operations: set[Operation] = field(default_factory=set)
    # The (old, new) schema pair being compared when the change was found, for the judge.
    schema: tuple[Node, Node] | None = None


@dataclass(frozen=True, slots=True, eq=False)
class SchemaRoot:
    """A top-level schema pair (body, parameter, header) with the changes found under it."""

    old: Node
    new: Node
    direction: Direction
    kind: Part
    keys: tuple[ChangeKey, ...]
    operation: Operation


def _freeze(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def path_shape(path: str) -> str:
    """``/orders/{id}`` and ``/orders/{orderId}`` have the same shape: ``/orders/{}``."""
    return PATH_PARAMETER.sub("{}", path)


def _same_json(old: Any, new: Any) -> bytes | None:
    """A serialisation of two values that are the same JSON (None when they differ).

    Python's ``==`` (C speed) settles most pairs but counts ``true`` as ``1``: ``enum: [1]`` to
    ``enum: [true]`` is a change. ``marshal`` (C speed, no text) tells them apart, and ``1``
    from ``1.0`` or a new key order: those merely take the full comparison, which judges them.
    """
    if old != new:
        return None
    try:
        data = marshal.dumps(old)
        return data if old is new or data == marshal.dumps(new) else None
    except ValueError:  # not plain JSON data: compare in full
        return None


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("$ref"), str)


class Differ:
    """Compares two loaded specs; results in :attr:`entries` and :attr:`roots`."""

    def __init__(self, old: Spec, new: Spec) -> None:
        self.old_spec = old
        self.new_spec = new
        self.entries: dict[ChangeKey, Entry] = {}
        self.roots: list[SchemaRoot] = []
        self._memo: dict[ChangeKey, tuple[ChangeKey, ...]] = {}
        self._active: set[tuple[int, int, Direction]] = set()
        self._merged: dict[int, tuple[Any, dict[str, Any]]] = {}
        self._pairs: list[tuple[Node, Node]] = []
        # Operations whose old security names each scheme: a scheme change affects them.
        self._scheme_users: dict[str, set[Operation]] = {}

    # -- recording -----------------------------------------------------------------------

    def emit(
        self,
        subject: Subject,
        kind: ChangeKind,
        direction: Direction,
        old: Node | None,
        new: Node | None,
        old_value: Any = None,
        new_value: Any = None,
        facts: Facts = NO_FACTS,
    ) -> ChangeKey:
        old_loc = old.location if old is not None else None
        new_loc = new.location if new is not None else None
        key = (subject, kind, direction, old_loc, new_loc, _freeze(old_value), _freeze(new_value))
        if key not in self.entries:
            change = Change(
                subject=subject,
                kind=kind,
                direction=direction,
                old_location=old_loc,
                new_location=new_loc,
                old=old_value,
                new=new_value,
                facts=facts,
            )
            self.entries[key] = Entry(change, schema=self._pairs[-1] if self._pairs else None)
        return key

    def _attach(self, keys: Iterable[ChangeKey], operation: Operation) -> None:
        for key in self.expand(keys):
            self.entries[key].operations.add(operation)

    def expand(self, keys: Iterable[ChangeKey]) -> set[ChangeKey]:
        """Change keys reachable from ``keys``, following schema-pair links (cycles too)."""
        found: set[ChangeKey] = set()
        seen: set[ChangeKey] = set()
        stack = list(keys)
        while stack:
            key = stack.pop()
            if key[0] is PAIR:
                if key not in seen:
                    seen.add(key)
                    stack.extend(self._memo.get(key[1], ()))
            else:
                found.add(key)
        return found

    # -- document level ------------------------------------------------------------------

    def run(self) -> None:
        old = Node(self.old_spec, self.old_spec.root, "", self.old_spec.data)
        new = Node(self.new_spec, self.new_spec.root, "", self.new_spec.data)
        global_security = (old.child("security"), new.child("security"))
        bases = (_base_path(old.get("servers")), _base_path(new.get("servers")))
        moved = self._diff_path_map(old.child("paths"), new.child("paths"), False,
                                    global_security, bases)
        self._diff_path_map(old.child("webhooks"), new.child("webhooks"), True, global_security)
        self._diff_security_schemes(
            old.child("components", "securitySchemes"), new.child("components", "securitySchemes")
        )
        old_servers = _servers_wire(old.get("servers"))
        new_servers = _servers_wire(new.get("servers"))
        if moved and _freeze(_origins(old_servers)) == _freeze(_origins(new_servers)):
            # The base path moved between the servers and the paths; every URL is the same.
            return
        if _freeze(old_servers) == _freeze(new_servers):
            return
        if isinstance(old_servers, list) and isinstance(new_servers, list) and old_servers:
            kept = {_freeze(server) for server in old_servers}
            if kept <= {_freeze(server) for server in new_servers}:
                # every old server is still listed: only additions
                for index, server in enumerate(new_servers):
                    if _freeze(server) not in kept and isinstance(server, dict):
                        self.emit(Subject.SERVERS, ADDED, Direction.NONE, None,
                                  new.child("servers", index), None, server.get("url"))
                return
        self.emit(Subject.SERVERS, CHANGED, Direction.NONE, old.child("servers"),
                  new.child("servers"), old.get("servers"), new.get("servers"))

    def _diff_path_map(
        self, old: Node, new: Node, webhooks: bool, security: tuple[Any, Any],
        bases: tuple[str | None, str | None] = ("", ""),
    ) -> bool:
        """Compare two path (or webhook) maps; True when paths paired only through the
        servers' base paths (``servers: /v1`` + ``/items`` ≡ ``/v1/items``)."""
        old_paths = old.mapping()
        new_paths = new.mapping()
        moved = False
        if webhooks:
            pairs = [(name, name) for name in old_paths if name in new_paths]
            only_old = [name for name in old_paths if name not in new_paths]
            only_new = [name for name in new_paths if name not in old_paths]
        else:
            old_base, new_base = bases
            if old_base is not None and new_base is not None and old_base != new_base:
                # Match on the effective URL template first; whatever does not pair that
                # way falls back to the path names (a base path bump, reported as servers).
                by_name = _match_paths(old_paths, new_paths)
                by_url = _match_paths({old_base + name: None for name in old_paths},
                                      {new_base + name: None for name in new_paths})
                moved = len(by_url[0]) > len(by_name[0])
                if moved:
                    pairs = [(o[len(old_base):], n[len(new_base):]) for o, n in by_url[0]]
                    only_old = [name[len(old_base):] for name in by_url[1]]
                    only_new = [name[len(new_base):] for name in by_url[2]]
                else:
                    pairs, only_old, only_new = by_name
            else:
                pairs, only_old, only_new = _match_paths(old_paths, new_paths)
        for name in only_old:
            item = old.child(name).deref()
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    op = _operation(method, name, webhooks)
                    removed = item.child(method)
                    key = self.emit(Subject.OPERATION, REMOVED, Direction.NONE, removed, None,
                                    facts=OperationFacts(deprecated=bool(removed.get("deprecated")),
                                                         sunset=removed.get("x-sunset")))
                    self._attach([key], op)
        for name in only_new:
            item = new.child(name).deref()
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    op = _operation(method, name, webhooks)
                    added = item.child(method)
                    key = self.emit(Subject.OPERATION, ADDED, Direction.NONE, None, added,
                                    facts=OperationFacts(stability=added.get("x-stability-level")))
                    self._attach([key], op)
        for old_name, new_name in pairs:
            self._diff_path_item(
                old.child(old_name).deref(), new.child(new_name).deref(),
                old_name, new_name, webhooks, security,
            )
        return moved

    def _diff_path_item(
        self, old: Node, new: Node, old_name: str, new_name: str, flipped: bool,
        security: tuple[Any, Any], parent: Operation | None = None,
    ) -> None:
        for method in HTTP_METHODS:
            # Some specs (DigitalOcean) put a $ref where an operation object belongs.
            old_op, new_op = old.child(method).deref(), new.child(method).deref()
            if parent is None:
                op = _operation(method, new_name, flipped)
            else:
                op = Operation(method, f"{parent.path} callback {new_name}")
            if isinstance(old_op.value, dict) and not isinstance(new_op.value, dict):
                key = self.emit(Subject.OPERATION, REMOVED, Direction.NONE, old_op, None,
                                facts=OperationFacts(deprecated=bool(old_op.get("deprecated")),
                                                     sunset=old_op.get("x-sunset")))
                self._attach([key], op)
            elif isinstance(new_op.value, dict) and not isinstance(old_op.value, dict):
                key = self.emit(Subject.OPERATION, ADDED, Direction.NONE, None, new_op,
                                facts=OperationFacts(stability=new_op.get("x-stability-level")))
                self._attach([key], op)
            elif isinstance(old_op.value, dict):
                keys = self._diff_operation(
                    old, new, old_op, new_op, old_name, new_name, flipped, security, op
                )
                self._attach(keys, op)
        keys = self._catch_all(old, new, PATH_ITEM_FIELDS, "path-item", Direction.NONE)
        for method in HTTP_METHODS:
            if isinstance(new.get(method), dict):
                self._attach(keys, Operation(method, new_name))

    # -- operations ----------------------------------------------------------------------

    def _diff_operation(
        self, old_item: Node, new_item: Node, old: Node, new: Node, old_path: str,
        new_path: str, flipped: bool, security: tuple[Any, Any], op: Operation,
    ) -> list[ChangeKey]:
        request = RESP if flipped else REQ
        response = REQ if flipped else RESP
        keys: list[ChangeKey] = []
        old_dep, new_dep = bool(old.get("deprecated")), bool(new.get("deprecated"))
        stability = new.get("x-stability-level")
        if old_dep != new_dep:
            keys.append(self.emit(Subject.OPERATION_DEPRECATED, CHANGED, Direction.NONE,
                                  old.child("deprecated"), new.child("deprecated"),
                                  old_dep, new_dep,
                                  facts=OperationFacts(sunset=new.get("x-sunset"),
                                                       stability=stability)))
        for extension in ("x-sunset", "x-stability-level"):  # lifecycle (oasdiff's convention)
            if _freeze(old.get(extension)) != _freeze(new.get(extension)):
                keys.append(self.emit(Subject(f"operation.{extension}"), CHANGED, Direction.NONE,
                                      old.child(extension), new.child(extension),
                                      old.get(extension), new.get(extension),
                                      facts=OperationFacts(deprecated=new_dep,
                                                           was_deprecated=old_dep,
                                                           stability=stability)))
        if old.get("operationId") != new.get("operationId"):
            keys.append(self.emit(Subject.OPERATION_OPERATION_ID, CHANGED, Direction.NONE,
                                  old.child("operationId"), new.child("operationId"),
                                  old.get("operationId"), new.get("operationId")))
        keys += self._diff_parameters(old_item, new_item, old, new, old_path, new_path,
                                      request, op)
        keys += self._diff_request_body(old.child("requestBody"), new.child("requestBody"),
                                        request, op)
        keys += self._diff_responses(old.child("responses"), new.child("responses"),
                                     response, op)
        # Inherited global security is one node, so its change is one finding for every
        # operation that inherits it (callbacks inherit nothing: security is (None, None)).
        old_sec = old.child("security") if "security" in old.mapping() else security[0]
        new_sec = new.child("security") if "security" in new.mapping() else security[1]
        old_sec, new_sec = old_sec or old.child("security"), new_sec or new.child("security")
        for requirement in _requirements(old_sec.value):
            for scheme in requirement:
                self._scheme_users.setdefault(scheme, set()).add(op)
        keys += self._diff_security(old_sec, new_sec)
        old_cbs, new_cbs = old.child("callbacks").deref(), new.child("callbacks").deref()
        for name in old_cbs.mapping().keys() | new_cbs.mapping().keys():
            old_cb, new_cb = old_cbs.child(name).deref(), new_cbs.child(name).deref()
            for expression in old_cb.mapping().keys() | new_cb.mapping().keys():
                self._diff_path_item(
                    old_cb.child(expression).deref(), new_cb.child(expression).deref(),
                    expression, expression, not flipped, (None, None), parent=op,
                )
        keys += self._catch_all(old, new, OPERATION_FIELDS, "operation", Direction.NONE)
        return keys

    def _diff_parameters(
        self, old_item: Node, new_item: Node, old: Node, new: Node, old_path: str,
        new_path: str, direction: Direction, op: Operation,
    ) -> list[ChangeKey]:
        old_params = _effective_parameters(old_item, old, old_path)
        new_params = _effective_parameters(new_item, new, new_path)
        keys: list[ChangeKey] = []
        removed = {k: v for k, v in old_params.items() if k not in new_params}
        added = {k: v for k, v in new_params.items() if k not in old_params}
        # A parameter that left one location for another is one change, not two.
        for key, node in list(removed.items()):
            name = str(node.get("name")).lower()
            target_key = next((k for k, v in added.items() if k[0] != "path" and key[0] != "path"
                               and str(v.get("name")).lower() == name), None)
            if target_key is None:
                continue
            target = added.pop(target_key)
            del removed[key]
            keys.append(self.emit(Subject.PARAMETER_IN, CHANGED, direction, node, target,
                                  node.get("in"), target.get("in"),
                                  facts=ParameterFacts(name=node.get("name"),
                                                       required=bool(target.get("required")))))
        for node in removed.values():
            keys.append(self.emit(Subject.PARAMETER, REMOVED, direction, node, None,
                                  facts=ParameterFacts(name=node.get("name"),
                                                       location=node.get("in"),
                                                       required=bool(node.get("required")),
                                                       deprecated=bool(node.get("deprecated")),
                                                       sunset=node.get("x-sunset"))))
        for node in added.values():
            keys.append(self.emit(Subject.PARAMETER, ADDED, direction, None, node,
                                  facts=ParameterFacts(name=node.get("name"),
                                                       location=node.get("in"),
                                                       required=bool(node.get("required")))))
        for key in old_params.keys() & new_params.keys():
            keys += self._diff_parameter(old_params[key], new_params[key], direction, op,
                                         new.get("x-stability-level"))
        return keys

    def _diff_parameter(
        self, old: Node, new: Node, direction: Direction, op: Operation, stability: Any = None
    ) -> list[ChangeKey]:
        name = new.get("name")
        where = new.get("in")
        facts = ParameterFacts(name=name, location=where)
        keys: list[ChangeKey] = []
        old_req, new_req = bool(old.get("required")), bool(new.get("required"))
        if old_req != new_req:
            keys.append(self.emit(Subject.PARAMETER_REQUIRED, CHANGED, direction,
                                  old.child("required"),
                                  new.child("required"), old_req, new_req, facts=facts))
        if where == "path" and old.get("name") != name:
            keys.append(self.emit(Subject.PARAMETER_NAME, CHANGED, Direction.NONE,
                                  old.child("name"),
                                  new.child("name"), old.get("name"), name, facts=facts))
        for attr in ("style", "explode"):
            old_v, new_v = _style(old, attr), _style(new, attr)
            if old_v != new_v:
                keys.append(self.emit(Subject(f"parameter.{attr}"), CHANGED, direction,
                                      old.child(attr),
                                      new.child(attr), old_v, new_v, facts=facts))
        for flag in ("allowReserved", "allowEmptyValue"):
            # Both default to false: an explicit false is no change.
            old_f, new_f = old.get(flag) is True, new.get(flag) is True
            if old_f != new_f:
                keys.append(self.emit(Subject(f"parameter.{flag}"), ADDED if new_f else REMOVED,
                                      direction, old.child(flag), new.child(flag), old_f, new_f,
                                      facts=facts))
        old_dep, new_dep = bool(old.get("deprecated")), bool(new.get("deprecated"))
        if old_dep != new_dep:
            keys.append(self.emit(Subject.PARAMETER_DEPRECATED, CHANGED, direction,
                                  old.child("deprecated"), new.child("deprecated"),
                                  old_dep, new_dep, facts=replace(
                                      facts, sunset=new.get("x-sunset"), stability=stability)))
        if _freeze(old.get("x-sunset")) != _freeze(new.get("x-sunset")):
            keys.append(self.emit(Subject.PARAMETER_X_SUNSET, CHANGED, direction,
                                  old.child("x-sunset"),
                                  new.child("x-sunset"), old.get("x-sunset"),
                                  new.get("x-sunset"), facts=replace(
                                      facts, deprecated=new_dep, was_deprecated=old_dep,
                                      stability=stability)))
        keys += self._diff_schema_root(old.child("schema"), new.child("schema"), direction,
                                       Part.PARAMETER, op)
        keys += self._diff_content(old.child("content"), new.child("content"), direction, op,
                                   Part.PARAMETER, required=True)
        keys += self._catch_all(old, new, PARAMETER_FIELDS, "parameter", direction)
        return keys

    def _diff_request_body(
        self, old: Node, new: Node, direction: Direction, op: Operation
    ) -> list[ChangeKey]:
        old, new = old.deref(), new.deref()
        if old.value is None and new.value is None:
            return []
        if old.value is None:
            return [self.emit(Subject.REQUEST_BODY, ADDED, direction, None, new,
                              facts=BodyFacts(required=bool(new.get("required"))))]
        if new.value is None:
            return [self.emit(Subject.REQUEST_BODY, REMOVED, direction, old, None)]
        keys: list[ChangeKey] = []
        old_req, new_req = bool(old.get("required")), bool(new.get("required"))
        if old_req != new_req:
            keys.append(self.emit(Subject.REQUEST_BODY_REQUIRED, CHANGED, direction,
                                  old.child("required"), new.child("required"), old_req, new_req))
        keys += self._diff_content(old.child("content"), new.child("content"), direction, op,
                                   Part.BODY, required=old_req)
        keys += self._catch_all(old, new, REQUEST_BODY_FIELDS, "request-body", direction)
        return keys

    def _diff_content(
        self, old: Node, new: Node, direction: Direction, op: Operation, kind: Part,
        required: bool,
    ) -> list[ChangeKey]:
        old_media = {k.lower(): k for k in old.mapping()}
        new_media = {k.lower(): k for k in new.mapping()}
        keys: list[ChangeKey] = []
        for media in old_media.keys() - new_media.keys():
            keys.append(self.emit(Subject.MEDIA_TYPE, REMOVED, direction,
                                  old.child(old_media[media]),
                                  None,
                                  facts=MediaFacts(media=media, remaining=len(new_media),
                                                   part=kind)))
        for media in new_media.keys() - old_media.keys():
            keys.append(self.emit(Subject.MEDIA_TYPE, ADDED, direction, None,
                                  new.child(new_media[media]),
                                  facts=MediaFacts(media=media, previous=len(old_media),
                                                   part=kind)))
        for media in old_media.keys() & new_media.keys():
            old_mt, new_mt = old.child(old_media[media]), new.child(new_media[media])
            keys += self._diff_schema_root(old_mt.child("schema"), new_mt.child("schema"),
                                           direction, kind, op)
            keys += self._diff_encoding(old_mt, new_mt, direction)
            keys += self._catch_all(old_mt, new_mt, MEDIA_TYPE_FIELDS, "media-type", direction)
        return keys

    def _diff_encoding(self, old: Node, new: Node, direction: Direction) -> list[ChangeKey]:
        """Encoding entries of a media type, one change per property, annotations aside.

        Whether the property is in the old and the new schema of the media type is recorded:
        an entry that arrives (or leaves) with its property describes that property only.
        """
        old_enc, new_enc = old.child("encoding"), new.child("encoding")
        old_map, new_map = old_enc.mapping(), new_enc.mapping()
        keys: list[ChangeKey] = []
        old_props: set[str] | None = None
        new_props: set[str] | None = None
        for name in sorted(old_map.keys() | new_map.keys()):
            old_v, new_v = old_map.get(name), new_map.get(name)
            if _freeze(_encoding_wire(old_v)) == _freeze(_encoding_wire(new_v)):
                continue
            if old_props is None or new_props is None:
                old_props = declared_properties(old.child("schema"))
                new_props = declared_properties(new.child("schema"))
            kind = ADDED if name not in old_map else REMOVED if name not in new_map else CHANGED
            keys.append(self.emit(
                Subject.MEDIA_TYPE_ENCODING, kind, direction,
                old_enc.child(name) if name in old_map else None,
                new_enc.child(name) if name in new_map else None,
                old_v, new_v,
                                  facts=MediaFacts(property=name, in_old_schema=name in old_props,
                                                   in_new_schema=name in new_props),
            ))
        return keys

    def _diff_responses(
        self, old: Node, new: Node, direction: Direction, op: Operation
    ) -> list[ChangeKey]:
        old_codes = {str(k).upper(): str(k) for k in old.mapping() if not str(k).startswith("x-")}
        new_codes = {str(k).upper(): str(k) for k in new.mapping() if not str(k).startswith("x-")}
        keys: list[ChangeKey] = []
        pairs = [(code, code) for code in old_codes.keys() & new_codes.keys()]
        # `default` as the only success response replaced by one 2xx (or the other way round):
        # the same response under another status; compare it, do not remove and add it
        old_2xx = [c for c in old_codes if c.startswith("2")]
        new_2xx = [c for c in new_codes if c.startswith("2")]
        renamed = None
        if "DEFAULT" in old_codes and "DEFAULT" not in new_codes and not old_2xx and (
                len(new_2xx) == 1):
            renamed = ("DEFAULT", new_2xx[0])
        elif "DEFAULT" in new_codes and "DEFAULT" not in old_codes and not new_2xx and (
                len(old_2xx) == 1):
            renamed = (old_2xx[0], "DEFAULT")
        if renamed is not None:
            pairs.append(renamed)
            old_codes_left = old_codes.keys() - {renamed[0]}
            new_codes_left = new_codes.keys() - {renamed[1]}
        else:
            old_codes_left, new_codes_left = set(old_codes), set(new_codes)
        # success statuses old clients already handled that the new spec still documents
        kept = sorted(c for c in old_codes.keys() & new_codes.keys() if c.startswith("2"))
        for code in old_codes_left - new_codes.keys():
            keys.append(self.emit(Subject.RESPONSE, REMOVED, direction, old.child(old_codes[code]),
                                  None, facts=ResponseFacts(status=code, success_kept=tuple(kept))))
        for code in new_codes_left - old_codes.keys():
            keys.append(self.emit(Subject.RESPONSE, ADDED, direction, None,
                                  new.child(new_codes[code]), facts=ResponseFacts(status=code)))
        for old_code, new_code in pairs:
            old_r = old.child(old_codes[old_code]).deref()
            new_r = new.child(new_codes[new_code]).deref()
            keys += self._diff_content(old_r.child("content"), new_r.child("content"),
                                       direction, op, Part.BODY, required=True)
            keys += self._diff_headers(old_r.child("headers"), new_r.child("headers"),
                                       direction, op, new_code)
            keys += self._catch_all(old_r, new_r, RESPONSE_FIELDS, "response", direction)
        return keys

    def _diff_headers(
        self, old: Node, new: Node, direction: Direction, op: Operation, status: str
    ) -> list[ChangeKey]:
        old_h = {k.lower(): k for k in old.mapping()}
        new_h = {k.lower(): k for k in new.mapping()}
        # Content-Type in a response headers map is ignored by OpenAPI itself.
        old_h.pop("content-type", None)
        new_h.pop("content-type", None)
        keys: list[ChangeKey] = []
        for name in old_h.keys() - new_h.keys():
            node = old.child(old_h[name]).deref()
            keys.append(self.emit(Subject.HEADER, REMOVED, direction, node, None,
                                  facts=HeaderFacts(name=old_h[name],
                                                    required=bool(node.get("required")),
                                                    status=status)))
        for name in new_h.keys() - old_h.keys():
            node = new.child(new_h[name]).deref()
            keys.append(self.emit(Subject.HEADER, ADDED, direction, None, node,
                                  facts=HeaderFacts(name=new_h[name],
                                                    required=bool(node.get("required")),
                                                    status=status)))
        for name in old_h.keys() & new_h.keys():
            old_n, new_n = old.child(old_h[name]).deref(), new.child(new_h[name]).deref()
            old_req, new_req = bool(old_n.get("required")), bool(new_n.get("required"))
            if old_req != new_req:
                keys.append(self.emit(Subject.HEADER_REQUIRED, CHANGED, direction,
                                      old_n.child("required"), new_n.child("required"),
                                      old_req, new_req,
                                      facts=HeaderFacts(name=new_h[name], status=status)))
            for attr, default in (("style", "simple"), ("explode", False)):
                # No dedicated rule, but a header serialised differently must not be dropped.
                if old_n.get(attr, default) != new_n.get(attr, default):
                    keys.append(self.emit(Subject.UNCLASSIFIED, CHANGED, direction,
                                          old_n.child(attr),
                                          new_n.child(attr), old_n.get(attr, default),
                                          new_n.get(attr, default),
                                          facts=FieldFacts(object="header", field=attr)))
            keys += self._diff_schema_root(old_n.child("schema"), new_n.child("schema"),
                                           direction, Part.HEADER, op)
            keys += self._diff_content(old_n.child("content"), new_n.child("content"),
                                       direction, op, Part.HEADER, required=True)
            keys += self._catch_all(old_n, new_n, HEADER_FIELDS, "header", direction)
        return keys

    # -- security ------------------------------------------------------------------------

    def _diff_security(self, old_loc: Node, new_loc: Node) -> list[ChangeKey]:
        old_reqs = _requirements(old_loc.value)
        new_reqs = _requirements(new_loc.value)
        if old_reqs == new_reqs:
            return []
        keys: list[ChangeKey] = []
        anonymous_before = not old_reqs or frozenset() in {frozenset(r) for r in old_reqs}
        old_sets = {frozenset(r): r for r in old_reqs}
        new_sets = {frozenset(r): r for r in new_reqs}
        extending: set[frozenset[str]] = set()
        for schemes in old_sets.keys() - new_sets.keys():
            # Still satisfied when a new requirement asks for a subset of its schemes ({} is
            # the empty subset: anonymous access): clients sending the old credentials pass.
            covered = any(other <= schemes for other in new_sets)
            # {a} -> {a, b}: the same requirement now also asks for b (AND), one change
            wider = sorted((other for other in new_sets.keys() - old_sets.keys()
                            if schemes < other), key=sorted)
            extended_by = sorted(wider[0] - schemes) if wider and not covered else []
            if extended_by:
                extending.add(wider[0])
            keys.append(self.emit(Subject.SECURITY_REQUIREMENT, REMOVED, REQ, old_loc, new_loc,
                                  sorted(schemes), None,
                                  facts=SecurityFacts(remaining=len(new_reqs), covered=covered,
                                                      extended_by=tuple(extended_by))))
        for schemes in new_sets.keys() - old_sets.keys():
            keys.append(self.emit(Subject.SECURITY_REQUIREMENT, ADDED, REQ, old_loc, new_loc,
                                  None, sorted(schemes),
                                  facts=SecurityFacts(anonymous_before=anonymous_before,
                                                      previous=len(old_reqs),
                                                      extends=schemes in extending)))
        for schemes in old_sets.keys() & new_sets.keys():
            for scheme in schemes:
                old_scopes = set(old_sets[schemes][scheme])
                new_scopes = set(new_sets[schemes][scheme])
                if old_scopes != new_scopes:
                    keys.append(self.emit(Subject.SECURITY_SCOPES, CHANGED, REQ, old_loc, new_loc,
                                          sorted(old_scopes), sorted(new_scopes),
                                          facts=SecurityFacts(
                                              scheme=scheme,
                                              added=tuple(sorted(new_scopes - old_scopes)),
                                              removed=tuple(sorted(old_scopes - new_scopes)))))
        return keys

    def _diff_security_schemes(self, old: Node, new: Node) -> None:
        for name in old.mapping().keys() & new.mapping().keys():
            old_s, new_s = old.child(name).deref(), new.child(name).deref()
            for field_name, handling in SECURITY_SCHEME_FIELDS.items():
                if handling is Handling.JUDGED and _freeze(old_s.get(field_name)) != _freeze(
                    new_s.get(field_name)
                ):
                    key = self.emit(Subject.SECURITY_SCHEME, CHANGED, REQ, old_s.child(field_name),
                                    new_s.child(field_name), old_s.get(field_name),
                                    new_s.get(field_name),
                                    facts=SecurityFacts(scheme=name, field=field_name))
                    for user in self._scheme_users.get(name, ()):
                        self._attach([key], user)
        for name in old.mapping().keys() - new.mapping().keys():
            key = self.emit(Subject.SECURITY_SCHEME, REMOVED, REQ, old.child(name), None,
                            facts=SecurityFacts(scheme=name))
            for user in self._scheme_users.get(name, ()):
                self._attach([key], user)

    # -- schemas -------------------------------------------------------------------------

    def _diff_schema_root(
        self, old: Node, new: Node, direction: Direction, kind: Part, op: Operation
    ) -> list[ChangeKey]:
        if old.value is None and new.value is None:
            return []
        if old.value is None or new.value is None:
            kind_of = ADDED if old.value is None else REMOVED
            present = new if new.value is not None else old
            return [self.emit(Subject.SCHEMA, kind_of, direction, old if old.value is not None
                              else None, new if new.value is not None else None,
                              facts=SchemaFacts(part=kind,
                                                unconstrained=_unconstrained(present.value)))]
        keys = self.diff_schema(old, new, direction)
        self.roots.append(SchemaRoot(old, new, direction, kind, keys, op))
        return list(keys)

    def diff_schema(self, old: Node, new: Node, direction: Direction) -> tuple[ChangeKey, ...]:
        """Compare two schemas in a direction; returns a link to the compared pair."""
        old, new = self._resolve_schema(old), self._resolve_schema(new)
        memo_key = (id(old.value), id(new.value), direction)
        # A schema pair is a node of a graph: its result holds its own changes and links to
        # the pairs below. Returning a link (not the expanded keys) keeps shared, recursive
        # components linear: each pair is compared once, each link followed once per user.
        link = (PAIR, memo_key)
        if memo_key in self._memo or memo_key in self._active:
            return (link,)
        if len(self._pairs) >= MAX_SCHEMA_DEPTH:
            # Stop with a located error long before a RecursionError (real specs nest
            # ~25 schema levels deep).
            pointer = new.pointer if len(new.pointer) < 200 else f"{new.pointer[:160]}..."
            raise SpecValidationError(
                f"schemas nested more than {MAX_SCHEMA_DEPTH} levels deep",
                file=new.file.name,
                line=new.file.line(new.pointer),
                pointer=pointer or "/",
                hint="specguard compares up to that depth; flatten with $ref components",
            )
        self._active.add(memo_key)
        self._pairs.append((old, new))
        try:
            same = _same_json(old.value, new.value)
            if same is not None:
                # Same JSON: only what the refs inside point to can differ.
                result = tuple(
                    key for old_ref, new_ref, flip in refs_within(old, new, direction, same)
                    for key in self.diff_schema(old_ref, new_ref, flip)
                )
            else:
                result = tuple(compare_schemas(self, old, new, direction))
        finally:
            self._pairs.pop()
            self._active.discard(memo_key)
        self._memo[memo_key] = result
        return (link,)

    def _resolve_schema(self, node: Node) -> Node:
        """Follow a ``$ref``; in 3.1 lay sibling keywords over the target.

        The merged mapping is cached per source node so that its identity (used as a memo
        key) stays stable and it is not garbage-collected while the memo refers to it.
        """
        value = node.value
        if not _is_ref(value):
            return node
        target = node.deref()
        siblings = {k: v for k, v in value.items()
                    if k != "$ref" and SCHEMA_KEYWORDS.get(k) is not Handling.ANNOTATION}
        if not siblings or not isinstance(target.value, dict):
            return target
        cached = self._merged.get(id(value))
        if cached is None:
            merged = dict(target.value)
            merged.update(siblings)
            cached = self._merged[id(value)] = (value, merged)
        return Node(target.spec, target.file, target.pointer, cached[1])

    # -- catch-all -----------------------------------------------------------------------

    def _catch_all(
        self, old: Node, new: Node, table: dict[str, Handling], obj: str, direction: Direction
    ) -> list[ChangeKey]:
        keys: list[ChangeKey] = []
        old_map, new_map = old.mapping(), new.mapping()
        for name in old_map.keys() | new_map.keys():
            handling = table.get(name)
            if handling is Handling.JUDGED or handling is Handling.ANNOTATION:
                continue
            if name.startswith("x-"):
                continue
            old_v, new_v = old_map.get(name), new_map.get(name)
            wire = _servers_wire if name == "servers" else _same
            if _freeze(wire(old_v)) != _freeze(wire(new_v)):
                keys.append(self.emit(Subject.UNCLASSIFIED, CHANGED, direction, old.child(name),
                                      new.child(name), old_v, new_v,
                                      facts=FieldFacts(object=obj, field=name)))
        return keys


# Fields of the objects compared as whole values that only document them. Servers and
# encodings are otherwise compared as they are: any other change matters to a client.
_SERVER_NOTES = frozenset({"description"})
_SERVER_VARIABLE_NOTES = frozenset({"description"})
_HEADER_NOTES = frozenset(k for k, h in HEADER_FIELDS.items() if h is Handling.ANNOTATION)
_SCHEMA_NOTES = frozenset(k for k, h in SCHEMA_KEYWORDS.items() if h is Handling.ANNOTATION)


def _same(value: Any) -> Any:
    return value


def _without(value: Any, notes: frozenset[str]) -> Any:
    """A mapping without its annotation fields and ``x-`` extensions (other values as they are)."""
    if not isinstance(value, dict):
        return value
    return {k: v for k, v in value.items()
            if k not in notes and not (isinstance(k, str) and k.startswith("x-"))}


def _servers_wire(servers: Any) -> Any:
    """A servers list as a client uses it: URLs and variables, without descriptions."""
    if not isinstance(servers, list):
        return servers
    result = []
    for server in servers:
        wire = _without(server, _SERVER_NOTES)
        if isinstance(wire, dict) and isinstance(wire.get("variables"), dict):
            wire["variables"] = {name: _without(variable, _SERVER_VARIABLE_NOTES)
                                 for name, variable in wire["variables"].items()}
        result.append(wire)
    return result


def _unconstrained(schema: Any) -> bool:
    """``true``, ``{}``, only annotations, or a binary string (a body of raw bytes, which any
    payload is): the same as no schema at all."""
    if schema is True:
        return True
    if not isinstance(schema, dict):
        return False
    rest = {key for key in schema if SCHEMA_KEYWORDS.get(key) is not Handling.ANNOTATION
            and not str(key).startswith("x-")}
    if rest == {"type", "format"}:
        return bool(schema["type"] == "string" and schema["format"] == "binary")
    return not rest


def _server_path(url: str, variables: Any) -> str:
    """The path part of a server URL, with variables at their defaults (no trailing slash)."""
    if isinstance(variables, dict):
        for name, variable in variables.items():
            if isinstance(variable, dict) and isinstance(variable.get("default"), str):
                url = url.replace("{" + str(name) + "}", variable["default"])
    if "://" in url:
        rest = url.split("://", 1)[1]
        url = rest[rest.index("/"):] if "/" in rest else ""
    elif url.startswith("//"):
        rest = url[2:]
        url = rest[rest.index("/"):] if "/" in rest else ""
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/")


def _base_path(servers: Any) -> str | None:
    """The base path every server shares ("" without servers); None when they disagree."""
    if not isinstance(servers, list) or not servers:
        return ""
    found = {
        _server_path(server["url"], server.get("variables"))
        for server in servers
        if isinstance(server, dict) and isinstance(server.get("url"), str)
    }
    return found.pop() if len(found) == 1 else None


def _origins(servers: Any) -> Any:
    """Servers without their URL paths: what stays when a base path moves into the paths."""
    if not isinstance(servers, list):
        return servers
    result = []
    for server in servers:
        if isinstance(server, dict) and isinstance(server.get("url"), str):
            url = server["url"].rstrip("/")
            path = _server_path(url, None)
            origin = url[: len(url) - len(path)] if path and url.endswith(path) else url
            server = {**server, "url": origin}
            if isinstance(server.get("variables"), dict):
                # a variable of the moved path (`{version}`) goes with it
                server["variables"] = {name: variable for name, variable
                                       in server["variables"].items()
                                       if "{" + str(name) + "}" in origin}
        result.append(server)
    return result


def _encoding_wire(encoding: Any) -> Any:
    """An Encoding Object as it shapes the request, without descriptions and examples."""
    wire = _without(encoding, frozenset())
    if isinstance(wire, dict) and isinstance(wire.get("headers"), dict):
        headers = {}
        for name, header in wire["headers"].items():
            header = _without(header, _HEADER_NOTES)
            if isinstance(header, dict) and "schema" in header:
                header["schema"] = _without(header["schema"], _SCHEMA_NOTES)
            headers[str(name).lower()] = header
        wire["headers"] = headers
    return wire


def declared_properties(schema: Node) -> set[str]:
    """Property names a schema declares, also in its allOf/anyOf/oneOf branches.

    Broad on purpose: a name found in any branch counts as existing, so its encoding entry
    keeps being judged.
    """
    names: set[str] = set()
    seen: set[tuple[str, str]] = set()  # branches may lead back through $ref
    stack = [schema]
    while stack:
        node = stack.pop().deref()
        if (node.file.key, node.pointer) in seen:
            continue
        seen.add((node.file.key, node.pointer))
        properties = node.get("properties")
        if isinstance(properties, dict):
            names.update(str(k) for k in properties)
        for keyword in ("allOf", "anyOf", "oneOf"):
            stack += [node.child(keyword, i) for i in range(len(node.child(keyword).items()))]
    return names


def _operation(method: str, path: str, webhook: bool) -> Operation:
    return Operation(method, f"webhook {path}" if webhook else path)


def _match_paths(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Pair paths by exact name first, then by shape (parameter names ignored)."""
    pairs = [(name, name) for name in old if name in new]
    rest_old = [name for name in old if name not in new and not name.startswith("x-")]
    rest_new = {name for name in new if name not in old and not name.startswith("x-")}
    by_shape: dict[str, list[str]] = {}
    for name in sorted(rest_new):
        by_shape.setdefault(path_shape(name), []).append(name)
    only_old: list[str] = []
    for name in rest_old:
        candidates = by_shape.get(path_shape(name))
        if candidates:
            match = candidates.pop(0)
            rest_new.discard(match)
            pairs.append((name, match))
        else:
            only_old.append(name)
    return pairs, only_old, [name for name in new if name in rest_new]


def _effective_parameters(item: Node, op: Node, path: str) -> dict[tuple[str, str], Node]:
    """Path-level parameters merged with the operation's (which win), keyed by in + name.

    Header names are case-insensitive; path parameters are keyed by their position in the
    template so that renaming ``{id}`` to ``{orderId}`` is not a removal plus an addition.
    """
    positions = {name: str(i) for i, name in enumerate(re.findall(r"\{([^}/]*)\}", path))}
    result: dict[tuple[str, str], Node] = {}
    for source in (item.child("parameters"), op.child("parameters")):
        for index in range(len(source.items())):
            param = source.child(index).deref()
            name, where = param.get("name"), param.get("in")
            if not isinstance(name, str) or not isinstance(where, str):
                continue
            if where == "header":
                key = (where, name.lower())
            elif where == "path":
                key = (where, positions.get(name, name))
            else:
                key = (where, name)
            result[key] = param
    return result


_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def _style(param: Node, attr: str) -> Any:
    where = param.get("in")
    style = param.get("style", _DEFAULT_STYLE.get(str(where), "form"))
    if attr == "style":
        return style
    return param.get("explode", style == "form")


def _requirements(security: Any) -> list[dict[str, list[str]]]:
    if not isinstance(security, list):
        return []
    result = []
    for requirement in security:
        if isinstance(requirement, dict):
            result.append({str(k): [str(s) for s in v] if isinstance(v, list) else []
                           for k, v in requirement.items()})
    return result
