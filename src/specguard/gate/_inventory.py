"""The service inventory: which services exist, where their contracts live, who calls whom."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from specguard.errors import ConfigError


@dataclass(frozen=True, slots=True)
class InventoryService:
    """One service: its contract, what it may call and, per callee, the operations it uses."""

    name: str
    spec: str
    role: str | None = None
    owns: tuple[str, ...] = ()
    may_call: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    release_rules: tuple[str, ...] = ()
    # (callee, operationIds used); a callee in may_call without an entry may use anything.
    consumes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def uses(self, callee: str) -> tuple[str, ...] | None:
        """The operationIds this service uses of ``callee`` (None: not declared)."""
        for name, operations in self.consumes:
            if name == callee:
                return operations
        return None


@dataclass(frozen=True, slots=True)
class Inventory:
    """All services, in the order the inventory lists them."""

    services: tuple[InventoryService, ...]

    def get(self, name: str) -> InventoryService | None:
        for service in self.services:
            if service.name == name:
                return service
        return None

    def callers(self, name: str) -> tuple[InventoryService, ...]:
        """Services whose ``mayCall`` names ``name``."""
        return tuple(s for s in self.services if name in s.may_call)


def _strings(value: Any, what: str, file: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{what} must be a list of strings", file=file)
    return tuple(value)


def parse_service(entry: Any, file: str, index: int) -> InventoryService:
    """One service entry (inventory JSON or config), checked field by field."""
    where = f"services[{index}]"
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where} must be an object", file=file)
    name, spec = entry.get("name"), entry.get("spec")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where} needs a 'name' string", file=file)
    if not isinstance(spec, str) or not spec:
        raise ConfigError(
            f"service {name!r} has no 'spec' path",
            file=file,
            hint='add "spec": "specs/<service>.yaml" to its entry',
        )
    consumes_raw = entry.get("consumes") or {}
    if not isinstance(consumes_raw, Mapping):
        raise ConfigError(
            f"service {name!r}: 'consumes' must map callee to operationIds", file=file
        )
    consumes = tuple(
        (str(callee), _strings(ops, f"service {name!r}: consumes[{callee!r}]", file))
        for callee, ops in consumes_raw.items()
    )
    role = entry.get("role")
    return InventoryService(
        name=name,
        spec=spec,
        role=role if isinstance(role, str) else None,
        owns=_strings(entry.get("owns"), f"service {name!r}: 'owns'", file),
        may_call=_strings(entry.get("mayCall"), f"service {name!r}: 'mayCall'", file),
        must_not=_strings(entry.get("mustNot"), f"service {name!r}: 'mustNot'", file),
        release_rules=_strings(
            entry.get("releaseRules"), f"service {name!r}: 'releaseRules'", file
        ),
        consumes=consumes,
    )


def build_inventory(entries: Iterable[Any], file: str) -> Inventory:
    services = tuple(parse_service(entry, file, i) for i, entry in enumerate(entries))
    seen: set[str] = set()
    for service in services:
        if service.name in seen:
            raise ConfigError(f"service {service.name!r} is listed twice", file=file)
        seen.add(service.name)
    return Inventory(services)


def parse_inventory(raw: bytes, file: str) -> Inventory:
    """Parse ``service-inventory.json``: ``{"services": [{"name", "spec", ...}]}``."""
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid JSON: {exc}", file=file) from None
    if not isinstance(data, Mapping) or not isinstance(data.get("services"), list):
        raise ConfigError("the inventory must be an object with a 'services' list", file=file)
    return build_inventory(data["services"], file)
