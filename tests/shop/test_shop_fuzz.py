"""Each running service honours its own contract under `specguard fuzz` (all phases)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from shop._config import ServiceName
from specguard.cli import main
from tests.shop.support import LiveSystem

pytestmark = pytest.mark.redis

SPECS = Path(__file__).resolve().parents[2] / "specs"
# Small enough to keep the suite fast on 2 cores, large enough to cover every operation with
# the examples, coverage, fuzzing and stateful phases; a fixed seed keeps runs reproducible.
MAX_EXAMPLES = 8
SEED = 20261130


def fuzz(spec: Path, base_url: str, cache: Path) -> tuple[int, dict[str, Any], str]:
    """Run specguard's own fuzzer against a live service; return exit code, JSON report, stderr."""
    result = CliRunner(env={"SPECGUARD_CACHE_DIR": str(cache)}).invoke(
        main,
        [
            "fuzz",
            str(spec),
            "--url",
            base_url,
            "-n",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            "--format",
            "json",
        ],
    )
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, report, result.stderr


@pytest.mark.parametrize("name", list(ServiceName), ids=lambda n: n.value)
def test_service_honours_its_contract_under_fuzzing(
    shop: LiveSystem, name: ServiceName, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No server error, undocumented status, schema violation or accepted bad input."""
    monkeypatch.chdir(tmp_path)  # nothing may be written into the checkout
    code, report, stderr = fuzz(SPECS / name.spec_file, shop.url(name), tmp_path / "cache")
    failures = report.get("failures") or []
    assert code == 0, stderr + "\n".join(
        f"{f.get('operation')} {f.get('check')}\n{f.get('curl')}" for f in failures
    )
    summary = report["summary"]
    assert summary["failures"] == 0 and not report["problems"]
    assert summary["requests"] > 50  # the run really exercised the service
