"""Lifecycle policy, compatible with oasdiff's convention.

* **Stability** (``x-stability-level: draft|alpha|beta|stable`` on an operation; none means
  stable). Draft and alpha operations promise nothing: their findings become safe, with a
  note. Lowering the level of a beta or stable operation is breaking; a value outside the
  four is reported (and read as stable, the strictest).
* **Removal** of an operation, parameter or property is announced by ``deprecated: true`` plus
  an ``x-sunset`` date (``YYYY-MM-DD`` or an RFC 3339 date-time; oasdiff reads no other
  extension): removed on or after that date it is safe, before it breaking.
* **Notice**: a deprecation (of an operation or a parameter) whose sunset date is nearer than
  the policy's minimum for the operation's stability is breaking; so is moving an announced
  date nearer than that. An unreadable date, or a date deleted from a resource that stays
  deprecated, is a warning: removing it stays breaking until a readable date has passed.

The classifiers here take over the removal and deprecation subjects and hand the cases they
do not judge to :mod:`specguard.rules._classify`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from specguard.diff import DiffTree, Node
from specguard.errors import RefError
from specguard.model import Change, ChangeKind, Direction, Finding, Level, Operation, Stability
from specguard.rules import _classify
from specguard.rules._classify import Classifier, Context, Hit
from specguard.vocabulary import HTTP_METHODS

STABILITY_EXTENSION = "x-stability-level"
SUNSET_EXTENSION = "x-sunset"

REMOVED = ChangeKind.REMOVED
_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
# Findings about the stability level itself keep their level on a draft or alpha operation.
_ABOUT_STABILITY = frozenset({"operation-stability-decreased", "operation-stability-invalid"})


def _hit(rule_id: str, **args: Any) -> Hit:
    return Hit(rule_id, tuple(sorted(args.items())))


def read_stability(value: Any) -> Stability | None:
    """The stability an ``x-stability-level`` value names (absent: stable; None: invalid)."""
    if value is None:
        return Stability.STABLE
    try:
        return Stability(value) if isinstance(value, str) else None
    except ValueError:
        return None


def read_sunset(value: Any) -> dt.date | None:
    """The date of an ``x-sunset`` value: ``YYYY-MM-DD`` or an RFC 3339 date-time, taken at
    the date it names (YAML may already have made it a date). None: not readable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _RFC3339.fullmatch(text)
    try:
        return dt.date.fromisoformat(match.group(1) if match else text) if (
            match or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) else None
    except ValueError:
        return None


def _announced(change: Change) -> dt.date | None:
    """The readable sunset date of a removed, deprecated resource (None: no announcement)."""
    if not change.detail("deprecated"):
        return None
    return read_sunset(change.detail("sunset"))


def _notice(change: Change, context: Context) -> tuple[int, Stability]:
    stability = read_stability(change.detail("stability")) or Stability.STABLE
    return context.lifecycle.notice_days(stability), stability


def _too_soon(when: dt.date, days: int, context: Context) -> bool:
    return (when - context.today).days < days


# -- removals ---------------------------------------------------------------------------------


def _removal(
    change: Change, context: Context, plain: Classifier, passed: str, early: str, **args: Any
) -> Iterator[Hit]:
    """A removed resource that announced a readable sunset date is judged by that date; any
    other change goes to the plain classifier."""
    when = _announced(change) if change.kind is REMOVED else None
    if when is None:
        yield from plain(change, context)
    else:
        yield _hit(passed if when <= context.today else early, sunset=when.isoformat(), **args)


def operation(change: Change, context: Context) -> Iterator[Hit]:
    yield from _removal(change, context, _classify.operation, "operation-sunset-removed",
                        "operation-removed-before-sunset")
    if change.kind is ChangeKind.ADDED and read_stability(change.detail("stability")) is None:
        yield _hit("operation-stability-invalid", value=change.detail("stability"))


