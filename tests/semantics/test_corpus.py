"""The judge on real specs from ../shared/corpus: fast, total, and sure of unchanged schemas."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from specguard.load import load_spec
from specguard.semantics import Judge, Outcome
from tests.semantics.support import SpecResolver, dialect_of, sites

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
PAIRS = [
    ("box-old.json", "box-new.json"),
    ("adyen-management-old.json", "adyen-management-new.json"),
]
BUDGET_SECONDS = 20.0  # measured: ~0.2 s per pair on a 2-core machine


def _available() -> list[tuple[str, str]]:
    return [pair for pair in PAIRS if (CORPUS / pair[0]).exists() and (CORPUS / pair[1]).exists()]


@pytest.mark.slow
@pytest.mark.skipif(not _available(), reason="../shared/corpus is not present on this machine")
@pytest.mark.parametrize(("old_name", "new_name"), _available())
def test_every_schema_of_a_corpus_pair_is_judged_quickly(old_name: str, new_name: str) -> None:
    """All request/response schemas of a real pair get a verdict well within the budget."""
    old = load_spec(str(CORPUS / old_name), validate=False)
    new = load_spec(str(CORPUS / new_name), validate=False)
    judge = Judge(SpecResolver(old, new), dialect="3.1" if new.is_31 else "3.0")
    before, after = sites(old), sites(new)
    outcomes: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
    started = time.perf_counter()
    for label in before.keys() & after.keys():
        a, b = before[label], after[label]
        if a.kind == "response-body":
            verdict = judge.response_compatible(a.schema, a.base, b.schema, b.base)
        else:
            verdict = judge.request_compatible(a.schema, a.base, b.schema, b.base)
        assert (verdict.witness is not None) == (verdict.outcome is Outcome.INCOMPATIBLE)
        outcomes[verdict.outcome] += 1
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_SECONDS, f"{elapsed:.1f}s for {sum(outcomes.values())} schemas"
    assert outcomes[Outcome.COMPATIBLE] > 10 * outcomes[Outcome.UNKNOWN]


@pytest.mark.slow
@pytest.mark.skipif(not _available(), reason="../shared/corpus is not present on this machine")
@pytest.mark.parametrize("name", [pair[0] for pair in _available()])
def test_corpus_schemas_are_compatible_with_themselves(name: str) -> None:
    """A spec loaded twice: every schema is proved compatible with its twin, both directions."""
    first = load_spec(str(CORPUS / name), validate=False)
    second = load_spec(str(CORPUS / name), validate=False)
    judge = Judge(SpecResolver(first, second), dialect=dialect_of(first))
    left, right = sites(first), sites(second)
    for label, a in left.items():
        b = right[label]
        for context in ("request", "response"):
            verdict = judge.is_subschema(a.schema, a.base, b.schema, b.base, context=context)
            assert verdict.outcome is Outcome.COMPATIBLE, f"{label}: {verdict.reason}"
