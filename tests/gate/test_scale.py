"""A repository of 50 generated services, one breaking change each, checked as a subprocess."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.gate.support import generated_repo
from tests.gate.test_check import _specguard

SERVICES = 50


@pytest.mark.slow
def test_fifty_services_cost_far_less_than_fifty_start_ups(tmp_path: Path) -> None:
    """Every service is judged, and the whole check costs less than a quarter of 50 separate
    `specguard diff` processes: start-up is paid once, the diffs run in a process pool."""
    repo = generated_repo(tmp_path / "many", SERVICES)
    started = time.monotonic()
    single = subprocess.run(
        [*_specguard(), "diff", "HEAD~1:specs/svc-000.yaml", "specs/svc-000.yaml"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    one_service = time.monotonic() - started
    assert single.returncode == 1, single.stderr
    started = time.monotonic()
    proc = subprocess.run(
        [*_specguard(), "check", "--base", "HEAD~1", "--format", "json"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    whole = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    found = json.loads(proc.stdout)["findings"]
    broken = {f["service"] for f in found if f["id"] == "request-parameter-required-added"}
    assert len(broken) == SERVICES
    assert whole < SERVICES * one_service / 4, (whole, one_service)
