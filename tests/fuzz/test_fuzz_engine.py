"""`run_fuzz` against real services: uvicorn on loopback and the same apps in-process (ASGI)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import pytest
from starlette.applications import Starlette

from specguard.cli._formats import ResultKind, formats_for, render
from specguard.errors import ConfigError
from specguard.fuzz import (
    REDACTED,
    FailureKind,
    FuzzOptions,
    FuzzReport,
    Phase,
    ServiceUnreachable,
    StopReason,
    Target,
    run_fuzz,
)
from specguard.fuzz._progress import QuietProgress
from specguard.load import Spec
from specguard.report import OutputFormat
from tests.fuzz import fuzz_orders_app as apps
from tests.fuzz.conftest import EXAMPLES, free_port, replay_curl, serve

Serve = Callable[[Starlette], AbstractContextManager[str]]

SECRET = "Bearer tok-7f3a9c-do-not-print"
PASSWORD = "hunter2-secret-pw"


def _labels(report: FuzzReport) -> tuple[str, ...]:
    return tuple(str(op) for op in report.operations)


def _codes(report: FuzzReport) -> set[tuple[str, str]]:
    return {(str(f.operation), f.code) for f in report.failures}


def _fuzz(spec: Spec, target: Target, cache: Path, **options: object) -> FuzzReport:
    settings: dict[str, object] = {"seed": 42, "max_examples": EXAMPLES}
    settings.update(options)
    return run_fuzz(spec, target, FuzzOptions(**settings), cache_dir=cache)  # type: ignore[arg-type]


def test_http_run_finds_both_planted_bugs_with_runnable_curl(
    v1: Spec, service: Serve, hypothesis_cache: Path
) -> None:
    """Over HTTP: the 500 and the missing required field, each with a curl that reproduces it."""
    with service(apps.make_app(crash=True, drop_note=True)) as url:
        report = _fuzz(v1, Target.from_url(url), hypothesis_cache)
        assert {("POST /orders", "ST101"), ("GET /orders/{orderId}", "ST108")} <= _codes(report)
        crash = next(f for f in report.failures if f.code == "ST101")
        assert crash.kind is FailureKind.SERVER_ERROR
        assert crash.status == 500
        assert crash.seed == 42 == report.seed
        assert crash.curl.startswith("curl -X POST")
        status, _ = replay_curl(crash.curl)
        assert status == 500
    missing = next(f for f in report.failures if f.code == "ST108")
    assert missing.status == 200
    assert '"note"' in missing.message
    assert "note" not in missing.body_excerpt
    assert missing.curl.startswith("curl -X GET") and "/orders/" in missing.curl
    assert report.stop_reason is StopReason.COMPLETED
    assert report.requests > 0 and report.first_failure_after is not None
    assert not report.ok


def test_correct_service_gives_a_clean_run_over_http(
    v1: Spec, service: Serve, hypothesis_cache: Path
) -> None:
    """Every phase, every default check, positive and negative data: nothing to report."""
    with service(apps.make_app()) as url:
        report = _fuzz(v1, Target.from_url(url), hypothesis_cache)
    assert report.failures == ()
    assert report.problems == ()
    assert report.ok
    assert report.requests > 50
    assert _labels(report) == ("POST /orders", "GET /orders/{orderId}")


def test_in_process_crash_is_a_server_error_not_an_engine_error(
    v1: Spec, hypothesis_cache: Path
) -> None:
    """The ASGI guard turns Starlette's re-raised exception into an ST101 failure."""
    target = Target.from_app(apps.make_app(crash=True, drop_note=True), "buggy")
    report = _fuzz(v1, target, hypothesis_cache)
    assert report.problems == ()
    assert {("POST /orders", "ST101"), ("GET /orders/{orderId}", "ST108")} <= _codes(report)
    crash = next(f for f in report.failures if f.code == "ST101")
    assert crash.body_excerpt == "Internal Server Error"


def test_in_process_and_http_agree(v1: Spec, service: Serve, hypothesis_cache: Path) -> None:
    """Same app, same seed: the same (operation, code) pairs in-process and over HTTP."""
    in_process = _fuzz(v1, Target.from_app(apps.make_app(crash=True), "crash"), hypothesis_cache)
    with service(apps.make_app(crash=True)) as url:
        over_http = _fuzz(v1, Target.from_url(url), hypothesis_cache)
    assert _codes(in_process) == _codes(over_http)
    assert ("POST /orders", "ST101") in _codes(in_process)


def test_correct_app_in_process_is_clean(v1: Spec, hypothesis_cache: Path) -> None:
    """The in-process transport adds no failures of its own."""
    report = _fuzz(v1, Target.from_app(apps.make_app(), "correct"), hypothesis_cache)
    assert report.ok, report.failures or report.problems


def test_same_seed_same_failures(v1: Spec, hypothesis_cache: Path) -> None:
    """A fixed seed against a fresh service reproduces the same failing requests."""
    runs = [
        _fuzz(
            v1,
            Target.from_app(apps.make_app(crash=True), "crash"),
            hypothesis_cache,
            phases=(Phase.COVERAGE, Phase.FUZZING),
            seed=7,
        )
        for _ in range(2)
    ]
    assert [f.curl for f in runs[0].failures] == [f.curl for f in runs[1].failures]
    assert runs[0].failures


