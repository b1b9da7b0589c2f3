"""Request ids across services, JSON logs, metrics, health, and the contract-first router."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.responses import JSONResponse, Response
from starlette.testclient import TestClient

from shop._config import ServiceName
from shop._observe import JsonFormatter, Metrics, service_logger
from shop._web import Call, Contract, build_app
from tests.shop.support import LiveSystem, wait_for

pytestmark = pytest.mark.redis


def test_request_id_reaches_every_service_log(
    gateway: httpx.Client,
    notifications: httpx.Client,
    new_sku: Callable[[int], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One X-Request-Id shows up in the log lines of all four services for one order."""
    caplog.set_level(logging.INFO, logger="shop")
    sku = new_sku(2)
    reply = gateway.post(
        "/orders",
        json={"customerId": "cus_trace", "items": [{"sku": sku, "quantity": 1}]},
        headers={"X-Request-Id": "trace-4711"},
    )
    assert reply.status_code == 201
    order_id = reply.json()["orderId"]
    wait_for(
        lambda: notifications.get("/deliveries", params={"orderId": order_id}).json()["deliveries"]
    )

    def services_logging(request_id: str) -> set[str]:
        return {
            r.name.removeprefix("shop.")
            for r in caplog.records
            if getattr(r, "requestId", None) == request_id
        }

    wait_for(lambda: len(services_logging("trace-4711")) == 4 or None)
    assert services_logging("trace-4711") == {s.value for s in ServiceName}
    reserved = [
        r
        for r in caplog.records
        if r.getMessage() == "stock reserved" and getattr(r, "sku", None) == sku
    ]
    assert [getattr(r, "orderId", None) for r in reserved] == [order_id]


def test_malformed_request_id_is_replaced_and_refused(gateway: httpx.Client) -> None:
    """An id outside the contract's pattern is never echoed; the request is a 400."""
    reply = gateway.get("/health", headers={"X-Request-Id": "bad id\tinjected"})
    assert reply.status_code == 400
    assert re.fullmatch(r"[0-9a-f]{32}", reply.headers["x-request-id"])
    assert reply.json()["errors"][0]["name"] == "X-Request-Id"


def test_json_log_lines_carry_service_request_and_domain_fields() -> None:
    """The formatter writes one JSON object with service, request id and known extras."""
    record = logging.LogRecord(
        "shop.order-service", logging.INFO, __file__, 1, "order accepted", None, None
    )
    record.requestId = "r-1"
    record.orderId = "ord_1"
    record.sku = "SKU-1"
    record.password = "not a known field"
    line = json.loads(JsonFormatter().format(record))
    assert line["service"] == "order-service"
    assert line["requestId"] == "r-1"
    assert (line["orderId"], line["sku"], line["msg"], line["level"]) == (
        "ord_1",
        "SKU-1",
        "order accepted",
        "info",
    )
    assert "password" not in line


def test_service_logger_stamps_the_request_id_when_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Records get the request id of the context they were logged in."""
    from shop._observe import REQUEST_ID

    caplog.set_level(logging.INFO, logger="shop")
    token = REQUEST_ID.set("ctx-9")
    try:
        service_logger("inventory-service").info("hello", extra={"sku": "SKU-9"})
    finally:
        REQUEST_ID.reset(token)
    [record] = [r for r in caplog.records if r.getMessage() == "hello"]
    assert (record.requestId, record.sku) == ("ctx-9", "SKU-9")  # type: ignore[attr-defined]


def test_metrics_count_requests_latency_and_errors(gateway: httpx.Client) -> None:
    """/metrics exposes request counts, a latency histogram and errors by route and status."""
    gateway.get("/inventory/NO-SUCH-SKU-1")
    gateway.get("/inventory/lowercase-is-invalid")
    reply = gateway.get("/metrics")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain")
    text = reply.text
    assert re.search(
        r'shop_http_requests_total\{method="GET",route="/inventory/\{sku\}",status="404"\} [1-9]',
        text,
    )
    assert re.search(
        r'shop_http_errors_total\{route="/inventory/\{sku\}",status="400"\} [1-9]', text
    )
    assert (
        'shop_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/inventory/{sku}"}'
        in text
    )


@pytest.mark.parametrize("name", list(ServiceName), ids=lambda n: n.value)
def test_every_service_is_healthy_and_ready(shop: LiveSystem, name: ServiceName) -> None:
    """GET /health names the service; GET /ready is 200 with every check ok."""
    with shop.client(name) as client:
        assert client.get("/health").json() == {"status": "ok", "service": name.value}
        ready = client.get("/ready")
        assert ready.status_code == 200
        assert set(ready.json()["checks"].values()) <= {"ok"}


def test_undeclared_method_is_405_with_allow(orders: httpx.Client) -> None:
    """A method the contract does not declare is refused with an Allow header."""
    reply = orders.delete("/orders")
    assert reply.status_code == 405
    assert set(reply.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


TINY_CONTRACT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "tiny", "version": "1"},
    "paths": {
        "/boom": {"get": {"operationId": "boom", "responses": {"200": {"description": "ok"}}}},
        "/ok": {"get": {"operationId": "ok", "responses": {"200": {"description": "ok"}}}},
    },
}


async def _ok(call: Call) -> Response:
    return JSONResponse({"operation": call.operation_id})


async def _boom(call: Call) -> Response:
    raise RuntimeError("planted bug")


def test_router_refuses_handlers_that_do_not_match_the_contract() -> None:
    """A missing or an extra handler is an error at startup, not a 404 at run time."""
    contract = Contract(TINY_CONTRACT)
    log = service_logger("tiny")
    with pytest.raises(ValueError, match=r"missing \['boom'\], extra \['nope'\]"):
        build_app(contract=contract, handlers={"ok": _ok, "nope": _ok}, metrics=Metrics(), log=log)


def test_handler_crash_is_a_500_problem_with_the_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug in a handler is logged and answered with the problem shape, not a bare 500."""
    caplog.set_level(logging.ERROR, logger="shop")
    app = build_app(
        contract=Contract(TINY_CONTRACT),
        handlers={"ok": _ok, "boom": _boom},
        metrics=Metrics(),
        log=service_logger("tiny"),
    )
    with TestClient(app) as client:
        assert client.get("/ok").json() == {"operation": "ok"}
        reply = client.get("/boom", headers={"X-Request-Id": "crash-1"})
    assert reply.status_code == 500
    assert reply.json()["requestId"] == "crash-1"
    assert any(r.getMessage() == "unhandled error" and r.exc_info for r in caplog.records)


def test_head_is_served_like_get(inventory: httpx.Client) -> None:
    """HEAD on a GET operation is validated as that GET and answers without a body."""
    reply = inventory.head("/health")
    assert reply.status_code == 200
    assert reply.content == b""
