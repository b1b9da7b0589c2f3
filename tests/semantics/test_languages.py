"""Pattern inclusion on finite automata (``specguard.semantics._languages``)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specguard.semantics._languages import pattern_included

SHA = "^[0-9a-fA-F]+$"
SHA_40_OR_64 = "^([0-9a-fA-F]{40}(?:[0-9a-fA-F]{24})?)$"


@pytest.mark.parametrize(
    ("sub", "sup", "bounds", "expected"),
    [
        # github-rest 22 -> 23: a commit id of exactly 40 hex digits fits both patterns
        (SHA_40_OR_64, SHA, (40, 40), True),
        (SHA, SHA_40_OR_64, (40, 40), True),
        (SHA, SHA_40_OR_64, (0, None), False),  # "a" is hex but neither 40 nor 64 long
        ("abc", "b", (0, None), True),  # pattern is a search: containing abc contains b
        ("b", "abc", (0, None), False),
        (r"^\d{3}$", "^[0-9]+$", (0, None), True),
        ("^[a-z]+$", "^[a-z0-9]+$", (0, None), True),
        ("^[a-z0-9]+$", "^[a-z]+$", (0, None), False),
        ("^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$", "^[A-Z0-9]+$", (0, None), True),
    ],
)
def test_inclusion(sub: str, sup: str, bounds: tuple[int, int | None], expected: bool) -> None:
    low, high = bounds
    assert pattern_included(sub, sup, min_length=low, max_length=high) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"^\p{L}+$",  # a Unicode property: ECMA-262 only
        "^a.b$",  # ECMA's dot excludes line terminators, the automaton's would not
        "(?<=a)b",  # look-behind
        r"(a)\1",  # back-reference
    ],
)
def test_what_the_automata_cannot_model_is_undecided(pattern: str) -> None:
    assert pattern_included(pattern, "a") is None


@pytest.mark.parametrize(
    "pattern",
    ["^(a|b)*a(a|b){20}$", "^[ab]*a[ab]{30}$", "(a|b)*a(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)(a|b)",
     "^(a|aa)*b(a|b){25}$"],
)
def test_exponential_automata_stop_at_the_budget(pattern: str) -> None:
    """A determinised automaton can be exponential in its pattern: the budget says undecided
    (or decides within it), never hangs, and never proves a false inclusion ("b..." matches
    each of these and not ^a)."""
    assert pattern_included(pattern, "^a") is not True


_ATOMS = st.sampled_from(["a", "b", "[ab]", "[a-c]", r"\d", "[0-9]"])
_PATTERNS = st.builds(
    lambda parts, start, end: ("^" if start else "") + "".join(parts) + ("$" if end else ""),
    st.lists(st.builds(lambda atom, rep: atom + rep, _ATOMS,
                       st.sampled_from(["", "+", "*", "?", "{2}", "{1,3}"])),
             min_size=1, max_size=3),
    st.booleans(), st.booleans(),
)


@settings(max_examples=30, deadline=None)
@given(sub=_PATTERNS, sup=_PATTERNS, data=st.data())
def test_a_proved_inclusion_holds_on_samples(sub: str, sup: str, data: st.DataObject) -> None:
    """Soundness: when inclusion is proved, strings the first pattern finds a match in are
    ones the second does too."""
    if pattern_included(sub, sup) is not True:
        return
    for _ in range(5):
        # ECMA-262 (the dialect of `pattern`): \d is [0-9], not every Unicode digit
        text = data.draw(st.from_regex(re.compile(sub, re.ASCII)))
        assert re.search(sup, text, re.ASCII), (sub, sup, text)


@settings(max_examples=30, deadline=None)
@given(pattern=_PATTERNS)
def test_every_pattern_includes_itself(pattern: str) -> None:
    """Anchored at both ends the automata stay small: proved. A search (unanchored) may
    determinise past the budget: then undecided, never 'not included'."""
    expected = {True} if pattern.startswith("^") and pattern.endswith("$") else {True, None}
    assert pattern_included(pattern, pattern) in expected