def test_unreachable_url_is_one_line_naming_url_and_cause(v1: Spec, hypothesis_cache: Path) -> None:
    """Nothing listens on the port: ServiceUnreachable says where and how."""
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServiceUnreachable) as caught:
        _fuzz(v1, Target.from_url(url), hypothesis_cache)
    line = caught.value.one_line()
    assert line == f"cannot reach {url}: connection refused"


def test_include_operation_by_label_and_operation_id(v1: Spec, hypothesis_cache: Path) -> None:
    """--include-operation takes 'METHOD /path' or an operationId."""
    target = Target.from_app(apps.make_app(crash=True, drop_note=True), "buggy")
    by_label = _fuzz(v1, target, hypothesis_cache, include_operations=("post /orders",))
    assert _labels(by_label) == ("POST /orders",)
    assert {str(f.operation) for f in by_label.failures} == {"POST /orders"}
    by_id = _fuzz(v1, target, hypothesis_cache, include_operations=("getOrder",))
    assert _labels(by_id) == ("GET /orders/{orderId}",)


def test_bad_options_are_config_errors(v1: Spec, hypothesis_cache: Path) -> None:
    """Unknown checks and operation filters that match nothing are bad input, not crashes."""
    target = Target.from_app(apps.make_app(), "correct")
    with pytest.raises(ConfigError, match="unknown check"):
        _fuzz(v1, target, hypothesis_cache, checks=("not_a_check",))
    with pytest.raises(ConfigError, match="matched no operation"):
        _fuzz(v1, target, hypothesis_cache, include_operations=("DELETE /nowhere",))


def test_checks_option_limits_what_is_checked(v1: Spec, hypothesis_cache: Path) -> None:
    """With only not_a_server_error, the schema violation is not reported."""
    target = Target.from_app(apps.make_app(crash=True, drop_note=True), "buggy")
    report = _fuzz(v1, target, hypothesis_cache, checks=("not_a_server_error",))
    assert {f.code for f in report.failures} == {"ST101"}


@pytest.mark.parametrize("fmt", formats_for(ResultKind.FUZZ), ids=lambda f: f.value)
def test_secrets_never_reach_any_format(
    v1: Spec, service: Serve, hypothesis_cache: Path, fmt: OutputFormat
) -> None:
    """-H values and basic-auth credentials are redacted in text, JSON, Markdown and JUnit."""
    app = apps.make_app(crash=True, echo_headers=True)
    with service(app) as url:
        report = _fuzz(
            v1,
            Target.from_url(url),
            hypothesis_cache,
            headers=(("X-Api-Key", SECRET),),
            basic_auth=("alice", PASSWORD),
            phases=(Phase.COVERAGE,),
        )
    rendered = render(ResultKind.FUZZ, report, fmt)
    crash = next(f for f in report.failures if f.code == "ST101")
    assert f'"x-api-key": "{REDACTED}"' in crash.body_excerpt
    for secret in (SECRET, PASSWORD, "tok-7f3a9c-do-not-print", "YWxpY2U6aHVudGVyMi1zZWNyZXQtcHc="):
        assert secret not in rendered
    assert REDACTED in rendered
    if fmt is OutputFormat.JSON:
        curl = json.loads(rendered)["failures"][0]["curl"]
        assert f"X-Api-Key: {REDACTED}" in curl
        assert f"Authorization: {REDACTED}" in curl


def test_service_dying_mid_run_stops_with_server_unavailable(
    v1: Spec, hypothesis_cache: Path
) -> None:
    """The service goes away after the first operation: the run stops and says so."""
    stop_server: list[Callable[[], None]] = []

    class KillAfterFirstOperation(QuietProgress):
        def operation_done(self, phase: str, label: str, failures: int) -> None:
            while stop_server:
                stop_server.pop()()

    with ExitStack() as stack:
        url = stack.enter_context(serve(apps.make_app()))
        stop_server.append(stack.close)
        report = run_fuzz(
            v1,
            Target.from_url(url),
            FuzzOptions(seed=1, max_examples=EXAMPLES, phases=(Phase.COVERAGE, Phase.FUZZING)),
            progress=KillAfterFirstOperation(),
            cache_dir=hypothesis_cache,
        )
    assert report.stop_reason is StopReason.SERVER_UNAVAILABLE
    assert report.unreachable == f"{url} stopped answering during the run"


def test_a_service_that_does_not_speak_http_is_unreachable_in_one_line() -> None:
    """Something listens on the port but answers bytes that are not HTTP: ServiceUnreachable
    with a reason, not an internal error."""
    import socket
    import threading

    from specguard.fuzz._engine import ServiceUnreachable, probe

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)

    def answer() -> None:
        try:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1024)
                conn.sendall(b"\x00\xffgarbage, not http\r\n\r\n")
        except OSError:
            pass

    threading.Thread(target=answer, daemon=True).start()
    port = listener.getsockname()[1]
    try:
        with pytest.raises(ServiceUnreachable, match="does not answer HTTP"):
            probe(f"http://127.0.0.1:{port}", timeout=5)
    finally:
        listener.close()
