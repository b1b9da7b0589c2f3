"""One inventory model for gate and lint: the same file means the same thing to both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from specguard.errors import ConfigError
from specguard.gate import parse_inventory as gate_parse
from specguard.inventory import Inventory, Role, ServiceEntry, load_inventory, parse_inventory
from specguard.lint import load_inventory as lint_load

REPO = Path(__file__).resolve().parents[2]


def _raw(services: list[dict[str, object]]) -> bytes:
    return json.dumps({"version": 1, "services": services}).encode()


def test_gate_and_lint_share_the_model() -> None:
    """The gate's and lint's names are the one module's, not copies."""
    assert gate_parse is parse_inventory
    assert lint_load is load_inventory


@pytest.mark.parametrize("role", ["gateway", "public", "service"])
def test_every_documented_role_is_read_by_both(role: str) -> None:
    """A role is one of the enum's values for both commands."""
    [entry] = parse_inventory(_raw([{"name": "a", "spec": "a.yaml", "role": role}]), "i").services
    assert entry.role is Role(role)
    assert entry.role.public is (role != "service")


def test_an_unknown_role_is_refused_by_both(tmp_path: Path) -> None:
    """What lint refused the gate used to accept: now both refuse it, naming file and line."""
    raw = _raw([{"name": "a", "spec": "a.yaml", "role": "internal"}])
    with pytest.raises(ConfigError, match="invalid inventory: 'internal' is not one of"):
        parse_inventory(raw, "i", require_spec=True)
    (tmp_path / "inv.json").write_bytes(raw)
    with pytest.raises(ConfigError, match="'internal' is not one of"):
        load_inventory(tmp_path / "inv.json")


def test_the_gate_requires_a_contract_and_lint_reports_it() -> None:
    """require_spec is the one difference: the gate cannot compare a service without one."""
    raw = _raw([{"name": "a"}])
    assert parse_inventory(raw, "i").services[0].spec is None
    with pytest.raises(ConfigError, match="has no 'spec' path"):
        parse_inventory(raw, "i", require_spec=True)


def test_the_shop_inventory_names_its_event_channels() -> None:
    """The repository's inventory: who sends and who receives order-events."""
    inventory = load_inventory(REPO / "specs" / "service-inventory.json")
    assert isinstance(inventory, Inventory)
    document = "specs/order-events.asyncapi.yaml"
    assert [s.name for s in inventory.senders(document, "orderEvents")] == ["order-service"]
    assert [s.name for s in inventory.receivers(document, "orderEvents")] == [
        "notification-service"
    ]
    order = inventory.get("order-service")
    assert isinstance(order, ServiceEntry) and order.publishes == ("order-events",)
    assert inventory.line("/services/1/sends") is not None


def test_the_model_is_immutable() -> None:
    """Frozen values: a parsed inventory cannot be changed behind the gate's back."""
    inventory = parse_inventory(_raw([{"name": "a", "spec": "a.yaml"}]), "i")
    with pytest.raises(AttributeError):
        inventory.services[0].name = "b"  # type: ignore[misc]
