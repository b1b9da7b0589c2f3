"""Invalid documents still get a verdict: an invalid base is a warning (base-contract-invalid),
an invalid head a breaking finding (contract-invalid), each with the validator's message and
line, and the diff goes on beside them; ``--no-validate`` skips both (issue 12, item 10)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.hostile.test_hostile import run_specguard

# a description long enough that the documents are large (they once took a parallel path)
FILLER = "x" * 1_001_000


def _spec(path: Path, bad: bool, extra: str = "") -> Path:
    schema = "{type: object, minProperties: -1}" if bad else "{type: object}"
    path.write_text(
        "openapi: 3.1.0\n"
        f"info: {{title: t, version: '1', description: {FILLER}}}\n"
        "paths:\n"
        "  /a:\n"
        "    get:\n"
        "      responses:\n"
        "        '200':\n"
        "          description: ok\n"
        "          content:\n"
        "            application/json:\n"
        f"              schema: {schema}\n"
        f"{extra}"
    )
    return path


def _diff(old: Path, new: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # the hostile suite's runner: a child process with bounded time and address space
    return run_specguard(["diff", str(old), str(new), "--format", "json", *args], old.parent)


def _findings(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    assert result.stderr == "", result.stderr
    return {f["id"]: f for f in json.loads(result.stdout)["findings"]}


def test_an_invalid_head_is_a_breaking_finding_with_the_validators_line(tmp_path: Path) -> None:
    """The head's problem is breaking, names its line, and the diff goes on."""
    old = _spec(tmp_path / "old.yaml", False)
    new = _spec(tmp_path / "new.yaml", True, "  /b:\n    get:\n      responses:\n"
                "        '200': {description: ok}\n")
    result = _diff(old, new)
    assert result.returncode == 1
    found = _findings(result)
    invalid = found["contract-invalid"]
    assert invalid["level"] == "breaking" and invalid["new"]["line"] == 11, invalid
    assert "-1" in invalid["message"], invalid["message"]
    assert "operation-added" in found and "base-contract-invalid" not in found


def test_an_invalid_base_is_a_warning_and_does_not_fail_the_gate(tmp_path: Path) -> None:
    """The base's problem is a warning: exit 0 unless --fail-on warning."""
    old, new = _spec(tmp_path / "old.yaml", True), _spec(tmp_path / "new.yaml", False)
    result = _diff(old, new)
    assert result.returncode == 0
    invalid = _findings(result)["base-contract-invalid"]
    assert invalid["level"] == "warning" and invalid["old"]["line"] == 11, invalid
    assert _diff(old, new, "--fail-on", "warning").returncode == 1


def test_no_validate_skips_both(tmp_path: Path) -> None:
    """--no-validate reports no validity findings at all."""
    result = _diff(_spec(tmp_path / "old.yaml", True), _spec(tmp_path / "new.yaml", True),
                   "--no-validate")
    assert result.returncode == 0
    assert not {"contract-invalid", "base-contract-invalid"} & set(_findings(result))


def test_valid_large_documents_diff(tmp_path: Path) -> None:
    """Two valid large documents diff clean."""
    result = _diff(_spec(tmp_path / "old.yaml", False), _spec(tmp_path / "new.yaml", False))
    assert result.returncode == 0, result.stderr
    assert _findings(result) == {}
