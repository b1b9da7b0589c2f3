"""order-service: accepts orders, reserving stock first (contract: specs/order-service.yaml).

The order of effects is the point of this service: reserve every line through
inventory-service; on any refusal or outage release what was reserved; only when everything
is held publish ``OrderAccepted`` and store the order. A reservation id is chosen before the
call, so even a reservation whose reply was lost is released.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import json
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import redis.asyncio as aioredis
from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response

from shop._config import ORDER_EVENTS_STREAM, ServiceName, Settings, specs_dir
from shop._db import is_healthy, open_database, transaction, utc_now
from shop._observe import REQUEST_ID, REQUEST_ID_HEADER, Metrics, service_logger
from shop._web import Call, Contract, build_app, operations_handlers, problem

SCHEMA = """
CREATE TABLE IF NOT EXISTS order_header (
    order_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS order_header_customer ON order_header (customer_id);
CREATE TABLE IF NOT EXISTS order_line (
    order_id TEXT NOT NULL REFERENCES order_header (order_id),
    position INTEGER NOT NULL,
    sku TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    reservation_id TEXT NOT NULL,
    PRIMARY KEY (order_id, sku)
);
CREATE INDEX IF NOT EXISTS order_line_sku ON order_line (sku);
CREATE TABLE IF NOT EXISTS idempotency_record (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
    status INTEGER,
    media_type TEXT,
    body BLOB,
    location TEXT,
    created_at TEXT NOT NULL
);
"""

# A pending key whose request died with its process is taken over after this long.
_STALE_PENDING = timedelta(seconds=60)
_RELEASE_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Line:
    """One order line: a SKU and how many."""

    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Order:
    """An accepted order."""

    order_id: str
    customer_id: str
    lines: tuple[Line, ...]
    note: str | None
    reservations: tuple[str, ...]
    created_at: str

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "orderId": self.order_id,
            "customerId": self.customer_id,
            "status": "accepted",
            "items": [{"sku": line.sku, "quantity": line.quantity} for line in self.lines],
            "reservations": list(self.reservations),
            "createdAt": self.created_at,
        }
        if self.note is not None:
            body["note"] = self.note
        return body


@dataclass(frozen=True, slots=True)
class StoredResult:
    """A response kept for an ``Idempotency-Key``."""

    status: int
    media_type: str
    body: bytes
    location: str | None


# Shorter than the client's socket timeout (2 s), so a late XADD is dropped by Redis rather
# than applied after the client has given up.
PUBLISH_DEADLINE_MS = 1000
_XADD_BEFORE = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if ms > tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3], ARGV[4], ARGV[5])
"""

class ClaimState(str, enum.Enum):
    """What an ``Idempotency-Key`` lookup found."""

    CLAIMED = "claimed"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_PROGRESS = "in-progress"


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a key; ``stored`` is set for :attr:`ClaimState.REPLAY`."""

    state: ClaimState
    stored: StoredResult | None = None


class OrderStore:
    """The service's own SQLite tables: ``order_header``, ``order_line``, ``idempotency_record``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def order(self, order_id: str) -> Order | None:
        row = self.connection.execute(
            "SELECT * FROM order_header WHERE order_id = ?", (order_id,)
        ).fetchone()
        return self._load(row) if row else None

    def orders(self, *, customer_id: str | None, sku: str | None, limit: int) -> list[Order]:
        rows = self.connection.execute(
            "SELECT h.* FROM order_header h WHERE (:customer IS NULL OR h.customer_id = :customer)"
            " AND (:sku IS NULL OR EXISTS (SELECT 1 FROM order_line l"
            " WHERE l.order_id = h.order_id AND l.sku = :sku))"
            " ORDER BY h.rowid DESC LIMIT :limit",
            {"customer": customer_id, "sku": sku, "limit": limit},
        ).fetchall()
        return [self._load(row) for row in rows]

    def _load(self, row: sqlite3.Row) -> Order:
        lines = self.connection.execute(
            "SELECT sku, quantity, reservation_id FROM order_line WHERE order_id = ?"
            " ORDER BY position",
            (row["order_id"],),
        ).fetchall()
        return Order(
            order_id=row["order_id"],
            customer_id=row["customer_id"],
            lines=tuple(Line(line["sku"], line["quantity"]) for line in lines),
            note=row["note"],
            reservations=tuple(line["reservation_id"] for line in lines),
            created_at=row["created_at"],
        )

    def claim(self, key: str, fingerprint: str) -> Claim:
        """Reserve ``key`` for this request, or say why it cannot be."""
        with transaction(self.connection) as db:
            row = db.execute("SELECT * FROM idempotency_record WHERE key = ?", (key,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO idempotency_record (key, fingerprint, state, created_at)"
                    " VALUES (?, ?, 'pending', ?)",
                    (key, fingerprint, utc_now()),
                )
                return Claim(ClaimState.CLAIMED)
            if row["fingerprint"] != fingerprint:
                return Claim(ClaimState.MISMATCH)
            if row["state"] == "done":
                stored = StoredResult(
                    row["status"], row["media_type"], bytes(row["body"]), row["location"]
                )
                return Claim(ClaimState.REPLAY, stored)
            created = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
            if datetime.now(timezone.utc) - created < _STALE_PENDING:
                return Claim(ClaimState.IN_PROGRESS)
            db.execute(
                "UPDATE idempotency_record SET created_at = ? WHERE key = ?", (utc_now(), key)
            )
            return Claim(ClaimState.CLAIMED)

    def forget(self, key: str) -> None:
        """Drop a pending key so that a retry is processed afresh (after a transient failure)."""
        self.connection.execute(
            "DELETE FROM idempotency_record WHERE key = ? AND state = 'pending'", (key,)
        )

    def save(self, order: Order | None, key: str | None, result: StoredResult) -> None:
        """Store the order (if any) and the key's result in one transaction."""
        with transaction(self.connection) as db:
            if order is not None:
                db.execute(
                    "INSERT INTO order_header VALUES (?, ?, 'accepted', ?, ?)",
                    (order.order_id, order.customer_id, order.note, order.created_at),
                )
                db.executemany(
                    "INSERT INTO order_line VALUES (?, ?, ?, ?, ?)",
                    [
                        (order.order_id, position, line.sku, line.quantity, reservation)
                        for position, (line, reservation) in enumerate(
                            zip(order.lines, order.reservations, strict=True)
                        )
                    ],
                )
            if key is not None:
                db.execute(
                    "UPDATE idempotency_record SET state = 'done', status = ?, media_type = ?,"
                    " body = ?, location = ? WHERE key = ?",
                    (result.status, result.media_type, result.body, result.location, key),
                )


class InventoryUnavailable(Exception):
    """inventory-service could not be reached or failed."""


class UnexpectedReply(Exception):
    """inventory-service answered outside its contract."""


@dataclass(frozen=True, slots=True)
class Shortage:
    """A line that could not be reserved."""

    sku: str
    kind: str
    detail: str


class InventoryClient:
    """Calls inventory-service's ``reserveStock`` and ``releaseReservation``."""

    def __init__(self, base_url: str, timeout: float) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self) -> dict[str, str]:
        return {REQUEST_ID_HEADER: REQUEST_ID.get()}

    async def reserve(self, reservation_id: str, order_id: str, line: Line) -> Shortage | None:
        """Reserve one line; None when held, a :class:`Shortage` when refused."""
        try:
            reply = await self.http.put(
                f"/reservations/{reservation_id}",
                json={"orderId": order_id, "sku": line.sku, "quantity": line.quantity},
                headers=self._headers(),
            )
        except httpx.TransportError as exc:
            raise InventoryUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if reply.status_code in (200, 201):
            return None
        if reply.status_code == 404:
            return Shortage(line.sku, "unknown-sku", f"{line.sku} is not sold here")
        if reply.status_code == 409:
            detail = _json_field(reply, "detail") or f"{line.sku} is out of stock"
            return Shortage(line.sku, "out-of-stock", detail)
        if reply.status_code >= 500:
            raise InventoryUnavailable(f"inventory-service answered {reply.status_code}")
        raise UnexpectedReply(f"reserveStock answered {reply.status_code}: {reply.text[:200]}")

    async def release(self, reservation_id: str) -> bool:
        """Release one reservation; True when inventory-service confirms it holds nothing."""
        try:
            reply = await self.http.post(
                f"/reservations/{reservation_id}/release", headers=self._headers()
            )
        except httpx.TransportError:
            return False
        return reply.status_code in (200, 404)


def _json_field(reply: httpx.Response, name: str) -> str | None:
    try:
        value = reply.json().get(name)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def merge_lines(items: list[dict[str, Any]]) -> tuple[Line, ...]:
    """One line per SKU in first-seen order; repeated SKUs are added up."""
    totals: dict[str, int] = {}
    for item in items:
        totals[item["sku"]] = totals.get(item["sku"], 0) + int(item["quantity"])
    return tuple(Line(sku, quantity) for sku, quantity in totals.items())


def fingerprint(body: Any) -> str:
    """A digest of the request body, to tell a retry from a different request with the same key."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class OrderService:
    """The ASGI service; one instance per running server."""

    name = ServiceName.ORDER

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.log = service_logger(self.name.value)
        self.outcomes = self.metrics.counter(
            "shop_orders_total", "Orders by outcome.", ("outcome",)
        )
        self._store: OrderStore | None = None
        self._inventory: InventoryClient | None = None
        self._redis: aioredis.Redis | None = None

    @property
    def store(self) -> OrderStore:
        assert self._store is not None, "used outside the app's lifespan"
        return self._store

    @property
    def inventory(self) -> InventoryClient:
        assert self._inventory is not None, "used outside the app's lifespan"
        return self._inventory

    @property
    def redis(self) -> aioredis.Redis:
        assert self._redis is not None, "used outside the app's lifespan"
        return self._redis

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        connection = open_database(self.settings.database, SCHEMA)
        self._store = OrderStore(connection)
        self._inventory = InventoryClient(
            self.settings.inventory_url, self.settings.downstream_timeout
        )
        self._redis = aioredis.Redis.from_url(
            self.settings.redis_url, socket_timeout=2.0, socket_connect_timeout=2.0
        )
        try:
            yield
        finally:
            await self._inventory.aclose()
            await self._redis.aclose()
            connection.close()
            self._store = self._inventory = self._redis = None

    def app(self) -> Starlette:
        contract = Contract.load(specs_dir() / self.name.spec_file)

        async def database_ok() -> bool:
            return is_healthy(self._store.connection if self._store else None)

        async def redis_ok() -> bool:
            try:
                return bool(await self.redis.ping())
            except (RedisError, OSError):
                return False

        checks = {"database": database_ok, "redis": redis_ok}
        handlers = operations_handlers(self.name.value, self.metrics, checks)
        handlers |= {
            "createOrder": self.create_order,
            "listOrders": self.list_orders,
            "getOrder": self.get_order,
        }
        return build_app(
            contract=contract,
            handlers=handlers,
            metrics=self.metrics,
            log=self.log,
            lifespan=self.lifespan,
        )

    async def get_order(self, call: Call) -> Response:
        order = self.store.order(call.path["orderId"])
        if order is None:
            return problem(404, "not-found", "No such order")
        return JSONResponse(order.as_json())

    async def list_orders(self, call: Call) -> Response:
        orders = self.store.orders(
            customer_id=call.query.get("customerId"),
            sku=call.query.get("sku"),
            limit=int(call.query.get("limit", 20)),
        )
        return JSONResponse({"orders": [order.as_json() for order in orders]})

    async def create_order(self, call: Call) -> Response:
        key = call.headers.get("Idempotency-Key")
        if key is None:
            return await self._place(call, None)
        claim = self.store.claim(key, fingerprint(call.body))
        if claim.state is ClaimState.REPLAY:
            assert claim.stored is not None
            self.outcomes.labels("replayed").inc()
            headers = {"Idempotent-Replayed": "true"}
            if claim.stored.location:
                headers["Location"] = claim.stored.location
            return Response(
                claim.stored.body,
                status_code=claim.stored.status,
                media_type=claim.stored.media_type,
                headers=headers,
            )
        if claim.state is ClaimState.MISMATCH:
            return problem(
                409,
                "idempotency-key-reused",
                "Idempotency-Key already used for a different request",
            )
        if claim.state is ClaimState.IN_PROGRESS:
            return problem(
                409,
                "idempotency-key-in-use",
                "A request with this Idempotency-Key is still being processed",
            )
        try:
            return await self._place(call, key)
        finally:
            # Keys of requests that stored no result (outages, bugs) are freed for a retry.
            self.store.forget(key)

    async def _place(self, call: Call, key: str | None) -> Response:
        order_id = f"ord_{uuid.uuid4().hex}"
        lines = merge_lines(call.body["items"])
        held: list[str] = []
        try:
            for line in lines:
                reservation_id = f"res_{uuid.uuid4().hex}"
                # Recorded before the call: if the reply is lost the stock may still be held.
                held.append(reservation_id)
                shortage = await self.inventory.reserve(reservation_id, order_id, line)
                if shortage is not None:
                    held.pop()  # refused, so nothing is held under this id
                    await self._release(order_id, held)
                    return self._refuse(order_id, shortage, key)
            event = self._event(order_id, call.body["customerId"], lines)
            # The XADD must not outlive the client's patience: a paused Redis would run it on
            # resume, after we answered 503 and released the stock (a phantom order). Redis
            # itself drops it once the deadline has passed.
            deadline_ms = int(time.time() * 1000) + PUBLISH_DEADLINE_MS
            published = await self.redis.eval(
                _XADD_BEFORE, 1, ORDER_EVENTS_STREAM, deadline_ms,
                "type", "OrderAccepted", "event", json.dumps(event),
            )
            if published is None:
                raise TimeoutError("the event stream answered after the publish deadline")
        except InventoryUnavailable as exc:
            await self._release(order_id, held)
            return self._unavailable(order_id, f"inventory-service: {exc}")
        except (RedisError, OSError) as exc:
            await self._release(order_id, held)
            return self._unavailable(order_id, f"event stream: {type(exc).__name__}")
        except BaseException:
            await asyncio.shield(self._release(order_id, held))
            raise
        order = Order(
            order_id=order_id,
            customer_id=call.body["customerId"],
            lines=lines,
            note=call.body.get("note"),
            reservations=tuple(held),
            created_at=event["occurredAt"],
        )
        location = f"/orders/{order_id}"
        response = JSONResponse(order.as_json(), status_code=201, headers={"Location": location})
        self.store.save(
            order, key, StoredResult(201, "application/json", bytes(response.body), location)
        )
        self.outcomes.labels("accepted").inc()
        self.log.info("order accepted", extra={"orderId": order_id, "eventId": event["eventId"]})
        return response

    def _event(self, order_id: str, customer_id: str, lines: tuple[Line, ...]) -> dict[str, Any]:
        return {
            "type": "OrderAccepted",
            "eventId": f"evt_{uuid.uuid4().hex}",
            "orderId": order_id,
            "customerId": customer_id,
            "items": [{"sku": line.sku, "quantity": line.quantity} for line in lines],
            "requestId": REQUEST_ID.get(),
            "occurredAt": utc_now(),
        }

    def _refuse(self, order_id: str, shortage: Shortage, key: str | None) -> Response:
        title = "Not enough stock" if shortage.kind == "out-of-stock" else "Unknown SKU"
        response = problem(409, shortage.kind, title, detail=shortage.detail, sku=shortage.sku)
        if key is not None:
            # A refusal is a result: the same request with the same key gets the same answer.
            self.store.save(
                None, key, StoredResult(409, "application/problem+json", bytes(response.body), None)
            )
        self.outcomes.labels(shortage.kind).inc()
        self.log.info(
            "order refused",
            extra={"orderId": order_id, "sku": shortage.sku, "detail": shortage.kind},
        )
        return response

    def _unavailable(self, order_id: str, detail: str) -> Response:
        self.outcomes.labels("unavailable").inc()
        self.log.warning(
            "order failed: dependency down", extra={"orderId": order_id, "detail": detail}
        )
        return problem(503, "dependency-unavailable", "A dependency is unavailable", detail=detail)

    async def _release(self, order_id: str, reservation_ids: list[str]) -> None:
        """Release every reservation, retrying briefly; what still fails is logged loudly."""
        for reservation_id in reversed(reservation_ids):
            for attempt in range(_RELEASE_ATTEMPTS):
                if await self.inventory.release(reservation_id):
                    break
                await asyncio.sleep(0.05 * 2**attempt)
            else:
                self.log.error(
                    "reservation not released",
                    extra={"orderId": order_id, "reservationId": reservation_id},
                )
