"""A diff frees its work as soon as it returns: no reference cycle keeps the judge alive.

The differ and the judge allocate hundreds of thousands of objects with the collector paused;
held by a cycle, they would wait for a full collection (0.1 s on github-rest) after every diff.
"""

from __future__ import annotations

import gc
from pathlib import Path

from specguard.api import diff_specs
from specguard.load import load_spec
from specguard.semantics import Judge
from specguard.semantics._engine import Engine

CASES = Path(__file__).resolve().parents[1] / "fixtures" / "semantic" / "breaking"


def test_judge_and_engines_are_freed_without_the_collector() -> None:
    case = sorted(CASES.iterdir())[0]
    old, new = load_spec(str(case / "old.yaml")), load_spec(str(case / "new.yaml"))
    gc.collect()
    gc.disable()
    try:
        report = diff_specs(old, new)
        assert any(f.witness is not None for f in report.findings)  # the judge did run
        alive = [o for o in gc.get_objects() if isinstance(o, Judge | Engine)]
    finally:
        gc.enable()
    assert alive == []
