"""`run_verify`: the old contract against the new service, joined with the static diff."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from starlette.applications import Starlette

from specguard import diff_specs, load_spec
from specguard.fuzz import (
    UNDOCUMENTED_CHANGE,
    CheckFailure,
    FailureKind,
    FuzzOptions,
    FuzzReport,
    Observation,
    Target,
    VerifyReport,
    run_verify,
)
from specguard.fuzz._verify import operation_key, predicts
from specguard.load import Spec
from specguard.model import DiffReport, Direction, Finding, Level, Operation
from tests.fuzz import fuzz_orders_app as apps
from tests.fuzz.conftest import EXAMPLES, V1, replay_curl

Serve = Callable[[Starlette], AbstractContextManager[str]]

OPTIONS = FuzzOptions(seed=42, max_examples=EXAMPLES)


def _labels(report: FuzzReport) -> tuple[str, ...]:
    return tuple(str(op) for op in report.operations)


def _verify(old: Spec, target: Target, cache: Path, **kwargs: object) -> VerifyReport:
    return run_verify(old, target, OPTIONS, cache_dir=cache, **kwargs)  # type: ignore[arg-type]


def test_v2_rejecting_what_v1_accepted_is_caught_over_http(
    v1: Spec, service: Serve, hypothesis_cache: Path
) -> None:
    """The spec did not change, v2 rejects long items: a valid old request rejected."""
    with service(apps.make_app(strict_item=True)) as url:
        report = _verify(v1, Target.from_url(url), hypothesis_cache)
        rejected = [f.failure for f in report.failures if f.failure.code == "ST202"]
        assert rejected, report.failures
        failure = rejected[0]
        assert str(failure.operation) == "POST /orders"
        assert failure.kind is FailureKind.REQUEST_REJECTED
        assert failure.status == 400
        assert "at most 20 characters" in failure.body_excerpt
        status, body = replay_curl(failure.curl)
        assert status == 400 and b"at most 20" in body
    assert not report.joined
    assert all(item.rule_id is None for item in report.failures)


def test_v1_service_passes_verify_of_its_own_contract(
    v1: Spec, service: Serve, hypothesis_cache: Path
) -> None:
    """The correct service keeps every promise of the old contract."""
    with service(apps.make_app()) as url:
        report = _verify(v1, Target.from_url(url), hypothesis_cache)
    assert report.ok
    assert report.failures == ()


def test_verify_sends_only_valid_old_requests(v1: Spec, hypothesis_cache: Path) -> None:
    """Positive data only: the buggy service's 500 needs a valid large quantity, and it is found;
    negative-data checks never run."""
    report = _verify(v1, Target.from_app(apps.make_app(crash=True), "crash"), hypothesis_cache)
    codes = {f.failure.code for f in report.failures}
    assert "ST101" in codes
    assert "ST201" not in codes


def test_join_confirms_predicted_and_flags_undocumented(
    v1: Spec, v2: Spec, hypothesis_cache: Path
) -> None:
    """maxLength 40→20 is confirmed; the new query parameter is not observed; the dropped
    response field, which no finding predicts, is an undocumented behaviour change."""
    diff = diff_specs(v1, v2)
    target = Target.from_app(apps.make_app(strict_item=True, drop_note=True), "v2-drifted")
    report = _verify(v1, target, hypothesis_cache, diff=diff)
    assert report.joined
    by_rule = {f.rule_id: f for f in report.findings}
    assert by_rule["request-max-length-tightened"].observation is Observation.CONFIRMED
    assert "ST202 POST /orders" in by_rule["request-max-length-tightened"].evidence
    assert by_rule["request-parameter-required-added"].observation is Observation.NOT_OBSERVED
    verdicts = {(f.failure.code, str(f.failure.operation)): f for f in report.failures}
    assert verdicts[("ST202", "POST /orders")].predicted_by == ("request-max-length-tightened",)
    drift = verdicts[("ST108", "GET /orders/{orderId}")]
    assert drift.predicted_by == ()
    assert drift.rule_id == UNDOCUMENTED_CHANGE


def test_changed_only_fuzzes_just_the_touched_operations(
    v1: Spec, tmp_path: Path, hypothesis_cache: Path
) -> None:
    """A diff that touches only POST /orders leaves GET untested."""
    changed = tmp_path / "v2-post-only.yaml"
    changed.write_text(V1.read_text().replace("maxLength: 40", "maxLength: 20"))
    diff = diff_specs(v1, load_spec(str(changed)))
    assert {str(op) for f in diff.findings for op in f.operations} == {"POST /orders"}
    target = Target.from_app(apps.make_app(strict_item=True, drop_note=True), "v2-drifted")
    report = _verify(v1, target, hypothesis_cache, diff=diff, changed_only=True)
    assert _labels(report.run) == ("POST /orders",)
    assert {str(f.failure.operation) for f in report.failures} == {"POST /orders"}
    assert report.changed_only


def test_changed_only_with_an_empty_diff_sends_nothing(v1: Spec, hypothesis_cache: Path) -> None:
    """Nothing changed, nothing to fuzz: a clean run without a single request."""
    diff = diff_specs(v1, v1)
    target = Target.from_app(apps.make_app(crash=True), "crash")
    report = _verify(v1, target, hypothesis_cache, diff=diff, changed_only=True)
    assert _labels(report.run) == ()
    assert report.run.requests == 0
    assert report.ok


def test_changed_only_requires_a_diff(v1: Spec, hypothesis_cache: Path) -> None:
    """Without the diff there is nothing to narrow the run to."""
    with pytest.raises(ValueError, match="diff"):
        _verify(v1, Target.from_app(apps.make_app(), "ok"), hypothesis_cache, changed_only=True)


def _failure(operation: Operation, code: str, kind: FailureKind, status: int) -> CheckFailure:
    return CheckFailure(
        operation=operation,
        check="c",
        code=code,
        title="t",
        message="",
        kind=kind,
        phase="coverage",
        status=status,
        content_type=None,
        body_excerpt="",
        curl="curl",
        seed=1,
    )


def _finding(direction: Direction, *operations: Operation) -> Finding:
    return Finding("rule", Level.BREAKING, direction, "m", operations, None, None)


GET_ORDER = Operation("get", "/orders/{orderId}")


@pytest.mark.parametrize(
    ("finding", "failure", "expected"),
    [
        pytest.param(
            _finding(Direction.RESPONSE, Operation("get", "/orders/{id}")),
            _failure(GET_ORDER, "ST108", FailureKind.RESPONSE_MISMATCH, 200),
            True,
            id="path-parameter-names-do-not-matter",
        ),
        pytest.param(
            _finding(Direction.REQUEST, GET_ORDER),
            _failure(GET_ORDER, "ST108", FailureKind.RESPONSE_MISMATCH, 200),
            False,
            id="request-finding-does-not-predict-response-schema-failure",
        ),
        pytest.param(
            _finding(Direction.REQUEST, GET_ORDER),
            _failure(GET_ORDER, "ST103", FailureKind.RESPONSE_MISMATCH, 422),
            True,
            id="undocumented-4xx-is-request-side-evidence",
        ),
        pytest.param(
            _finding(Direction.RESPONSE, GET_ORDER),
            _failure(GET_ORDER, "ST101", FailureKind.SERVER_ERROR, 500),
            True,
            id="server-error-matches-either-side",
        ),
        pytest.param(
            _finding(Direction.RESPONSE, Operation("post", "/orders")),
            _failure(GET_ORDER, "ST108", FailureKind.RESPONSE_MISMATCH, 200),
            False,
            id="other-operation",
        ),
        pytest.param(
            _finding(Direction.NONE),
            _failure(GET_ORDER, "ST108", FailureKind.RESPONSE_MISMATCH, 200),
            True,
            id="finding-without-operations-applies-everywhere",
        ),
    ],
)
def test_predicts(finding: Finding, failure: CheckFailure, expected: bool) -> None:
    """A finding predicts a failure on the same operation shape and the same contract side."""
    assert predicts(finding, failure) is expected


def test_operation_key_ignores_parameter_names_and_method_case() -> None:
    """`GET /a/{x}` and `get /a/{y}` are one operation to the join."""
    assert operation_key(Operation("GET", "/a/{x}/b")) == operation_key(
        Operation("get", "/a/{y}/b")
    )


def test_empty_diff_report_joins_to_undocumented_changes(v1: Spec, hypothesis_cache: Path) -> None:
    """With --new but no findings, every failure is an undocumented behaviour change."""
    diff = DiffReport("old.yaml", "new.yaml", ())
    target = Target.from_app(apps.make_app(strict_item=True), "v2")
    report = _verify(v1, target, hypothesis_cache, diff=diff)
    assert report.failures
    assert all(item.rule_id == UNDOCUMENTED_CHANGE for item in report.failures)
    assert report.findings == ()