def parameter(change: Change, context: Context) -> Iterator[Hit]:
    yield from _removal(change, context, _classify.parameter, "parameter-sunset-removed",
                        "parameter-removed-before-sunset", name=change.detail("name"),
                        location=change.detail("location"))


def schema_property(change: Change, context: Context) -> Iterator[Hit]:
    if change.direction is Direction.RESPONSE:
        ids = ("response-property-sunset-removed", "response-property-removed-before-sunset")
    else:
        ids = ("request-property-sunset-removed", "request-property-removed-before-sunset")
    yield from _removal(change, context, _classify.schema_property, *ids,
                        name=change.detail("name"))


# -- deprecations and their sunset dates -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ids:
    """The lifecycle rules of one kind of resource (ids spelled out, so grep finds them)."""

    deprecated: str
    invalid: str
    too_soon: str
    deleted: str
    plain: Classifier  # judges a deprecation that names no sunset date
    parameter: bool


_OPERATION = _Ids("operation-deprecated", "operation-sunset-invalid",
                  "operation-sunset-too-soon", "operation-sunset-deleted",
                  _classify.operation_deprecated, parameter=False)
_PARAMETER = _Ids("request-parameter-deprecated", "parameter-sunset-invalid",
                  "parameter-sunset-too-soon", "parameter-sunset-deleted",
                  _classify.parameter_deprecated, parameter=True)


def _hit_for(ids: _Ids, rule_id: str, change: Change, **args: Any) -> Hit:
    if ids.parameter:
        args.update(name=change.detail("name"), location=change.detail("location"))
    return _hit(rule_id, **args)


def _deprecated(ids: _Ids, change: Change, context: Context) -> Iterator[Hit]:
    """A resource became deprecated (or no longer is): with a sunset date, is the notice
    long enough?"""
    raw = change.detail("sunset")
    if not change.new or raw is None:
        yield from ids.plain(change, context)
        return
    when = read_sunset(raw)
    if when is None:
        yield _hit_for(ids, ids.invalid, change, sunset=raw)
        return
    days, stability = _notice(change, context)
    if _too_soon(when, days, context):
        yield _hit_for(ids, ids.too_soon, change, sunset=when.isoformat(), days=days,
                       stability=stability.value)
    else:
        yield _hit_for(ids, ids.deprecated, change)


def _sunset_changed(ids: _Ids, change: Change, context: Context) -> Iterator[Hit]:
    """``x-sunset`` of a resource that was and stays deprecated was added, moved or deleted."""
    if not (change.detail("deprecated") and change.detail("was_deprecated")):
        return  # a deprecation's own sunset is judged with it; a live resource has none
    if change.new is None:
        yield _hit_for(ids, ids.deleted, change, old=change.old)
        return
    when = read_sunset(change.new)
    if when is None:
        yield _hit_for(ids, ids.invalid, change, sunset=change.new)
        return
    before = read_sunset(change.old)
    days, stability = _notice(change, context)
    if (before is None or when < before) and _too_soon(when, days, context):
        yield _hit_for(ids, ids.too_soon, change, sunset=when.isoformat(), days=days,
                       stability=stability.value)


def operation_deprecated(change: Change, context: Context) -> Iterator[Hit]:
    yield from _deprecated(_OPERATION, change, context)


def operation_sunset(change: Change, context: Context) -> Iterator[Hit]:
    yield from _sunset_changed(_OPERATION, change, context)


def parameter_deprecated(change: Change, context: Context) -> Iterator[Hit]:
    yield from _deprecated(_PARAMETER, change, context)


def parameter_sunset(change: Change, context: Context) -> Iterator[Hit]:
    yield from _sunset_changed(_PARAMETER, change, context)


# -- stability levels --------------------------------------------------------------------------


