"""YAML loading stays a small multiple of the file size: the values themselves (Python objects,
about 9x the text for a spec of many small mappings) plus a compact line table, an array of
line numbers per mapping or sequence (issue 16: stripe's 4 MB spec peaks at 8x, was 9.4x)."""

from __future__ import annotations

import tracemalloc

from specguard.load._parse import parse_bytes, yaml_line


def _spec(count: int) -> bytes:
    parts = ["openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"]
    for i in range(count):
        parts.append(
            f"    S{i}:\n      type: object\n      description: schema number {i}\n"
            "      properties:\n        id: {type: string, maxLength: 32}\n"
            "        count: {type: integer, minimum: 0}\n        tags:\n          type: array\n"
            "          items: {type: string}\n"
        )
    return "".join(parts).encode()


def test_a_spec_of_many_small_mappings_peaks_under_17_times_its_size() -> None:
    """The worst shape for the line table (a table per tiny mapping): 16x, was 20x with a dict
    of key -> line per mapping."""
    raw = _spec(3000)
    tracemalloc.start()
    try:
        data, _, lines = parse_bytes(raw, "spec.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 17 * len(raw), peak / len(raw)
    assert lines is not None
    # and the compact table still answers: the line of a key deep inside
    assert yaml_line(data, lines, "/components/schemas/S2999/properties/count/minimum") == (
        6 + 2999 * 9 + 5
    )
