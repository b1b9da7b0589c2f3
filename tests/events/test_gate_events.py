"""`specguard check` gates the AsyncAPI documents the inventory names, next to OpenAPI ones."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from specguard.cli import main
from tests.gate.support import GitRepo

REPO = Path(__file__).resolve().parents[2]
EVENTS = "specs/order-events.asyncapi.yaml"


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GitRepo]:
    """A repository holding the reference shop's contracts and inventory, committed once."""
    repo = GitRepo(tmp_path / "shop")
    shutil.copytree(REPO / "specs", repo.path / "specs")
    repo.commit("the shop as it is")
    monkeypatch.chdir(repo.path)
    yield repo


def check() -> Result:
    return CliRunner().invoke(
        main, ["check", "--base", "HEAD~1", "-j", "1", "--format", "json", "--today", "2026-12-01"]
    )


def findings(result: Result) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    return [f for f in data["findings"] if f.get("service") == EVENTS]


def edit(repo: GitRepo, old: str, new: str) -> None:
    text = (repo.path / EVENTS).read_text()
    assert old in text
    repo.write(EVENTS, text.replace(old, new))


def test_producer_dropping_a_field_the_consumer_requires_fails_the_gate(shop: GitRepo) -> None:
    """order-service stops sending customerId, which notification-service requires: the gate
    fails, and the break names notification-service (it receives the channel) as consumer."""
    edit(shop, "required: [type, eventId, orderId, customerId, items, requestId, occurredAt]",
         "required: [type, eventId, orderId, items, requestId, occurredAt]")
    edit(shop, "        customerId:\n          type: string\n"
         "          pattern: '^cus_[A-Za-z0-9]{1,32}$'\n", "")
    shop.commit("order-service drops customerId from OrderAccepted")
    result = check()
    assert result.exit_code == 1, result.output
    found = findings(result)
    [dropped] = [f for f in found if f["id"] == "event-send-payload-property-removed"]
    assert dropped["level"] == "breaking"
    assert dropped["operations"] == [{"method": "send", "path": "order-events"}]
    assert dropped["consumers"] == ["notification-service"]
    assert dropped["witness"] is not None and "customerId" not in dropped["witness"]["instance"]
    assert any(f["id"] == "version-not-bumped" for f in found)


def test_a_consumer_that_tolerates_more_passes(shop: GitRepo) -> None:
    """notification-service stops requiring customerId: what it accepts only widened."""
    edit(shop, "required: [eventId, orderId, customerId]", "required: [eventId, orderId]")
    shop.commit("notification-service tolerates a missing customerId")
    result = check()
    assert result.exit_code == 0, result.output
    [widened] = findings(result)
    assert widened["id"] == "event-receive-payload-property-became-optional"
    assert widened["level"] == "safe"


def test_a_consumer_that_requires_more_lists_the_producer(shop: GitRepo) -> None:
    """notification-service starts requiring a field order-service never sends: the senders of
    the channel are the ones affected."""
    edit(shop, "required: [eventId, orderId, customerId]",
         "required: [eventId, orderId, customerId, loyaltyTier]")
    edit(shop, "          requestId:\n            description: Used when",
         "          loyaltyTier:\n            type: string\n          requestId:\n"
         "            description: Used when")
    shop.commit("notification-service requires loyaltyTier")
    result = check()
    assert result.exit_code == 1, result.output
    [required] = [f for f in findings(result)
                  if f["id"] == "event-receive-payload-required-property-added"]
    assert required["consumers"] == ["order-service"]


def test_an_asyncapi_document_named_but_missing_is_one_line(shop: GitRepo) -> None:
    """The inventory names an AsyncAPI document that is not there: exit 2, one line."""
    shop.remove(EVENTS)
    shop.commit("the event contract is gone")
    result = check()
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "AsyncAPI document named in the inventory not found" in result.stderr


def test_a_producer_adding_an_optional_field_passes(shop: GitRepo) -> None:
    """order-service starts sending a currency: receivers ignore what they do not read."""
    edit(shop, "        requestId:\n          description: The X-Request-Id",
         "        currency:\n          type: string\n"
         "        requestId:\n          description: The X-Request-Id")
    shop.commit("order-service sends the currency too")
    result = check()
    assert result.exit_code == 0, result.output
    [added] = findings(result)
    assert (added["id"], added["level"]) == ("event-send-payload-property-added", "safe")