def operation_stability(change: Change, context: Context) -> Iterator[Hit]:
    old, new = read_stability(change.old), read_stability(change.new)
    if new is None:
        yield _hit("operation-stability-invalid", value=change.new)
    elif old is None:
        return  # an invalid level corrected: nothing was promised by it
    elif new.rank < old.rank and old.rank >= Stability.BETA.rank:
        yield _hit("operation-stability-decreased", old=old.value, new=new.value)
    elif new.rank > old.rank:
        yield _hit("operation-stability-increased", old=old.value, new=new.value)


LIFECYCLE_CLASSIFIERS: dict[str, Classifier] = {
    "operation": operation,
    "operation.deprecated": operation_deprecated,
    "operation.x-sunset": operation_sunset,
    "operation.x-stability-level": operation_stability,
    "parameter": parameter,
    "parameter.deprecated": parameter_deprecated,
    "parameter.x-sunset": parameter_sunset,
    "schema.property": schema_property,
}

CLASSIFIERS: dict[str, Classifier] = {**_classify.CLASSIFIERS, **LIFECYCLE_CLASSIFIERS}


# -- draft and alpha operations ---------------------------------------------------------------


def stabilities(tree: DiffTree) -> dict[Operation, Stability]:
    """The stability of every operation findings can name: the new spec's, and the old
    spec's for operations only it has (a removed operation is judged by what it promised).

    A callback has no level of its own: it is its operation's.
    """
    found: dict[Operation, Stability] = {}
    for spec in (tree.new, tree.old):
        root = Node(spec, spec.root, "", spec.data)
        for section, prefix in (("paths", ""), ("webhooks", "webhook ")):
            items = root.child(section)
            for name in items.mapping():
                for op, node in _operations(items.child(name), f"{prefix}{name}"):
                    level = read_stability(node.get(STABILITY_EXTENSION)) or Stability.STABLE
                    found.setdefault(op, level)
                    for expressions in _callbacks(node):
                        for expression in expressions.mapping():
                            for inner, _ in _operations(expressions.child(expression),
                                                        f"{op.path} callback {expression}"):
                                found.setdefault(inner, level)
    return found


def _callbacks(operation: Node) -> Iterator[Node]:
    """The callback objects of an operation (maps of expression to path item)."""
    try:
        callbacks = operation.child("callbacks").deref()
        for name in callbacks.mapping():
            yield callbacks.child(name).deref()
    except RefError:
        return  # the differ reports it


def _operations(path_item: Node, path: str) -> Iterator[tuple[Operation, Node]]:
    """The operations of a path item, as the differ names them (dangling $refs skipped)."""
    try:
        item = path_item.deref()
        for method in HTTP_METHODS:
            node = item.child(method).deref()
            if isinstance(node.value, dict):
                yield Operation(method, path), node
    except RefError:
        return  # the differ reports it


def relax_unstable(
    findings: Iterable[Finding], levels: dict[Operation, Stability]
) -> list[Finding]:
    """Findings on draft or alpha operations only are safe (oasdiff leaves them out)."""
    result = []
    for finding in findings:
        if (finding.level is not Level.SAFE and finding.operations
                and finding.rule_id not in _ABOUT_STABILITY):
            shown = {levels.get(op, Stability.STABLE) for op in finding.operations}
            if all(level.rank < Stability.BETA.rank for level in shown):
                names = "/".join(sorted(level.value for level in shown))
                note = (f"x-stability-level {names}: the operation promises no compatibility "
                        f"(was {finding.level.value})")
                # the witness proved a break of a promise the operation does not make
                finding = replace(finding, level=Level.SAFE, witness=None,
                                  note=f"{finding.note}; {note}" if finding.note else note)
        result.append(finding)
    return result


__all__ = [
    "CLASSIFIERS",
    "LIFECYCLE_CLASSIFIERS",
    "STABILITY_EXTENSION",
    "SUNSET_EXTENSION",
    "read_stability",
    "read_sunset",
    "relax_unstable",
    "stabilities",
]
