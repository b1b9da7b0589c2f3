"""Gate policy: pure functions from per-service diffs to the findings the gate judges.

Order matters and is fixed: exclusions and switched-off rules drop findings; the service name
goes in and fingerprints are recomputed; consumer impact lists (or, if configured, downgrades
for) the callers; the version rule looks at what is still breaking; acknowledgements come
last, because they match fingerprints of the final findings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from specguard.gate import _git
from specguard.gate._acks import Ack
from specguard.gate._config import CONFIG_FILE, GateConfig, load_config_at, weakened
from specguard.gate._events import event_impact, is_event_document
from specguard.gate._work import Outcome
from specguard.inventory import Inventory
from specguard.model import Direction, Finding, Level, Location, Operation
from specguard.rules import CATALOGUE, Rule, make_finding

_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?")


def rule(rule_id: str) -> Rule:
    return CATALOGUE[rule_id]


def known_rules() -> frozenset[str]:
    return frozenset(CATALOGUE)




def _join(note: str | None, extra: str) -> str:
    return f"{note}; {extra}" if note else extra


def excluded(operation: Operation, outcome: Outcome, config: GateConfig) -> bool:
    """True for operations marked ``x-internal: true`` or matched by an exclude glob."""
    if operation in outcome.internal:
        return True
    if any(fnmatchcase(operation.path, glob) for glob in config.exclude_paths):
        return True
    names = [str(operation), f"{operation.method} {operation.path}"]
    op_id = outcome.operation_id(operation)
    if op_id is not None:
        names.append(op_id)
    return any(fnmatchcase(name, glob) for glob in config.exclude_operations for name in names)


def consumer_impact(
    finding: Finding, outcome: Outcome, inventory: Inventory, config: GateConfig
) -> Finding:
    """List the callers a breaking finding may affect; optionally downgrade when none is.

    For an event contract: the services on the other side of the channel (never downgraded).
    """
    if is_event_document(outcome.service, inventory):
        return event_impact(finding, dict(outcome.operation_ids), outcome.service, inventory)
    service = outcome.service
    callers = inventory.callers(service)
    op_ids = [outcome.operation_id(op) for op in finding.operations]
    ids_known = bool(finding.operations) and all(op_ids)
    affected = []
    for caller in callers:
        used = caller.uses(service)
        # Without a declared list, or without operationIds to compare, assume it is used.
        if used is None or not ids_known or set(used) & set(op_ids):
            affected.append(caller.name)
    if affected:
        return dataclasses.replace(finding, consumers=tuple(affected))
    entry = inventory.get(service)
    public = entry is not None and entry.role.public
    if not (config.downgrade_unconsumed and callers and ids_known and not public):
        return finding
    uses = "; ".join(
        f"{c.name} uses {', '.join(c.uses(service) or ()) or 'nothing'}" for c in callers
    )
    note = (
        f"downgraded from breaking: no known consumer uses "
        f"{', '.join(str(op) for op in finding.operations)} ({uses})"
    )
    return dataclasses.replace(finding, level=Level.WARNING, note=_join(finding.note, note))


def major_bumped(old: str | None, new: str | None) -> bool | None:
    """True if ``new`` is a new major (for 0.x: a new minor) version; None if not semver."""
    old_match = _SEMVER.match(old or "")
    new_match = _SEMVER.match(new or "")
    if old_match is None or new_match is None:
        return None
    old_major, new_major = int(old_match.group(1)), int(new_match.group(1))
    if old_major == 0 and new_major == 0:
        # Semver 0.y: anything may change, but the convention is a minor bump per break.
        return int(new_match.group(2) or 0) > int(old_match.group(2) or 0)
    return new_major > old_major


def version_finding(
    outcome: Outcome, findings: Sequence[Finding], config: GateConfig
) -> Finding | None:
    """``version-not-bumped`` when a breaking change ships without a major version bump."""
    if outcome.old is None or outcome.new is None:
        return None
    breaking = [f for f in findings if f.level is Level.BREAKING]
    level = config.level_of("version-not-bumped", rule("version-not-bumped").level)
    if not breaking or level is None:
        return None
    bumped = major_bumped(outcome.old.version, outcome.new.version)
    if bumped:
        return None
    ids = sorted({f.rule_id for f in breaking})
    note = f"{len(breaking)} breaking change(s): {', '.join(ids)}"
    if bumped is None:
        note += "; info.version is not a semantic version"
    consumers = sorted({name for f in breaking for name in f.consumers})
    return make_finding(
        rule("version-not-bumped"),
        {"old": str(outcome.old.version), "new": str(outcome.new.version)},
        level=level,
        direction=Direction.NONE,
        old=Location(outcome.old.file, "/info/version", outcome.old.version_line),
        new=Location(outcome.new.file, "/info/version", outcome.new.version_line),
        note=note,
        service=outcome.service,
        consumers=tuple(consumers),
    ).with_fingerprint()


def service_findings(
    outcome: Outcome, inventory: Inventory, config: GateConfig, former_callers: Iterable[str]
) -> list[Finding]:
    """Every finding of one service, policy applied, worst first."""
    disabled = config.disabled()
    if outcome.report is None:
        return _presence(outcome, inventory, config, former_callers) + [
            dataclasses.replace(f, service=outcome.service).with_fingerprint()
            for f in outcome.problems
            if f.rule_id not in disabled
        ]
    findings = []
    for finding in outcome.report.findings:
        if finding.rule_id in disabled:
            continue
        if finding.operations and all(excluded(op, outcome, config) for op in finding.operations):
            continue
        finding = dataclasses.replace(finding, service=outcome.service).with_fingerprint()
        if finding.level is Level.BREAKING:
            finding = consumer_impact(finding, outcome, inventory, config)
        findings.append(finding)
    version = version_finding(outcome, findings, config)
    if version is not None:
        findings.append(version)
    # Stable sort: worst level first, the rules stage's order within a level.
    return sorted(findings, key=lambda f: -f.level.rank)


def _presence(
    outcome: Outcome, inventory: Inventory, config: GateConfig, former_callers: Iterable[str]
) -> list[Finding]:
    name = outcome.service
    old: Location | None = None
    new: Location | None = None
    consumers: tuple[str, ...] = ()
    if outcome.new is not None:
        rule_id, new = "service-added", Location(outcome.new.file, "", 1)
    else:
        assert outcome.old is not None
        callers = {c.name for c in inventory.callers(name)} | set(former_callers)
        rule_id, old = "service-removed", Location(outcome.old.file, "", 1)
        consumers = tuple(sorted(callers))
    level = config.level_of(rule_id, rule(rule_id).level)
    if level is None:
        return []
    return [
        make_finding(
            rule(rule_id),
            {"name": name},
            level=level,
            direction=Direction.NONE,
            old=old,
            new=new,
            service=name,
            consumers=consumers,
        ).with_fingerprint()
    ]


def apply_acks(
    findings: Sequence[Finding],
    acks: Sequence[Ack],
    today: dt.date,
    ack_file: str,
    config: GateConfig,
) -> list[Finding]:
    """Mark acknowledged findings; report expired (failure) and unused (warning) entries."""
    by_fingerprint = {ack.fingerprint: ack for ack in acks}
    used: set[str] = set()
    result = []
    for finding in findings:
        ack = by_fingerprint.get(finding.fingerprint)
        if ack is not None:
            used.add(ack.fingerprint)
            if ack.expired(today):
                finding = dataclasses.replace(
                    finding,
                    note=_join(
                        finding.note, f"its acknowledgement expired on {ack.expires.isoformat()}"
                    ),
                )
            else:
                finding = dataclasses.replace(finding, acknowledged=ack.describe())
        result.append(finding)
    for index, ack in enumerate(acks):
        if ack.expired(today):
            rule_id = "ack-expired"
        elif ack.fingerprint not in used:
            rule_id = "ack-unused"
        else:
            continue
        level = config.level_of(rule_id, rule(rule_id).level)
        if level is None:
            continue
        result.append(
            make_finding(
                rule(rule_id),
                {"fingerprint": ack.fingerprint, "expires": ack.expires.isoformat()},
                level=level,
                direction=Direction.NONE,
                old=None,
                new=Location(ack_file, f"/acks/{index}", ack.line),
                note=f"reason: {ack.reason} (approved by {ack.approved_by})",
            ).with_fingerprint()
        )
    return result


def base_policy(
    repo: Path, base: str, head: GateConfig
) -> tuple[GateConfig, Finding | None]:
    """The policy the gate applies, read from ``base``: the configuration comes with the pull
    request under review, and a pull request must not be able to switch its own gate off.

    The services (inventory) stay the head's: a new service is gated too. When the head's
    policy lets more through than the base's, a ``gate-policy-changed`` finding says what.
    """
    def read(path: str) -> bytes | None:
        return _git.read(repo, base, path) if _git.existing(repo, base, [path]) else None

    _git.resolve(repo, base)  # an unknown revision is one clear line, before anything else
    committed = load_config_at(repo, base, known_rules(), read)
    policy = dataclasses.replace(
        head,
        fail_on=committed.fail_on,
        downgrade_unconsumed=committed.downgrade_unconsumed,
        exclude_paths=committed.exclude_paths,
        exclude_operations=committed.exclude_operations,
        levels=committed.levels,
        acks=committed.acks,
        lifecycle=committed.lifecycle,
    )
    changes = weakened(committed, head, {r.id: r.level for r in CATALOGUE.values()})
    level = committed.level_of("gate-policy-changed", rule("gate-policy-changed").level)
    if not changes or level is None:
        return policy, None
    finding = make_finding(
        rule("gate-policy-changed"),
        {"changes": "; ".join(changes)},
        level=level,
        direction=Direction.NONE,
        old=None,
        new=Location(head.source or CONFIG_FILE, "", None),
        note=f"the gate applies the policy of {base}; run with --policy head to use this one",
    )
    return policy, finding.with_fingerprint()
