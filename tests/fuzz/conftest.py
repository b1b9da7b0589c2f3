"""Shared fixtures: real uvicorn services on free loopback ports, specs, a Hypothesis cache."""

from __future__ import annotations

import shlex
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

from specguard.load import Spec, load_spec

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SPECS = HERE / "specs"
V1 = SPECS / "orders-v1.yaml"
V2 = SPECS / "orders-v2.yaml"
APP_MODULE = "tests.fuzz.fuzz_orders_app"

# Fast but still finds every planted bug with the seeds used here.
EXAMPLES = 20


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free 127.0.0.1 port; yield its base URL."""
    # IPPROTO_TCP lets asyncio set TCP_NODELAY; without it keep-alive requests wait ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted sockets inherit this; without it Nagle + delayed ACK cost ~40 ms per request.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            sock.close()
            raise RuntimeError("uvicorn did not start within 10s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def service() -> Callable[[Starlette], AbstractContextManager[str]]:
    """Start a service (fresh state per call) for the duration of a ``with`` block."""
    return serve


@pytest.fixture(scope="session")
def specguard_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the session: Hypothesis's character tables take a while to build."""
    return tmp_path_factory.mktemp("specguard-cache")


@pytest.fixture(scope="session")
def hypothesis_cache(specguard_cache: Path) -> Path:
    """The folder the CLI would pick for Hypothesis under ``SPECGUARD_CACHE_DIR``."""
    return specguard_cache / "hypothesis"


@pytest.fixture(autouse=True)
def _cli_cache(monkeypatch: pytest.MonkeyPatch, specguard_cache: Path) -> None:
    """The CLI keeps its Hypothesis cache in the session's temporary folder, not in $HOME."""
    monkeypatch.setenv("SPECGUARD_CACHE_DIR", str(specguard_cache))


@pytest.fixture(scope="session")
def v1() -> Spec:
    """The orders contract every test service implements (or breaks)."""
    return load_spec(str(V1))


@pytest.fixture(scope="session")
def v2() -> Spec:
    """The next contract: item maxLength 40 → 20, a new required query parameter."""
    return load_spec(str(V2))


def free_port() -> int:
    """A loopback port nothing listens on (bound and released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def replay_curl(command: str) -> tuple[int, bytes]:
    """Send the request a single-line curl command describes, parsed with POSIX shell rules."""
    args = shlex.split(command)
    assert args[0] == "curl", command
    method, headers, data, url = "GET", {}, None, None
    index = 1
    while index < len(args):
        arg = args[index]
        if arg == "-X":
            method = args[index + 1]
        elif arg == "-H":
            name, _, value = args[index + 1].partition(": ")
            headers[name] = value
        elif arg == "--data-binary":
            data = args[index + 1].encode()
        else:
            assert url is None, f"unexpected curl argument {arg!r}"
            url = arg
            index += 1
            continue
        index += 2
    assert url is not None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
