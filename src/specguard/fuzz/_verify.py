"""``verify``: send requests valid under the OLD contract to the NEW service, and join the run
with the static diff.

A failure here means an old client breaks: a valid old request is answered with a 5xx, with a
status the old contract does not document, or with a 4xx that says "your request is wrong"
(anything but 401/403/404/409/429, which depend on auth and state: schemathesis's
``positive_data_acceptance``). A documented 400 still counts: the request was valid under the
old contract, so a 400 for it is exactly the breakage verify exists to find. Or a response
no longer matches the old status, schema, headers or content type.

With a diff, every breaking finding is ``confirmed`` when a failure hit one of its operations
on the side (request or response) it is about, else ``not-observed``; every failure that no
breaking or warning finding predicts is an ``undocumented-behaviour-change``: the contract
says one thing, the service does another.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from specguard.fuzz._engine import VERIFY_CHECKS, FuzzOptions, Target, run_fuzz
from specguard.fuzz._model import (
    CheckFailure,
    FailureKind,
    JoinedFinding,
    Observation,
    VerifiedFailure,
    VerifyReport,
)
from specguard.fuzz._progress import ProgressSink
from specguard.load import Spec
from specguard.model import DiffReport, Direction, Finding, Level, Operation
from specguard.vocabulary import PATH_PARAMETER


def run_verify(
    old: Spec,
    target: Target,
    options: FuzzOptions,
    *,
    diff: DiffReport | None = None,
    new_spec: str | None = None,
    changed_only: bool = False,
    progress: ProgressSink | None = None,
    cache_dir: Path | None = None,
) -> VerifyReport:
    """Fuzz ``target`` with valid requests of the ``old`` contract; join with ``diff`` if given.

    ``changed_only`` (needs ``diff``) limits the run to operations some finding touches.
    """
    if changed_only and diff is None:
        raise ValueError("changed_only needs the diff report")
    options = replace(
        options,
        positive_only=True,
        checks=options.checks if options.checks is not None else VERIFY_CHECKS,
    )
    only = None
    if changed_only and diff is not None:
        touched = _touched(diff.findings)
        only = None if touched is None else (lambda op: operation_key(op) in touched)
    run = run_fuzz(old, target, options, progress=progress, only=only, cache_dir=cache_dir)
    if diff is None:
        failures = tuple(VerifiedFailure(f) for f in run.failures)
        return VerifyReport(old.root.name, None, run, failures)
    predictive = [f for f in diff.findings if f.level in (Level.BREAKING, Level.WARNING)]
    verified = tuple(
        VerifiedFailure(failure, _unique(f.rule_id for f in predictive if predicts(f, failure)))
        for failure in run.failures
    )
    joined = tuple(
        _join(finding, run.failures) for finding in diff.findings if finding.level is Level.BREAKING
    )
    return VerifyReport(
        old.root.name,
        new_spec or diff.new_source,
        run,
        verified,
        joined,
        changed_only=changed_only,
    )


def operation_key(operation: Operation) -> tuple[str, str]:
    """Method and path shape: ``/orders/{id}`` and ``/orders/{orderId}`` are one operation."""
    return operation.method.lower(), PATH_PARAMETER.sub("{}", operation.path)


def predicts(finding: Finding, failure: CheckFailure) -> bool:
    """Whether ``finding`` is about the operation and the side of the contract that failed."""
    if finding.operations and operation_key(failure.operation) not in {
        operation_key(op) for op in finding.operations
    }:
        return False
    return finding.direction in _sides(failure)


def _sides(failure: CheckFailure) -> frozenset[Direction]:
    if failure.kind.direction is Direction.NONE:
        return frozenset(Direction)
    sides = {failure.kind.direction, Direction.NONE}
    # An undocumented 4xx is a response-side symptom of a request the service now refuses.
    status = failure.status
    if failure.kind is FailureKind.RESPONSE_MISMATCH and status is not None and 400 <= status < 500:
        sides.add(Direction.REQUEST)
    return frozenset(sides)


def _join(finding: Finding, failures: tuple[CheckFailure, ...]) -> JoinedFinding:
    hits = [f for f in failures if predicts(finding, f)]
    evidence = _unique(f"{f.code} {f.operation}" for f in hits)
    return JoinedFinding(
        rule_id=finding.rule_id,
        level=finding.level,
        direction=finding.direction,
        message=finding.message,
        operations=finding.operations,
        location=finding.new or finding.old,
        fingerprint=finding.fingerprint,
        observation=Observation.CONFIRMED if hits else Observation.NOT_OBSERVED,
        evidence=evidence,
    )


def _touched(findings: tuple[Finding, ...]) -> frozenset[tuple[str, str]] | None:
    """Operations any finding touches; ``None`` when one applies to every operation."""
    keys: set[tuple[str, str]] = set()
    for finding in findings:
        if not finding.operations:
            # info.version bumps and the like touch nothing; a global breaking change does.
            if finding.level is Level.SAFE:
                continue
            return None
        keys.update(operation_key(op) for op in finding.operations)
    return frozenset(keys)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
