"""Progress on stderr: a redrawn bar on a terminal, plain lines in CI logs."""

from __future__ import annotations

import time
from typing import Protocol, TextIO

from specguard._inert import one_line


class ProgressSink(Protocol):
    """What the engine wrapper reports while it runs."""

    def phase_started(self, phase: str, operations: int) -> None: ...

    def operation_done(self, phase: str, label: str, failures: int) -> None: ...

    def finished(self, failures: int, requests: int, seconds: float) -> None: ...


class QuietProgress:
    """Reports nothing (library use, ``--quiet``)."""

    def phase_started(self, phase: str, operations: int) -> None:
        return None

    def operation_done(self, phase: str, label: str, failures: int) -> None:
        return None

    def finished(self, failures: int, requests: int, seconds: float) -> None:
        return None


class LineProgress:
    """One line per phase and per finished operation: readable in a CI log, no escape codes."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0
        self.started = time.monotonic()

    def phase_started(self, phase: str, operations: int) -> None:
        self.total, self.done = operations, 0
        what = f"{operations} operation(s)" if operations else "scenarios across operations"
        self._write(f"specguard: {phase}: {what}")

    def operation_done(self, phase: str, label: str, failures: int) -> None:
        self.done += 1
        if not self.total:
            # Stateful scenarios are many and short; a line each would flood the log.
            return
        where = f"{self.done}/{self.total}"
        self._write(
            f"specguard: {phase}: {where} {one_line(label)} (failures so far: {failures})"
        )

    def finished(self, failures: int, requests: int, seconds: float) -> None:
        self._write(
            f"specguard: done: {requests} requests in {seconds:.1f}s, {failures} failure(s)"
        )

    def _write(self, line: str) -> None:
        # the elapsed time first: a CI log shows how long each phase took
        self.stream.write(f"[{time.monotonic() - self.started:6.1f} s] {line}\n")
        self.stream.flush()


class BarProgress:
    """A single redrawn line: phase, a bar of operations done/total, failures so far."""

    WIDTH = 24
    # Redrawing faster than this only costs time; the terminal cannot show it anyway.
    MIN_INTERVAL = 0.05

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.phase = ""
        self.total = 0
        self.done = 0
        self.failures = 0
        self.last_draw = 0.0
        self.started = time.monotonic()

    def phase_started(self, phase: str, operations: int) -> None:
        if self.phase:
            self._draw(force=True)
            self.stream.write("\n")
        self.phase, self.total, self.done = phase, operations, 0
        self._draw(force=True)

    def operation_done(self, phase: str, label: str, failures: int) -> None:
        self.done += 1
        self.failures = failures
        self._draw(force=bool(self.total) and self.done >= self.total)

    def finished(self, failures: int, requests: int, seconds: float) -> None:
        if self.phase:
            self._draw(force=True)
            self.stream.write("\n")
        self.stream.write(f"{requests} requests in {seconds:.1f}s, {failures} failure(s)\n")
        self.stream.flush()

    def _draw(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_draw < self.MIN_INTERVAL:
            return
        self.last_draw = now
        if self.total:
            filled = int(min(self.done / self.total, 1.0) * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            done = f"[{bar}] {self.done}/{self.total} operations"
        else:
            done = f"{self.done} scenarios"
        elapsed = now - self.started
        line = f"{self.phase:<9} {done}, {self.failures} failure(s), {elapsed:.0f} s"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()


def progress_for(stream: TextIO, *, quiet: bool = False) -> ProgressSink:
    """A bar when ``stream`` is a terminal, plain lines otherwise, nothing when quiet."""
    if quiet:
        return QuietProgress()
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):
        interactive = False
    return BarProgress(stream) if interactive else LineProgress(stream)

