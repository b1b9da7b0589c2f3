"""Typed results of the dynamic half: fuzz runs, verify joins and traffic checks.

These values are what the report formats render; nothing in them refers to schemathesis or
openapi-core types, so the engines can change without touching the reports. Every string in
them has already been redacted.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from specguard.model import Direction, Level, Location, Operation


class Phase(str, enum.Enum):
    """A schemathesis test phase, in the order they run."""

    EXAMPLES = "examples"
    COVERAGE = "coverage"
    FUZZING = "fuzzing"
    STATEFUL = "stateful"


ALL_PHASES: tuple[Phase, ...] = tuple(Phase)


class FailureKind(str, enum.Enum):
    """What a failed check says about the service, in the terms a reviewer uses."""

    SERVER_ERROR = "server-error"
    REQUEST_REJECTED = "request-rejected"
    RESPONSE_MISMATCH = "response-mismatch"
    INVALID_ACCEPTED = "invalid-request-accepted"
    STATEFUL = "stateful"
    SECURITY = "security"
    OTHER = "other"

    @property
    def direction(self) -> Direction:
        """Which side of the contract the failure is evidence about."""
        if self in (FailureKind.REQUEST_REJECTED, FailureKind.INVALID_ACCEPTED):
            return Direction.REQUEST
        if self is FailureKind.RESPONSE_MISMATCH:
            return Direction.RESPONSE
        return Direction.NONE


class StopReason(str, enum.Enum):
    """Why a run ended."""

    COMPLETED = "completed"
    MAX_TIME = "max-time"
    FAILURE_LIMIT = "failure-limit"
    INTERRUPTED = "interrupted"
    SERVER_UNAVAILABLE = "server-unavailable"


@dataclass(frozen=True, slots=True)
class CheckFailure:
    """One unique failure: an operation broke one check; the first example is kept."""

    operation: Operation
    check: str
    code: str
    title: str
    message: str
    kind: FailureKind
    phase: str
    status: int | None
    content_type: str | None
    body_excerpt: str
    curl: str
    seed: int
    occurrences: int = 1

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity used to merge repeats of the same failure across phases and cases."""
        return (str(self.operation), self.code, self.title)


@dataclass(frozen=True, slots=True)
class EngineProblem:
    """Something that stopped a test from running, e.g. a network error or a crash in the app."""

    operation: str
    phase: str
    message: str
    curl: str | None = None


@dataclass(frozen=True, slots=True)
class FuzzReport:
    """The outcome of one property-based run of a spec against a service."""

    spec: str
    target: str
    seed: int
    phases: tuple[Phase, ...]
    operations: tuple[Operation, ...]
    failures: tuple[CheckFailure, ...]
    problems: tuple[EngineProblem, ...]
    requests: int
    duration: float
    first_failure_after: float | None
    stop_reason: StopReason
    unreachable: str | None = None
    # the run hit --max-time with a request still unanswered (a service dripping bytes): its
    # worker is abandoned, so the process must exit without waiting for it
    abandoned: bool = False

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing errored."""
        return not self.failures and not self.problems

    @property
    def requests_per_second(self) -> float:
        """Requests the engine sent per second of its running time."""
        return self.requests / self.duration if self.duration > 0 else 0.0


class Observation(str, enum.Enum):
    """Whether the run backed up a breaking finding of the static diff."""

    CONFIRMED = "confirmed"
    NOT_OBSERVED = "not-observed"


UNDOCUMENTED_CHANGE = "undocumented-behaviour-change"
"""Rule id given to a run-time failure that no finding of the static diff predicts."""


@dataclass(frozen=True, slots=True)
class JoinedFinding:
    """A breaking finding of the static diff and what the run saw of it."""

    rule_id: str
    level: Level
    direction: Direction
    message: str
    operations: tuple[Operation, ...]
    location: Location | None
    fingerprint: str
    observation: Observation
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VerifiedFailure:
    """A run-time failure of the old contract and the findings that predicted it.

    ``predicted_by`` is ``None`` when no diff was joined, else the predicting rule ids.
    """

    failure: CheckFailure
    predicted_by: tuple[str, ...] | None = None

    @property
    def rule_id(self) -> str | None:
        """``undocumented-behaviour-change`` when a diff was joined and nothing predicted it."""
        return UNDOCUMENTED_CHANGE if self.predicted_by == () else None


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Old contract against new service, optionally joined with the static diff."""

    old_spec: str
    new_spec: str | None
    run: FuzzReport
    failures: tuple[VerifiedFailure, ...]
    findings: tuple[JoinedFinding, ...] = ()
    changed_only: bool = False

    @property
    def joined(self) -> bool:
        """True when the run was joined with a static diff (``--new``)."""
        return self.new_spec is not None

    @property
    def ok(self) -> bool:
        """True when old clients saw no failure at all."""
        return self.run.ok


@dataclass(frozen=True, slots=True)
class TrafficExample:
    """One invalid exchange, kept as an example for the report."""

    method: str
    url: str
    status: int | None
    side: Direction
    reason: str
    entry: int


@dataclass(frozen=True, slots=True)
class OperationTraffic:
    """Per operation: how much recorded traffic the contract would accept."""

    operation: Operation
    exchanges: int
    invalid_requests: int
    invalid_responses: int
    examples: tuple[TrafficExample, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every recorded exchange of this operation is valid."""
        return not self.invalid_requests and not self.invalid_responses


@dataclass(frozen=True, slots=True)
class TrafficReport:
    """Recorded exchanges validated against one contract."""

    spec: str
    sources: tuple[str, ...]
    exchanges: int
    operations: tuple[OperationTraffic, ...]
    unmatched: int
    unmatched_examples: tuple[str, ...] = ()
    skipped: int = 0
    duration: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when all matched traffic is valid (unmatched paths do not count)."""
        return all(op.ok for op in self.operations)

    @property
    def invalid_requests(self) -> int:
        """Recorded requests the contract would reject."""
        return sum(op.invalid_requests for op in self.operations)

    @property
    def invalid_responses(self) -> int:
        """Recorded responses the contract does not allow."""
        return sum(op.invalid_responses for op in self.operations)
