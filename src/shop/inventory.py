"""inventory-service: stock and atomic, idempotent reservations (specs/inventory-service.yaml)."""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response

from shop._config import ServiceName, Settings, specs_dir
from shop._db import is_healthy, open_database, transaction, utc_now
from shop._observe import Metrics, service_logger
from shop._web import Call, Contract, build_app, operations_handlers, problem

SCHEMA = """
CREATE TABLE IF NOT EXISTS stock_item (
    sku TEXT PRIMARY KEY,
    available INTEGER NOT NULL CHECK (available >= 0),
    reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0)
);
CREATE TABLE IF NOT EXISTS stock_hold (
    reservation_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    sku TEXT NOT NULL REFERENCES stock_item (sku),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('held', 'released')),
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stock_hold_tombstone (
    reservation_id TEXT PRIMARY KEY,
    released_at TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class StockLevel:
    """Stock of one SKU."""

    sku: str
    available: int
    reserved: int

    def as_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "available": self.available, "reserved": self.reserved}


@dataclass(frozen=True, slots=True)
class Reservation:
    """Stock held for one order line."""

    reservation_id: str
    order_id: str
    sku: str
    quantity: int
    status: str
    created_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "reservationId": self.reservation_id,
            "orderId": self.order_id,
            "sku": self.sku,
            "quantity": self.quantity,
            "status": self.status,
            "createdAt": self.created_at,
        }

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Reservation:
        return cls(
            row["reservation_id"],
            row["order_id"],
            row["sku"],
            row["quantity"],
            row["status"],
            row["created_at"],
        )


class Refusal(str, enum.Enum):
    """Why a reservation was not made."""

    OUT_OF_STOCK = "out-of-stock"
    UNKNOWN_SKU = "unknown-sku"
    ID_REUSED = "reservation-id-reused"
    RELEASED = "reservation-released"


@dataclass(frozen=True, slots=True)
class Reserved:
    """The reservation exists; ``created`` is False when an identical one was already there."""

    reservation: Reservation
    created: bool


@dataclass(frozen=True, slots=True)
class Refused:
    """The reservation was not made; ``available`` is set for :attr:`Refusal.OUT_OF_STOCK`."""

    reason: Refusal
    available: int | None = None


class InventoryStore:
    """The service's own SQLite tables: ``stock_item``, ``stock_hold``, ``stock_hold_tombstone``."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def stock(self, sku: str) -> StockLevel | None:
        row = self.connection.execute(
            "SELECT sku, available, reserved FROM stock_item WHERE sku = ?", (sku,)
        ).fetchone()
        return StockLevel(row["sku"], row["available"], row["reserved"]) if row else None

    def set_stock(self, sku: str, available: int) -> StockLevel:
        with transaction(self.connection) as db:
            db.execute(
                "INSERT INTO stock_item (sku, available) VALUES (?, ?) "
                "ON CONFLICT (sku) DO UPDATE SET available = excluded.available",
                (sku, available),
            )
        level = self.stock(sku)
        assert level is not None
        return level

    def reservation(self, reservation_id: str) -> Reservation | None:
        row = self.connection.execute(
            "SELECT * FROM stock_hold WHERE reservation_id = ?", (reservation_id,)
        ).fetchone()
        return Reservation.from_row(row) if row else None

    def reserve(
        self, reservation_id: str, order_id: str, sku: str, quantity: int
    ) -> Reserved | Refused:
        """Take stock in one conditional update, so two callers never share a unit."""
        with transaction(self.connection) as db:
            row = db.execute(
                "SELECT * FROM stock_hold WHERE reservation_id = ?", (reservation_id,)
            ).fetchone()
            if row is not None:
                existing = Reservation.from_row(row)
                if (existing.order_id, existing.sku, existing.quantity) == (
                    order_id,
                    sku,
                    quantity,
                ):
                    return Reserved(existing, created=False)
                return Refused(Refusal.ID_REUSED)
            if db.execute(
                "SELECT 1 FROM stock_hold_tombstone WHERE reservation_id = ?", (reservation_id,)
            ).fetchone():
                return Refused(Refusal.RELEASED)
            taken = db.execute(
                "UPDATE stock_item SET available = available - ?, reserved = reserved + ? "
                "WHERE sku = ? AND available >= ?",
                (quantity, quantity, sku, quantity),
            ).rowcount
            if taken != 1:
                level = db.execute(
                    "SELECT available FROM stock_item WHERE sku = ?", (sku,)
                ).fetchone()
                if level is None:
                    return Refused(Refusal.UNKNOWN_SKU)
                return Refused(Refusal.OUT_OF_STOCK, available=level["available"])
            reservation = Reservation(reservation_id, order_id, sku, quantity, "held", utc_now())
            db.execute(
                "INSERT INTO stock_hold VALUES (?, ?, ?, ?, ?, ?)",
                (reservation_id, order_id, sku, quantity, "held", reservation.created_at),
            )
        return Reserved(reservation, created=True)

    def release(self, reservation_id: str) -> Reservation | None:
        """Return a held reservation's stock; None (and a tombstone) when the id is unknown."""
        with transaction(self.connection) as db:
            row = db.execute(
                "SELECT * FROM stock_hold WHERE reservation_id = ?", (reservation_id,)
            ).fetchone()
            if row is None:
                # The reserve call may still be in flight (its reply was lost): make sure it
                # can never take stock after this release.
                db.execute(
                    "INSERT OR IGNORE INTO stock_hold_tombstone VALUES (?, ?)",
                    (reservation_id, utc_now()),
                )
                return None
            reservation = Reservation.from_row(row)
            if reservation.status == "held":
                db.execute(
                    "UPDATE stock_item SET available = available + ?, reserved = reserved - ? "
                    "WHERE sku = ?",
                    (reservation.quantity, reservation.quantity, reservation.sku),
                )
                db.execute(
                    "UPDATE stock_hold SET status = 'released' WHERE reservation_id = ?",
                    (reservation_id,),
                )
        return self.reservation(reservation_id)


