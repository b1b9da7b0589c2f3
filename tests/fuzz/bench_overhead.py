"""Benchmark (not a test): requests/second through `specguard fuzz` vs plain `st run`.

Both CLIs run as subprocesses against the same uvicorn service (a separate process) with the
same spec and seed. The service counts the requests it answers, so both rates are measured
the same way: requests the server saw / wall time of the CLI process. It also records when
the first 5xx left the server, for the time to first failure.

    .venv/bin/python tests/fuzz/bench_overhead.py [--examples 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BIN = Path(sys.executable).parent
SPEC = HERE / "specs" / "orders-v1.yaml"

SERVER = """
import sys, time
sys.path.insert(0, {repo!r})
from tests.fuzz.fuzz_orders_app import make_app
inner = make_app(crash={crash})
state = {{"count": 0, "first_5xx": None}}

async def app(scope, receive, send):
    if scope["type"] == "http" and scope["path"] == "/__stats":
        body = ("%d %s" % (state["count"], state["first_5xx"])).encode()
        if scope["query_string"] == b"reset":
            state.update(count=0, first_5xx=None)
        await send({{"type": "http.response.start", "status": 200, "headers": []}})
        await send({{"type": "http.response.body", "body": body}})
        return
    async def counting_send(message):
        if message["type"] == "http.response.start":
            state["count"] += 1
            if message["status"] >= 500 and state["first_5xx"] is None:
                state["first_5xx"] = time.time()
        await send(message)
    await inner(scope, receive, counting_send)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stats(url: str, reset: bool = False) -> tuple[int, float | None]:
    with urllib.request.urlopen(f"{url}/__stats{'?reset' if reset else ''}", timeout=5) as r:
        count, first = r.read().decode().split()
    return int(count), None if first == "None" else float(first)


def _start_server(workdir: Path, crash: bool) -> tuple[subprocess.Popen[bytes], str]:
    (workdir / "bench_app.py").write_text(SERVER.format(repo=str(REPO), crash=crash))
    port = _free_port()
    process = subprocess.Popen(
        [str(BIN / "uvicorn"), "bench_app:app", "--port", str(port), "--log-level", "critical",
         "--no-access-log"],
        cwd=workdir,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            _stats(url)
            return process, url
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)


def _run(command: list[str], url: str, cwd: Path) -> dict[str, Any]:
    _stats(url, reset=True)
    started = time.time()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    wall = time.time() - started
    count, first_5xx = _stats(url)
    result: dict[str, Any] = {"rc": proc.returncode, "wall": wall, "requests": count,
                              "rate": count / wall,
                              "first_5xx": first_5xx - started if first_5xx else None}  # fmt: skip
    if command[0].endswith("specguard"):
        summary = json.loads(proc.stdout)["summary"]
        result["engine"] = summary["durationSeconds"]
        result["first_failure"] = summary["firstFailureSeconds"]
    else:
        marker = [line for line in proc.stdout.splitlines() if " in " in line and "====" in line]
        result["engine"] = float(marker[-1].split(" in ")[-1].split("s")[0]) if marker else None
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--crash", action="store_true", help="plant the 500 (time to failure)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env_cache = workdir / "cache"
        os.environ["SPECGUARD_CACHE_DIR"] = str(env_cache)
        process, url = _start_server(workdir, args.crash)
        common = ["--url", url, "--seed", "42", "-n", str(args.examples)]
        tools = {
            "st run": [str(BIN / "st"), "run", str(SPEC), *common,
                       "--generation-database", "none"],
            "specguard fuzz": [str(BIN / "specguard"), "fuzz", str(SPEC), *common, "-q",
                               "--format", "json"],
        }  # fmt: skip
        try:
            for command in tools.values():  # warm-up: caches, bytecode
                _run(command, url, workdir)
            results: dict[str, list[dict[str, Any]]] = {name: [] for name in tools}
            for _ in range(args.rounds):
                for name, command in tools.items():
                    results[name].append(_run(command, url, workdir))
        finally:
            process.terminate()
            process.wait(timeout=10)
    for name, runs in results.items():
        rate = statistics.median(r["rate"] for r in runs)
        engine = statistics.median(r["requests"] / r["engine"] for r in runs if r.get("engine"))
        line = (
            f"{name:15} requests {statistics.median(r['requests'] for r in runs):6.0f}  "
            f"wall {statistics.median(r['wall'] for r in runs):5.2f}s  "
            f"req/s (process) {rate:6.1f}  req/s (engine) {engine:6.1f}"
        )
        firsts = [r["first_5xx"] for r in runs if r["first_5xx"] is not None]
        if firsts:
            line += f"  first 5xx after {statistics.median(firsts):.2f}s (from launch)"
        ttf = [r["first_failure"] for r in runs if r.get("first_failure") is not None]
        if ttf:
            line += f"  first failure reported {statistics.median(ttf):.2f}s (engine)"
        print(line)


if __name__ == "__main__":
    main()
