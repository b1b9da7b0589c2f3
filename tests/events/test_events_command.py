"""``specguard events`` against a real redis-server and the reference services publishing real
orders; a deliberately wrong producer (the real order-service with its event builder patched)
is flagged per message type with reasons."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from click.testing import CliRunner, Result

from shop._config import DEAD_LETTER_STREAM, ORDER_EVENTS_STREAM, ServiceName
from shop.orders import OrderService
from shop.run import System
from specguard.cli import main
from tests.conftest import free_port
from tests.shop.support import LiveSystem, base_settings, wait_for

pytestmark = pytest.mark.redis

SPEC = str(Path(__file__).resolve().parents[2] / "specs" / "order-events.asyncapi.yaml")


@pytest.fixture
def stream_url(redis_url: str) -> Iterator[str]:
    """A Redis database of its own, emptied for each test (the shop tests use database 0)."""
    url = urllib.parse.urlsplit(redis_url)._replace(path="/9").geturl()
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    yield url


@pytest.fixture
def live(stream_url: str, tmp_path: Path) -> Iterator[LiveSystem]:
    """The four services on free loopback ports, publishing to ``stream_url``."""
    settings = base_settings(tmp_path, stream_url)
    system = LiveSystem(System(settings, ports={name: 0 for name in ServiceName}))
    try:
        system.run(system.system.start_all())
        yield system
    finally:
        system.close()


def place_orders(live: LiveSystem, count: int) -> list[str]:
    """Real orders through order-service (stock set on inventory-service first)."""
    sku = f"T-{uuid.uuid4().hex[:12].upper()}"
    with live.client(ServiceName.INVENTORY) as inventory:
        assert inventory.put(f"/stock/{sku}", json={"available": 100}).status_code == 200
    placed = []
    with live.client(ServiceName.ORDER) as orders:
        for _ in range(count):
            reply = orders.post(
                "/orders", json={"customerId": "cus_42", "items": [{"sku": sku, "quantity": 1}]}
            )
            assert reply.status_code == 201, reply.text
            placed.append(reply.json()["orderId"])
    return placed


def events(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["events", SPEC, "--redis", url, *args])


def report(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_real_orders_are_valid_events(live: LiveSystem, stream_url: str) -> None:
    """Every OrderAccepted the real order-service published matches the contract."""
    place_orders(live, 3)
    result = events(stream_url, "--stream", ORDER_EVENTS_STREAM, "--format", "json")
    assert result.exit_code == 0, result.output
    data = report(result)
    [accepted] = data["messages"]
    assert accepted["name"] == "OrderAccepted"
    assert accepted["checked"] >= 3 and accepted["rejected"] == 0
    assert data["summary"]["read"] == data["summary"]["length"]


def test_a_wrong_producer_is_flagged(
    live: LiveSystem, stream_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """order-service patched to drop customerId and send quantities as strings: its events are
    rejected with reasons and examples, the valid ones before it still pass, and
    notification-service parks them on the dead-letter stream, whose entries match the
    contract's dead-letter message."""
    place_orders(live, 1)
    real = OrderService._event

    def wrong(self: OrderService, *args: Any) -> dict[str, Any]:
        event: dict[str, Any] = real(self, *args)
        del event["customerId"]
        event["items"] = [{**item, "quantity": str(item["quantity"])} for item in event["items"]]
        return event

    monkeypatch.setattr(OrderService, "_event", wrong)
    bad = place_orders(live, 2)
    monkeypatch.undo()

    result = events(stream_url, "--stream", ORDER_EVENTS_STREAM, "--format", "json")
    assert result.exit_code == 1, result.output
    [accepted] = report(result)["messages"]
    assert accepted["rejected"] == 2 and accepted["checked"] > 2
    reasons = [example["reason"] for example in accepted["examples"]]
    assert all("'customerId' is a required property" in reason for reason in reasons)
    assert all(bad_id in json.dumps(accepted["examples"]) for bad_id in bad)

    text = events(stream_url, "--stream", ORDER_EVENTS_STREAM)
    assert text.exit_code == 1
    assert "REJECTED OrderAccepted: 2 of" in text.stdout
    assert "specguard events:" in text.stderr

    client = redis.Redis.from_url(stream_url)
    try:
        wait_for(lambda: client.xlen(DEAD_LETTER_STREAM) >= 2, timeout=10)
    finally:
        client.close()
    dead = events(stream_url, "--stream", DEAD_LETTER_STREAM, "--format", "json")
    assert dead.exit_code == 0, dead.output
    assert report(dead)["messages"][0]["name"] == "DeadLetter"


