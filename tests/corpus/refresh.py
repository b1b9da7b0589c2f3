"""Rewrite the corpus snapshots from specguard's current findings.

Usage (from the repository root)::

    python -m tests.corpus.refresh              # every pair of ../shared/corpus/manifest.json
    python -m tests.corpus.refresh box asana    # only the named pairs

Then label every new finding in tests/corpus/labels/<pair>.yaml (see tests/corpus/README.md)
and commit snapshots and labels together.
"""

from __future__ import annotations

import argparse
import sys
import time

from tests.corpus.support import (
    CORPUS,
    compute,
    corpus_available,
    entry_key,
    labels_by_key,
    pair_names,
    read_labels,
    read_snapshot,
    verdict,
    write_snapshot,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="*", help="pair names (default: every manifest pair)")
    args = parser.parse_args(argv)
    if not corpus_available():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    names = args.pairs or pair_names()
    unknown = sorted(set(names) - set(pair_names()))
    if unknown:
        print(f"unknown pairs: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for name in names:
        started = time.perf_counter()
        before = {entry_key(e) for e in read_snapshot(name) or []}
        result = compute(name)
        path = write_snapshot(result)
        records = result.records()
        after = {entry_key(e) for e in records}
        labels = labels_by_key(read_labels(name))
        unlabelled = sum(1 for e in records if verdict(labels.get(entry_key(e))) is None)
        print(f"{name}: {len(records)} findings (+{len(after - before)} -{len(before - after)} "
              f"keys), {unlabelled} unlabelled, {time.perf_counter() - started:.1f}s -> {path}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
