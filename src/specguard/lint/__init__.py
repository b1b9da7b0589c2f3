"""Lint stage: check a repository's contracts against its service inventory.

``specguard lint`` reads ``specs/service-inventory.json`` (format: ``specs/README.md``) and
reports one :class:`LintFinding` per boundary violation: a service without a contract or
``GET /health``, a public name that exposes another service's table, a gateway that owns
data, a consumed operation that the callee does not have or a callee outside ``mayCall``,
examples that do not match their schema, and event streams: every stream a service writes or
reads is a channel of its AsyncAPI document, every received channel has a sender, and the
receivers accept what the senders send (the semantic judge). Imports: ``inventory``, ``load``,
``model``, ``errors``, ``semantics``.
"""

from __future__ import annotations

from specguard.inventory import Inventory, Role, ServiceEntry, load_inventory
from specguard.lint._check import LintFinding, LintReport, lint_repository
from specguard.lint._rules import RULES, RULES_BY_ID, LintRule

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Inventory",
    "LintFinding",
    "LintReport",
    "LintRule",
    "Role",
    "ServiceEntry",
    "lint_repository",
    "load_inventory",
]
