"""How many breaking findings across fixtures/ carry a verified witness.

Usage: python benchmarks/witness_coverage.py
Schema findings (those the semantic judge can speak about) are counted separately from
findings about operations, parameters, status codes or security, which have no single
JSON instance to show.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import yaml

from specguard import Level, diff_specs, load_spec
from specguard.errors import SpecguardError
from specguard.rules import CATALOGUE
from specguard.rules._catalogue import JudgePolicy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def main() -> None:
    totals: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    for expected in sorted(FIXTURES.rglob("expected.yaml")):
        folder = expected.parent
        sides = [next(folder.glob(f"{name}.*"), None) for name in ("old", "new")]
        if None in sides:
            continue
        spec = yaml.safe_load(expected.read_text()) or {}
        today = spec.get("today") or dt.date(2026, 1, 1)
        if isinstance(today, str):
            today = dt.date.fromisoformat(today)
        try:
            old, new = (load_spec(str(p)) for p in sides)
            findings = diff_specs(old, new, today=today).findings
        except SpecguardError:  # hostile cases are meant to fail
            continue
        for finding in findings:
            if finding.level is not Level.BREAKING:
                continue
            judged = CATALOGUE[finding.rule_id].judge in (JudgePolicy.DECIDES,
                                                          JudgePolicy.WITNESSES)
            schema = judged or finding.rule_id.endswith(
                ("-schema-narrowed", "-schema-widened", "-not-changed")
            )
            kind = "schema" if schema else "other"
            totals[kind] += 1
            if finding.witness is not None:
                totals[f"{kind}-with-witness"] += 1
            elif schema:
                missing[finding.rule_id] += 1
    for kind in ("schema", "other"):
        total, with_witness = totals[kind], totals[f"{kind}-with-witness"]
        share = 100 * with_witness / total if total else 0.0
        print(
            f"{kind:7s} breaking findings: {total:4d}, with witness: {with_witness:4d} "
            f"({share:.0f} %)"
        )
    all_total = totals["schema"] + totals["other"]
    all_with = totals["schema-with-witness"] + totals["other-with-witness"]
    print(
        f"all     breaking findings: {all_total:4d}, with witness: {all_with:4d} "
        f"({100 * all_with / all_total if all_total else 0:.0f} %)"
    )
    if missing:
        print("schema findings without witness, by rule:", dict(missing.most_common(12)))


if __name__ == "__main__":
    main()
