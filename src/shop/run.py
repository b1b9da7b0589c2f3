"""Run the reference system without Docker: ``python -m shop.run``.

All four services start as uvicorn servers in one process on loopback ports (gateway 8080,
order-service 8081, inventory-service 8082, notification-service 8083); Redis comes from
``REDIS_URL``. ``--only NAME`` runs a subset (that is how ``compose.yaml`` runs one service
per container); ``SHOP_ORDER_URL`` / ``SHOP_INVENTORY_URL`` point at services run elsewhere.

:class:`System` is also what the tests use: it binds every socket first (port 0 picks a
free one), then starts and stops services individually.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import httpx
import uvicorn
from starlette.applications import Starlette

from shop._config import ServiceName, Settings
from shop._observe import configure_json_logging, service_logger
from shop.gateway import Gateway
from shop.inventory import InventoryService
from shop.notifications import NotificationService
from shop.orders import OrderService

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
_START_TIMEOUT = 15.0


class Service(Protocol):
    """What every shop service class provides."""

    def app(self) -> Starlette: ...


def make_service(settings: Settings) -> Service:
    """The service object for ``settings.service``."""
    factories: dict[ServiceName, Callable[[Settings], Service]] = {
        ServiceName.GATEWAY: Gateway,
        ServiceName.ORDER: OrderService,
        ServiceName.INVENTORY: InventoryService,
        ServiceName.NOTIFICATION: NotificationService,
    }
    return factories[settings.service](settings)


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to :func:`main` and reports failed starts."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # Several servers share one process; the owner of the loop handles signals once.
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        except SystemExit:
            # uvicorn exits the process when the app's startup fails; a test must see an error.
            raise RuntimeError("service startup failed (see the log)") from None


@dataclass
class _Running:
    server: _Server
    task: asyncio.Task[None]


class System:
    """Starts and stops shop services as uvicorn servers on the running event loop."""

    def __init__(
        self,
        base: Settings,
        services: Iterable[ServiceName] = tuple(ServiceName),
        ports: Mapping[ServiceName, int] | None = None,
        urls: Mapping[ServiceName, str] | None = None,
    ) -> None:
        self.base = base
        self.services = tuple(services)
        wanted = {name: name.default_port for name in ServiceName} | dict(ports or {})
        self._sockets = {name: _bind(base.host, wanted[name]) for name in self.services}
        self.ports = wanted | {name: sock.getsockname()[1] for name, sock in self._sockets.items()}
        client_host = "127.0.0.1" if base.host in ("0.0.0.0", "") else base.host
        self.urls = {
            name: f"http://{client_host}:{self.ports[name]}" for name in ServiceName
        } | dict(urls or {})
        self._running: dict[ServiceName, _Running] = {}

    def settings(self, name: ServiceName) -> Settings:
        """The settings ``name`` runs with."""
        return replace(
            self.base,
            service=name,
            port=self.ports[name],
            order_url=self.urls[ServiceName.ORDER],
            inventory_url=self.urls[ServiceName.INVENTORY],
        )

    def is_running(self, name: ServiceName) -> bool:
        return name in self._running

    async def start(self, name: ServiceName) -> None:
        """Start one service and wait until it accepts connections."""
        if name in self._running:
            return
        sock = self._sockets.pop(name, None) or _bind(self.base.host, self.ports[name])
        config = uvicorn.Config(
            make_service(self.settings(name)).app(),
            log_config=None,
            access_log=False,  # the services log each request themselves, as JSON
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        server = _Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]), name=f"uvicorn {name.value}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _START_TIMEOUT
        while not server.started:
            if task.done():
                sock.close()
                task.result()  # raises the startup error
                raise RuntimeError(f"{name.value} stopped during startup")
            if loop.time() > deadline:
                server.should_exit = True
                raise TimeoutError(f"{name.value} did not start within {_START_TIMEOUT} s")
            await asyncio.sleep(0.01)
        self._running[name] = _Running(server, task)

    async def stop(self, name: ServiceName) -> None:
        """Stop one service (its data stays on disk) and wait until its port is closed."""
        running = self._running.pop(name, None)
        if running is None:
            return
        running.server.should_exit = True
        await asyncio.wait_for(running.task, timeout=_START_TIMEOUT)

    async def start_all(self) -> None:
        # Dependencies first, so the gateway never routes to a service that is still starting.
        order = (
            ServiceName.INVENTORY,
            ServiceName.NOTIFICATION,
            ServiceName.ORDER,
            ServiceName.GATEWAY,
        )
        for name in order:
            if name in self.services:
                await self.start(name)

    async def stop_all(self) -> None:
        for name in reversed(list(self._running)):
            await self.stop(name)
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto
    # says TCP, and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    # A restarted service takes its old port back while old connections sit in TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _parse_stock(values: Sequence[str]) -> dict[str, int]:
    stock: dict[str, int] = {}
    for value in values:
        sku, sep, quantity = value.partition("=")
        if not sep or not quantity.isdigit():
            raise argparse.ArgumentTypeError(f"--stock wants SKU=QUANTITY, got {value!r}")
        stock[sku] = int(quantity)
    return stock


async def _seed_stock(url: str, stock: Mapping[str, int]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=5.0) as client:
        for sku, available in stock.items():
            reply = await client.put(f"/stock/{sku}", json={"available": available})
            reply.raise_for_status()


async def _serve(system: System, stock: Mapping[str, int]) -> None:
    log = service_logger("run")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    try:
        await system.start_all()
        if stock and ServiceName.INVENTORY in system.services:
            await _seed_stock(system.urls[ServiceName.INVENTORY], stock)
        for name in system.services:
            log.info("service started", extra={"detail": f"{name.value} {system.urls[name]}"})
        await stop.wait()
    finally:
        await system.stop_all()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m shop.run", description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--data-dir", type=Path, default=Path(".shop-data"), help="SQLite files")
    parser.add_argument(
        "--only",
        action="append",
        choices=[name.value for name in ServiceName],
        help="run only this service (repeatable)",
    )
    parser.add_argument(
        "--port", type=int, help="listen on this port (with exactly one --only service)"
    )
    parser.add_argument(
        "--stock", action="append", default=[], metavar="SKU=QTY", help="set stock after start"
    )
    args = parser.parse_args(argv)
    try:
        stock = _parse_stock(args.stock)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    configure_json_logging()
    base = Settings(
        service=ServiceName.GATEWAY,
        host=args.host,
        port=0,
        data_dir=args.data_dir,
        redis_url=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        order_url="",
        inventory_url="",
    )
    urls = {
        name: os.environ[variable]
        for name, variable in (
            (ServiceName.ORDER, "SHOP_ORDER_URL"),
            (ServiceName.INVENTORY, "SHOP_INVENTORY_URL"),
        )
        if os.environ.get(variable)
    }
    services = [ServiceName(name) for name in args.only] if args.only else list(ServiceName)
    if args.port is not None and len(services) != 1:
        parser.error("--port needs exactly one --only service")
    ports = {services[0]: args.port} if args.port is not None else None
    try:
        system = System(base, services, ports=ports, urls=urls)
    except OSError as exc:
        print(f"shop.run: cannot listen: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_serve(system, stock))
    return 0


if __name__ == "__main__":
    logging.captureWarnings(True)
    sys.exit(main())
