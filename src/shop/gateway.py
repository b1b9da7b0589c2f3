"""gateway: the public API; routes to the services, maps outages to 503 (specs/gateway.yaml).

No business rules live here. A request is checked against the public contract, forwarded with
the same ``X-Request-Id``, and the service's answer is returned as is when the public contract
documents its status; anything else is a 502, and a service that cannot be reached is a 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.responses import Response

from shop._config import ServiceName, Settings, specs_dir
from shop._observe import REQUEST_ID, REQUEST_ID_HEADER, Metrics, service_logger
from shop._web import Call, Contract, Handler, build_app, operations_handlers, problem

_FORWARDED_REQUEST_HEADERS = ("content-type", "idempotency-key")
_FORWARDED_RESPONSE_HEADERS = ("location", "idempotent-replayed")


class Gateway:
    """The ASGI service; one instance per running server."""

    name = ServiceName.GATEWAY

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        self.log = service_logger(self.name.value)
        self.outages = self.metrics.counter(
            "shop_gateway_outages_total", "Calls a service did not answer.", ("target",)
        )
        self._clients: dict[ServiceName, httpx.AsyncClient] = {}

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        timeout = self.settings.gateway_timeout
        self._clients = {
            ServiceName.ORDER: httpx.AsyncClient(base_url=self.settings.order_url, timeout=timeout),
            ServiceName.INVENTORY: httpx.AsyncClient(
                base_url=self.settings.inventory_url, timeout=timeout
            ),
        }
        try:
            yield
        finally:
            for client in self._clients.values():
                await client.aclose()
            self._clients = {}

    def app(self) -> Starlette:
        contract = Contract.load(specs_dir() / self.name.spec_file)
        handlers = operations_handlers(self.name.value, self.metrics, {})
        handlers |= {
            "createOrder": self._route(
                contract, "createOrder", ServiceName.ORDER, lambda c: "/orders"
            ),
            "getOrder": self._route(
                contract, "getOrder", ServiceName.ORDER, lambda c: f"/orders/{c.path['orderId']}"
            ),
            "getInventory": self._route(
                contract, "getInventory", ServiceName.INVENTORY, lambda c: f"/stock/{c.path['sku']}"
            ),
        }
        return build_app(
            contract=contract,
            handlers=handlers,
            metrics=self.metrics,
            log=self.log,
            lifespan=self.lifespan,
        )

    def _route(
        self,
        contract: Contract,
        operation_id: str,
        target: ServiceName,
        target_path: Callable[[Call], str],
    ) -> Handler:
        documented = _documented_statuses(contract, operation_id)

        async def forward(call: Call) -> Response:
            headers = {REQUEST_ID_HEADER: REQUEST_ID.get()}
            for name in _FORWARDED_REQUEST_HEADERS:
                value = call.request.headers.get(name)
                if value is not None:
                    headers[name] = value
            try:
                reply = await self._clients[target].request(
                    call.request.method,
                    target_path(call),
                    content=call.raw_body or None,
                    headers=headers,
                )
            except httpx.TransportError as exc:
                # Connection refused, reset, timeout: the service is down or overloaded.
                self.outages.labels(target.value).inc()
                self.log.warning(
                    "service unavailable", extra={"detail": f"{target.value}: {type(exc).__name__}"}
                )
                return problem(
                    503,
                    "service-unavailable",
                    "Service unavailable",
                    detail=f"{target.value} cannot be reached",
                )
            if reply.status_code not in documented:
                self.log.error(
                    "unexpected answer",
                    extra={"detail": f"{target.value} answered {reply.status_code}"},
                )
                return problem(
                    502,
                    "bad-gateway",
                    "Bad gateway",
                    detail=f"{target.value} answered {reply.status_code}",
                )
            passed = {
                name: reply.headers[name]
                for name in _FORWARDED_RESPONSE_HEADERS
                if name in reply.headers
            }
            return Response(
                reply.content,
                status_code=reply.status_code,
                headers=passed,
                media_type=reply.headers.get("content-type"),
            )

        return forward


def _documented_statuses(contract: Contract, operation_id: str) -> frozenset[int]:
    """The numeric response codes the public contract documents for one operation."""
    for _, item in contract.document["paths"].items():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return frozenset(int(code) for code in operation["responses"] if code.isdigit())
    raise ValueError(f"{operation_id} is not in the gateway contract")
