"""Contract-first HTTP plumbing: routes come from the spec, requests are checked against it.

Every operation in a service's OpenAPI document must have a handler (and every handler an
operation), so the code cannot drift from the contract silently. Before a handler runs the
request is validated and unmarshalled with openapi-core; a mismatch is answered with the
documented ``application/problem+json`` 400.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.contrib.starlette.requests import StarletteOpenAPIRequest
from openapi_core.validation.request.exceptions import (
    MissingRequestBodyError,
    ParameterValidationError,
    RequestBodyValidationError,
)
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shop._observe import (
    REQUEST_ID,
    REQUEST_ID_HEADER,
    ROUTE_KEY,
    Metrics,
    ServiceLog,
    accepted_request_id,
)

PROBLEM_BASE = "https://shop.example/problems/"
MAX_BODY_BYTES = 1 << 20
_MAX_MESSAGE = 300  # error messages quote the input; keep a hostile body from echoing back whole


@dataclass(frozen=True, slots=True)
class FieldError:
    """One reason a request was refused, as in the contracts' ``FieldError`` schema."""

    where: str
    name: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"in": self.where, "name": self.name, "message": self.message[:_MAX_MESSAGE]}


def problem(
    status: int,
    kind: str,
    title: str,
    *,
    detail: str | None = None,
    sku: str | None = None,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem response in the shape every shop contract documents."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind,
        "title": title,
        "status": status,
        "requestId": REQUEST_ID.get(),
    }
    if detail is not None:
        body["detail"] = detail
    if sku is not None:
        body["sku"] = sku
    listed = [error.as_json() for error in errors]
    if listed:
        body["errors"] = listed
    return JSONResponse(
        body, status_code=status, headers=headers, media_type="application/problem+json"
    )


