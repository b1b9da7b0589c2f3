"""Small, bounded generator of strings that match a regular expression.

Witnesses for string schemas need a string that satisfies ``pattern``. We walk Python's own
parse tree (``re._parser``, the module behind ``sre_parse``) and build a few candidates with
different repetition counts. Everything unusual (look-arounds, back-references to unknown
groups) yields no candidate: the caller then treats the case as undecided, never as proved.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterator
from typing import Any

import regex

_MAX_CANDIDATES = 8
_MAX_LENGTH = 256
# A spec in a pull request may carry a catastrophically backtracking pattern (^(a+)+$): one
# match may take at most this long, after which the answer is "undecided", never a guess.
SEARCH_SECONDS = 0.05

try:  # Python >= 3.11 keeps the parser private; the deprecated alias still works on 3.10
    _parser: Any = importlib.import_module("re._parser")
    _constants: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python 3.10
    _parser = importlib.import_module("sre_parse")
    _constants = importlib.import_module("sre_constants")


class _Unsupported(Exception):
    """The pattern uses a construct this generator does not model."""


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str) -> Any:
    """The compiled pattern (``regex``, re-compatible mode), or None when Python's ``re``
    cannot compile it (the validators use ``re``)."""
    try:
        re.compile(pattern)
        return regex.compile(pattern, flags=regex.VERSION0)
    except (re.error, regex.error, RecursionError, OverflowError, ValueError):
        return None


def search(pattern: str, text: str) -> bool | None:
    """``re.search`` semantics, as the validators use; None when the pattern is invalid or
    the match did not finish within :data:`SEARCH_SECONDS`."""
    compiled_pattern = compiled(pattern)
    if compiled_pattern is None:
        return None
    try:
        return compiled_pattern.search(text, timeout=SEARCH_SECONDS) is not None
    except TimeoutError:
        return None


@functools.lru_cache(maxsize=4096)
def example_tuple(pattern: str) -> tuple[str, ...]:
    """:func:`examples` computed once per pattern (parsing a regex is the costly part)."""
    return tuple(examples(pattern))


def examples(pattern: str) -> Iterator[str]:
    """Yield up to a few strings that contain a match of ``pattern`` (checked with search)."""
    if compiled(pattern) is None:
        return
    try:
        tree = _parser.parse(pattern)
    except Exception:  # pragma: no cover - compiled() already accepted it
        return
    seen: set[str] = set()
    for extra in (0, 1, 3, 8):
        try:
            text = _emit(list(tree), extra, {})
        except (_Unsupported, RecursionError):
            return
        if len(text) > _MAX_LENGTH or text in seen:
            continue
        seen.add(text)
        if search(pattern, text):
            yield text
        if len(seen) >= _MAX_CANDIDATES:
            return


def _emit(items: list[Any], extra: int, groups: dict[int, str]) -> str:
    out: list[str] = []
    for op, arg in items:
        out.append(_emit_one(op, arg, extra, groups))
    return "".join(out)


def _emit_one(op: Any, arg: Any, extra: int, groups: dict[int, str]) -> str:
    c = _constants
    if op is c.LITERAL:
        return chr(arg)
    if op is c.NOT_LITERAL:
        return "a" if arg != ord("a") else "b"
    if op is c.ANY:
        return "a"
    if op is c.AT:
        return ""
    if op is c.IN:
        return _emit_in(arg)
    if op is c.BRANCH:
        _, branches = arg
        return _emit(list(branches[0]), extra, groups)
    if op is c.SUBPATTERN:
        group, _add, _del, sub = arg
        text = _emit(list(sub), extra, groups)
        if group is not None:
            groups[group] = text
        return text
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, high, sub = arg
        count = low + extra
        if high is not c.MAXREPEAT:
            count = min(count, high)
        count = min(count, _MAX_LENGTH)
        return "".join(_emit(list(sub), extra, groups) for _ in range(count))
    if op is c.GROUPREF:
        if arg not in groups:
            raise _Unsupported("back-reference")
        return groups[arg]
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _emit(list(arg), extra, groups)
    raise _Unsupported(str(op))


_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "0",
    "CATEGORY_NOT_DIGIT": "a",
    "CATEGORY_SPACE": " ",
    "CATEGORY_NOT_SPACE": "a",
    "CATEGORY_WORD": "a",
    "CATEGORY_NOT_WORD": "-",
}


def _emit_in(items: list[Any]) -> str:
    c = _constants
    if items and items[0][0] is c.NEGATE:
        excluded = _class_chars(items[1:])
        for candidate in "a0-_ xZ":
            if candidate not in excluded:
                return candidate
        raise _Unsupported("negated class")
    op, arg = items[0]
    if op is c.LITERAL:
        return chr(arg)
    if op is c.RANGE:
        return chr(arg[0])
    if op is c.CATEGORY:
        sample = _CATEGORY_SAMPLES.get(str(arg))
        if sample is None:
            raise _Unsupported(str(arg))
        return sample
    raise _Unsupported(str(op))


def _class_chars(items: list[Any]) -> str:
    c = _constants
    chars: list[str] = []
    for op, arg in items:
        if op is c.LITERAL:
            chars.append(chr(arg))
        elif op is c.RANGE:
            chars.extend(chr(code) for code in range(arg[0], min(arg[1], arg[0] + 200) + 1))
        elif op is c.CATEGORY:
            name = str(arg)
            if name == "CATEGORY_DIGIT":
                chars.extend("0123456789")
            elif name == "CATEGORY_WORD":
                chars.extend("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
            elif name == "CATEGORY_SPACE":
                chars.extend(" \t\n\r\f\v")
            else:
                chars.extend("a0-_ xZ")
    return "".join(chars)