def test_count_bounds_the_read_to_the_most_recent(live: LiveSystem, stream_url: str) -> None:
    """--count 2 reads the two newest entries only."""
    place_orders(live, 3)
    data = report(events(stream_url, "--stream", ORDER_EVENTS_STREAM, "--count", "2",
                         "--format", "json"))
    assert data["summary"]["read"] == 2 and data["summary"]["length"] > 2
    assert data["messages"][0]["rejected"] == 0


def test_an_entry_of_no_known_type_is_reported(live: LiveSystem, stream_url: str) -> None:
    """An entry whose headers match no message of the channel is counted under its type;
    the real orders beside it still pass."""
    place_orders(live, 1)
    client = redis.Redis.from_url(stream_url)
    try:
        client.xadd("order-events", {"type": "OrderShipped", "event": "{}"})
    finally:
        client.close()
    data = report(events(stream_url, "--stream", ORDER_EVENTS_STREAM, "--format", "json"))
    accepted, shipped = data["messages"]
    assert accepted["name"] == "OrderAccepted" and accepted["rejected"] == 0
    assert shipped["name"] == "OrderShipped" and shipped["rejected"] == 1
    assert "no message of channel orderEvents matches" in shipped["examples"][0]["reason"]


def test_unreachable_redis_is_one_line_and_exit_2() -> None:
    """Nothing listens on the port: one line naming the URL, exit 2, within the deadline."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    result = events(url, "--stream", ORDER_EVENTS_STREAM, "--max-time", "2")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert "cannot reach Redis" in result.stderr and url in result.stderr


def test_a_stream_the_contract_does_not_describe_is_exit_2(stream_url: str) -> None:
    """The stream must be the address of a channel: the error lists the addresses there are."""
    result = events(stream_url, "--stream", "payments")
    assert result.exit_code == 2
    assert "no channel has the address 'payments'" in result.stderr
    assert "order-events, order-events.dead" in result.stderr


def test_an_openapi_contract_is_refused(stream_url: str) -> None:
    """specguard events reads event contracts only."""
    spec = str(Path(SPEC).with_name("order-service.yaml"))
    result = CliRunner().invoke(
        main, ["events", spec, "--redis", stream_url, "--stream", ORDER_EVENTS_STREAM]
    )
    assert result.exit_code == 2
    assert "not an AsyncAPI document" in result.stderr


def test_events_formats_come_from_the_registry() -> None:
    """`specguard events` writes text and JSON, as the one report registry says."""
    from specguard.cli._formats import ResultKind, formats_for
    from specguard.report import OutputFormat

    assert formats_for(ResultKind.EVENTS) == (OutputFormat.TEXT, OutputFormat.JSON)


def test_the_deadline_bounds_a_long_read(stream_url: str) -> None:
    """A stream far longer than --max-time allows to read: the report says where it stopped."""
    client = redis.Redis.from_url(stream_url)
    try:
        with client.pipeline(transaction=False) as pipe:
            for index in range(60_000):
                pipe.xadd("order-events", {"type": "OrderAccepted", "event": f'{{"n": {index}}}'})
            pipe.execute()
    finally:
        client.close()
    result = events(stream_url, "--stream", ORDER_EVENTS_STREAM, "--count", "100000",
                    "--max-time", "0.2", "--format", "json")
    summary = report(result)["summary"]
    assert summary["deadlineReached"] is True
    assert 0 < summary["read"] < summary["length"] == 60_000
    assert summary["seconds"] < 10
