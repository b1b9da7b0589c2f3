"""Gate stage: judge a whole repository of service contracts against a base revision.

``run_check`` reads the service inventory (or the config's ``services``) at both revisions,
diffs every service in a process pool, and applies the policy: exclusions, per-rule levels,
consumer impact, the version rule, services added or removed, and acknowledgements. The
result is one :class:`~specguard.model.DiffReport` for any report format.

Imports: ``gate`` uses ``api``, ``load``, ``rules``, ``model`` and ``errors``, never
``report`` (formats know nothing of git or policy); only ``cli`` imports ``gate``.
"""

from __future__ import annotations

from specguard.gate._acks import Ack, append_ack, load_acks, parse_acks
from specguard.gate._config import GateConfig, load_config, parse_config
from specguard.gate._git import resolve as resolve_revision
from specguard.gate._git import toplevel as repository_root
from specguard.gate._policy import base_policy, known_rules, major_bumped
from specguard.gate._run import WORKTREE, CheckOptions, run_check, run_jobs
from specguard.gate._sources import with_sources
from specguard.inventory import Inventory, parse_inventory
from specguard.inventory import ServiceEntry as InventoryService

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
