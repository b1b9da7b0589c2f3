"""The differ's changes are typed: a Subject, and facts of the type that subject declares."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from specguard.diff import compare
from specguard.errors import SpecguardError
from specguard.load import load_spec
from specguard.model import FACTS_OF, NO_FACTS, Subject

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(
    path.parent for path in FIXTURES.rglob("expected.yaml")
    if (path.parent / "old.yaml").exists() and (path.parent / "new.yaml").exists()
    and "hostile" not in path.parts and "lint" not in path.parts
)


def _changes() -> list[tuple[str, Subject, type]]:
    found = []
    for case in CASES:
        try:
            old = load_spec(str(case / "old.yaml"), validate=False)
            new = load_spec(str(case / "new.yaml"), validate=False)
            tree = compare(old, new)
        except (SpecguardError, TypeError, ValueError):
            continue  # AsyncAPI and deliberately broken documents take other paths
        for entry in tree.entries:
            change = entry.change
            found.append((case.name, change.subject, type(change.facts)))
    return found


def test_every_change_carries_the_facts_type_of_its_subject() -> None:
    changes = _changes()
    assert len({subject for _, subject, _ in changes}) > 40  # the fixtures reach most subjects
    wrong = [
        f"{case}: {subject.value} carries {kind.__name__}"
        for case, subject, kind in changes
        if kind is not type(NO_FACTS) and not issubclass(kind, FACTS_OF.get(subject, type(None)))
    ]
    assert not wrong, "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("subject", list(Subject))
def test_facts_types_are_frozen(subject: Subject) -> None:
    kind = FACTS_OF.get(subject, type(NO_FACTS))
    assert dataclasses.is_dataclass(kind)
    assert kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert hasattr(kind, "__slots__")
