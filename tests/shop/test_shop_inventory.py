"""inventory-service: atomic, idempotent reservations and releases that cannot leak."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from shop._config import ServiceName
from tests.conftest import free_port
from tests.shop.support import LiveSystem, wait_for

pytestmark = pytest.mark.redis  # the session system includes the Redis-backed services


def ids() -> tuple[str, str]:
    return f"res_{uuid.uuid4().hex}", f"ord_{uuid.uuid4().hex}"


def level(inventory: httpx.Client, sku: str) -> tuple[int, int]:
    body = inventory.get(f"/stock/{sku}").json()
    return body["available"], body["reserved"]


def test_repeated_reservation_is_answered_once(
    inventory: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """The same PUT twice is 201 then 200 and takes the stock once; other content is 409."""
    sku = new_sku(5)
    reservation_id, order_id = ids()
    body = {"orderId": order_id, "sku": sku, "quantity": 2}
    first = inventory.put(f"/reservations/{reservation_id}", json=body)
    again = inventory.put(f"/reservations/{reservation_id}", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert level(inventory, sku) == (3, 2)
    changed = inventory.put(f"/reservations/{reservation_id}", json={**body, "quantity": 1})
    assert changed.status_code == 409
    assert level(inventory, sku) == (3, 2)


def test_release_returns_stock_once(inventory: httpx.Client, new_sku: Callable[[int], str]) -> None:
    """Releasing gives the stock back; releasing again changes nothing."""
    sku = new_sku(4)
    reservation_id, order_id = ids()
    inventory.put(
        f"/reservations/{reservation_id}", json={"orderId": order_id, "sku": sku, "quantity": 3}
    )
    for _ in range(2):
        released = inventory.post(f"/reservations/{reservation_id}/release")
        assert released.status_code == 200
        assert released.json()["status"] == "released"
        assert level(inventory, sku) == (4, 0)


def test_release_before_reserve_blocks_a_late_reservation(
    inventory: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """A reservation that arrives after its release (lost reply, retried) takes no stock."""
    sku = new_sku(2)
    reservation_id, order_id = ids()
    assert inventory.post(f"/reservations/{reservation_id}/release").status_code == 404
    late = inventory.put(
        f"/reservations/{reservation_id}", json={"orderId": order_id, "sku": sku, "quantity": 1}
    )
    assert late.status_code == 409
    assert late.json()["type"].endswith("/reservation-released")
    assert level(inventory, sku) == (2, 0)


def test_out_of_stock_names_the_sku(inventory: httpx.Client, new_sku: Callable[[int], str]) -> None:
    """Asking for more than is available is a 409 problem carrying the SKU."""
    sku = new_sku(1)
    reservation_id, order_id = ids()
    reply = inventory.put(
        f"/reservations/{reservation_id}", json={"orderId": order_id, "sku": sku, "quantity": 2}
    )
    assert reply.status_code == 409
    assert reply.json()["sku"] == sku
    assert inventory.get(f"/reservations/{reservation_id}").status_code == 404


def test_concurrent_reservations_of_the_last_unit_have_one_winner(
    shop: LiveSystem, inventory: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """Twenty racing reservations for the last units of ten SKUs: one winner each."""
    skus = [new_sku(1) for _ in range(10)]

    def reserve(sku: str) -> int:
        reservation_id, order_id = ids()
        with httpx.Client(base_url=shop.url(ServiceName.INVENTORY), timeout=10) as client:
            body = {"orderId": order_id, "sku": sku, "quantity": 1}
            return client.put(f"/reservations/{reservation_id}", json=body).status_code

    attempts = [sku for sku in skus for _ in range(2)]
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        statuses = list(pool.map(reserve, attempts))
    for index, sku in enumerate(skus):
        assert sorted(statuses[2 * index : 2 * index + 2]) == [201, 409]
        assert level(inventory, sku) == (0, 1)


@pytest.fixture
def replica(shop: LiveSystem) -> Iterator[str]:
    """A second inventory-service process on the same database file (a scaled-out replica)."""
    port = free_port()
    data_dir = shop.system.settings(ServiceName.INVENTORY).data_dir
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shop.run",
            "--only",
            "inventory-service",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # the reference system runs from the source tree (it is not in the tool's wheel)
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url), timeout=20)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_replicas_sharing_the_database_never_oversell(
    shop: LiveSystem, replica: str, inventory: httpx.Client, new_sku: Callable[[int], str]
) -> None:
    """Two processes racing for the same units: the conditional update keeps stock exact."""
    skus = [new_sku(3) for _ in range(4)]
    targets = [shop.url(ServiceName.INVENTORY), replica]

    def reserve(attempt: tuple[str, str]) -> int:
        sku, base_url = attempt
        reservation_id, order_id = ids()
        body = {"orderId": order_id, "sku": sku, "quantity": 1}
        with httpx.Client(base_url=base_url, timeout=10) as client:
            return client.put(f"/reservations/{reservation_id}", json=body).status_code

    attempts = [(sku, targets[i % 2]) for sku in skus for i in range(5)]
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        statuses = list(pool.map(reserve, attempts))
    for index, sku in enumerate(skus):
        assert sorted(statuses[5 * index : 5 * index + 5]) == [201, 201, 201, 409, 409]
        assert level(inventory, sku) == (0, 3)