class Contract:
    """A service's OpenAPI document and the openapi-core objects that check requests against it."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        # The spec is linted by ``specguard lint``; re-validating it here costs startup time.
        config = Config(spec_validator_cls=None)  # type: ignore[arg-type]  # None is documented
        self.openapi = OpenAPI.from_dict(document, config=config)
        operations: list[tuple[str, str, str]] = []
        for path, item in document.get("paths", {}).items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    operations.append((operation["operationId"], method.upper(), path))
        self.operations = tuple(operations)

    @classmethod
    def load(cls, path: Path) -> Contract:
        with path.open(encoding="utf-8") as handle:
            return cls(yaml.safe_load(handle))


@dataclass(frozen=True, slots=True)
class Call:
    """A request that matched its operation, with parameters and body already unmarshalled."""

    request: Request
    operation_id: str
    path: Mapping[str, Any]
    query: Mapping[str, Any]
    headers: Mapping[str, Any]
    body: Any
    raw_body: bytes

    @property
    def request_id(self) -> str:
        return REQUEST_ID.get()


Handler = Callable[[Call], Awaitable[Response]]
Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]
Endpoint = Callable[[Request], Awaitable[Response]]


def build_app(
    *,
    contract: Contract,
    handlers: Mapping[str, Handler],
    metrics: Metrics,
    log: ServiceLog,
    lifespan: Lifespan | None = None,
) -> Starlette:
    """A Starlette app serving every contract operation, wrapped in :class:`Observability`."""
    declared = {operation_id for operation_id, _, _ in contract.operations}
    missing = sorted(declared - handlers.keys())
    extra = sorted(handlers.keys() - declared)
    if missing or extra:
        raise ValueError(f"handlers do not match the contract: missing {missing}, extra {extra}")
    # One route per path, so a wrong method gets a 405 whose Allow header lists all of them.
    by_path: dict[str, dict[str, Endpoint]] = {}
    for operation_id, method, path in contract.operations:
        endpoint = _endpoint(contract, operation_id, path, handlers[operation_id])
        by_path.setdefault(path, {})[method] = endpoint
    routes = [
        Route(path, _by_method(endpoints), methods=list(endpoints))
        for path, endpoints in by_path.items()
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(Observability, metrics=metrics, log=log)
    return app


def _by_method(endpoints: Mapping[str, Endpoint]) -> Endpoint:
    async def dispatch(request: Request) -> Response:
        # Starlette answers HEAD on GET routes; the GET operation serves it.
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return dispatch


def _endpoint(contract: Contract, operation_id: str, template: str, handler: Handler) -> Endpoint:
    unmarshaller = contract.openapi.request_unmarshaller

    async def endpoint(request: Request) -> Response:
        request.scope[ROUTE_KEY] = template
        raw = await _read_body(request)
        if raw is None:
            return problem(
                400,
                "invalid-request",
                "Invalid request",
                errors=[FieldError("body", "", f"larger than {MAX_BODY_BYTES} bytes")],
            )
        result = unmarshaller.unmarshal(_OpenAPIRequest(request, body=raw or None))
        if result.errors:
            return problem(
                400,
                "invalid-request",
                "Invalid request",
                detail="the request does not match the contract",
                errors=[e for error in result.errors for e in _field_errors(error)],
            )
        parameters = result.parameters
        call = Call(
            request=request,
            operation_id=operation_id,
            path=parameters.path,
            query=parameters.query,
            headers=parameters.header,
            body=result.body,
            raw_body=raw,
        )
        return await handler(call)

    return endpoint


class _OpenAPIRequest(StarletteOpenAPIRequest):
    """openapi-core's view of a request; HEAD is checked as the GET it stands for."""

    @property
    def method(self) -> str:
        method = self.request.method.lower()
        return "get" if method == "head" else method


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it exceeds the limit (read no further than that)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _field_errors(error: Exception) -> list[FieldError]:
    """Turn an openapi-core validation error into the contract's ``FieldError`` items."""
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or ())
    if isinstance(error, ParameterValidationError):
        if schema_errors:
            return [FieldError(error.location, error.name, e.message) for e in schema_errors]
        return [FieldError(error.location, error.name, str(error))]
    if isinstance(error, MissingRequestBodyError):
        return [FieldError("body", "", "a request body is required")]
    if isinstance(error, RequestBodyValidationError):
        if schema_errors:
            return [FieldError("body", _pointer(e.absolute_path), e.message) for e in schema_errors]
        return [FieldError("body", "", _describe(cause if cause is not None else error))]
    return [FieldError("body", "", _describe(error))]


def _describe(error: BaseException) -> str:
    """The error's message; some openapi-core messages decode the raw body and fail on bytes."""
    try:
        return str(error)
    except UnicodeDecodeError:
        return f"{type(error).__name__}: the body is not UTF-8 text"


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


class Observability:
    """ASGI middleware: request id in and out, access log, metrics, and a last-resort 500."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, log: ServiceLog) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # A bug, not a contract case: log it and answer like any ASGI server would, but
            # with the problem shape and the request id so the log line can be found.
            self.log.exception("unhandled error")
            if not response_started:
                await problem(500, "internal-error", "Internal error")(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = str(scope.get(ROUTE_KEY, "<unmatched>"))
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(elapsed)
            if status >= 400:
                self.metrics.errors.labels(route, str(status)).inc()
            self.log.info(
                "request served",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "durationMs": round(elapsed * 1000, 2),
                },
            )
            REQUEST_ID.reset(token)


Check = Callable[[], Awaitable[bool]]


def operations_handlers(
    service: str, metrics: Metrics, checks: Mapping[str, Check]
) -> dict[str, Handler]:
    """Handlers of ``getHealth``, ``getReadiness`` and ``getMetrics``, the same in every service."""

    async def get_health(call: Call) -> Response:
        return JSONResponse({"status": "ok", "service": service})

    async def get_readiness(call: Call) -> Response:
        results = {name: "ok" if await check() else "down" for name, check in checks.items()}
        ready = all(value == "ok" for value in results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not-ready", "checks": results},
            status_code=200 if ready else 503,
        )

    async def get_metrics(call: Call) -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    return {"getHealth": get_health, "getReadiness": get_readiness, "getMetrics": get_metrics}
