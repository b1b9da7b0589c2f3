"""Reports of ``specguard events``: text for people, JSON (``schemaVersion`` 1) for tools.

One function per format; the CLI's report registry (``specguard.cli._formats``) names them.
"""

from __future__ import annotations

import json
from typing import Any

from specguard._inert import one_line
from specguard.events._check import EventsReport


def _json(report: EventsReport) -> dict[str, Any]:
    return {
        "schemaVersion": 1,
        "spec": report.spec,
        "stream": report.stream,
        "channel": report.channel,
        "server": report.server,
        "summary": {
            "length": report.length,
            "read": report.read,
            "rejected": report.rejected,
            "seconds": round(report.seconds, 3),
            "deadlineReached": report.deadline_reached,
        },
        "messages": [
            {
                "name": tally.name,
                "checked": tally.checked,
                "rejected": tally.rejected,
                "examples": [
                    {"id": ex.entry_id, "reason": ex.reason, "excerpt": ex.excerpt}
                    for ex in tally.examples
                ],
            }
            for tally in report.messages
        ],
    }


def events_text(report: EventsReport) -> str:
    """The report as plain text: a verdict, then each message type with its examples."""
    verdict = (
        f"Stream failed: {report.rejected} of {report.read} entries rejected"
        if report.rejected else f"Stream passed: {report.read} entries valid"
    )
    lines = [
        verdict,
        f"Checked {one_line(report.stream)} (channel {one_line(report.channel)} of "
        f"{one_line(report.spec)}) on {one_line(report.server)}: read {report.read} of "
        f"{report.length} entries in {report.seconds:.1f} s"
        + (" (the deadline stopped the read)" if report.deadline_reached else ""),
        "",
    ]
    for tally in report.messages:
        state = "REJECTED" if tally.rejected else "ok"
        lines.append(
            f"{state} {one_line(tally.name)}: {tally.rejected} of {tally.checked} rejected"
        )
        for example in tally.examples:
            lines.append(f"  - {one_line(example.entry_id)}: {one_line(example.reason)}")
            lines.append(f"    {one_line(example.excerpt)}")
    if not report.messages:
        lines.append("the stream holds no entries")
    return "\n".join(lines) + "\n"


def events_json(report: EventsReport) -> str:
    """The report as versioned JSON text."""
    return json.dumps(_json(report), indent=2) + "\n"

