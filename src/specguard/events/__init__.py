"""Events stage: run-time proof for event contracts (``specguard events``).

Reads the most recent entries of a Redis stream (read-only: ``XLEN`` and ``XREVRANGE``, within
a count and a deadline) and validates each one against the AsyncAPI channel whose address is
the stream: which message it is (by its headers), and whether its payload is valid. The event
twin of ``specguard traffic``. Imports: ``load``, ``model``, ``errors``, ``_inert``; the Redis
client comes with the ``events`` extra.
"""

from __future__ import annotations

from specguard.events._check import (
    EventsReport,
    MessageTally,
    Rejected,
    check_stream,
    validate_entries,
)
from specguard.events._render import events_json, events_text

__all__ = [
    "EventsReport",
    "MessageTally",
    "Rejected",
    "check_stream",
    "events_json",
    "events_text",
    "validate_entries",
]
