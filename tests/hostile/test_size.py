"""Size: very large specs diff through the CLI within a bounded address space.

The documents are generated into tmp_path at test time (50 MB of YAML does not belong in
git). The big variants take minutes on a 2-core runner and are marked ``slow``; a small
variant of each keeps the same code path in the default run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile.test_hostile import run_specguard

# Minutes on a busy 2-core runner for the 50 MB and 20 000-operation variants.
SIZE_TIMEOUT_SECONDS = 900


def many_operations(count: int, required_every: int | None) -> str:
    """``count`` paths with one GET each; ``required_every``: make every n-th query required."""
    rows = ["openapi: 3.1.0\ninfo: {title: many, version: '1'}\npaths:\n"]
    for i in range(count):
        required = "true" if required_every and i % required_every == 0 else "false"
        rows.append(
            f"  /r{i}/{{id}}:\n    get:\n      parameters:\n"
            "        - {name: id, in: path, required: true, schema: {type: string}}\n"
            f"        - {{name: q, in: query, required: {required}, schema: {{type: string}}}}\n"
            "      responses:\n        '200':\n          description: ok\n          content:\n"
            "            application/json:\n"
            "              schema: {$ref: '#/components/schemas/Item'}\n"
        )
    rows.append(
        "components:\n  schemas:\n"
        "    Item: {type: object, properties: {id: {type: string}, n: {type: integer}}}\n"
    )
    return "".join(rows)


def big_document(target_bytes: int, tightened: bool) -> tuple[str, int]:
    """Operations with wide inline schemas until the text reaches ``target_bytes``."""
    parts = ["openapi: 3.1.0\ninfo: {title: big, version: '1'}\npaths:\n"]
    size, index = len(parts[0]), 0
    while size < target_bytes:
        limit = 10 if tightened and index % 1000 == 0 else 20
        fields = "".join(
            f"                  f{k}: {{type: string, maxLength: {limit}, "
            f"description: 'field {k} of resource {index}, padded with some filler text'}}\n"
            for k in range(20)
        )
        chunk = (
            f"  /r{index}/{{id}}:\n    get:\n      operationId: get{index}\n      parameters:\n"
            "        - {name: id, in: path, required: true, schema: {type: string}}\n"
            "      responses:\n        '200':\n          description: ok\n          content:\n"
            "            application/json:\n              schema:\n"
            "                type: object\n                properties:\n" + fields
        )
        parts.append(chunk)
        size += len(chunk)
        index += 1
    return "".join(parts), index


def _diff_json(tmp_path: Path, old: str, new: str, exit_code: int, *args: str) -> dict[str, object]:
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    args_ = ["diff", "old.yaml", "new.yaml", "--format", "json", *args]
    result = run_specguard(args_, tmp_path, timeout=SIZE_TIMEOUT_SECONDS)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == exit_code, result.stderr
    assert result.stderr == ""
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize(
    "count", [2_000, pytest.param(20_000, marks=pytest.mark.slow)], ids=lambda n: f"{n}-ops"
)
def test_many_operations_diff(tmp_path: Path, count: int) -> None:
    """Thousands of operations diff (validated) and every made-required parameter is found."""
    report = _diff_json(
        tmp_path, many_operations(count, None), many_operations(count, required_every=1000), 1
    )
    findings = report["findings"]
    assert isinstance(findings, list)
    required = [f for f in findings if f["id"] == "request-parameter-became-required"]
    assert len(required) == count // 1000


@pytest.mark.parametrize(
    "megabytes", [2, pytest.param(50, marks=pytest.mark.slow)], ids=lambda n: f"{n}MB"
)
def test_big_document_diff(tmp_path: Path, megabytes: int) -> None:
    """A document of tens of megabytes diffs within the address-space limit."""
    old, operations = big_document(megabytes * 1024 * 1024, tightened=False)
    new, _ = big_document(megabytes * 1024 * 1024, tightened=True)
    # Narrower responses are safe: exit 0, but every change is reported.
    report = _diff_json(tmp_path, old, new, 0, "--no-validate")
    findings = report["findings"]
    assert isinstance(findings, list)
    tightened = [f for f in findings if f["id"] == "response-max-length-tightened"]
    # Twenty fields in every thousandth operation got a smaller maxLength.
    assert len(tightened) == 20 * len(range(0, operations, 1000))


def test_a_merge_key_chain_is_refused_in_bounded_time(tmp_path: Path) -> None:
    """20,000 anchors each merging the previous one (880 KB of YAML) copy n^2/2 keys: once
    24-33 s and 4 GB; now one line naming the file and line, within the child's limits."""
    rows = ["openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-chain:\n"]
    rows.append("  a0: &a0 {k0: 0}\n")
    rows.extend(f"  a{i}: &a{i} {{<<: *a{i - 1}, k{i}: {i}}}\n" for i in range(1, 20_000))
    (tmp_path / "chain.yaml").write_text("".join(rows))
    result = run_specguard(["diff", "chain.yaml", "chain.yaml", "--no-validate"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("specguard: error: chain.yaml:")
    assert "merge keys" in result.stderr and result.stderr.count("\n") == 1


def test_a_long_flow_sequence_costs_a_small_multiple_of_its_size(tmp_path: Path) -> None:
    """1,000,000 items in one flow sequence (2 MB of YAML) once cost 320 MB to load (libyaml
    nodes, 160 times the text); values are now built from the parser's events: the load
    stays within 20 times the file (about 12 today)."""
    import subprocess
    import sys

    text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\nx-data: [" + ",".join(
        ["1"] * 1_000_000
    ) + "]\n"
    spec = tmp_path / "flow.yaml"
    spec.write_text(text)
    probe = (
        "import resource, sys\n"
        "from specguard.load import load_spec\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "spec = load_spec(sys.argv[1], validate=False)\n"
        "assert len(spec.data['x-data']) == 1_000_000\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)\n"
    )
    grown = subprocess.run(
        [sys.executable, "-c", probe, str(spec)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    assert int(grown.stdout) < 20 * len(text), (int(grown.stdout), len(text))
