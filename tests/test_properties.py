"""Properties of the differ over generated documents and the real-world corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from specguard import Finding, diff_specs, load_spec
from specguard.load import Spec
from tests.strategies import documents, mutated

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _load(tmp: Path, name: str, document: dict[str, Any]) -> Spec:
    path = tmp / name
    path.write_text(json.dumps(document))
    return load_spec(str(path))


def _facts(findings: tuple[Finding, ...]) -> set[tuple[str, str]]:
    """What was added/removed, as (kind, pointer), independent of which side is old."""
    facts = set()
    for f in findings:
        if f.old is None and f.new is not None:
            facts.add(("only-in-new", f.new.pointer))
        elif f.new is None and f.old is not None:
            facts.add(("only-in-old", f.old.pointer))
    return facts


@PROPERTY_SETTINGS
@given(documents())
def test_diff_of_a_document_with_itself_is_empty(tmp_path_factory: Any, doc: dict[str, Any]
                                                  ) -> None:
    """diff(a, a) has no findings for any generated document."""
    tmp = tmp_path_factory.mktemp("self")
    report = diff_specs(_load(tmp, "a.json", doc), _load(tmp, "b.json", doc))
    assert report.findings == ()


@PROPERTY_SETTINGS
@given(documents().flatmap(lambda d: mutated(d).map(lambda m: (d, m))))
def test_swapping_arguments_swaps_added_and_removed(
    tmp_path_factory: Any, pair: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """What diff(a, b) says is only in b, diff(b, a) says is only in a (and vice versa)."""
    tmp = tmp_path_factory.mktemp("swap")
    a, b = _load(tmp, "a.json", pair[0]), _load(tmp, "b.json", pair[1])
    forward = _facts(diff_specs(a, b).findings)
    backward = _facts(diff_specs(b, a).findings)
    flipped = {("only-in-old" if k == "only-in-new" else "only-in-new", p) for k, p in backward}
    assert forward == flipped


CORPUS_SPECS = sorted(
    str(p) for p in [
        *CORPUS.glob("*-new.json"), *CORPUS.glob("*-new.yaml"),
        CORPUS / "digitalocean-new" / "specification" / "DigitalOcean-public.v2.yaml",
    ] if p.exists()
)


@pytest.mark.skipif(not CORPUS_SPECS, reason="../shared/corpus is not present on this machine")
@pytest.mark.parametrize("path", CORPUS_SPECS, ids=lambda p: Path(p).name)
def test_corpus_spec_diffed_with_itself_is_empty(path: str) -> None:
    """Every real spec in the corpus, loaded twice, diffs to nothing."""
    old = load_spec(path, validate=False)
    new = load_spec(path, validate=False)
    assert diff_specs(old, new).findings == ()
