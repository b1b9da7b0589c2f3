"""notification-service: consumer group, ack after recording, restart without loss or duplicates."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
import redis

from shop._config import (
    DEAD_LETTER_STREAM,
    NOTIFICATION_GROUP,
    ORDER_EVENTS_STREAM,
    ServiceName,
)
from tests.shop.support import LiveSystem, wait_for

pytestmark = pytest.mark.redis


def accepted_event(order_id: str, event_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "OrderAccepted",
        "eventId": event_id or f"evt_{uuid.uuid4().hex}",
        "orderId": order_id,
        "customerId": "cus_restart",
        "items": [{"sku": "SKU-1001", "quantity": 1}],
        "requestId": "restart-test",
        "occurredAt": "2026-11-30T09:15:00Z",
    }


def publish(redis_client: redis.Redis, event: dict[str, Any]) -> None:
    redis_client.xadd(ORDER_EVENTS_STREAM, {"type": "OrderAccepted", "event": json.dumps(event)})


def deliveries_of(client: httpx.Client, order_id: str) -> list[dict[str, Any]]:
    reply = client.get("/deliveries", params={"orderId": order_id})
    assert reply.status_code == 200
    deliveries: list[dict[str, Any]] = reply.json()["deliveries"]
    return deliveries


def pending(redis_client: redis.Redis) -> int:
    return int(redis_client.xpending(ORDER_EVENTS_STREAM, NOTIFICATION_GROUP)["pending"])


@pytest.mark.usefixtures("restore_services")
def test_restart_recovers_unacked_events_without_recording_twice(
    shop: LiveSystem, notifications: httpx.Client, redis_client: redis.Redis
) -> None:
    """Events delivered but not acked before a crash, or sent while down, are recorded once."""
    before = f"ord_{uuid.uuid4().hex}"
    publish(redis_client, accepted_event(before))
    wait_for(lambda: deliveries_of(notifications, before))
    shop.stop(ServiceName.NOTIFICATION)

    # A crash between delivery and ack: the entries sit in this consumer's pending list.
    crashed, duplicate_id = f"ord_{uuid.uuid4().hex}", f"evt_{uuid.uuid4().hex}"
    publish(redis_client, accepted_event(crashed, duplicate_id))
    taken = redis_client.xreadgroup(
        NOTIFICATION_GROUP, "notification-1", {ORDER_EVENTS_STREAM: ">"}, count=100
    )
    assert taken and taken[0][1], "the crashed delivery should be pending"
    # The producer retried: the same event arrives a second time under a new stream id.
    publish(redis_client, accepted_event(crashed, duplicate_id))
    while_down = f"ord_{uuid.uuid4().hex}"
    publish(redis_client, accepted_event(while_down))

    shop.start(ServiceName.NOTIFICATION)
    for order_id in (crashed, while_down):
        wait_for(lambda order_id=order_id: deliveries_of(notifications, order_id))
    wait_for(lambda: pending(redis_client) == 0 or None)
    assert [d["eventId"] for d in deliveries_of(notifications, crashed)] == [duplicate_id]
    assert len(deliveries_of(notifications, while_down)) == 1
    assert len(deliveries_of(notifications, before)) == 1


def test_unreadable_event_is_dead_lettered_and_acked(
    notifications: httpx.Client, redis_client: redis.Redis
) -> None:
    """A malformed entry is parked on the dead-letter stream instead of blocking the group."""
    marker = f"broken-{uuid.uuid4().hex}"
    entry_id = redis_client.xadd(ORDER_EVENTS_STREAM, {"type": "OrderAccepted", "event": marker})
    entry = entry_id.decode()

    def parked() -> bool:
        dead = redis_client.xrange(DEAD_LETTER_STREAM, min="-", max="+")
        return any(fields[b"streamId"].decode() == entry for _, fields in dead)

    wait_for(parked)
    wait_for(lambda: pending(redis_client) == 0 or None)


def test_delivery_lookup_by_id_and_404(
    notifications: httpx.Client, redis_client: redis.Redis
) -> None:
    """A recorded delivery can be read by id; an unknown id is a 404 problem."""
    order_id = f"ord_{uuid.uuid4().hex}"
    publish(redis_client, accepted_event(order_id))
    [delivery] = wait_for(lambda: deliveries_of(notifications, order_id))
    assert notifications.get(f"/deliveries/{delivery['deliveryId']}").json() == delivery
    missing = notifications.get(f"/deliveries/dlv_{uuid.uuid4().hex}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_readiness_reports_redis_and_consumer(notifications: httpx.Client) -> None:
    """With Redis up the consumer runs and readiness says so."""
    reply = wait_for(lambda: (r := notifications.get("/ready")).status_code == 200 and r)
    assert reply.json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "consumer": "ok"},
    }
