"""The service inventory: which services exist, where their contracts live, who calls whom and
which event channels each sends and receives.

One model for every reader: the gate (``specguard check``: which contracts to compare, consumer
impact) and lint (``specguard lint``: boundary rules) both parse ``service-inventory.json``
here, with one JSON Schema, so they cannot disagree about what a valid inventory is. The format
is documented in ``specs/README.md``. Imports: ``load``, ``errors``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from specguard.errors import ConfigError, SpecguardError
from specguard.load import SourceFile, encode_token, parse_bytes

__all__ = [
    "INVENTORY_SCHEMA",
    "Inventory",
    "Role",
    "ServiceEntry",
    "build_inventory",
    "load_inventory",
    "parse_inventory",
]


class Role(str, enum.Enum):
    """What a service is for.

    ``gateway`` only routes and owns no data; ``public`` serves callers outside the inventory
    (so a break is never downgraded for want of a known consumer); ``service`` is the default.
    """

    GATEWAY = "gateway"
    PUBLIC = "public"
    SERVICE = "service"

    @property
    def public(self) -> bool:
        """Whether callers outside the inventory use this service."""
        return self is not Role.SERVICE


# The shape of the inventory. Unknown keys are allowed, so newer inventories still read with
# older specguard versions; unknown *values* of known keys (a role) are refused.
_NAME = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
INVENTORY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["services"],
    "properties": {
        "version": {"const": 1},
        "services": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": _NAME,
                    "role": {"enum": [role.value for role in Role]},
                    "spec": {"type": "string", "minLength": 1},
                    "asyncapi": {"type": "string", "minLength": 1},
                    "owns": _STRINGS,
                    "mayCall": {"type": "array", "items": _NAME},
                    "consumes": {
                        "type": "object",
                        "propertyNames": _NAME,
                        "additionalProperties": _STRINGS,
                    },
                    "publishes": _STRINGS,
                    "subscribes": _STRINGS,
                    "sends": _STRINGS,
                    "receives": _STRINGS,
                    "mustNot": _STRINGS,
                    "releaseRules": _STRINGS,
                },
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """One service of the inventory; ``pointer`` locates it in the inventory file.

    ``spec`` is its OpenAPI contract, ``asyncapi`` its AsyncAPI document; ``publishes`` and
    ``subscribes`` name Redis streams (channel addresses), ``sends`` and ``receives`` the
    AsyncAPI channel ids of that document the service writes and reads.
    """

    name: str
    spec: str | None = None
    role: Role = Role.SERVICE
    asyncapi: str | None = None
    owns: tuple[str, ...] = ()
    may_call: tuple[str, ...] = ()
    # (callee, operationIds used); a callee in may_call without an entry may use anything.
    consumes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    publishes: tuple[str, ...] = ()
    subscribes: tuple[str, ...] = ()
    sends: tuple[str, ...] = ()
    receives: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    release_rules: tuple[str, ...] = ()
    pointer: str = ""

    def uses(self, callee: str) -> tuple[str, ...] | None:
        """The operationIds this service uses of ``callee`` (None: not declared)."""
        for name, operations in self.consumes:
            if name == callee:
                return operations
        return None

    def consumed_from(self, callee: str) -> tuple[str, ...]:
        """The operationIds this service calls on ``callee`` (empty: none declared)."""
        return self.uses(callee) or ()


@dataclass(frozen=True, slots=True)
class Inventory:
    """All services, in the order the inventory lists them; ``source`` gives source lines."""

    services: tuple[ServiceEntry, ...]
    file: str = ""
    source: SourceFile | None = field(default=None, compare=False, repr=False)

    def get(self, name: str) -> ServiceEntry | None:
        """The service called ``name`` (None: not listed)."""
        for service in self.services:
            if service.name == name:
                return service
        return None

    service = get

    def callers(self, name: str) -> tuple[ServiceEntry, ...]:
        """Services whose ``mayCall`` names ``name``."""
        return tuple(s for s in self.services if name in s.may_call)

    def receivers(self, document: str, channel: str) -> tuple[ServiceEntry, ...]:
        """Services that receive ``channel`` (an id) of the AsyncAPI ``document`` (a path)."""
        return tuple(
            s for s in self.services if s.asyncapi == document and channel in s.receives
        )

    def senders(self, document: str, channel: str) -> tuple[ServiceEntry, ...]:
        """Services that send on ``channel`` (an id) of the AsyncAPI ``document`` (a path)."""
        return tuple(s for s in self.services if s.asyncapi == document and channel in s.sends)

    def line(self, pointer: str) -> int | None:
        """The 1-based line of ``pointer`` in the inventory file (None: not known)."""
        return self.source.line(pointer) if self.source is not None else None


def load_inventory(path: str | Path, *, require_spec: bool = False) -> Inventory:
    """Read and check an inventory file; a missing or malformed one raises ConfigError."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "inventory file not found", file=name, hint="pass --inventory PATH"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read inventory: {exc.strerror}", file=name) from None
    return parse_inventory(raw, name, require_spec=require_spec)


