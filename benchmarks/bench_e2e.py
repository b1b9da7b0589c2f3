"""The whole command as a user runs it: ``specguard diff OLD NEW --format json`` (default
settings, validation on) in a fresh process, against a fresh process that only parses both
files, for every pair of the corpus; peers (oasdiff) on the same pairs, interleaved.

Usage (from the repository root)::

    python benchmarks/bench_e2e.py                  # every pair, medians of 5
    python benchmarks/bench_e2e.py --pair github    # pairs whose name contains "github"
    python benchmarks/bench_e2e.py --repeats 9      # medians of 9
    python benchmarks/bench_e2e.py --profile        # plus a stage breakdown per pair
    python benchmarks/bench_e2e.py --no-peers       # specguard only
    python benchmarks/bench_e2e.py --before /tmp/old  # also another version's source tree
    # (made with: git archive REV src | tar -x -C /tmp/old)

Each round runs every command of every pair once, in turn (parse-only, specguard, peers), so
that a busy machine slows all of them alike; the tables show medians over the rounds.

Columns: ``parse`` is a fresh interpreter that reads and parses both documents (``json`` /
libyaml's C loader, and every file their ``$ref``s reach: the floor any tool pays);
``specguard`` the default
command; ``ratio`` their quotient (the target: <= 3 on the largest pair); ``peak MB`` the
child's peak RSS (``wait4``); ``oasdiff`` is ``oasdiff changelog OLD NEW -f json`` (all
levels, like specguard's JSON report) when ``oasdiff`` is on PATH or in ``~/go/bin``, and
``oasdiff/sg`` its time over specguard's.

Source trees are byte-compiled first, as ``pip install`` does (a user never pays for
compiling specguard's modules on each run; ``PYTHONDONTWRITEBYTECODE`` would make every child
compile them again, 0.1 s a run).

``--profile`` runs each pair once more in a fresh process that times the command's stages
(import, load, compare, classify, validate, report) as ``specguard diff`` runs them; the
rest of the wall time is interpreter start-up and exit. With a helper process (two CPUs,
large documents) ``load`` is this process's part (the new document, and the old one handed
over), and ``validate`` the wait for the helper's verdicts once the judge is done.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ROOT = Path(__file__).resolve().parents[1]

_PARSE_ONLY = r"""
import json, os, re, sys
import yaml
EXTERNAL = re.compile(r'''\$ref["']?\s*:\s*["']?([^#"'\s,}]+)''')
seen = set()
pending = [os.path.abspath(p) for p in sys.argv[1:]]
while pending:
    path = pending.pop()
    if path in seen:
        continue
    seen.add(path)
    with open(path, 'rb') as handle:
        raw = handle.read()
    if path.endswith('.json'):
        json.loads(raw)
    else:
        yaml.load(raw, Loader=yaml.CSafeLoader)
    text = raw.decode('utf-8')
    for target in EXTERNAL.findall(text):  # files the $refs reach, parsed too
        if '://' not in target:
            pending.append(os.path.normpath(os.path.join(os.path.dirname(path), target)))
"""


@dataclass(frozen=True, slots=True)
class Run:
    """One child process: wall seconds, peak RSS in MB, exit code."""

    seconds: float
    peak_mb: float
    code: int


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` with output discarded; its own wall time and peak RSS (wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss / 1024, child.returncode)


def oasdiff() -> str | None:
    """The oasdiff binary: on PATH or where ``go install`` puts it."""
    found = shutil.which("oasdiff")
    if found:
        return found
    candidate = Path.home() / "go" / "bin" / "oasdiff"
    return str(candidate) if candidate.is_file() else None


def byte_compile(*trees: Path | None) -> None:
    """Write the bytecode of every source tree the children import, as an install does."""
    import specguard

    folders = [Path(specguard.__file__).parent]
    folders += [tree.resolve() / "src" for tree in trees if tree is not None]
    for folder in folders:
        compileall.compile_dir(str(folder), quiet=1)


def corpus_pairs(corpus: Path, wanted: str | None) -> list[tuple[str, Path, Path]]:
    manifest = json.loads((corpus / "manifest.json").read_text("utf-8"))
    return [
        (p["name"], corpus / p["old"], corpus / p["new"])
        for p in manifest["pairs"]
        if wanted is None or wanted in p["name"]
    ]


def commands(old: Path, new: Path, peer: str | None, before: Path | None
             ) -> dict[str, list[str]]:
    python = sys.executable
    found = {
        "parse": [python, "-c", _PARSE_ONLY, str(old), str(new)],
        "specguard": [python, "-m", "specguard", "diff", str(old), str(new), "--format", "json"],
    }
    if before is not None:
        found["before"] = found["specguard"]
    if peer is not None:
        found["oasdiff"] = [peer, "changelog", str(old), str(new), "-f", "json"]
    return found


_STAGES = """
import sys, time, json, gc
t0 = time.perf_counter()
gc.disable()  # as the specguard diff process runs
import specguard.cli._diff as cli
from specguard.api import diff_specs
from specguard.gate import with_sources
from specguard.load import loaded_pair
from specguard.report import OutputFormat, RenderOptions, render
from specguard.model import Level
t1 = time.perf_counter()
with loaded_pair(sys.argv[1], sys.argv[2]) as (old, new, validation):
    t2 = time.perf_counter()
    from specguard.diff import compare
    from specguard.rules import classify
    tree = compare(old, new)
    t3 = time.perf_counter()
    findings = classify(tree)
    del tree
    t4 = time.perf_counter()
    problems = validation.result()  # waits for the helper when there is one
    t5 = time.perf_counter()
