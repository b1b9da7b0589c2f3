"""A finding's message, rendered in one place from its rule and arguments."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from specguard.model import Direction, Finding, Level, Location, Operation
from specguard.rules._catalogue import Rule


def make_finding(
    rule: Rule,
    args: Mapping[str, Any],
    *,
    level: Level,
    direction: Direction,
    operations: tuple[Operation, ...] = (),
    old: Location | None = None,
    new: Location | None = None,
    **extra: Any,
) -> Finding:
    """A finding of ``rule``: the one place its message is rendered from its arguments, which
    the finding keeps (as JSON values) for machine formats."""
    return Finding(
        rule_id=rule.id,
        level=level,
        direction=direction,
        message=render(rule, dict(args), operations),
        operations=operations,
        old=old,
        new=new,
        args=tuple(sorted((name, _json_value(value)) for name, value in args.items())),
        **extra,
    )


def _json_value(value: Any) -> Any:
    """A message argument as JSON data, with tuples for lists so the finding stays hashable."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return tuple(_json_value(item) for item in items)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _json_value(v)) for k, v in value.items()))
    return str(value)


def render(rule: Rule, args: dict[str, Any], operations: tuple[Operation, ...]) -> str:
    values = {name: _show(value) for name, value in args.items()}
    values.setdefault("op", ", ".join(str(op) for op in operations) or "(document)")
    try:
        return rule.message.format_map(_Defaulting(values))
    except (ValueError, IndexError):
        return rule.message


_MAX_LISTED = 8


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(_show(v) for v in value[:_MAX_LISTED]) or "none"
        if len(value) > _MAX_LISTED:
            shown += f" and {len(value) - _MAX_LISTED} more"
        return shown
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)


__all__ = ["make_finding", "render"]
