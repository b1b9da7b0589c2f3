"""notification-service: one delivery per OrderAccepted event (specs/notification-service.yaml).

Events are read from the Redis stream ``order-events`` with a consumer group and acknowledged
only after the delivery is recorded. On start the consumer first re-reads its own pending
(delivered but unacknowledged) entries; the event id is unique in ``delivery_record``, so a
redelivered event is acknowledged without being recorded twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response

from shop._config import (
    DEAD_LETTER_STREAM,
    NOTIFICATION_GROUP,
    ORDER_EVENTS_STREAM,
    ServiceName,
    Settings,
    specs_dir,
)
from shop._db import is_healthy, open_database, transaction, utc_now
from shop._observe import REQUEST_ID, Metrics, service_logger
from shop._web import Call, Contract, build_app, operations_handlers, problem

SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_record (
    delivery_id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    order_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    template TEXT NOT NULL,
    status TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_record_order ON delivery_record (order_id);
"""

_BATCH = 50
# XREADGROUP's reply with RESP2: [(stream, [(entry id, fields or None if trimmed), ...])].
_StreamReply = list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes] | None]]]]
_MIN_BACKOFF = 0.1
_MAX_BACKOFF = 5.0


@dataclass(frozen=True, slots=True)
class Delivery:
    """A message sent (here: recorded) because of one event."""

    delivery_id: str
    event_id: str
    order_id: str
    recipient: str
    recorded_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "deliveryId": self.delivery_id,
            "eventId": self.event_id,
            "orderId": self.order_id,
            "recipient": self.recipient,
            "channel": "email",
            "template": "order-accepted",
            "status": "sent",
            "recordedAt": self.recorded_at,
        }

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Delivery:
        return cls(
            row["delivery_id"],
            row["event_id"],
            row["order_id"],
            row["recipient"],
            row["recorded_at"],
        )


@dataclass(frozen=True, slots=True)
class OrderAccepted:
    """The fields of an ``OrderAccepted`` event this service needs."""

    event_id: str
    order_id: str
    customer_id: str
    request_id: str

    @classmethod
    def parse(cls, fields: dict[bytes, bytes]) -> OrderAccepted:
        """Read a stream entry; ValueError when it is not a well-formed OrderAccepted."""
        if fields.get(b"type") != b"OrderAccepted":
            raise ValueError("not an OrderAccepted entry")
        event = json.loads(fields.get(b"event", b""))
        if not isinstance(event, dict):
            raise ValueError("OrderAccepted event is not a JSON object")
        event_id, order_id, customer_id = (
            event.get(name) for name in ("eventId", "orderId", "customerId")
        )
        if not (
            isinstance(event_id, str)
            and isinstance(order_id, str)
            and isinstance(customer_id, str)
            and event_id
        ):
            raise ValueError("OrderAccepted without eventId, orderId or customerId")
        request_id = event.get("requestId")
        return cls(
            event_id, order_id, customer_id, request_id if isinstance(request_id, str) else "-"
        )


