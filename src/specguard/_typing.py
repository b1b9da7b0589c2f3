"""Typing helpers every stage shares."""

from __future__ import annotations

from typing import NoReturn


def assert_never(value: NoReturn) -> NoReturn:
    """Exhaustiveness check for dispatch over a closed enum (``typing.assert_never`` is 3.11+):
    mypy fails where a member is not handled, and it raises if one slips through at run time."""
    raise AssertionError(f"unhandled value: {value!r}")
