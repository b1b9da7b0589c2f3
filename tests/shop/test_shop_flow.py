"""End to end through the gateway: orders, stock, events, deliveries, failures."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import redis

from shop._config import ORDER_EVENTS_STREAM, ServiceName
from shop.run import System
from tests.conftest import free_port
from tests.shop.support import LiveSystem, base_settings, wait_for

pytestmark = pytest.mark.redis

PROBLEM = "application/problem+json"


def order(*lines: tuple[str, int], customer: str = "cus_test") -> dict[str, Any]:
    return {"customerId": customer, "items": [{"sku": s, "quantity": q} for s, q in lines]}


def stock(client: httpx.Client, sku: str) -> tuple[int, int]:
    body = client.get(f"/inventory/{sku}").json()
    return body["available"], body["reserved"]


def events_after(redis_client: redis.Redis, last_id: bytes | str) -> list[dict[str, Any]]:
    entries = redis_client.xrange(ORDER_EVENTS_STREAM, min=f"({_text(last_id)}", max="+")
    return [json.loads(fields[b"event"]) for _, fields in entries]


def stream_tail(redis_client: redis.Redis) -> str:
    entries = redis_client.xrevrange(ORDER_EVENTS_STREAM, count=1)
    return _text(entries[0][0]) if entries else "0-0"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def test_accepted_order_reserves_stock_publishes_and_is_delivered(
    gateway: httpx.Client,
    notifications: httpx.Client,
    redis_client: redis.Redis,
    new_sku: Callable[[int], str],
) -> None:
    """An accepted order takes stock, emits one OrderAccepted and gets one delivery recorded."""
    first, second = new_sku(5), new_sku(3)
    tail = stream_tail(redis_client)
    reply = gateway.post(
        "/orders",
        json=order((first, 2), (second, 1), (first, 1)),
        headers={"X-Request-Id": "flow-test-1"},
    )
    assert reply.status_code == 201, reply.text
    assert reply.headers["x-request-id"] == "flow-test-1"
    created = reply.json()
    order_id = created["orderId"]
    assert reply.headers["location"] == f"/orders/{order_id}"
    assert created["items"] == [{"sku": first, "quantity": 3}, {"sku": second, "quantity": 1}]
    assert stock(gateway, first) == (2, 3)
    assert stock(gateway, second) == (2, 1)

    events = [e for e in events_after(redis_client, tail) if e["orderId"] == order_id]
    assert len(events) == 1
    assert events[0]["type"] == "OrderAccepted"
    assert events[0]["requestId"] == "flow-test-1"
    assert events[0]["items"] == created["items"]

    deliveries = wait_for(
        lambda: notifications.get("/deliveries", params={"orderId": order_id}).json()["deliveries"]
    )
    assert [(d["eventId"], d["recipient"]) for d in deliveries] == [
        (events[0]["eventId"], "cus_test")
    ]
    assert gateway.get(f"/orders/{order_id}").json() == created


def test_bad_body_is_400_problem_and_changes_nothing(
    gateway: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """A body that breaks the contract gets the documented problem with the failing pointer."""
    sku = new_sku(4)
    reply = gateway.post("/orders", json=order((sku, 0)))
    assert reply.status_code == 400
    assert reply.headers["content-type"] == PROBLEM
    problem = reply.json()
    assert problem["status"] == 400
    assert problem["requestId"] == reply.headers["x-request-id"]
    assert [(e["in"], e["name"]) for e in problem["errors"]] == [("body", "/items/0/quantity")]
    assert stock(gateway, sku) == (4, 0)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [("{not json", "application/json"), ('{"customerId": "cus_1"}', "text/plain")],
    ids=["malformed-json", "wrong-media-type"],
)
def test_unreadable_body_is_400(gateway: httpx.Client, content: str, content_type: str) -> None:
    """Malformed JSON and undeclared media types are refused with 400, not a crash."""
    reply = gateway.post("/orders", content=content, headers={"content-type": content_type})
    assert reply.status_code == 400
    assert reply.json()["errors"][0]["in"] == "body"


def test_out_of_stock_is_409_with_sku_and_leaks_nothing(
    gateway: httpx.Client,
    inventory: httpx.Client,
    redis_client: redis.Redis,
    new_sku: Callable[[int], str],
) -> None:
    """When one line cannot be reserved the others are released and no event is published."""
    plenty, scarce, more = new_sku(10), new_sku(1), new_sku(10)
    tail = stream_tail(redis_client)
    reply = gateway.post("/orders", json=order((plenty, 4), (scarce, 2), (more, 1)))
    assert reply.status_code == 409
    problem = reply.json()
    assert problem["sku"] == scarce
    assert problem["type"].endswith("/out-of-stock")
    for sku, level in ((plenty, (10, 0)), (scarce, (1, 0)), (more, (10, 0))):
        assert stock(gateway, sku) == level
    skus = {plenty, scarce, more}
    assert not [
        e for e in events_after(redis_client, tail) if skus & {i["sku"] for i in e["items"]}
    ]


def test_unknown_sku_is_409_naming_it(gateway: httpx.Client, new_sku: Callable[[int], str]) -> None:
    """A SKU inventory-service does not know is a 409 about that SKU, with nothing held."""
    known = new_sku(3)
    unknown = f"NOPE-{uuid.uuid4().hex[:8].upper()}"
    reply = gateway.post("/orders", json=order((known, 1), (unknown, 1)))
    assert reply.status_code == 409
    assert reply.json()["sku"] == unknown
    assert stock(gateway, known) == (3, 0)


@pytest.mark.usefixtures("restore_services")
def test_inventory_down_is_503_through_the_gateway(
    shop: LiveSystem, gateway: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """With inventory-service stopped, ordering and stock lookups answer 503 problems."""
    sku = new_sku(2)
    shop.stop(ServiceName.INVENTORY)
    placed = gateway.post("/orders", json=order((sku, 1)))
    assert placed.status_code == 503
    assert placed.headers["content-type"] == PROBLEM
    assert "inventory-service" in placed.json()["detail"]
    looked_up = gateway.get(f"/inventory/{sku}")
    assert looked_up.status_code == 503
    assert looked_up.json()["type"].endswith("/service-unavailable")
    shop.start(ServiceName.INVENTORY)
    assert stock(gateway, sku) == (2, 0)


@pytest.mark.usefixtures("restore_services")
def test_order_service_down_is_503_from_the_gateway(
    shop: LiveSystem, gateway: httpx.Client
) -> None:
    """The gateway maps a refused connection to order-service to its own 503 problem."""
    shop.stop(ServiceName.ORDER)
    reply = gateway.get(f"/orders/ord_{uuid.uuid4().hex}")
    assert reply.status_code == 503
    assert reply.json()["detail"] == "order-service cannot be reached"


def test_event_stream_down_is_503_and_releases_reservations(
    shop: LiveSystem, gateway: httpx.Client, new_sku: Callable[[int], str], tmp_path: Any
) -> None:
    """An order-service that cannot publish refuses the order and gives the stock back."""
    sku = new_sku(3)
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    system = System(
        base_settings(tmp_path, dead_redis),
        services=[ServiceName.ORDER],
        ports={ServiceName.ORDER: 0},
        urls={ServiceName.INVENTORY: shop.url(ServiceName.INVENTORY)},
    )
    shop.run(system.start(ServiceName.ORDER))
    try:
        with httpx.Client(base_url=system.urls[ServiceName.ORDER], timeout=10) as client:
            ready = client.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"database": "ok", "redis": "down"}
            reply = client.post("/orders", json=order((sku, 2)))
    finally:
        shop.run(system.stop_all())
    assert reply.status_code == 503
    assert "event stream" in reply.json()["detail"]
    assert stock(gateway, sku) == (3, 0)


def test_an_order_refused_while_redis_is_paused_is_never_published(
    orders: httpx.Client,
    gateway: httpx.Client,
    redis_client: redis.Redis,
    new_sku: Callable[[int], str],
) -> None:
    """Redis paused (SIGSTOP) past the order service's timeout: the client gets 503 and the
    stock back; once Redis resumes, the XADD it had queued must not publish a phantom
    OrderAccepted that a consumer would act on."""
    import os
    import signal
    import time

    pid = int(redis_client.info("server")["process_id"])
    sku = new_sku(3)
    tail = stream_tail(redis_client)
    os.kill(pid, signal.SIGSTOP)
    try:
        reply = orders.post("/orders", json=order((sku, 1)), timeout=20)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert reply.status_code == 503, reply.text
    time.sleep(1.0)  # whatever Redis had queued runs on resume
    published = [e for e in events_after(redis_client, tail) if e["items"][0]["sku"] == sku]
    assert published == []
    assert stock(gateway, sku) == (3, 0)


def test_a_late_publish_is_dropped_by_redis_itself(redis_client: redis.Redis) -> None:
    """The order service publishes through a script that Redis refuses to run after the
    deadline, so a publish Redis gets to late (paused, overloaded) never lands."""
    import time

    from shop.orders import _XADD_BEFORE

    stream = f"test-deadline-{uuid.uuid4().hex}"
    now_ms = int(time.time() * 1000)
    fields = ("type", "OrderAccepted", "event", "{}")
    late = redis_client.eval(_XADD_BEFORE, 1, stream, now_ms - 1, *fields)
    assert late is None and redis_client.xlen(stream) == 0
    in_time = redis_client.eval(_XADD_BEFORE, 1, stream, now_ms + 60_000, *fields)
    assert in_time is not None and redis_client.xlen(stream) == 1
    redis_client.delete(stream)


def test_idempotent_retry_returns_first_result_without_reserving_again(
    gateway: httpx.Client,
    notifications: httpx.Client,
    redis_client: redis.Redis,
    new_sku: Callable[[int], str],
) -> None:
    """A repeated Idempotency-Key replays the 201 and takes no more stock."""
    sku = new_sku(5)
    key = f"key-{uuid.uuid4().hex}"
    tail = stream_tail(redis_client)
    first = gateway.post("/orders", json=order((sku, 2)), headers={"Idempotency-Key": key})
    again = gateway.post("/orders", json=order((sku, 2)), headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert stock(gateway, sku) == (3, 2)
    order_id = first.json()["orderId"]
    assert [e["orderId"] for e in events_after(redis_client, tail)].count(order_id) == 1

    other = gateway.post("/orders", json=order((sku, 1)), headers={"Idempotency-Key": key})
    assert other.status_code == 409
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert stock(gateway, sku) == (3, 2)


def test_idempotent_retry_replays_a_refusal(
    gateway: httpx.Client, inventory: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """A refused order replays its 409 for the same key even after stock arrives."""
    sku = new_sku(0)
    key = f"key-{uuid.uuid4().hex}"
    first = gateway.post("/orders", json=order((sku, 1)), headers={"Idempotency-Key": key})
    assert first.status_code == 409
    inventory.put(f"/stock/{sku}", json={"available": 5})
    again = gateway.post("/orders", json=order((sku, 1)), headers={"Idempotency-Key": key})
    assert again.status_code == 409
    assert again.json() == first.json()
    assert stock(gateway, sku) == (5, 0)


def test_concurrent_orders_for_the_last_unit_have_one_winner(
    shop: LiveSystem, gateway: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """Two orders racing for each last unit: exactly one is accepted per SKU."""
    skus = [new_sku(1) for _ in range(5)]
    attempts = [sku for sku in skus for _ in range(2)]

    def place(sku: str) -> int:
        with httpx.Client(base_url=shop.url(ServiceName.GATEWAY), timeout=10) as client:
            return client.post("/orders", json=order((sku, 1))).status_code

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        statuses = list(pool.map(place, attempts))
    for index, sku in enumerate(skus):
        assert sorted(statuses[2 * index : 2 * index + 2]) == [201, 409]
        assert stock(gateway, sku) == (0, 1)