class DeliveryStore:
    """The service's own SQLite table ``delivery_record``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def record(self, event: OrderAccepted, stream_id: str) -> bool:
        """Record the delivery of ``event``; False when it was recorded before."""
        with transaction(self.connection) as db:
            inserted = db.execute(
                "INSERT OR IGNORE INTO delivery_record VALUES (?, ?, ?, ?, 'email',"
                " 'order-accepted', 'sent', ?, ?)",
                (
                    f"dlv_{uuid.uuid4().hex}",
                    event.event_id,
                    event.order_id,
                    event.customer_id,
                    stream_id,
                    utc_now(),
                ),
            ).rowcount
        return inserted == 1

    def delivery(self, delivery_id: str) -> Delivery | None:
        row = self.connection.execute(
            "SELECT * FROM delivery_record WHERE delivery_id = ?", (delivery_id,)
        ).fetchone()
        return Delivery.from_row(row) if row else None

    def deliveries(self, *, order_id: str | None, limit: int) -> list[Delivery]:
        rows = self.connection.execute(
            "SELECT * FROM delivery_record WHERE (:order IS NULL OR order_id = :order)"
            " ORDER BY rowid DESC LIMIT :limit",
            {"order": order_id, "limit": limit},
        ).fetchall()
        return [Delivery.from_row(row) for row in rows]


class Consumer:
    """Reads ``order-events`` in the consumer group and records deliveries."""

    def __init__(self, service: NotificationService, redis: aioredis.Redis) -> None:
        self.service = service
        self.redis = redis
        self.settings = service.settings
        self.running = False
        self.backoff = _MIN_BACKOFF

    async def run(self) -> None:
        """Consume until cancelled; Redis outages are retried with a bounded backoff."""
        while True:
            try:
                await self._ensure_group()
                self.running = True
                await self._consume()
            except (RedisError, OSError) as exc:
                self.service.log.warning("event stream unavailable", extra={"detail": repr(exc)})
            except Exception:
                # A bug or a database error: the entry stays pending and is retried.
                self.service.log.exception("consumer failed")
            self.running = False
            await asyncio.sleep(self.backoff)
            self.backoff = min(self.backoff * 2, _MAX_BACKOFF)

    async def _ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(
                ORDER_EVENTS_STREAM, NOTIFICATION_GROUP, id="0", mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def _consume(self) -> None:
        # "0" re-reads this consumer's own pending entries (left by a crash before the ack);
        # once they are drained, ">" asks for entries never delivered to the group.
        cursor = "0"
        while True:
            raw = await self.redis.xreadgroup(
                NOTIFICATION_GROUP,
                self.settings.consumer_name,
                {ORDER_EVENTS_STREAM: cursor},
                count=_BATCH,
                block=None if cursor == "0" else self.settings.consumer_block_ms,
            )
            reply = cast(_StreamReply, raw)  # the client speaks RESP2: a list, not a dict
            self.backoff = _MIN_BACKOFF
            entries = reply[0][1] if reply else []
            if cursor == "0" and not entries:
                cursor = ">"
                continue
            for stream_id, fields in entries:
                await self._handle(stream_id.decode(), fields)

    async def _handle(self, stream_id: str, fields: dict[bytes, bytes] | None) -> None:
        log = self.service.log
        try:
            if fields is None:
                raise ValueError("entry was trimmed from the stream")
            event = OrderAccepted.parse(fields)
        except (ValueError, UnicodeDecodeError) as exc:
            # Unreadable entries are parked, not retried forever, so they cannot block the group.
            await self.redis.xadd(
                DEAD_LETTER_STREAM, {"streamId": stream_id, "reason": str(exc)[:200]}
            )
            await self.redis.xack(ORDER_EVENTS_STREAM, NOTIFICATION_GROUP, stream_id)
            log.error("event dead-lettered", extra={"streamId": stream_id, "detail": str(exc)})
            return
        token = REQUEST_ID.set(event.request_id)
        try:
            recorded = self.service.store.record(event, stream_id)
            await self.redis.xack(ORDER_EVENTS_STREAM, NOTIFICATION_GROUP, stream_id)
            self.service.deliveries.labels("recorded" if recorded else "duplicate").inc()
            log.info(
                "delivery recorded" if recorded else "duplicate event acknowledged",
                extra={"orderId": event.order_id, "eventId": event.event_id, "streamId": stream_id},
            )
        finally:
            REQUEST_ID.reset(token)


class NotificationService:
    """The ASGI service and its stream consumer; one instance per running server."""

    name = ServiceName.NOTIFICATION

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.log = service_logger(self.name.value)
        self.deliveries = self.metrics.counter(
            "shop_deliveries_total", "Consumed events by outcome.", ("outcome",)
        )
        self._store: DeliveryStore | None = None
        self._redis: aioredis.Redis | None = None
        self._consumer: Consumer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def store(self) -> DeliveryStore:
        assert self._store is not None, "used outside the app's lifespan"
        return self._store

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        connection = open_database(self.settings.database, SCHEMA)
        self._store = DeliveryStore(connection)
        # Blocking reads hold the socket for consumer_block_ms; the timeout must be longer.
        timeout = self.settings.consumer_block_ms / 1000 + 5.0
        self._redis = aioredis.Redis.from_url(
            self.settings.redis_url, socket_timeout=timeout, socket_connect_timeout=2.0
        )
        self._consumer = Consumer(self, self._redis)
        self._task = asyncio.create_task(self._consumer.run(), name="order-events consumer")
        try:
            yield
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            await self._redis.aclose()
            connection.close()
            self._store = self._redis = self._consumer = self._task = None

    def app(self) -> Starlette:
        contract = Contract.load(specs_dir() / self.name.spec_file)

        async def database_ok() -> bool:
            return is_healthy(self._store.connection if self._store else None)

        async def redis_ok() -> bool:
            if self._redis is None:
                return False
            try:
                return bool(await self._redis.ping())
            except (RedisError, OSError):
                return False

        async def consumer_ok() -> bool:
            return bool(
                self._task and not self._task.done() and self._consumer and self._consumer.running
            )

        checks = {"database": database_ok, "redis": redis_ok, "consumer": consumer_ok}
        handlers = operations_handlers(self.name.value, self.metrics, checks)
        handlers |= {"listDeliveries": self.list_deliveries, "getDelivery": self.get_delivery}
        return build_app(
            contract=contract,
            handlers=handlers,
            metrics=self.metrics,
            log=self.log,
            lifespan=self.lifespan,
        )

    async def list_deliveries(self, call: Call) -> Response:
        deliveries = self.store.deliveries(
            order_id=call.query.get("orderId"), limit=int(call.query.get("limit", 20))
        )
        return JSONResponse({"deliveries": [delivery.as_json() for delivery in deliveries]})

    async def get_delivery(self, call: Call) -> Response:
        delivery = self.store.delivery(call.path["deliveryId"])
        if delivery is None:
            return problem(404, "not-found", "No such delivery")
        return JSONResponse(delivery.as_json())
