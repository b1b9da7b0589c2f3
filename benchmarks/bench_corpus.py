"""Diff every pair of the real-world corpus and print parse time, diff time and peak RSS.

Usage (from the repository root)::

    python benchmarks/bench_corpus.py                      # every pair, one process each
    python benchmarks/bench_corpus.py --pair stripe        # pairs whose name contains "stripe"
    python benchmarks/bench_corpus.py --pair box --profile # cProfile of the diff, top entries
    python benchmarks/bench_corpus.py --validate           # also time OpenAPI validation
    python benchmarks/bench_corpus.py --repeat 5           # medians of 5 runs per pair

The corpus is ``../shared/corpus`` (``--corpus`` to change): the pairs of its manifest plus
the versioned folders (stripe, github-rest, github-webhooks, adyen-checkout, plaid,
digitalocean). Each pair runs in a fresh interpreter so that peak RSS belongs to that pair.

Columns: ``parse old``/``parse new`` load the document and every file its ``$ref`` reach
(libyaml C loader / json); ``validate`` is openapi-spec-validator on both (``invalid``
when a document fails it); ``compare`` is the differ, ``classify`` the rules (with the
semantic judge when present); ``diff`` is their sum and ``ratio`` is diff / (parse old +
parse new); ``docs MB`` is the RSS growth while loading both documents (their in-memory
size), ``base MB`` the RSS of the interpreter with specguard imported, ``peak MB`` the
peak RSS of the process and ``(peak-base)/docs`` the target's measure (<= 3).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# Pairs outside manifest.json: (name, old, new), paths relative to the corpus folder.
EXTRA_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("stripe v460-v466", "stripe/v460/spec3.yaml", "stripe/v466/spec3.yaml"),
    (
        "github-rest 22.0.0-23.0.2",
        "github-rest/22.0.0/api.github.com.json",
        "github-rest/23.0.2/api.github.com.json",
    ),
    (
        "github-webhooks 11.0.0-12.1.0",
        "github-webhooks/11.0.0/api.github.com.json",
        "github-webhooks/12.1.0/api.github.com.json",
    ),
    (
        "adyen-checkout v70-v71",
        "adyen-checkout/6091008/CheckoutService-v70.json",
        "adyen-checkout/6091008/CheckoutService-v71.json",
    ),
    (
        "adyen-checkout v71-v72",
        "adyen-checkout/74fabab/CheckoutService-v71.json",
        "adyen-checkout/74fabab/CheckoutService-v72.json",
    ),
    ("plaid 1.682.2-1.688.6", "plaid/92814f56/2020-09-14.yml", "plaid/22052fbb/2020-09-14.yml"),
    (
        "digitalocean 0fb7311d-7c1300c4 (multi-file)",
        "digitalocean/0fb7311d/specification/DigitalOcean-public.v2.yaml",
        "digitalocean/7c1300c4/specification/DigitalOcean-public.v2.yaml",
    ),
)


@dataclass(frozen=True, slots=True)
class Result:
    """Measurements of one pair (seconds and megabytes)."""

    name: str
    parse_old: float
    parse_new: float
    validate: float | None
    compare: float
    classify: float
    findings: int
    files: int
    base_mb: float
    docs_mb: float
    peak_mb: float

    @property
    def diff(self) -> float:
        return self.compare + self.classify

    @property
    def ratio(self) -> float:
        return self.diff / (self.parse_old + self.parse_new)


def corpus_pairs(corpus: Path) -> list[tuple[str, str, str]]:
    """Every pair: the manifest's, then the versioned folders'."""
    manifest = json.loads((corpus / "manifest.json").read_text("utf-8"))
    pairs = [(p["name"], p["old"], p["new"]) for p in manifest["pairs"]]
    return pairs + [p for p in EXTRA_PAIRS if (corpus / p[1]).exists()]


def _rss_mb() -> float:
    """Current resident set size (Linux /proc), in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load_all(location: Path) -> Any:
    """Load a spec and every file its $refs reach, so parse time covers multi-file specs."""
    from specguard.load import load_spec

    spec = load_spec(str(location), validate=False)
    walked: set[str] = set()
    while True:
        pending = [f for key, f in list(spec.files.items()) if key not in walked]
        if not pending:
            return spec
        for source in pending:
            walked.add(source.key)
            stack = [source.data]
            while stack:
                value = stack.pop()
                if isinstance(value, dict):
                    ref = value.get("$ref")
                    if isinstance(ref, str) and not ref.startswith("#"):
                        spec.resolve(ref, source)
                    stack.extend(value.values())
                elif isinstance(value, list):
                    stack.extend(value)


