"""Rules stage: judge each neutral change with the catalogue and produce findings.

``classify(tree)`` applies the classifier of each change subject, looks the rule up in the
catalogue for its level and message, resolves source lines, and returns sorted, fingerprinted
findings. A change whose subject has no classifier still becomes ``unclassified-change``.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from specguard.diff import ChangeKey, DiffTree
from specguard.load import Spec, decode_pointer, encode_token
from specguard.model import Finding, Level, LifecyclePolicy, Location
from specguard.rules._catalogue import CATALOGUE, RETIRED, RULES, Rule
from specguard.rules._classify import Context, Hit
from specguard.rules._contract import contract_findings
from specguard.rules._lifecycle import CLASSIFIERS, relax_unstable, stabilities
from specguard.rules._render import make_finding, render
from specguard.rules._semantic import SemanticBridge

__all__ = [
    "CATALOGUE", "CLASSIFIERS", "RETIRED", "RULES", "Context", "Rule", "classify",
    "contract_findings", "make_finding", "render",
]


def classify(
    tree: DiffTree,
    *,
    today: dt.date | None = None,
    levels: Mapping[str, Level] | None = None,
    semantic: bool = True,
    lifecycle: LifecyclePolicy | None = None,
) -> tuple[Finding, ...]:
    """Turn the differ's changes into findings, sorted by operation, level and pointer."""
    context = Context(today=today or dt.date.today(), lifecycle=lifecycle or LifecyclePolicy())
    overrides = dict(levels or {})
    bridge = SemanticBridge.create(tree) if semantic else None
    findings_by_key: dict[ChangeKey, list[Finding]] = {}
    for key, entry in tree.by_key.items():
        change = entry.change
        classifier = CLASSIFIERS.get(change.subject)
        hits: Iterable[Hit] = (
            classifier(change, context) if classifier is not None
            else [Hit("unclassified-change", (("field", change.subject), ("object", "document")))]
        )
        operations = tuple(sorted(entry.operations))
        found = findings_by_key[key] = []
        old_at = _locate(tree.old, change.old_location)
        new_at = _locate(tree.new, change.new_location)
        located_in = tree.new if new_at else tree.old
        for hit in hits:
            rule = CATALOGUE[hit.rule_id]
            finding = make_finding(
                rule, dict(hit.args), level=overrides.get(rule.id, rule.level),
                direction=change.direction, operations=operations, old=old_at, new=new_at,
                identity=finding_identity(located_in, new_at or old_at, hit.args),
            )
            if bridge is not None:
                finding = bridge.adjust(finding, entry.schema)
            found.append(finding)
    extra = bridge.judge_roots(findings_by_key, overrides) if bridge is not None else []
    findings = relax_unstable(
        [f for found in findings_by_key.values() for f in found] + extra, stabilities(tree))
    return sort_findings(
        (f if f.identity else replace(
            f, identity=finding_identity(tree.new if f.new else tree.old, f.new or f.old, ())
        )).with_fingerprint()
        for f in findings
    )


# Message arguments that say how a thing changed rather than which thing changed: a bound
# edited again (maximum 10 -> 5 after 10 -> 8) keeps its fingerprint and acknowledgement.
_DESCRIBING = frozenset({"sunset", "count", "reason", "days"})


def finding_identity(
    spec: Spec, location: Location | None, args: Iterable[tuple[str, Any]]
) -> tuple[str, ...]:
    """What distinguishes a finding from others of its rule: see :attr:`Finding.identity`.

    The file is taken relative to the spec root (the root document is ``""``), so the same
    spec checked out in two folders gives the same fingerprints. ``old``/``new`` name the
    thing when only one side has it (the schemes of an added security requirement); when
    both are set they are a before/after pair, which the pointer already identifies.
    """
    if location is None:
        return ("", "")
    file = spec.relative_name(location.file)
    pointer = stable_pointer(spec, location) or location.pointer
    values = dict(args)
    pair = values.get("old") is not None and values.get("new") is not None
    naming = tuple(
        f"{name}={json.dumps(value, sort_keys=True, default=str)}"
        for name, value in sorted(values.items())
        if name not in _DESCRIBING and value is not None
        and not (pair and name in ("old", "new"))
    )
    if file is None:  # not a file of this spec: its base name, never an absolute path
        file = posixpath.basename(location.file)
    return (file, pointer, *naming)


def stable_pointer(spec: Spec, location: Location | None) -> str | None:
    """The location's pointer with parameter indexes replaced by ``in:name``.

    Inserting a parameter shifts the indexes of those after it; keying fingerprints by
    position would orphan their acknowledgements.
    """
    if location is None or "/parameters/" not in location.pointer:
        return None
    source = spec.file_named(location.file)
    if source is None:
        return None
    tokens = decode_pointer(location.pointer)
    node: Any = source.data
    stable: list[str] = []
    for index, token in enumerate(tokens):
        if isinstance(node, list) and index and tokens[index - 1] == "parameters":
            try:
                param = node[int(token)]
            except (ValueError, IndexError):
                return None
            if isinstance(param, dict) and isinstance(param.get("$ref"), str):
                stable.append(f"ref:{param['$ref']}")
            elif isinstance(param, dict):
                stable.append(f"{param.get('in')}:{param.get('name')}")
            else:
                return None
            node = param
            continue
        stable.append(encode_token(token))
        node = node.get(token) if isinstance(node, dict) else (
            node[int(token)] if isinstance(node, list) and token.isdigit()
            and int(token) < len(node) else None)
    return "/" + "/".join(stable)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    def key(f: Finding) -> tuple[Any, ...]:
        where = f.new or f.old
        return (
            -f.level.rank,
            f.operations[0].path if f.operations else "",
            f.operations[0].method if f.operations else "",
            where.pointer if where else "",
            f.rule_id,
        )

    return tuple(sorted(findings, key=key))


def _locate(spec: Spec, location: Location | None) -> Location | None:
    if location is None:
        return None
    source = spec.file_named(location.file)
    line = source.line(location.pointer if location.pointer != "/" else "") if source else None
    return Location(location.file, location.pointer, line)