def parse_inventory(raw: bytes, file: str, *, require_spec: bool = False) -> Inventory:
    """Parse ``service-inventory.json`` (JSON or YAML) with source lines.

    ``require_spec``: every service must name its OpenAPI contract (the gate compares them;
    lint reports a missing one as a finding instead).
    """
    try:
        data, text, lines = parse_bytes(raw, file)
    except SpecguardError as exc:  # a LoadError, reported as the config problem it is
        raise ConfigError(exc.message, file=file, line=exc.line, hint=exc.hint) from None
    source = SourceFile(name=file, key=file, data=data, text=text, yaml_lines=lines)
    return _build(data, source, file, require_spec)


def build_inventory(
    entries: Iterable[Any], file: str, *, require_spec: bool = False
) -> Inventory:
    """An inventory from a list of service entries (the config's ``services``)."""
    return _build({"services": list(entries)}, None, file, require_spec)


def _build(data: Any, source: SourceFile | None, file: str, require_spec: bool) -> Inventory:
    def line(pointer: str) -> int | None:
        return source.line(pointer) if source is not None else None

    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(INVENTORY_SCHEMA).iter_errors(data)
    )
    if error is not None:
        pointer = "".join("/" + encode_token(token) for token in error.absolute_path)
        raise ConfigError(
            f"invalid inventory: {' '.join(error.message.split())[:200]}",
            file=file,
            line=line(pointer),
            pointer=pointer or "/",
            hint="see specs/README.md for the format",
        )
    services: list[ServiceEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(data["services"]):
        pointer = f"/services/{index}"
        name = item["name"]
        if name in seen:
            raise ConfigError(
                f"service {name!r} is listed twice", file=file, line=line(pointer), pointer=pointer
            )
        seen.add(name)
        if require_spec and "spec" not in item:
            raise ConfigError(
                f"service {name!r} has no 'spec' path",
                file=file,
                line=line(pointer),
                pointer=pointer,
                hint='add "spec": "specs/<service>.yaml" to its entry',
            )
        services.append(_entry(item, pointer))
    return Inventory(tuple(services), file, source)


def _entry(item: Mapping[str, Any], pointer: str) -> ServiceEntry:
    def strings(key: str) -> tuple[str, ...]:
        return tuple(item.get(key, ()))

    return ServiceEntry(
        name=item["name"],
        spec=item.get("spec"),
        role=Role(item.get("role", Role.SERVICE.value)),
        asyncapi=item.get("asyncapi"),
        owns=strings("owns"),
        may_call=strings("mayCall"),
        consumes=tuple(
            (callee, tuple(operations)) for callee, operations in item.get("consumes", {}).items()
        ),
        publishes=strings("publishes"),
        subscribes=strings("subscribes"),
        sends=strings("sends"),
        receives=strings("receives"),
        must_not=strings("mustNot"),
        release_rules=strings("releaseRules"),
        pointer=pointer,
    )
