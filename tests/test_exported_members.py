"""The public API is explicit: a sorted __all__ pinned here."""

from __future__ import annotations

import specguard

EXPECTED = [
    "Change", "ChangeKind", "DiffReport", "Direction", "Finding", "Level", "Location",
    "Operation", "Spec", "SpecguardError", "Witness", "diff_specs", "load_spec",
]


def test_all_is_sorted_and_pinned() -> None:
    """Adding or removing a public name is a deliberate change to this list."""
    assert specguard.__all__ == sorted(specguard.__all__)
    assert specguard.__all__ == EXPECTED
    for name in EXPECTED:
        assert hasattr(specguard, name)
