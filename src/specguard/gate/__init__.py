"""Gate stage: judge a whole repository of service contracts against a base revision.

``run_check`` reads the service inventory (or the config's ``services``) at both revisions,
diffs every service in a process pool, and applies the policy: exclusions, per-rule levels,
consumer impact, the version rule, services added or removed, and acknowledgements. The
result is one :class:`~specguard.model.DiffReport` for any report format.

Imports: ``gate`` uses ``api``, ``load``, ``rules``, ``model`` and ``errors``, never
``report`` (formats know nothing of git or policy); only ``cli`` imports ``gate``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from specguard.gate._acks import Ack, append_ack, load_acks, parse_acks
    from specguard.gate._config import GateConfig, load_config, parse_config
    from specguard.gate._git import resolve as resolve_revision
    from specguard.gate._git import toplevel as repository_root
    from specguard.gate._policy import base_policy, known_rules, major_bumped
    from specguard.gate._run import WORKTREE, CheckOptions, run_check, run_jobs
    from specguard.gate._sources import with_sources
    from specguard.inventory import Inventory, parse_inventory
    from specguard.inventory import ServiceEntry as InventoryService

# Loaded on first use (PEP 562): `specguard diff` needs only with_sources, and the config and
# inventory readers import jsonschema (40 ms of start-up a two-file diff never uses).
_HOMES: dict[str, tuple[str, str]] = {
    "Ack": ("specguard.gate._acks", "Ack"),
    "append_ack": ("specguard.gate._acks", "append_ack"),
    "load_acks": ("specguard.gate._acks", "load_acks"),
    "parse_acks": ("specguard.gate._acks", "parse_acks"),
    "GateConfig": ("specguard.gate._config", "GateConfig"),
    "load_config": ("specguard.gate._config", "load_config"),
    "parse_config": ("specguard.gate._config", "parse_config"),
    "resolve_revision": ("specguard.gate._git", "resolve"),
    "repository_root": ("specguard.gate._git", "toplevel"),
    "base_policy": ("specguard.gate._policy", "base_policy"),
    "known_rules": ("specguard.gate._policy", "known_rules"),
    "major_bumped": ("specguard.gate._policy", "major_bumped"),
    "WORKTREE": ("specguard.gate._run", "WORKTREE"),
    "CheckOptions": ("specguard.gate._run", "CheckOptions"),
    "run_check": ("specguard.gate._run", "run_check"),
    "run_jobs": ("specguard.gate._run", "run_jobs"),
    "with_sources": ("specguard.gate._sources", "with_sources"),
    "Inventory": ("specguard.inventory", "Inventory"),
    "parse_inventory": ("specguard.inventory", "parse_inventory"),
    "InventoryService": ("specguard.inventory", "ServiceEntry"),
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home[0]), home[1])
    globals()[name] = value
    return value


__all__ = [
    "WORKTREE",
    "Ack",
    "CheckOptions",
    "GateConfig",
    "Inventory",
    "InventoryService",
    "append_ack",
    "base_policy",
    "known_rules",
    "load_acks",
    "load_config",
    "major_bumped",
    "parse_acks",
    "parse_config",
    "parse_inventory",
    "repository_root",
    "resolve_revision",
    "run_check",
    "run_jobs",
    "with_sources",
]
