"""`check_traffic` and the streaming HAR reader: recorded exchanges against a contract."""

from __future__ import annotations

import base64
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from specguard.errors import LoadError
from specguard.fuzz import TrafficReport, check_traffic
from specguard.fuzz import _har as har
from specguard.fuzz._traffic import relative_servers
from specguard.load import Spec, load_spec
from specguard.model import Direction, Operation
from tests.fuzz.conftest import HERE, V1

RECORDED = HERE / "har" / "schemathesis-buggy.har"
POST = Operation("post", "/orders")
GET = Operation("get", "/orders/{orderId}")


def _entry(
    method: str,
    url: str,
    status: int,
    *,
    request: Any = None,
    response: Any = None,
    response_mime: str = "application/json",
    base64_body: bool = False,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "request": {"method": method, "url": url, "headers": [], "cookies": []},
        "response": {"status": status, "headers": [], "content": {"mimeType": response_mime}},
    }
    if request is not None:
        entry["request"]["postData"] = {"mimeType": "application/json", "text": json.dumps(request)}
    if response is not None:
        text = response if isinstance(response, str) else json.dumps(response)
        content = entry["response"]["content"]
        if base64_body:
            content.update(text=base64.b64encode(text.encode()).decode(), encoding="base64")
        else:
            content["text"] = text
    return entry


def _write(path: Path, entries: list[dict[str, Any]], **log: Any) -> str:
    path.write_text(json.dumps({"log": {"version": "1.2", **log, "entries": entries}}))
    return str(path)


def _by_operation(report: TrafficReport) -> dict[Operation, Any]:
    return {op.operation: op for op in report.operations}


def test_recorded_schemathesis_har_is_judged_per_operation(v1: Spec) -> None:
    """A HAR written by `st run` against the buggy service: invalid sides counted per operation."""
    report = check_traffic(v1, [str(RECORDED)])
    assert report.exchanges == 7
    assert report.unmatched == 1
    assert report.unmatched_examples == ("TRACE /orders (operation not found)",)
    ops = _by_operation(report)
    assert (ops[POST].exchanges, ops[POST].invalid_requests, ops[POST].invalid_responses) == (
        4,
        1,
        1,
    )
    assert (ops[GET].exchanges, ops[GET].invalid_requests, ops[GET].invalid_responses) == (2, 1, 0)
    reasons = {(e.side, e.reason) for e in ops[POST].examples}
    assert (Direction.REQUEST, "missing request body: Missing required request body") in reasons
    assert (Direction.RESPONSE, "undocumented status: Unknown response http status: 500") in reasons
    (get_example,) = ops[GET].examples
    assert get_example.reason == "invalid parameter: 0 is less than the minimum of 1"
    assert not report.ok


def test_hand_written_exchanges_with_absolute_servers_and_other_hosts(tmp_path: Path) -> None:
    """Servers match by path only; schema errors name the field; base64 bodies are decoded."""
    text = V1.read_text().replace(
        "paths:", "servers:\n  - url: https://api.example.com/v1\npaths:", 1
    )
    spec_path = tmp_path / "orders.yaml"
    spec_path.write_text(text)
    spec = load_spec(str(spec_path))
    base = "http://staging.internal:8080/v1"
    order = {"id": 1, "item": "pen", "quantity": 2, "note": None}
    entries = [
        _entry(
            "POST", f"{base}/orders", 201, request={"item": "pen", "quantity": 2}, response=order
        ),
        _entry(
            "POST",
            f"{base}/orders",
            400,
            request={"item": "pen", "quantity": 0},
            response={"detail": "bad"},
        ),
        _entry(
            "GET",
            f"{base}/orders/1?trace=1",
            200,
            response={"id": 1, "item": "pen", "quantity": 2},
            base64_body=True,
        ),
        _entry("GET", f"{base}/orders/1", 200, response=order),
        _entry("GET", f"{base}/nowhere", 404, response={"detail": "nope"}),
        _entry("GET", "http://staging.internal:8080/orders/1", 200, response=order),
        _entry("GET", "data:text/plain,hello", 200, response="x", response_mime="text/plain"),
    ]
    report = check_traffic(spec, [_write(tmp_path / "t.har", entries)])
    ops = _by_operation(report)
    assert report.exchanges == 7
    assert report.unmatched == 2
    assert report.skipped == 1
    assert (ops[POST].invalid_requests, ops[POST].invalid_responses) == (1, 0)
    assert (ops[GET].invalid_requests, ops[GET].invalid_responses) == (0, 1)
    (bad_request,) = ops[POST].examples
    assert (
        bad_request.reason == "invalid request body: 0 is less than the minimum of 1 at /quantity"
    )
    (bad_response,) = ops[GET].examples
    assert bad_response.reason == "invalid response body: 'note' is a required property"
    assert bad_response.entry == 2


