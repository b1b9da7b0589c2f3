"""What users install: the wheel alone, in a fresh virtual environment, runs the quick start."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "fixtures" / "examples"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_wheel_installs_the_core_tool_only(tmp_path: Path) -> None:
    """Build the wheel, install it (no extras) into a fresh venv: `specguard diff` runs on the
    bundled example (exit 1: v2 breaks v1), and neither the reference system nor the fuzz
    dependencies come along."""
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path / "dist"), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("specguard-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )
    diff = subprocess.run(
        [str(env_dir / "bin" / "specguard"), "diff", str(EXAMPLES / "order-service-v1.yaml"),
         str(EXAMPLES / "order-service-v2.yaml")],
        capture_output=True, text=True, timeout=120,
    )
    assert diff.returncode == 1, diff.stderr
    assert "BREAKING" in diff.stdout
    absent = subprocess.run(
        [str(python), "-c", "import importlib.util as u; "
         "print([m for m in ('shop', 'openapi_core', 'schemathesis') if u.find_spec(m)])"],
        capture_output=True, text=True, timeout=60, check=True, cwd=tmp_path,
    )
    assert absent.stdout.strip() == "[]"