def measure(name: str, old: Path, new: Path, validate: bool, profile: bool) -> Result:
    """Measure one pair in this process."""
    from specguard.api import collector_paused
    from specguard.diff import compare
    from specguard.rules import classify

    # The rules import the semantic judge lazily; keep that import out of the timings.
    with contextlib.suppress(ImportError):
        import specguard.semantics  # noqa: F401
    baseline = _rss_mb()
    start = time.perf_counter()
    old_spec = _load_all(old)
    parse_old = time.perf_counter() - start
    start = time.perf_counter()
    new_spec = _load_all(new)
    parse_new = time.perf_counter() - start
    docs_mb = _rss_mb() - baseline
    validate_seconds = None
    if validate:
        from specguard.errors import SpecguardError
        from specguard.load._validate import validate_spec

        start = time.perf_counter()
        try:
            validate_spec(old_spec)
            validate_spec(new_spec)
            validate_seconds = time.perf_counter() - start
        except SpecguardError as error:  # some real specs are invalid; time the rest anyway
            print(f"{name}: invalid: {error.one_line()[:200]}", file=sys.stderr)
            validate_seconds = -1.0
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    # As diff_specs does: the collector is paused for the walk and the judge. The collection
    # it defers runs when the pause ends, and is counted in ``classify``.
    with collector_paused():
        start = time.perf_counter()
        tree = compare(old_spec, new_spec)
        compared = time.perf_counter() - start
        start = time.perf_counter()
        findings = classify(tree)
        del tree
    _ = [[] for _ in range(1000)]  # allocations that let the deferred collection run
    classified = time.perf_counter() - start
    if profiler is not None:
        import pstats

        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(25)
    return Result(
        name=name,
        parse_old=parse_old,
        parse_new=parse_new,
        validate=validate_seconds,
        compare=compared,
        classify=classified,
        findings=len(findings),
        files=len(old_spec.files) + len(new_spec.files),
        base_mb=baseline,
        docs_mb=docs_mb,
        peak_mb=_peak_mb(),
    )


def _run_child(corpus: Path, pair: tuple[str, str, str], args: argparse.Namespace) -> Result:
    command = [sys.executable, __file__, "--child", pair[0], "--corpus", str(corpus)]
    if args.validate:
        command.append("--validate")
    if args.profile:
        command.append("--profile")
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{pair[0]}: benchmark child failed with exit code {proc.returncode}")
    fields = json.loads(proc.stdout.strip().splitlines()[-1])
    return Result(**fields)


def _print_table(results: list[Result]) -> None:
    header = (
        f"{'pair':<45} {'parse old':>9} {'parse new':>9} {'validate':>8} {'compare':>8} "
        f"{'classify':>8} {'diff':>8} {'ratio':>6} {'findings':>8} {'files':>5} "
        f"{'base MB':>7} {'docs MB':>7} {'peak MB':>7} {'(peak-base)/docs':>16}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        validate = f"{'-':>8}" if r.validate is None else f"{r.validate:8.2f}"
        if r.validate is not None and r.validate < 0:
            validate = f"{'invalid':>8}"
        print(
            f"{r.name[:45]:<45} {r.parse_old:9.2f} {r.parse_new:9.2f} {validate} "
            f"{r.compare:8.2f} {r.classify:8.2f} {r.diff:8.2f} {r.ratio:6.2f} "
            f"{r.findings:8d} {r.files:5d} {r.base_mb:7.0f} {r.docs_mb:7.0f} {r.peak_mb:7.0f} "
            f"{(r.peak_mb - r.base_mb) / max(r.docs_mb, 1):16.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pair", default="", help="only pairs whose name contains this")
    parser.add_argument("--validate", action="store_true", help="also time validation")
    parser.add_argument("--profile", action="store_true", help="cProfile the diff (stderr)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per pair; timings are the medians"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    pairs = corpus_pairs(args.corpus)
    if args.child is not None:
        name, old, new = next(p for p in pairs if p[0] == args.child)
        result = measure(name, args.corpus / old, args.corpus / new, args.validate, args.profile)
        print(json.dumps(asdict(result)))
        return
    selected = [p for p in pairs if args.pair in p[0]]
    results = []
    for pair in selected:
        runs = [_run_child(args.corpus, pair, args) for _ in range(max(1, args.repeat))]
        results.append(_median(runs))
        print(f"done: {pair[0]}", file=sys.stderr, flush=True)
    _print_table(results)


def _median(runs: list[Result]) -> Result:
    """Each timing column's median over the runs (a 2-core machine is noisy); sizes from
    the first run, peak RSS the largest."""
    if len(runs) == 1:
        return runs[0]

    def mid(values: list[float]) -> float:
        return statistics.median(values)

    first = runs[0]
    return Result(
        name=first.name,
        parse_old=mid([r.parse_old for r in runs]),
        parse_new=mid([r.parse_new for r in runs]),
        validate=None if first.validate is None else mid([r.validate or 0.0 for r in runs]),
        compare=mid([r.compare for r in runs]),
        classify=mid([r.classify for r in runs]),
        findings=first.findings,
        files=first.files,
        base_mb=first.base_mb,
        docs_mb=first.docs_mb,
        peak_mb=max(r.peak_mb for r in runs),
    )


if __name__ == "__main__":
    main()