def test_several_files_add_up(v1: Spec) -> None:
    """--har may be repeated; every file's exchanges count."""
    report = check_traffic(v1, [str(RECORDED), str(RECORDED)])
    assert report.exchanges == 14
    assert _by_operation(report)[POST].exchanges == 8


def test_relative_servers_keeps_only_paths() -> None:
    """Absolute and templated server URLs become their paths, at every level."""
    document: dict[str, Any] = {
        "servers": [
            {
                "url": "https://{env}.example.com/{base}",
                "variables": {"env": {"default": "prod"}, "base": {"default": "api"}},
            },
            {"url": "http://localhost:8080"},
        ],
        "paths": {
            "/a": {
                "servers": [{"url": "https://x.example/v2/"}],
                "get": {"servers": [{"url": "v3"}]},
            }
        },
    }
    fixed = relative_servers(document)
    assert fixed["servers"] == [{"url": "/api"}, {"url": "/"}]
    assert fixed["paths"]["/a"]["servers"] == [{"url": "/v2"}]
    assert fixed["paths"]["/a"]["get"]["servers"] == [{"url": "/v3"}]


def test_large_har_streams_in_bounded_memory(v1: Spec, tmp_path: Path) -> None:
    """A 40 MB HAR (forty 1 MB bodies) is validated holding about one entry at a time."""
    path = tmp_path / "big.har"
    body = json.dumps({"detail": "x" * (1 << 20)})
    with path.open("w") as stream:
        stream.write('{"log": {"version": "1.2", "entries": [')
        for index in range(40):
            entry = _entry("GET", f"http://h/orders/{index + 1}", 404, response=body)
            entry["response"]["content"]["text"] = body
            stream.write(("," if index else "") + json.dumps(entry))
        stream.write("]}}")
    assert path.stat().st_size > 40_000_000
    tracemalloc.start()
    try:
        report = check_traffic(v1, [str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.exchanges == 40
    assert _by_operation(report)[GET].exchanges == 40
    assert peak < 16_000_000, (
        f"peak {peak / 1e6:.1f} MB for a {path.stat().st_size / 1e6:.0f} MB file"
    )


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 16])
def test_reader_is_independent_of_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """Entries, numbers and keys split across reads decode the same; other keys are skipped."""
    monkeypatch.setattr(har, "CHUNK", chunk)
    document = {
        "log": {
            "version": "1.2",
            "pages": [{"id": "p", "title": "t", "n": 123456789}],
            "entries": [
                _entry("GET", "http://h/orders/12345", 200, response={"n": 1234567}),
                _entry("POST", "http://h/orders", 201, request={"q": -12.5e3}),
            ],
            "comment": 98765,
        },
        "extra": [1, {"log": "not this one"}],
    }
    path = tmp_path / "split.har"
    path.write_text(json.dumps(document, indent=2))
    entries = list(har.iter_entries(str(path)))
    assert [(e.index, e.request.method, e.request.url) for e in entries] == [
        (0, "GET", "http://h/orders/12345"),
        (1, "POST", "http://h/orders"),
    ]
    assert entries[0].response is not None and entries[0].response.body == b'{"n": 1234567}'
    assert entries[1].request.body == b'{"q": -12500.0}'


