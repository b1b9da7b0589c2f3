"""order-service's Idempotency-Key bookkeeping, on its real SQLite tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shop._db import open_database
from shop.orders import SCHEMA, ClaimState, OrderStore, StoredResult, merge_lines


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OrderStore]:
    connection = open_database(tmp_path / "orders.sqlite3", SCHEMA)
    try:
        yield OrderStore(connection)
    finally:
        connection.close()


def test_second_request_with_a_key_in_flight_is_told_so(store: OrderStore) -> None:
    """A key being processed is not processed twice; another body is a mismatch."""
    assert store.claim("k", "body-a").state is ClaimState.CLAIMED
    assert store.claim("k", "body-a").state is ClaimState.IN_PROGRESS
    assert store.claim("k", "body-b").state is ClaimState.MISMATCH


def test_stored_result_is_replayed(store: OrderStore) -> None:
    """Once a result is saved, the same key and body get it back."""
    store.claim("k", "body")
    result = StoredResult(409, "application/problem+json", b'{"status": 409}', None)
    store.save(None, "k", result)
    claim = store.claim("k", "body")
    assert (claim.state, claim.stored) == (ClaimState.REPLAY, result)


def test_forgotten_and_stale_keys_can_be_claimed_again(store: OrderStore) -> None:
    """A key freed after an outage, or left pending by a dead process, is usable again."""
    store.claim("freed", "body")
    store.forget("freed")
    assert store.claim("freed", "body").state is ClaimState.CLAIMED
    store.claim("stale", "body")
    store.connection.execute(
        "UPDATE idempotency_record SET created_at = '2020-01-01T00:00:00.000Z' WHERE key = 'stale'"
    )
    assert store.claim("stale", "body").state is ClaimState.CLAIMED


def test_forget_keeps_finished_results(store: OrderStore) -> None:
    """Forgetting only drops pending keys, never a stored answer."""
    store.claim("k", "body")
    store.save(None, "k", StoredResult(409, "application/problem+json", b"{}", None))
    store.forget("k")
    assert store.claim("k", "body").state is ClaimState.REPLAY


def test_repeated_skus_are_added_up_in_first_seen_order() -> None:
    """Lines are merged per SKU, so one reservation covers each SKU."""
    lines = merge_lines(
        [
            {"sku": "B-1", "quantity": 1},
            {"sku": "A-1", "quantity": 2},
            {"sku": "B-1", "quantity": 3.0},
        ]
    )
    assert [(line.sku, line.quantity) for line in lines] == [("B-1", 4), ("A-1", 2)]
