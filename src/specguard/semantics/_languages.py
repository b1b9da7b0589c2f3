"""Inclusion of the string sets two ``pattern``s (with length bounds) accept.

JSON Schema applies ``pattern`` as an unanchored search. For the simple patterns real APIs
write (anchored character-class runs, counted repetitions, alternations) whether every string
one accepts is accepted by the other is decidable on finite automata; ``greenery`` builds them.
Anything outside its syntax, or a pattern whose automaton could grow large, is undecided
(``None``), never guessed.
"""

from __future__ import annotations

import functools
import re
from typing import Any

# Untrusted input: a deterministic automaton can be exponential in the pattern, so every
# automaton greenery builds is held to a state budget (see _bounded_crawl).
_MAX_PATTERN = 128
_MAX_COUNT = 64
_MAX_BOUND = 256
_COUNTS = re.compile(r"(?<!\\)\{(\d+)(?:,(\d*))?\}")
# Constructs whose ECMA-262 meaning greenery does not share (or does not parse): undecided.
_FOREIGN = re.compile(r"\\[bBpPkucx0-9]|\(\?[<!=]|(?<!\\)\.")


_MAX_STATES = 2000
_MAX_WORK = 100_000  # automaton steps per question: deterministic, a fraction of a second
_work = 0


class _TooLarge(Exception):
    """An automaton outgrew the budget: the question is undecided."""


def _state_key(state: Any) -> Any:
    """A hashable form of a greenery state: (nested) dicts, sets, tuples or ints."""
    kind = type(state)  # exact types first: this runs for every transition
    if kind is int:
        return state
    if kind is dict:
        return frozenset([(k, _state_key(v)) for k, v in state.items()])
    if kind is set or kind is frozenset:
        return frozenset([_state_key(item) for item in state])
    if kind is tuple or kind is list:
        return tuple([_state_key(item) for item in state])
    return state


def _bounded_crawl(alphabet: Any, initial: Any, final: Any, follow: Any) -> Any:
    """greenery's ``fsm.crawl`` (the one builder every automaton operation uses), with a
    state budget and a hashed index instead of a linear search."""
    from greenery.fsm import Fsm

    global _work
    states = [initial]
    index = {_state_key(initial): 0}
    finals: set[int] = set()
    transitions: dict[int, dict[Any, int]] = {}
    symbols = sorted(alphabet)
    i = 0
    while i < len(states):
        state = states[i]
        if final(state):
            finals.add(i)
        transitions[i] = {}
        for symbol in symbols:
            _work += 1
            if _work > _MAX_WORK:
                raise _TooLarge
            following = follow(state, symbol)
            hashable = _state_key(following)
            j = index.get(hashable)
            if j is None:
                if len(states) >= _MAX_STATES:
                    raise _TooLarge
                j = index[hashable] = len(states)
                states.append(following)
            transitions[i][symbol] = j
        i += 1
    return Fsm(alphabet=alphabet, states=set(range(len(states))), initial=0, finals=finals,
               map=transitions)


@functools.cache
def _greenery() -> Any:
    import greenery.fsm

    greenery.fsm.crawl = _bounded_crawl  # every operation of the module looks it up here
    # Minimising (two reversals, quadratic in greenery) is not needed to tell emptiness: the
    # crawl only ever visits reachable states, and the budget bounds them. Operations do not
    # minimise their results; _minimal minimises each pattern's automaton once instead.
    if not hasattr(greenery.fsm.Fsm, "minimised"):
        greenery.fsm.Fsm.minimised = greenery.fsm.Fsm.reduce
        greenery.fsm.Fsm.reduce = lambda self: self
    return greenery


def _minimal(fsm: Any) -> Any:
    """The minimal automaton, when a budget of its own allows (every product built from a
    pattern's automaton shrinks with it: github's hex-id patterns went from 950 product states
    to 106), else the automaton as it is."""
    global _work
    spent, _work = _work, 0
    try:
        return fsm.minimised()
    except _TooLarge:
        return fsm
    finally:
        _work = spent


def _safe(pattern: str) -> bool:
    if len(pattern) > _MAX_PATTERN or _FOREIGN.search(pattern):
        return False
    counts = [int(n) for found in _COUNTS.findall(pattern) for n in found if n]
    return sum(counts) <= _MAX_COUNT * 2 and all(n <= _MAX_COUNT for n in counts)


@functools.lru_cache(maxsize=256)
def _language(pattern: str) -> Any:
    """The automaton of the strings ``pattern`` finds a match in, or None."""
    if not _safe(pattern):
        return None
    try:
        parse = _greenery().parse
        core = pattern
        start = core.startswith("^")
        end = core.endswith("$") and not core.endswith("\\$")
        core = core[1 if start else 0: len(core) - 1 if end else len(core)]
        if "^" in core.replace("[^", "") or re.search(r"(?<!\\)\$", core):
            return None  # anchors inside the pattern: not a plain search
        # a search: anything may come before and after unless anchored ([\s\S]: any char)
        text = ("" if start else r"[\s\S]*") + f"(?:{core})" + ("" if end else r"[\s\S]*")
        return _minimal(parse(text.replace("(?:", "(")).to_fsm())
    except Exception:  # greenery's syntax is narrower than ECMA-262: undecided
        return None


@functools.lru_cache(maxsize=256)
def _lengths(low: int, high: int | None) -> Any:
    parse = _greenery().parse
    span = f"{{{low},}}" if high is None else f"{{{low},{high}}}"
    return _minimal(parse(r"[\s\S]" + span).to_fsm())


def pattern_included(
    sub: str, sup: str, *, min_length: int = 0, max_length: int | None = None
) -> bool | None:
    """Whether every string of length ``min_length..max_length`` in which ``sub`` finds a
    match is one in which ``sup`` finds a match. None when undecided."""
    if max_length is not None and (max_length > _MAX_BOUND or max_length < min_length):
        return None if max_length > _MAX_BOUND else True
    if min_length > _MAX_BOUND:
        return None
    global _work
    _work = 0
    left, right = _language(sub), _language(sup)
    if left is None or right is None:
        return None
    try:
        if min_length or max_length is not None:
            left = left & _lengths(min_length, max_length)
        return bool((left - right).empty())
    except Exception:  # the budget ran out (or greenery refused): undecided
        return None


__all__ = ["pattern_included"]
