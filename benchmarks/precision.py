"""Labelled precision of specguard on the real-world corpus, per pair and in total.

Usage (from the repository root)::

    python benchmarks/precision.py              # diff every manifest pair now (~15 s)
    python benchmarks/precision.py --snapshots  # count the committed snapshots instead
    python benchmarks/precision.py --pair plaid # pairs whose name contains "plaid"

For each pair and level (breaking, warning): how many findings specguard reports, and how
many of them tests/corpus/labels/<pair>.yaml labels real, false or arguable, or does not
label at all. Precision is real / labelled (arguable counts as labelled, not as real), so
unlabelled findings neither help nor hurt it. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.*

from tests.corpus.support import (
    CORPUS,
    Key,
    compute,
    corpus_available,
    entry_key,
    labels_by_key,
    pair_names,
    read_labels,
    read_snapshot,
    verdict,
)

LEVELS = ("breaking", "warning")
VERDICTS = ("real", "false", "arguable", "unlabelled")


@dataclass
class Tally:
    """Counts of one pair (or the total) per level and verdict."""

    counts: dict[str, Counter[str]] = field(
        default_factory=lambda: {level: Counter() for level in LEVELS})

    def add(self, other: Tally) -> None:
        for level in LEVELS:
            self.counts[level].update(other.counts[level])

    def cells(self) -> list[str]:
        row: list[str] = []
        for level in LEVELS:
            count = self.counts[level]
            labelled = count["real"] + count["false"] + count["arguable"]
            precision = f"{count['real'] / labelled:.0%}" if labelled else "–"
            row += [str(count.total()), *(str(count[v]) for v in VERDICTS), precision]
        return row


def tally(pair: str, use_snapshots: bool) -> Tally:
    if use_snapshots:
        keys: list[Key] = [entry_key(e) for e in read_snapshot(pair) or []]
    else:
        keys = [entry_key(record) for record in compute(pair).records()]
    labels = labels_by_key(read_labels(pair))
    result = Tally()
    for key in keys:
        result.counts[key[1]][verdict(labels.get(key)) or "unlabelled"] += 1
    return result


def table(rows: list[tuple[str, Tally]]) -> str:
    head = ["pair"]
    for level in LEVELS:
        head += [level, "real", "false", "arguable", "unlabelled", "precision"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * (len(head) - 1)]
    total = Tally()
    for name, counts in rows:
        total.add(counts)
        lines.append("| " + " | ".join([name, *counts.cells()]) + " |")
    lines.append("| " + " | ".join(["**total**", *total.cells()]) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshots", action="store_true",
                        help="count the committed snapshots instead of diffing the pairs now")
    parser.add_argument("--pair", default="", help="only pairs whose name contains this")
    args = parser.parse_args(argv)
    if not corpus_available() and not args.snapshots:
        print(f"no corpus at {CORPUS} (use --snapshots)", file=sys.stderr)
        return 2
    names = [n for n in pair_names() if args.pair in n]
    if args.snapshots and not names:
        names = sorted(p.stem for p in (Path(__file__).resolve().parents[1] / "tests" / "corpus"
                                        / "snapshots").glob("*.yaml") if args.pair in p.stem)
    sys.stdout.write(table([(name, tally(name, args.snapshots)) for name in names]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
