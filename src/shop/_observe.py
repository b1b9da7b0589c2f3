"""Request ids, structured JSON logs and Prometheus metrics for the shop services."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import MutableMapping
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

REQUEST_ID: ContextVar[str] = ContextVar("shop_request_id", default="-")
"""Correlation id of the request being served; read by logs and downstream clients."""

REQUEST_ID_HEADER = "X-Request-Id"
ROUTE_KEY = "shop.route"
"""Scope key where the contract router leaves the matched path template (for metric labels)."""

# Same pattern as the contracts' RequestId schema: an id we did not accept is never logged
# or forwarded (log injection), a fresh one is used instead.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_LOG_FIELDS = (
    "orderId",
    "sku",
    "reservationId",
    "eventId",
    "streamId",
    "method",
    "route",
    "status",
    "durationMs",
    "detail",
)


def new_request_id() -> str:
    """A fresh correlation id."""
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The caller's id when it is well formed, otherwise a fresh one."""
    if value is not None and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, service, request id, message and known fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "service": record.name.removeprefix("shop."),
            "requestId": getattr(record, "requestId", None) or REQUEST_ID.get(),
            "msg": record.getMessage(),
        }
        for name in _LOG_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send every ``shop.*`` log record to stderr as JSON lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("shop")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


class ServiceLog(logging.LoggerAdapter):  # type: ignore[type-arg]  # generic only in 3.11+ stubs
    """A service's logger that stamps the current request id on every record when it is made.

    Stamping at call time (not at format time) keeps the id right when a handler formats the
    record later or on another thread.
    """

    def process(
        self, msg: Any, kwargs: MutableMapping[str, Any]
    ) -> tuple[Any, MutableMapping[str, Any]]:
        extra = dict(kwargs.get("extra") or {})
        extra.setdefault("requestId", REQUEST_ID.get())
        kwargs["extra"] = extra
        return msg, kwargs


def service_logger(service: str) -> ServiceLog:
    """The logger of one service; its name carries the service into every line."""
    return ServiceLog(logging.getLogger(f"shop.{service}"))


class Metrics:
    """One Prometheus registry per service, so several services can share a process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "shop_http_requests_total",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "shop_http_request_duration_seconds",
            "HTTP request latency by route and method.",
            ["route", "method"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )
        self.errors = Counter(
            "shop_http_errors_total",
            "HTTP responses with status >= 400, by route and status.",
            ["route", "status"],
            registry=self.registry,
        )

    def counter(self, name: str, documentation: str, labels: tuple[str, ...] = ()) -> Counter:
        """A service-specific counter in this registry."""
        return Counter(name, documentation, list(labels), registry=self.registry)

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
