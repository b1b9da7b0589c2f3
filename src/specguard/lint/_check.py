"""Check a repository against its service inventory; one finding per violation."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specguard.errors import SpecguardError
from specguard.inventory import Inventory, Role, ServiceEntry, load_inventory
from specguard.lint._events import event_issues
from specguard.lint._examples import invalid_examples
from specguard.lint._rules import RULES_BY_ID
from specguard.load import Spec, encode_token, load_spec
from specguard.model import Location
from specguard.vocabulary import HTTP_METHODS


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One boundary violation, located in the inventory or in a contract."""

    rule_id: str
    message: str
    location: Location
    service: str

    def __post_init__(self) -> None:
        if self.rule_id not in RULES_BY_ID:  # the catalogue is closed
            raise ValueError(f"unknown lint rule {self.rule_id!r}")


@dataclass(frozen=True, slots=True)
class LintReport:
    """All findings of one ``specguard lint`` run, sorted by file and line."""

    inventory: str
    services: tuple[str, ...]
    findings: tuple[LintFinding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def lint_repository(inventory_path: str | Path, root: str | Path = ".") -> LintReport:
    """Lint the contracts named by the inventory; ``spec`` paths are relative to ``root``.

    Raises :class:`~specguard.errors.ConfigError` when the inventory itself is unusable.
    """
    inventory = load_inventory(inventory_path)
    checker = _Checker(inventory, Path(root))
    findings = sorted(
        checker.run(),
        key=lambda f: (f.location.file, f.location.line or 0, f.rule_id, f.location.pointer),
    )
    return LintReport(
        inventory=inventory.file,
        services=tuple(entry.name for entry in inventory.services),
        findings=tuple(findings),
    )


def _normalise(name: str) -> str:
    """Compare names across styles: ``order_line`` ≡ ``OrderLine`` ≡ ``order-lines``."""
    flat = re.sub(r"[^a-z0-9]", "", name.lower())
    return flat[:-1] if len(flat) > 3 and flat.endswith("s") else flat


class _Checker:
    def __init__(self, inventory: Inventory, root: Path) -> None:
        self.inventory = inventory
        self.root = root
        self.specs: dict[str, Spec] = {}

    def at_inventory(
        self, rule: str, entry: ServiceEntry, pointer: str, message: str
    ) -> LintFinding:
        location = Location(self.inventory.file, pointer, self.inventory.line(pointer))
        return LintFinding(rule, message, location, entry.name)

    def at_spec(
        self, rule: str, entry: ServiceEntry, spec: Spec, pointer: str, message: str
    ) -> LintFinding:
        location = Location(spec.root.name, pointer, spec.root.line(pointer))
        return LintFinding(rule, message, location, entry.name)

    def run(self) -> Iterator[LintFinding]:
        for entry in self.inventory.services:
            yield from self._load(entry)
        yield from self._ownership()
        for entry in self.inventory.services:
            yield from self._calls(entry)
            spec = self.specs.get(entry.name)
            if spec is not None:
                yield from self._health(entry, spec)
                yield from self._exposed_tables(entry, spec)
                for bad in invalid_examples(spec):
                    yield self.at_spec(
                        "example-invalid",
                        entry,
                        spec,
                        bad.pointer,
                        f"example does not match its schema ({bad.schema_pointer}): {bad.message}",
                    )
        yield from self._streams()
        for issue in event_issues(self.inventory, self.root):
            yield LintFinding(issue.rule_id, issue.message, issue.location, issue.service)

    def _load(self, entry: ServiceEntry) -> Iterator[LintFinding]:
        if entry.spec is None:
            yield self.at_inventory(
                "contract-missing", entry, entry.pointer, f"{entry.name} has no 'spec'"
            )
            return
        location = os.path.normpath(os.path.join(self.root, entry.spec))
        pointer = f"{entry.pointer}/spec"
        inside = Path(location).resolve().is_relative_to(self.root.resolve())
        if not inside:
            yield self.at_inventory(
                "contract-missing", entry, pointer, f"{entry.spec} is outside {self.root}"
            )
            return
        if not Path(location).is_file():
            yield self.at_inventory(
                "contract-missing",
                entry,
                pointer,
                f"{entry.name}'s contract {entry.spec} does not exist",
            )
            return
        try:
            self.specs[entry.name] = load_spec(location, root=str(self.root))
        except SpecguardError as exc:
            where = Location(exc.file or location, exc.pointer or "", exc.line)
            yield LintFinding("contract-invalid", exc.message, where, entry.name)

    def _ownership(self) -> Iterator[LintFinding]:
        owners: dict[str, str] = {}
        for entry in self.inventory.services:
            if entry.role is Role.GATEWAY and entry.owns:
                yield self.at_inventory(
                    "gateway-owns-data",
                    entry,
                    f"{entry.pointer}/owns",
                    f"{entry.name} has role gateway but owns {', '.join(entry.owns)}"
                    "; it must own nothing",
                )
            for index, table in enumerate(entry.owns):
                owner = owners.setdefault(_normalise(table), entry.name)
                if owner != entry.name:
                    yield self.at_inventory(
                        "table-shared",
                        entry,
                        f"{entry.pointer}/owns/{index}",
                        f"table {table} is owned by both {owner} and {entry.name}",
                    )

    def _calls(self, entry: ServiceEntry) -> Iterator[LintFinding]:
        for index, callee in enumerate(entry.may_call):
            if self.inventory.service(callee) is None:
                yield self.at_inventory(
                    "unknown-service",
                    entry,
                    f"{entry.pointer}/mayCall/{index}",
                    f"{entry.name} may call {callee}, which is not in the inventory",
                )
        for callee, operations in entry.consumes:
            pointer = f"{entry.pointer}/consumes/{encode_token(callee)}"
            if self.inventory.service(callee) is None:
                yield self.at_inventory(
                    "unknown-service",
                    entry,
                    pointer,
                    f"{entry.name} consumes {callee}, which is not in the inventory",
                )
                continue
            if callee not in entry.may_call:
                yield self.at_inventory(
                    "call-not-allowed",
                    entry,
                    pointer,
                    f"{entry.name} consumes {callee} but {callee} is not in its mayCall",
                )
            callee_spec = self.specs.get(callee)
            if callee_spec is None:
                continue  # already reported as contract-missing/-invalid
            known = _operation_ids(callee_spec)
            for index, operation_id in enumerate(operations):
                if operation_id not in known:
                    yield self.at_inventory(
                        "operation-missing",
                        entry,
                        f"{pointer}/{index}",
                        f"{entry.name} consumes {callee} {operation_id}, "
                        f"which is not in {callee_spec.root.name}",
                    )

    def _health(self, entry: ServiceEntry, spec: Spec) -> Iterator[LintFinding]:
        paths = spec.data.get("paths")
        item = paths.get("/health") if isinstance(paths, dict) else None
        if not (isinstance(item, dict) and isinstance(item.get("get"), dict)):
            pointer = "/paths" if isinstance(paths, dict) else ""
            yield self.at_spec(
                "health-missing", entry, spec, pointer, f"{entry.name} has no GET /health"
            )

    def _exposed_tables(self, entry: ServiceEntry, spec: Spec) -> Iterator[LintFinding]:
        foreign = {
            _normalise(table): (other.name, table)
            for other in self.inventory.services
            if other.name != entry.name
            for table in other.owns
        }
        if not foreign:
            return
        for kind, name, pointer in _public_names(spec.data):
            hit = foreign.get(_normalise(name))
            if hit is not None:
                owner, table = hit
                yield self.at_spec(
                    "table-exposed",
                    entry,
                    spec,
                    pointer,
                    f"{kind} {name!r} exposes {owner}'s table {table}",
                )

    def _streams(self) -> Iterator[LintFinding]:
        published = {stream for entry in self.inventory.services for stream in entry.publishes}
        for entry in self.inventory.services:
            for index, stream in enumerate(entry.subscribes):
                if stream not in published:
                    yield self.at_inventory(
                        "stream-unpublished",
                        entry,
                        f"{entry.pointer}/subscribes/{index}",
                        f"{entry.name} subscribes to {stream}, which no service publishes",
                    )


def _operation_ids(spec: Spec) -> set[str]:
    found: set[str] = set()
    paths = spec.data.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict) and isinstance(operation.get("operationId"), str):
                found.add(operation["operationId"])
    return found