class InventoryService:
    """The ASGI service; one instance per running server."""

    name = ServiceName.INVENTORY

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.log = service_logger(self.name.value)
        self.reservations = self.metrics.counter(
            "shop_reservations_total", "Reservation attempts by outcome.", ("outcome",)
        )
        self._store: InventoryStore | None = None

    @property
    def store(self) -> InventoryStore:
        assert self._store is not None, "used outside the app's lifespan"
        return self._store

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        connection = open_database(self.settings.database, SCHEMA)
        self._store = InventoryStore(connection)
        try:
            yield
        finally:
            self._store = None
            connection.close()

    def app(self) -> Starlette:
        contract = Contract.load(specs_dir() / self.name.spec_file)

        async def database_ok() -> bool:
            return is_healthy(self._store.connection if self._store else None)

        handlers = operations_handlers(self.name.value, self.metrics, {"database": database_ok})
        handlers |= {
            "getStock": self.get_stock,
            "setStock": self.set_stock,
            "reserveStock": self.reserve_stock,
            "getReservation": self.get_reservation,
            "releaseReservation": self.release_reservation,
        }
        return build_app(
            contract=contract,
            handlers=handlers,
            metrics=self.metrics,
            log=self.log,
            lifespan=self.lifespan,
        )

    async def get_stock(self, call: Call) -> Response:
        level = self.store.stock(call.path["sku"])
        if level is None:
            return problem(404, "not-found", "No such SKU", sku=call.path["sku"])
        return JSONResponse(level.as_json())

    async def set_stock(self, call: Call) -> Response:
        level = self.store.set_stock(call.path["sku"], int(call.body["available"]))
        self.log.info(
            "stock set", extra={"sku": level.sku, "detail": f"available={level.available}"}
        )
        return JSONResponse(level.as_json())

    async def reserve_stock(self, call: Call) -> Response:
        reservation_id = call.path["reservationId"]
        order_id, sku = call.body["orderId"], call.body["sku"]
        quantity = int(call.body["quantity"])  # JSON Schema counts 2.0 as an integer
        outcome = self.store.reserve(reservation_id, order_id, sku, quantity)
        fields = {"orderId": order_id, "sku": sku, "reservationId": reservation_id}
        if isinstance(outcome, Reserved):
            self.reservations.labels("reserved" if outcome.created else "replayed").inc()
            self.log.info("stock reserved", extra=fields)
            return JSONResponse(
                outcome.reservation.as_json(), status_code=201 if outcome.created else 200
            )
        self.reservations.labels(outcome.reason.value).inc()
        self.log.info("reservation refused", extra={**fields, "detail": outcome.reason.value})
        if outcome.reason is Refusal.UNKNOWN_SKU:
            return problem(404, outcome.reason.value, "No such SKU", sku=sku)
        if outcome.reason is Refusal.OUT_OF_STOCK:
            return problem(
                409,
                outcome.reason.value,
                "Not enough stock",
                detail=f"{sku} has {outcome.available} available, {quantity} requested",
                sku=sku,
            )
        if outcome.reason is Refusal.RELEASED:
            return problem(409, outcome.reason.value, "Reservation was released")
        return problem(409, outcome.reason.value, "Reservation id already used for other content")

    async def get_reservation(self, call: Call) -> Response:
        reservation = self.store.reservation(call.path["reservationId"])
        if reservation is None:
            return problem(404, "not-found", "No such reservation")
        return JSONResponse(reservation.as_json())

    async def release_reservation(self, call: Call) -> Response:
        reservation = self.store.release(call.path["reservationId"])
        if reservation is None:
            return problem(404, "not-found", "No such reservation")
        self.log.info(
            "reservation released",
            extra={
                "orderId": reservation.order_id,
                "sku": reservation.sku,
                "reservationId": reservation.reservation_id,
            },
        )
        return JSONResponse(reservation.as_json())
