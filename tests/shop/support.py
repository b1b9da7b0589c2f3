"""Helpers for the shop tests: the live system driven from the test thread, and polling."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx

from shop._config import ServiceName, Settings
from shop.run import System

T = TypeVar("T")
_CALL_TIMEOUT = 30.0


class LiveSystem:
    """A :class:`System` driven from the test thread."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="shop", daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the services' loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(_CALL_TIMEOUT)

    def url(self, name: ServiceName) -> str:
        return self.system.urls[name]

    def client(self, name: ServiceName) -> httpx.Client:
        return httpx.Client(base_url=self.url(name), timeout=10.0)

    def start(self, name: ServiceName) -> None:
        self.run(self.system.start(name))

    def stop(self, name: ServiceName) -> None:
        self.run(self.system.stop(name))

    def close(self) -> None:
        try:
            self.run(self.system.stop_all())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)
            self.loop.close()


def base_settings(data_dir: Path, redis_url: str) -> Settings:
    """Settings for tests: short timeouts so outages show up quickly."""
    return Settings(
        service=ServiceName.GATEWAY,
        host="127.0.0.1",
        port=0,
        data_dir=data_dir,
        redis_url=redis_url,
        order_url="",
        inventory_url="",
        downstream_timeout=2.0,
        gateway_timeout=5.0,
        consumer_block_ms=200,
    )


def wait_for(probe: Callable[[], T | None], timeout: float = 5.0, interval: float = 0.05) -> T:
    """Poll ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