def _public_names(data: Any) -> Iterator[tuple[str, str, str]]:
    """(kind, name, pointer) of every path segment, parameter name and schema name."""
    paths = data.get("paths")
    for path, item in paths.items() if isinstance(paths, dict) else ():
        path_pointer = f"/paths/{encode_token(path)}"
        for segment in str(path).split("/"):
            # Templated segments are parameters, checked as such below.
            if segment and not segment.startswith("{"):
                yield "path segment", segment, path_pointer
        if not isinstance(item, dict):
            continue
        yield from _parameters(item.get("parameters"), f"{path_pointer}/parameters")
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield from _parameters(
                    operation.get("parameters"), f"{path_pointer}/{method}/parameters"
                )
    components = data.get("components")
    if isinstance(components, dict):
        parameters = components.get("parameters")
        if isinstance(parameters, dict):
            for key, parameter in parameters.items():
                if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
                    yield (
                        "parameter",
                        parameter["name"],
                        f"/components/parameters/{encode_token(key)}",
                    )
        schemas = components.get("schemas")
        if isinstance(schemas, dict):
            for key in schemas:
                yield "schema", str(key), f"/components/schemas/{encode_token(key)}"


def _parameters(parameters: Any, pointer: str) -> Iterator[tuple[str, str, str]]:
    if not isinstance(parameters, list):
        return
    for index, parameter in enumerate(parameters):
        # Referenced parameters are checked once, where components define them.
        if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
            yield "parameter", parameter["name"], f"{pointer}/{index}"