def test_entries_before_other_log_keys_and_empty_arrays(tmp_path: Path) -> None:
    """Key order inside `log` does not matter; an empty entries array yields nothing."""
    path = tmp_path / "order.har"
    path.write_text('{"log": {"entries": [], "version": "1.2"}}')
    assert list(har.iter_entries(str(path))) == []


def test_failed_request_without_response(tmp_path: Path, v1: Spec) -> None:
    """Status 0 (no answer) validates the request side only."""
    entry = _entry("POST", "http://h/orders", 0, request={"item": "", "quantity": 1})
    report = check_traffic(v1, [_write(tmp_path / "f.har", [entry])])
    (op,) = report.operations
    assert (op.invalid_requests, op.invalid_responses) == (1, 0)
    assert op.examples[0].status is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("[]", "a HAR file is a JSON object", id="not-an-object"),
        pytest.param('{"log": {"version": "1.2"}}', "no log.entries array", id="no-entries"),
        pytest.param('{"log": {"entries": [{"request": 1}]}}', "entry 0 has no request", id="bad"),
        pytest.param('{"log": {"entries": [{"request": {"method": "GET"', "invalid JSON", id="cut"),
        pytest.param('{"log": {"entries": []}} trailing', "unexpected data", id="trailing"),
        pytest.param('{"log": {"entries": [] "x": 1}}', "expected ',' or '}'", id="comma"),
    ],
)
def test_malformed_har_is_a_load_error(tmp_path: Path, text: str, problem: str) -> None:
    """Broken files give one LoadError naming the file, never a traceback."""
    path = tmp_path / "bad.har"
    path.write_text(text)
    with pytest.raises(LoadError) as caught:
        list(har.iter_entries(str(path)))
    assert problem in caught.value.one_line()
    assert caught.value.one_line().startswith(str(path))


def test_missing_and_binary_files_are_load_errors(tmp_path: Path) -> None:
    """A missing file and a non-UTF-8 file are bad input."""
    with pytest.raises(LoadError, match="file not found"):
        list(har.iter_entries(str(tmp_path / "absent.har")))
    binary = tmp_path / "binary.har"
    binary.write_bytes(b'{"log": {"entries": ["\xff\xfe"]}}')
    with pytest.raises(LoadError, match="not UTF-8"):
        list(har.iter_entries(str(binary)))


def test_a_binary_base64_body_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """A HAR response whose base64 body is not UTF-8 where JSON is expected: the exchange is
    invalid, with a readable reason (it used to crash formatting openapi-core's message)."""
    spec_file = tmp_path / "api.yaml"
    spec_file.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n"
        "          content: {application/json: {schema: {type: object}}}\n"
    )
    entry = {
        "startedDateTime": "2026-01-01T00:00:00Z", "time": 1,
        "request": {"method": "GET", "url": "http://api.example/x", "httpVersion": "HTTP/1.1",
                    "headers": [], "queryString": [], "cookies": [], "headersSize": -1,
                    "bodySize": 0},
        "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                     "headers": [{"name": "Content-Type", "value": "application/json"}],
                     "cookies": [], "redirectURL": "", "headersSize": -1, "bodySize": 4,
                     "content": {"size": 4, "mimeType": "application/json", "encoding": "base64",
                                 "text": base64.b64encode(b"\xff\xfe\x00\x01").decode()}},
        "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0},
    }
    har_file = tmp_path / "binary.har"
    har_file.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    report = check_traffic(load_spec(str(spec_file)), [str(har_file)])
    (operation,) = report.operations
    assert operation.invalid_responses == 1
    assert "not UTF-8" in operation.examples[0].reason