from specguard.model import DiffReport
report = with_sources(DiffReport(old.root.name, new.root.name, findings), old, new)
text = render(report, OutputFormat.JSON, RenderOptions(color=False, fail_on=Level.BREAKING,
                                                         min_level=Level.SAFE))
sys.stdout.write(text)
sys.stdout.flush()
t6 = time.perf_counter()
stages = {'import': t1 - t0, 'load': t2 - t1, 'compare': t3 - t2, 'classify': t4 - t3,
          'validate': t5 - t4, 'report': t6 - t5}
print(json.dumps(stages), file=sys.stderr)
sys.stderr.flush()
import os
os._exit(0)
"""


def profile(old: Path, new: Path) -> tuple[dict[str, float], float]:
    """Stage timings of one fresh run, and its wall time (start-up and exit included)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _STAGES, str(old), str(new)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    lines = [line for line in proc.stderr.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit(f"profile failed: {proc.stderr[-500:]}")
    return json.loads(lines[-1]), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pair", default=None, help="only pairs whose name contains this")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (medians are shown)")
    parser.add_argument("--profile", action="store_true", help="stage breakdown per pair")
    parser.add_argument("--no-peers", action="store_true", help="skip oasdiff")
    parser.add_argument("--source", type=Path, default=None,
                        help="run specguard from this source tree (with src/) instead of the "
                        "installed one, e.g. a clean export of a commit")
    parser.add_argument("--before", type=Path, default=None,
                        help="a source tree of another specguard version (with src/) to time "
                        "the same way, for a before/after table")
    args = parser.parse_args()
    if not (args.corpus / "manifest.json").is_file():
        raise SystemExit(f"no corpus at {args.corpus}")
    peer = None if args.no_peers else oasdiff()
    pairs = corpus_pairs(args.corpus, args.pair)
    byte_compile(args.source, args.before)
    runs: dict[tuple[str, str], list[Run]] = {}
    for round_number in range(args.repeats):
        for name, old, new in pairs:
            for label, command in commands(old, new, peer, args.before).items():
                tree = {"before": args.before, "specguard": args.source}.get(label)
                env = None
                if tree is not None:
                    env = {**os.environ, "PYTHONPATH": str(tree.resolve() / "src")}
                runs.setdefault((name, label), []).append(run(command, ROOT, env))
        print(f"round {round_number + 1}/{args.repeats} done", file=sys.stderr)

    def median(name: str, label: str) -> Run | None:
        found = runs.get((name, label))
        if not found:
            return None
        return Run(statistics.median(r.seconds for r in found),
                   max(r.peak_mb for r in found), found[-1].code)

    header = f"{'pair':<28} {'parse':>7} {'specguard':>9} {'ratio':>6} {'peak MB':>8} {'exit':>4}"
    if args.before:
        header += f" {'before':>8} {'ratio':>6} {'peak MB':>8} {'exit':>4}"
    if peer:
        header += f" {'oasdiff':>8} {'peak MB':>8} {'oasdiff/sg':>10}"
    print(f"medians of {args.repeats}, interleaved; oasdiff: {peer or 'not found'}")
    print(header)
    for name, _, _ in pairs:
        parse, mine, theirs, old = (
            median(name, label) for label in ("parse", "specguard", "oasdiff", "before")
        )
        assert parse is not None and mine is not None
        row = (f"{name:<28} {parse.seconds:>6.2f}s {mine.seconds:>8.2f}s "
               f"{mine.seconds / parse.seconds:>6.2f} {mine.peak_mb:>8.0f} {mine.code:>4}")
        if old is not None:
            row += (f" {old.seconds:>7.2f}s {old.seconds / parse.seconds:>6.2f} "
                    f"{old.peak_mb:>8.0f} {old.code:>4}")
        if theirs is not None:
            row += (f" {theirs.seconds:>7.2f}s {theirs.peak_mb:>8.0f} "
                    f"{theirs.seconds / mine.seconds:>10.2f}")
        print(row)
    if args.profile:
        print("\nstages of one fresh run (seconds; 'other' is start-up and exit)")
        names = ("import", "load", "compare", "classify", "validate", "report")
        print(f"{'pair':<28} " + " ".join(f"{n:>8}" for n in names) + f" {'other':>8} "
              f"{'wall':>8}")
        for name, old, new in pairs:
            stages, wall = profile(old, new)
            other = wall - sum(stages.values())
            print(f"{name:<28} " + " ".join(f"{stages[n]:>8.3f}" for n in names)
                  + f" {other:>8.3f} {wall:>8.3f}")


if __name__ == "__main__":
    main()
