"""Pausing the cyclic garbage collector around allocation-heavy, cycle-free work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored as it was on exit).

    Parsing, the differ and the judge allocate millions of short-lived, acyclic objects: the
    collector would only rescan them (2-4x the parse time, 10-30 % of a diff). What it defers
    runs once, when the pause ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
