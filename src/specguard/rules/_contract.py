"""Findings for documents that fail validation: a gate must still judge them.

An invalid base is ``base-contract-invalid`` (a warning: what it promised is uncertain), an
invalid head ``contract-invalid`` (breaking: it is what the pull request ships). Both carry
the validator's message and the line it names; the diff goes on beside them.
"""

from __future__ import annotations

from collections.abc import Mapping

from specguard.errors import SpecguardError
from specguard.load import Spec
from specguard.model import Direction, Finding, Level, Location
from specguard.rules._catalogue import CATALOGUE
from specguard.rules._render import make_finding

BASE_CONTRACT_INVALID = "base-contract-invalid"
CONTRACT_INVALID = "contract-invalid"
_PREFIX = "invalid OpenAPI document: "


def contract_findings(
    old: tuple[Spec, SpecguardError | None] | None,
    new: tuple[Spec, SpecguardError | None] | None,
    levels: Mapping[str, Level] | None = None,
) -> tuple[Finding, ...]:
    """One finding per invalid side (``None``: that side is absent or was not validated)."""
    found = []
    for side, rule_id in ((old, BASE_CONTRACT_INVALID), (new, CONTRACT_INVALID)):
        if side is None:
            continue
        spec, problem = side
        if problem is None:
            continue
        rule = CATALOGUE[rule_id]
        level = (levels or {}).get(rule_id, rule.level)
        reason = problem.message.removeprefix(_PREFIX)
        file = problem.file or spec.root.name
        where = Location(file, problem.pointer or "", problem.line)
        relative = spec.relative_name(file)
        finding = make_finding(
            rule,
            {"reason": reason},
            level=level,
            direction=Direction.NONE,
            old=where if rule_id == BASE_CONTRACT_INVALID else None,
            new=where if rule_id == CONTRACT_INVALID else None,
            # the fingerprint names the file and place, not the wording of the validator
            identity=(relative if relative is not None else file, problem.pointer or ""),
        )
        found.append(finding.with_fingerprint())
    return tuple(found)
