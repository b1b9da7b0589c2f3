"""Scenario reports, built once per session from real specs and a real git repository."""

from __future__ import annotations

import pytest

from specguard.model import DiffReport
from tests.report.scenarios import SCENARIOS


@pytest.fixture(scope="session")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DiffReport]:
    """Every scenario's report by name."""
    return {name: build(tmp_path_factory.mktemp(name)) for name, build in SCENARIOS.items()}
