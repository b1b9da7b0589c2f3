"""Scaling of parse and diff time on synthetic specs of 1x, 2x, 4x, 8x and 16x size.

Usage (from the repository root)::

    python benchmarks/bench_scaling.py                  # every family
    python benchmarks/bench_scaling.py --family chain   # one family
    python benchmarks/bench_scaling.py --repeat 3       # best of three runs per size

Families (each change touches every unit, so the differ cannot skip equal subtrees):

* ``operations``: n x 200 operations whose response schemas reference shared components;
* ``depth``: one schema nested n x 6 levels deep through properties (16x = 96 levels);
* ``recursive``: n x 100 components in a binary tree with back edges (every one on a cycle);
* ``chain``: a chain of n x 1000 bare ``$ref`` hops ending in one schema.

For each size it prints the parse time of both documents, the diff time (differ + rules)
and the growth factor against 1x; ``exp`` estimates the exponent k of time ~ size^k from
successive doublings (1.0 is linear, 2.0 quadratic).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HEAD = "openapi: 3.1.0\ninfo: {title: scaling, version: '1'}\n"
SIZES = (1, 2, 4, 8, 16)


def operations(n: int, variant: int) -> str:
    """n x 200 operations, each with a parameter, a body and a response schema."""
    count = 200 * n
    limit = 30 + variant
    rows = [HEAD, "paths:\n"]
    for i in range(count):
        rows.append(
            f"  /things{i}/{{id}}:\n    post:\n      parameters:\n"
            "        - {name: id, in: path, required: true, schema: {type: string}}\n"
            f"        - {{name: q{i}, in: query, schema: {{type: string, maxLength: {limit}}}}}\n"
            "      requestBody:\n        content:\n          application/json:\n"
            f"            schema: {{$ref: '#/components/schemas/Thing{i % 50}'}}\n"
            "      responses:\n        '200':\n          description: ok\n          content:\n"
            "            application/json:\n              schema:\n"
            "                type: object\n                properties:\n"
            f"                  thing: {{$ref: '#/components/schemas/Thing{i % 50}'}}\n"
            f"                  note: {{type: string, maxLength: {limit}}}\n"
        )
    rows.append("components:\n  schemas:\n")
    for k in range(50):
        rows.append(
            f"    Thing{k}:\n      type: object\n      required: [id]\n      properties:\n"
            "        id: {type: string}\n"
            f"        size: {{type: integer, maximum: {100 + variant}}}\n"
            "        tags: {type: array, items: {type: string}}\n"
        )
    return "".join(rows)


def depth(n: int, variant: int) -> str:
    """One response schema nested n x 6 levels deep; every level's maxLength changes."""
    levels = 6 * n
    schema = "{type: string}"
    for level in range(levels):
        schema = (
            f"{{type: object, properties: {{v{level}: {{type: string, maxLength: "
            f"{10 + variant}}}, next: {schema}}}}}"
        )
    return HEAD + (
        "paths:\n  /deep:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        f"          content:\n            application/json:\n              schema: {schema}\n"
    )


def recursive(n: int, variant: int) -> str:
    """n x 100 recursive components forming a binary tree with back edges.

    Node{k} has children of Node{2k+1} and Node{2k+2}, a parent Node{(k-1)/2} and itself
    in a oneOf: every schema is on a cycle, while the longest chain of distinct schemas
    (what the differ recurses through) grows only with log n.
    """
    count = 100 * n
    rows = [
        HEAD,
        "paths:\n  /tree:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Node0'}\n",
        "components:\n  schemas:\n",
    ]
    for k in range(count):
        kids = [
            f"{{$ref: '#/components/schemas/Node{c}'}}" for c in (2 * k + 1, 2 * k + 2) if c < count
        ] or ["{type: 'null'}"]
        rows.append(
            f"    Node{k}:\n      type: object\n      properties:\n"
            f"        name: {{type: string, maxLength: {20 + variant}}}\n"
            f"        children: {{type: array, items: {{anyOf: [{', '.join(kids)}]}}}}\n"
            f"        parent: {{$ref: '#/components/schemas/Node{max(k - 1, 0) // 2}'}}\n"
            f"        any: {{oneOf: [{{$ref: '#/components/schemas/Node{k}'}}, "
            "{type: 'null'}]}\n"
        )
    return "".join(rows)


def chain(n: int, variant: int) -> str:
    """A chain of n x 1000 bare $ref hops from the response to one schema."""
    hops = 1000 * n
    rows = [
        HEAD,
        "paths:\n  /chain:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/c0'}\n",
        "components:\n  schemas:\n",
    ]
    rows += [f"    c{i}: {{$ref: '#/components/schemas/c{i + 1}'}}\n" for i in range(hops)]
    rows.append(f"    c{hops}: {{type: string, maxLength: {10 + variant}}}\n")
    return "".join(rows)


FAMILIES: dict[str, Callable[[int, int], str]] = {
    "operations": operations,
    "depth": depth,
    "recursive": recursive,
    "chain": chain,
}


def _time_pair(folder: Path, old_text: str, new_text: str) -> tuple[float, float, int]:
    from specguard.diff import compare
    from specguard.load import load_spec
    from specguard.rules import classify

    (folder / "old.yaml").write_text(old_text, encoding="utf-8")
    (folder / "new.yaml").write_text(new_text, encoding="utf-8")
    start = time.perf_counter()
    old = load_spec(str(folder / "old.yaml"), validate=False)
    new = load_spec(str(folder / "new.yaml"), validate=False)
    parse = time.perf_counter() - start
    start = time.perf_counter()
    findings = classify(compare(old, new))
    return parse, time.perf_counter() - start, len(findings)


def run_family(name: str, build: Callable[[int, int], str], repeat: int) -> None:
    """Print one table: size, bytes, parse, diff, growth and estimated exponent."""
    print(f"\n{name}")
    print(
        f"{'size':>5} {'KB':>8} {'parse s':>8} {'diff s':>8} {'findings':>8} "
        f"{'diff/1x':>8} {'exp':>5}"
    )
    first: float | None = None
    previous: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _time_pair(folder, build(1, 0), build(1, 1))  # warm up: imports, caches
        for size in SIZES:
            old_text, new_text = build(size, 0), build(size, 1)
            runs = [_time_pair(folder, old_text, new_text) for _ in range(repeat)]
            parse = min(r[0] for r in runs)
            diff = min(r[1] for r in runs)
            findings = runs[0][2]
            first = first or diff
            exponent = math.log2(diff / previous) if previous and diff > 0 else float("nan")
            previous = diff
            print(
                f"{size:>4}x {len(old_text) / 1024:8.0f} {parse:8.3f} {diff:8.3f} "
                f"{findings:8d} {diff / first:8.1f} {exponent:5.2f}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", choices=sorted(FAMILIES), default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    # The chain and depth families go deep; the differ's own limits must hold, not Python's.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    for name, build in FAMILIES.items():
        if args.family in (None, name):
            run_family(name, build, args.repeat)


if __name__ == "__main__":
    main()
