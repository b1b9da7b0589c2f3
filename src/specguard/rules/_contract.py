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
CONTRACT_STILL_INVALID = "contract-still-invalid"
_PREFIX = "invalid OpenAPI document: "


def contract_findings(
    old: tuple[Spec, SpecguardError | None] | None,
    new: tuple[Spec, SpecguardError | None] | None,
    levels: Mapping[str, Level] | None = None,
) -> tuple[Finding, ...]:
    """One finding per invalid side (``None``: that side is absent or was not validated).

    A head invalid at the very place its base already was is ``contract-still-invalid`` (a
    warning, one finding): the pull request did not make it so, and a gate that fails every
    change of an already-invalid contract gets switched off.
    """
    found = []
    sides = [(old, BASE_CONTRACT_INVALID), (new, CONTRACT_INVALID)]
    if old is not None and new is not None and old[1] is not None and new[1] is not None and (
            _place(*old) == _place(*new) or _unchanged_at(old[0], new[0], new[1])):
        sides = [(new, CONTRACT_STILL_INVALID)]
    for side, rule_id in sides:
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
            new=None if rule_id == BASE_CONTRACT_INVALID else where,
            # the fingerprint names the file and place, not the wording of the validator
            identity=(relative if relative is not None else file, problem.pointer or ""),
        )
        found.append(finding.with_fingerprint())
    return tuple(found)


def _place(spec: Spec, problem: SpecguardError | None) -> tuple[str, str] | None:
    """Where a problem is, the same in two checkouts: the file relative to the spec root and
    the pointer (None without a problem)."""
    if problem is None:
        return None
    file = problem.file or spec.root.name
    relative = spec.relative_name(file)
    return (relative if relative is not None else file, problem.pointer or "")


def _unchanged_at(base: Spec, head: Spec, problem: SpecguardError) -> bool:
    """The head's invalid node is the base's, unchanged (the validator names only the first
    problem it meets, so the two sides may name different places of one old fault)."""
    place = _place(head, problem)
    if place is None or not place[1]:
        return False
    relative, pointer = place
    head_file = head.file_named(problem.file or head.root.name)
    base_file = next((source for source in base.files.values()
                      if base.relative_name(source.name) == relative), None)
    if head_file is None or base_file is None:
        return False
    try:
        return bool(base_file.get(pointer) == head_file.get(pointer))
    except (KeyError, IndexError, ValueError, TypeError):
        return False
