"""The gateway against a stand-in order-service that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shop._config import ServiceName
from shop.run import System
from tests.shop.support import LiveSystem, base_settings

pytestmark = pytest.mark.redis  # runs on the session system's loop

BROKEN, SLOW, TEAPOT, FINE = (f"ord_{digit * 32}" for digit in "0123")


async def misbehaving_order(request: Request) -> Response:
    order_id = request.path_params["orderId"]
    if order_id == BROKEN:
        return Response("boom", status_code=500)
    if order_id == SLOW:
        await asyncio.sleep(3)
    if order_id == TEAPOT:
        return Response("short and stout", status_code=418)
    return JSONResponse(
        {
            "orderId": order_id,
            "customerId": "cus_stub",
            "status": "accepted",
            "items": [{"sku": "SKU-1001", "quantity": 1}],
            "createdAt": "2026-11-30T09:15:00Z",
            "seenRequestId": request.headers.get("x-request-id"),
        }
    )


@pytest.fixture
def stub_gateway(shop: LiveSystem, tmp_path: Path) -> Iterator[httpx.Client]:
    """A gateway whose order-service is the misbehaving stand-in; short timeout."""
    stub = Starlette(routes=[Route("/orders/{orderId}", misbehaving_order)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(stub, log_config=None, access_log=False, lifespan="off"))
    server.config.timeout_graceful_shutdown = 1

    async def start_stub() -> asyncio.Task[None]:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        return task

    task = shop.run(start_stub())
    settings = dataclasses.replace(base_settings(tmp_path, "redis://unused"), gateway_timeout=0.5)
    system = System(
        settings,
        services=[ServiceName.GATEWAY],
        ports={ServiceName.GATEWAY: 0},
        urls={ServiceName.ORDER: f"http://127.0.0.1:{sock.getsockname()[1]}"},
    )
    shop.run(system.start(ServiceName.GATEWAY))
    try:
        with httpx.Client(base_url=system.urls[ServiceName.GATEWAY], timeout=10) as client:
            yield client
    finally:
        shop.run(system.stop_all())
        server.should_exit = True

        async def wait() -> None:
            await task

        shop.run(wait())


def test_downstream_server_error_becomes_502(stub_gateway: httpx.Client) -> None:
    """A 500 behind the gateway is reported as a bad gateway, not passed on as a 500."""
    reply = stub_gateway.get(f"/orders/{BROKEN}")
    assert reply.status_code == 502
    assert reply.json()["detail"] == "order-service answered 500"


def test_undocumented_downstream_status_becomes_502(stub_gateway: httpx.Client) -> None:
    """A status the public contract does not document never leaks through."""
    reply = stub_gateway.get(f"/orders/{TEAPOT}")
    assert reply.status_code == 502


def test_downstream_timeout_becomes_503(stub_gateway: httpx.Client) -> None:
    """A service that does not answer in time is an outage: 503 with the problem body."""
    reply = stub_gateway.get(f"/orders/{SLOW}")
    assert reply.status_code == 503
    assert reply.headers["content-type"] == "application/problem+json"


def test_answer_passes_through_with_the_request_id(stub_gateway: httpx.Client) -> None:
    """A documented answer is returned as is, and the service saw the caller's request id."""
    reply = stub_gateway.get(f"/orders/{FINE}", headers={"X-Request-Id": "gw-7"})
    assert reply.status_code == 200
    assert reply.json()["seenRequestId"] == "gw-7"
    assert reply.headers["x-request-id"] == "gw-7"
