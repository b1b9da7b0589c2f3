"""Fixtures: the reference system, live, as four uvicorn servers on free loopback ports.

The servers run on an event loop in a background thread (see ``support.LiveSystem``) so tests
use plain blocking httpx clients and can still stop and restart single services.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest
import redis

from shop._config import ServiceName
from shop.run import System
from tests.shop.support import LiveSystem, base_settings


@pytest.fixture(scope="session")
def shop(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSystem]:
    """All four services, started once for the session."""
    settings = base_settings(tmp_path_factory.mktemp("shop-data"), redis_url)
    live = LiveSystem(System(settings, ports={name: 0 for name in ServiceName}))
    try:
        live.run(live.system.start_all())
        yield live
    finally:
        live.close()


@pytest.fixture
def restore_services(shop: LiveSystem) -> Iterator[None]:
    """Restart any service a test stopped, so later tests find the whole system."""
    yield
    for name in ServiceName:
        if not shop.system.is_running(name):
            shop.start(name)


@pytest.fixture(scope="session")
def gateway(shop: LiveSystem) -> Iterator[httpx.Client]:
    with shop.client(ServiceName.GATEWAY) as client:
        yield client


@pytest.fixture(scope="session")
def inventory(shop: LiveSystem) -> Iterator[httpx.Client]:
    with shop.client(ServiceName.INVENTORY) as client:
        yield client


@pytest.fixture(scope="session")
def orders(shop: LiveSystem) -> Iterator[httpx.Client]:
    with shop.client(ServiceName.ORDER) as client:
        yield client


@pytest.fixture(scope="session")
def notifications(shop: LiveSystem) -> Iterator[httpx.Client]:
    with shop.client(ServiceName.NOTIFICATION) as client:
        yield client


@pytest.fixture(scope="session")
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def new_sku(inventory: httpx.Client) -> Callable[[int], str]:
    """Create a SKU no other test uses, with the given stock."""

    def make(available: int) -> str:
        sku = f"T-{uuid.uuid4().hex[:12].upper()}"
        reply = inventory.put(f"/stock/{sku}", json={"available": available})
        assert reply.status_code == 200, reply.text
        return sku

    return make
