"""A tiny Starlette orders service for the fuzz tests, with bugs that can be planted one by one.

The correct variant implements ``specs/orders-v1.yaml`` exactly (it even accepts ``5.0`` as an
integer, as JSON Schema does), so a fuzz run against it must come back clean. Each planted bug
is one a contract test must catch:

- ``crash``: an unhandled exception (a 500) for quantities above 9999;
- ``drop_note``: ``GET /orders/{id}`` leaves out the required (nullable) ``note``;
- ``strict_item``: the "v2" service rejects items longer than 20 characters with a documented
  400, although the contract (which allows 40) did not change.

``echo_headers`` makes the crash answer like a debug page that echoes the request headers,
so the redaction tests see secrets inside response bodies too.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_DIGITS = re.compile(r"[0-9]+")


def _json(payload: Any, status_code: int = 200) -> Response:
    # ensure_ascii keeps lone surrogates (valid JSON strings) encodable.
    return Response(json.dumps(payload), status_code, media_type="application/json")


def _bad(detail: str) -> Response:
    return _json({"detail": detail}, 400)


def _integer(value: Any) -> int | None:
    # JSON Schema counts 5.0 as an integer; bool is an int subclass in Python but not in JSON.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _check_new_order(body: Any, *, strict_item: bool) -> str | None:
    if not isinstance(body, dict):
        return "body must be an object"
    if set(body) - {"item", "quantity", "note"}:
        return "unknown property"
    item, quantity, note = body.get("item"), body.get("quantity"), body.get("note")
    if not isinstance(item, str) or not 1 <= len(item) <= 40:
        return "item must be a string of 1..40 characters"
    if strict_item and len(item) > 20:
        return "item must be at most 20 characters"
    number = _integer(quantity)
    if number is None or not 1 <= number <= 1_000_000:
        return "quantity must be an integer in 1..1000000"
    if note is not None and (not isinstance(note, str) or len(note) > 100):
        return "note must be null or a string of at most 100 characters"
    return None


def make_app(
    *,
    crash: bool = False,
    drop_note: bool = False,
    strict_item: bool = False,
    echo_headers: bool = False,
) -> Starlette:
    """Build one service instance with its own store and the chosen bugs planted."""
    orders: dict[int, dict[str, Any]] = {}

    async def create_order(request: Request) -> Response:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            return _bad("expected application/json")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _bad("malformed JSON")
        problem = _check_new_order(body, strict_item=strict_item)
        if problem is not None:
            return _bad(problem)
        if crash and body["quantity"] > 9999:
            if echo_headers:
                return _json({"error": "overflow", "headers": dict(request.headers)}, 500)
            raise RuntimeError("warehouse overflow")
        order = {
            "id": len(orders) + 1,
            "item": body["item"],
            "quantity": int(body["quantity"]),
            "note": body.get("note"),
        }
        orders[order["id"]] = order
        return _json(order, 201)

    async def get_order(request: Request) -> Response:
        raw = request.path_params["order_id"]
        digits = raw.lstrip("0")
        if not _DIGITS.fullmatch(raw) or not digits:
            return _bad("orderId must be a positive integer")
        # The contract sets no maximum: any positive integer is a valid id, most are unknown.
        order = orders.get(int(digits)) if len(digits) <= 18 else None
        if order is None:
            return _json({"detail": "not found"}, 404)
        if drop_note:
            return _json({k: v for k, v in order.items() if v is not None})
        return _json(order)

    return Starlette(
        routes=[
            Route("/orders", create_order, methods=["POST"]),
            Route("/orders/{order_id}", get_order, methods=["GET"]),
        ]
    )


correct = make_app()
"""The service as the contract describes it."""
buggy = make_app(crash=True, drop_note=True)
"""A 500 on large quantities and a response missing a required field."""
v2 = make_app(strict_item=True)
"""The next release: rejects requests the unchanged contract (and v1) accepts."""
v2_drifted = make_app(strict_item=True, drop_note=True)
"""The next release with an unannounced response change as well."""
