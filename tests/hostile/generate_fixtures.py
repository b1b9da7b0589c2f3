"""Regenerate the machine-made hostile fixtures (the rest of fixtures/hostile is hand-written).

Run from the repository root: ``python tests/hostile/generate_fixtures.py``. The output is
deterministic, so regenerating leaves git clean unless this script changed.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

HOSTILE = Path(__file__).resolve().parents[2] / "fixtures" / "hostile"
HEAD = "openapi: 3.1.0\ninfo: {title: hostile, version: '1'}\n"


def response_schema(schema: str) -> str:
    """A one-operation document whose 200 response has ``schema`` (flow YAML)."""
    return HEAD + textwrap.dedent(f"""\
        paths:
          /items:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {schema}
        """)


def write(case: str, files: dict[str, str | bytes], expected: str) -> None:
    folder = HOSTILE / case
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (folder / "expected.yaml").write_text(textwrap.dedent(expected), encoding="utf-8")


def binary_garbage() -> None:
    data = random.Random(7).randbytes(4096)
    write(
        "binary-garbage",
        {"spec.yaml": data},
        """\
        description: random bytes
        exit: 2
        file: spec.yaml
        line: 1
        message: "not UTF-8 text|binary data"
        """,
    )


def deep_nesting() -> None:
    depth = 10_000
    flow = "[" * depth + "]" * depth
    write(
        "deep-nesting-json-10000",
        {
            "spec.json": (
                '{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, '
                + '"x-deep": '
                + flow
                + "}\n"
            )
        },
        """\
        description: 10 000 nested JSON arrays; no RecursionError, a one-line error
        exit: 2
        file: spec.json
        message: "nested more than 256 levels deep"
        """,
    )
    write(
        "deep-nesting-yaml-flow-10000",
        {"spec.yaml": HEAD + "paths: {}\nx-deep: " + flow + "\n"},
        """\
        description: 10 000 nested YAML flow sequences stop at libyaml's own depth limit
        exit: 2
        file: spec.yaml
        line: 4
        message: "invalid YAML: exceeded maximum nesting depth"
        """,
    )
    mapping = "{a: " * depth + "1" + "}" * depth
    write(
        "deep-nesting-yaml-flowmap-10000",
        {"spec.yaml": HEAD + "paths: {}\nx-deep: " + mapping + "\n"},
        """\
        description: 10 000 nested YAML flow mappings
        exit: 2
        file: spec.yaml
        line: 4
        message: "invalid YAML: exceeded maximum nesting depth"
        """,
    )
    lines = [HEAD + "paths: {}\nx-deep:"]
    lines += [" " * level + "a:" for level in range(1, 300)]
    lines.append(" " * 300 + "b: 1")
    write(
        "deep-nesting-yaml-block-300",
        {"spec.yaml": "\n".join(lines) + "\n"},
        """\
        description: 300 nested block mappings pass libyaml but not specguard's depth limit
        exit: 2
        file: spec.yaml
        line: 260
        message: "nested more than 256 levels deep"
        """,
    )


def deep_schema_through_refs() -> None:
    count = 400

    def spec(leaf: str) -> str:
        rows = [response_schema("{$ref: '#/components/schemas/s0'}"), "components:\n  schemas:\n"]
        target = "#/components/schemas/s{}"
        rows += [
            f"    s{i}: {{type: object, properties: {{p: {{$ref: '{target.format(i + 1)}'}}}}}}\n"
            for i in range(count)
        ]
        rows.append(f"    s{count}: {{type: {leaf}}}\n")
        return "".join(rows)

    write(
        "deep-schema-through-refs",
        {"old.yaml": spec("string"), "new.yaml": spec("integer")},
        """\
        description: 400 schemas each nesting the next through a property; the differ stops at
          its depth limit with a located error instead of a RecursionError
        args: [--no-validate]
        exit: 2
        file: new.yaml
        line: 164
        message: "schemas nested more than 150 levels deep"
        """,
    )


def billion_laughs() -> None:
    rows = [HEAD, "x-l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"]
    rows += [f"x-l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10)]
    body = "".join(rows) + textwrap.dedent("""\
        paths:
          /items:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {type: array, default: *l9, enum: [*l9]}
        """)
    write(
        "billion-laughs",
        {"spec.yaml": body},
        """\
        description: ten aliases of ten aliases ... (10**10 nodes when expanded) are refused early
        exit: 2
        file: spec.yaml
        line: 8
        message: "YAML aliases expand to more than [\\\\d,]+ nodes"
        """,
    )


def long_ref_chain() -> None:
    count = 10_000
    rows = [f"s{i}: {{$ref: '#/s{i + 1}'}}\n" for i in range(count)]
    rows.append(f"s{count}: {{type: string, maxLength: 9}}\n")
    chain = "".join(rows)
    old = response_schema("{$ref: 'chain.yaml#/s0'}")
    new = response_schema("{allOf: [{$ref: 'chain.yaml#/s0'}], maxLength: 5}")
    write(
        "ref-chain-10000",
        {"old.yaml": old, "new.yaml": new, "chain.yaml": chain},
        """\
        description: a chain of 10 000 $refs is followed without recursion and diffs correctly
        args: [--no-validate]
        exit: 1
        findings: [response-max-length-tightened]
        """,
    )
    write(
        "ref-chain-10000-validated",
        {"spec.yaml": old, "chain.yaml": chain},
        """\
        description: the validator cannot follow 10 000 $refs; a one-line error, not a crash
        exit: 2
        file: spec.yaml
        message: "too deeply nested to validate; use --no-validate"
        """,
    )


def main() -> None:
    binary_garbage()
    deep_nesting()
    deep_schema_through_refs()
    billion_laughs()
    long_ref_chain()


if __name__ == "__main__":
    main()
