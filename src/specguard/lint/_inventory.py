"""Read ``service-inventory.json``: which services exist, what they own and whom they call."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from specguard.errors import ConfigError, SpecguardError
from specguard.load import SourceFile, encode_token, parse_bytes

# The shape of the inventory (documented in specs/README.md). Unknown keys are allowed so the
# seed's other fields and future ones do not break older specguard versions.
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
                    "role": {"enum": ["gateway", "service"]},
                    "spec": {"type": "string", "minLength": 1},
                    "owns": _STRINGS,
                    "mayCall": {"type": "array", "items": _NAME},
                    "consumes": {
                        "type": "object",
                        "propertyNames": _NAME,
                        "additionalProperties": _STRINGS,
                    },
                    "publishes": _STRINGS,
                    "subscribes": _STRINGS,
                    "mustNot": _STRINGS,
                    "releaseRules": _STRINGS,
                },
            },
        },
    },
}


class Role(str, enum.Enum):
    """What a service is for: the gateway only routes and owns no data."""

    GATEWAY = "gateway"
    SERVICE = "service"


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """One service of the inventory; ``pointer`` locates it in the inventory file."""

    name: str
    role: Role
    spec: str | None
    owns: tuple[str, ...]
    may_call: tuple[str, ...]
    consumes: tuple[tuple[str, tuple[str, ...]], ...]
    publishes: tuple[str, ...]
    subscribes: tuple[str, ...]
    must_not: tuple[str, ...]
    release_rules: tuple[str, ...]
    pointer: str

    def consumed_from(self, callee: str) -> tuple[str, ...]:
        """The operationIds this service calls on ``callee``."""
        for name, operations in self.consumes:
            if name == callee:
                return operations
        return ()


@dataclass(frozen=True, slots=True)
class Inventory:
    """A parsed inventory file."""

    source: SourceFile
    services: tuple[ServiceEntry, ...]

    @property
    def file(self) -> str:
        return self.source.name

    def service(self, name: str) -> ServiceEntry | None:
        for entry in self.services:
            if entry.name == name:
                return entry
        return None

    def line(self, pointer: str) -> int | None:
        return self.source.line(pointer)


def load_inventory(path: str | Path) -> Inventory:
    """Parse and check an inventory file; a malformed one raises :class:`ConfigError`."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            "inventory file not found", file=name, hint="pass --inventory PATH"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read inventory: {exc.strerror}", file=name) from None
    try:
        data, text, lines = parse_bytes(raw, name)
    except SpecguardError as exc:  # a LoadError, reported as the config problem it is
        raise ConfigError(exc.message, file=name, line=exc.line, hint=exc.hint) from None
    source = SourceFile(name=name, key=name, data=data, text=text, yaml_lines=lines)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(INVENTORY_SCHEMA).iter_errors(data)
    )
    if error is not None:
        pointer = "".join("/" + encode_token(token) for token in error.absolute_path)
        raise ConfigError(
            f"invalid inventory: {' '.join(error.message.split())[:200]}",
            file=name,
            line=source.line(pointer),
            pointer=pointer or "/",
            hint="see specs/README.md for the format",
        )
    services: list[ServiceEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(data["services"]):
        pointer = f"/services/{index}"
        if item["name"] in seen:
            raise ConfigError(
                f"service {item['name']!r} is listed twice",
                file=name,
                line=source.line(pointer),
                pointer=pointer,
            )
        seen.add(item["name"])
        services.append(
            ServiceEntry(
                name=item["name"],
                role=Role(item.get("role", "service")),
                spec=item.get("spec"),
                owns=tuple(item.get("owns", ())),
                may_call=tuple(item.get("mayCall", ())),
                consumes=tuple(
                    (callee, tuple(operations))
                    for callee, operations in item.get("consumes", {}).items()
                ),
                publishes=tuple(item.get("publishes", ())),
                subscribes=tuple(item.get("subscribes", ())),
                must_not=tuple(item.get("mustNot", ())),
                release_rules=tuple(item.get("releaseRules", ())),
                pointer=pointer,
            )
        )
    return Inventory(source=source, services=tuple(services))
