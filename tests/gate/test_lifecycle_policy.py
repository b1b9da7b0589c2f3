"""The lifecycle policy's minimum notice: read from the gate config, guarded against a pull
request lowering it, applied by `specguard check`, and given to `specguard diff` as flags."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from specguard.cli import main
from specguard.gate import GateConfig, known_rules, load_config
from specguard.gate._config import weakened
from specguard.model import LifecyclePolicy
from tests.gate.support import AFTER_SUNSET, ORDERS_V2, GitRepo, shop_repo

RULES = known_rules()
FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"
BETA = FIXTURES / "operation-sunset-too-soon" / "beta-31-days"


def test_deprecation_days_from_pyproject(tmp_path: Path) -> None:
    """[tool.specguard.deprecation-days] sets the notice per level; a level left out keeps
    oasdiff's default."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.specguard.deprecation-days]\nbeta = 7\n")
    config = load_config(tmp_path, RULES)
    assert config.lifecycle == LifecyclePolicy(deprecation_days_beta=7,
                                               deprecation_days_stable=180)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(tmp_path, RULES).lifecycle == LifecyclePolicy(31, 180)


def test_shorter_notice_weakens_the_gate(tmp_path: Path) -> None:
    """Lowering a notice is a weakening the gate reports; raising one is not."""
    (tmp_path / "specguard.yaml").write_text("deprecation-days: {stable: 30, beta: 60}\n")
    head = load_config(tmp_path, RULES)
    base = GateConfig()  # the defaults: beta 31, stable 180
    assert weakened(base, head, {}) == ["deprecation-days stable 180 -> 30"]
    assert weakened(head, base, {}) == ["deprecation-days beta 60 -> 31"]
    assert weakened(base, GateConfig(lifecycle=LifecyclePolicy(60, 365)), {}) == []


# -- end to end ----------------------------------------------------------------------------------

# exportOrders is deprecated in v2 with a sunset 59 days after the day the tests run on.
ORDERS_SUNSET = ORDERS_V2.replace(
    "      operationId: exportOrders\n      deprecated: true\n",
    "      operationId: exportOrders\n      deprecated: true\n      x-sunset: '2025-08-29'\n",
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitRepo]:
    built = shop_repo(tmp_path / "shop")
    assert ORDERS_SUNSET != ORDERS_V2
    built.write("specs/orders.yaml", ORDERS_SUNSET)
    monkeypatch.chdir(built.path)
    yield built


def _found(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        main, ["check", "--base", "HEAD~1", "--today", AFTER_SUNSET, "-j", "1",
               "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


def test_check_applies_the_configured_notice(repo: GitRepo) -> None:
    """59 days of notice is too soon for the default 180 (breaking) and enough for a
    configured 30; the base revision's notice applies unless --policy head."""
    soon = [f for f in _found() if f["id"] == "operation-sunset-too-soon"]
    assert [(f["service"], f["level"]) for f in soon] == [("orders", "breaking")]
    assert "180 days" in soon[0]["message"]
    repo.write("specguard.yaml", "deprecation-days: {stable: 30}\n")
    found = _found()
    assert [f["id"] for f in found if f["id"] == "operation-sunset-too-soon"]
    changed = [f for f in found if f["id"] == "gate-policy-changed"]
    assert "deprecation-days stable 180 -> 30" in changed[0]["message"]
    relaxed = _found("--policy", "head")
    assert not [f for f in relaxed if f["id"] == "operation-sunset-too-soon"]
    assert [f["level"] for f in relaxed if f["id"] == "operation-deprecated"] == ["safe"]


def test_diff_takes_the_notice_as_flags() -> None:
    """`specguard diff --deprecation-days-beta N` sets the beta notice; below 0 is a usage
    error (exit 2)."""
    old, new = str(BETA / "old.yaml"), str(BETA / "new.yaml")
    runner = CliRunner()
    strict = runner.invoke(main, ["diff", old, new, "--today", "2026-01-01"])
    assert strict.exit_code == 1, strict.output
    assert "BREAKING operation-sunset-too-soon" in strict.stdout
    lenient = runner.invoke(main, ["diff", old, new, "--today", "2026-01-01",
                                   "--deprecation-days-beta", "10"])
    assert lenient.exit_code == 0, lenient.output
    assert "BREAKING operation-sunset-too-soon" not in lenient.stdout
    assert "(operation-deprecated 1)" in lenient.stdout
    assert runner.invoke(main, ["diff", old, new, "--deprecation-days-stable", "-1"]
                         ).exit_code == 2
