"""Large documents are validated as small ones: errors come out one line naming the file and
line, the old side's first."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hostile.test_hostile import run_specguard

# a description long enough that the two documents are large (they once took a parallel path)
FILLER = "x" * 1_001_000


def _spec(path: Path, bad: bool) -> Path:
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
    )
    return path


def _diff(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    # the hostile suite's runner: a child process with bounded time and address space
    return run_specguard(["diff", str(old), str(new)], old.parent)


def test_an_invalid_new_document_is_reported(tmp_path: Path) -> None:
    result = _diff(_spec(tmp_path / "old.yaml", False), _spec(tmp_path / "new.yaml", True))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()
    assert "new.yaml:11:" in line and "-1" in line and "Traceback" not in line, line


def test_the_old_documents_error_comes_first(tmp_path: Path) -> None:
    result = _diff(_spec(tmp_path / "old.yaml", True), _spec(tmp_path / "new.yaml", True))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert "old.yaml:11:" in line, line


def test_valid_large_documents_diff(tmp_path: Path) -> None:
    result = _diff(_spec(tmp_path / "old.yaml", False), _spec(tmp_path / "new.yaml", False))
    assert result.returncode == 0, result.stderr
    assert "0 change(s)" in result.stdout
