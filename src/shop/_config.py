"""Service names, ports and settings shared by every shop service."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass
from pathlib import Path


class ServiceName(str, enum.Enum):
    """The four services of the reference system, named as in ``specs/service-inventory.json``."""

    GATEWAY = "gateway"
    ORDER = "order-service"
    INVENTORY = "inventory-service"
    NOTIFICATION = "notification-service"

    @property
    def default_port(self) -> int:
        return _DEFAULT_PORTS[self]

    @property
    def spec_file(self) -> str:
        return f"{self.value}.yaml"


_DEFAULT_PORTS = {
    ServiceName.GATEWAY: 8080,
    ServiceName.ORDER: 8081,
    ServiceName.INVENTORY: 8082,
    ServiceName.NOTIFICATION: 8083,
}

ORDER_EVENTS_STREAM = "order-events"
"""Redis stream that carries ``OrderAccepted`` events."""

DEAD_LETTER_STREAM = "order-events.dead"
"""Where notification-service parks events it cannot read, so they do not block the group."""

NOTIFICATION_GROUP = "notification-service"
"""Consumer group of notification-service on :data:`ORDER_EVENTS_STREAM`."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything one service needs to start; built by :mod:`shop.run` or by tests."""

    service: ServiceName
    host: str
    port: int
    data_dir: Path
    redis_url: str
    order_url: str
    inventory_url: str
    downstream_timeout: float = 5.0
    # Longer than downstream_timeout: one order makes several inventory calls.
    gateway_timeout: float = 15.0
    consumer_name: str = "notification-1"
    consumer_block_ms: int = 500

    @property
    def database(self) -> Path:
        return self.data_dir / f"{self.service.value}.sqlite3"


def specs_dir() -> Path:
    """Folder holding the OpenAPI contracts: ``$SHOP_SPECS_DIR``, the wheel's copy or the repo's."""
    override = os.environ.get("SHOP_SPECS_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).parent / "_specs"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "specs"
