"""The one module that talks to schemathesis: configure its engine, run it, type its events.

We drive ``schemathesis.engine.from_schema(schema).execute()``, which is what ``st run``
itself drives, and turn its events into :class:`~specguard.fuzz._model.FuzzReport` values.
The event classes are not in schemathesis's documented API, so the version is pinned in
``pyproject.toml`` and every use of them stays in this file.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import random
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from specguard.errors import ConfigError, SpecguardError, SpecValidationError
from specguard.fuzz._asgi import ASGIApp, contain_errors
from specguard.fuzz._bundle import bundle
from specguard.fuzz._curl import curl_command
from specguard.fuzz._model import (
    ALL_PHASES,
    CheckFailure,
    EngineProblem,
    FailureKind,
    FuzzReport,
    Phase,
    StopReason,
)
from specguard.fuzz._progress import ProgressSink, QuietProgress
from specguard.fuzz._redact import Redactor
from specguard.load import Spec
from specguard.model import Operation

BODY_EXCERPT = 300
"""Characters of a response body kept in a report."""

# The checks that state what `verify` promises: old requests accepted, old responses kept.
VERIFY_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "positive_data_acceptance",
)


class ServiceUnreachable(SpecguardError):
    """The service under test did not answer at all."""


@dataclass(frozen=True, slots=True)
class Target:
    """What to fuzz: a base URL, or an ASGI application called in-process."""

    url: str | None = None
    app: ASGIApp | None = field(default=None, compare=False)
    label: str = ""

    @classmethod
    def from_url(cls, url: str) -> Target:
        """A service over HTTP; ``url`` includes any base path."""
        return cls(url=url.rstrip("/") or url, label=url)

    @classmethod
    def from_app(cls, app: ASGIApp, label: str) -> Target:
        """An ASGI app called in-process; ``label`` names it in reports."""
        return cls(app=app, label=f"app {label}")


@dataclass(frozen=True, slots=True)
class FuzzOptions:
    """Knobs of a run; ``None`` means schemathesis's default."""

    checks: tuple[str, ...] | None = None
    max_examples: int | None = None
    max_time: int | None = None
    phases: tuple[Phase, ...] = ALL_PHASES
    seed: int | None = None
    workers: int = 1
    headers: tuple[tuple[str, str], ...] = ()
    basic_auth: tuple[str, str] | None = None
    rate_limit: str | None = None
    include_operations: tuple[str, ...] = ()
    request_timeout: float = 10.0
    max_failures: int | None = None
    positive_only: bool = False

    @property
    def redactor(self) -> Redactor:
        """Hides the credentials these options send."""
        return Redactor.for_credentials(self.headers, self.basic_auth)


def run_fuzz(
    spec: Spec,
    target: Target,
    options: FuzzOptions,
    *,
    progress: ProgressSink | None = None,
    only: Callable[[Operation], bool] | None = None,
    cache_dir: Path | None = None,
) -> FuzzReport:
    """Property-test ``target`` against ``spec`` and return every unique failure.

    ``only`` narrows the operations further (``verify --changed-only``). ``cache_dir`` is
    where Hypothesis may keep its caches; by default it writes ``.hypothesis/`` into the
    current directory, which a CI checkout should not get.
    """
    try:
        import schemathesis
        from schemathesis import engine
    except ImportError:  # schemathesis 4 needs Python 3.11+; the rest of specguard does not
        raise SpecguardError(
            "fuzzing needs schemathesis, which is not installed",
            hint="use Python 3.11+ and `pip install 'specguard[fuzz]'`",
        ) from None

    progress = progress or QuietProgress()
    redactor = options.redactor
    seed = options.seed if options.seed is not None else random.SystemRandom().getrandbits(32)
    config = _config(options, seed)
    try:
        schema: Any = schemathesis.openapi.from_dict(bundle(spec), config=config)
    except Exception as exc:  # schemathesis raises its own loader errors
        raise SpecValidationError(
            f"schemathesis cannot use this spec: {_first_line(exc)}", file=spec.root.name
        ) from None
    if target.app is not None:
        schema.app = contain_errors(target.app)
    else:
        assert target.url is not None
        try:
            schema.config.update(base_url=target.url)
        except Exception as exc:
            raise ConfigError(f"--url {target.url!r}: {_first_line(exc)}") from None
    if options.checks is not None:
        _select_checks(schema, options.checks)
    matcher = _matcher(options.include_operations, only)
    if matcher is not None:
        schema = schema.include(lambda ctx: matcher(_operation_of(ctx.operation)))
    operations = tuple(_selected(schema))
    if options.include_operations and not operations:
        raise ConfigError(
            "--include-operation matched no operation: " + ", ".join(options.include_operations),
            hint="use 'METHOD /path' as written in the spec, or an operationId",
        )
    if target.url is not None:
        probe(target.url, timeout=min(options.request_timeout, 10.0))
    collector = _Collector(redactor, seed, progress, len(operations))
    started = time.monotonic()
    abandoned = False
    with _hypothesis_home(cache_dir):
        if operations:
            events = engine.from_schema(schema).execute()
            if options.max_time is None:
                for event in events:
                    collector.handle(event)
            else:
                # --max-time is a deadline for the whole run: the engine checks it only between
                # requests, and a service that drips a byte at a time never trips a read
                # timeout, so the events are pumped in a thread the deadline can walk away from
                deadline = started + options.max_time + min(options.request_timeout, 10.0)
                abandoned = _consume_until(events, collector, deadline)
    duration = collector.running_time or (time.monotonic() - started)
    if abandoned:
        collector.stop_reason = StopReason.MAX_TIME
    progress.finished(len(collector.failures), collector.requests, duration)
    stop = collector.stop_reason
    unreachable = None
    if stop is StopReason.SERVER_UNAVAILABLE:
        unreachable = f"{target.label} stopped answering during the run"
    return FuzzReport(
        spec=spec.root.name,
        target=target.label,
        seed=seed,
        phases=options.phases,
        operations=operations,
        failures=tuple(collector.failures.values()),
        problems=tuple(collector.problems.values()),
        requests=collector.requests,
        duration=duration,
        first_failure_after=collector.first_failure_after,
        stop_reason=stop,
        unreachable=unreachable,
        abandoned=abandoned,
    )


_DONE = object()


def _consume_until(events: Iterator[Any], collector: _Collector, deadline: float) -> bool:
    """Feed ``collector`` until the events end (False) or ``deadline`` passes (True: the
    engine's thread is left behind, still waiting on a request)."""
    inbox: queue.Queue[Any] = queue.Queue()

    def pump() -> None:
        try:
            for event in events:
                inbox.put(event)
        except BaseException as exc:  # re-raised in the caller's thread
            inbox.put(exc)
        finally:
            inbox.put(_DONE)

    threading.Thread(target=pump, name="specguard-fuzz-engine", daemon=True).start()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return True
        try:
            item = inbox.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            continue
        if item is _DONE:
            return False
        if isinstance(item, BaseException):
            raise item
        collector.handle(item)


def probe(url: str, *, timeout: float) -> None:
    """Raise :class:`ServiceUnreachable` unless something answers HTTP at ``url``."""
    request = urllib.request.Request(url, method="GET")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(1)
    except urllib.error.HTTPError:
        return  # any HTTP status, even 404 or 500, means a server is listening
    except urllib.error.URLError as exc:
        raise ServiceUnreachable(f"cannot reach {url}: {_network_reason(exc.reason)}") from None
    except TimeoutError:
        raise ServiceUnreachable(f"cannot reach {url}: no answer within {timeout:g}s") from None
    except (OSError, ValueError) as exc:
        raise ServiceUnreachable(f"cannot reach {url}: {_network_reason(exc)}") from None
    except http.client.HTTPException as exc:  # something listens, but it does not speak HTTP
        raise ServiceUnreachable(
            f"cannot reach {url}: it does not answer HTTP ({type(exc).__name__})"
        ) from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer; following it could leave the host the user named."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _network_reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return f"host name not resolved ({reason.strerror or reason})"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({reason.reason or reason})"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason) or type(reason).__name__


def _config(options: FuzzOptions, seed: int) -> Any:
    import schemathesis

    generation: dict[str, Any] = {"database": "none"}
    if options.max_examples is not None:
        generation["max-examples"] = options.max_examples
    if options.positive_only:
        generation["mode"] = "positive"
    raw: dict[str, Any] = {
        "seed": seed,
        # A stray schemathesis.toml, cache or source-constant scan must not change a run.
        "cache": {"enabled": False},
        "analysis": {"constants": {"enabled": False}},
        "generation": generation,
        "phases": {phase.value: {"enabled": phase in options.phases} for phase in ALL_PHASES},
        "workers": options.workers,
        "request-timeout": options.request_timeout,
    }
    if options.max_time is not None:
        raw["max-time"] = options.max_time
    if options.max_failures is not None:
        raw["max-failures"] = options.max_failures
    if options.rate_limit is not None:
        raw["rate-limit"] = options.rate_limit
    if options.headers:
        raw["headers"] = dict(options.headers)
    if options.basic_auth is not None:
        user, password = options.basic_auth
        raw["auth"] = {"basic": {"username": user, "password": password}}
    if options.positive_only:
        # Probing undeclared methods is a negative test; verify only sends valid old requests.
        raw["phases"]["coverage"]["unexpected-methods"] = []
    try:
        return schemathesis.Config.from_dict(raw)
    except Exception as exc:
        raise ConfigError(f"invalid fuzz options: {_first_line(exc)}") from None


def _select_checks(schema: Any, names: tuple[str, ...]) -> None:
    from schemathesis.checks import CHECKS

    known = set(CHECKS.get_all_names())
    unknown = [name for name in names if name != "all" and name not in known]
    if unknown:
        raise ConfigError(
            f"unknown check(s): {', '.join(unknown)}",
            hint="choose from " + ", ".join(sorted(known)),
        )
    schema.config.checks.update(included_check_names=list(names))


def _matcher(
    includes: tuple[str, ...], only: Callable[[Operation], bool] | None
) -> Callable[[_OperationInfo], bool] | None:
    if not includes and only is None:
        return None
    wanted = {_normal_label(text) for text in includes}

    def match(info: _OperationInfo) -> bool:
        if includes and not (
            _normal_label(f"{info.operation.method} {info.operation.path}") in wanted
            or (info.operation_id is not None and info.operation_id in includes)
        ):
            return False
        return only is None or only(info.operation)

    return match


@dataclass(frozen=True, slots=True)
class _OperationInfo:
    operation: Operation
    operation_id: str | None


def _operation_of(api_operation: Any) -> _OperationInfo:
    definition = getattr(api_operation, "definition", None)
    raw = getattr(definition, "raw", None)
    operation_id = raw.get("operationId") if isinstance(raw, dict) else None
    return _OperationInfo(
        Operation(str(api_operation.method).lower(), str(api_operation.path)),
        operation_id if isinstance(operation_id, str) else None,
    )


def _normal_label(text: str) -> str:
    method, _, path = text.strip().partition(" ")
    return f"{method.upper()} {path.strip()}"


def _selected(schema: Any) -> Iterator[Operation]:
    for result in schema.get_all_operations():
        operation = result.ok() if hasattr(result, "ok") else result
        if operation is not None:
            yield _operation_of(operation).operation


def parse_label(label: str) -> Operation:
    """``"POST /orders"`` as an :class:`~specguard.model.Operation`."""
    method, _, path = label.partition(" ")
    return Operation(method.lower(), path)


def failure_kind(code: str) -> FailureKind:
    """The reviewer-facing category of a schemathesis failure code."""
    if code in ("ST101", "ST102", "ST113"):
        return FailureKind.SERVER_ERROR
    if code == "ST202":
        return FailureKind.REQUEST_REJECTED
    if code in ("ST201", "ST203"):
        return FailureKind.INVALID_ACCEPTED
    if code.startswith("ST1") and code != "ST112":
        return FailureKind.RESPONSE_MISMATCH
    if code.startswith("ST3"):
        return FailureKind.STATEFUL
    if code.startswith("ST4"):
        return FailureKind.SECURITY
    return FailureKind.OTHER


_PHASE_NAMES = frozenset(phase.value for phase in ALL_PHASES)

_STOP_REASONS = {
    "completed": StopReason.COMPLETED,
    "max_time": StopReason.MAX_TIME,
    "failure_limit": StopReason.FAILURE_LIMIT,
    "interrupted": StopReason.INTERRUPTED,
    "server_unavailable": StopReason.SERVER_UNAVAILABLE,
}


class _Collector:
    """Folds the engine's event stream into unique failures, problems and counters."""

    def __init__(self, redactor: Redactor, seed: int, progress: ProgressSink, total: int) -> None:
        self.redactor = redactor
        self.seed = seed
        self.progress = progress
        self.total = total
        self.failures: dict[tuple[str, str, str], CheckFailure] = {}
        self.problems: dict[tuple[str, str], EngineProblem] = {}
        self.requests = 0
        self.started: float | None = None
        self.first_failure_after: float | None = None
        self.running_time: float | None = None
        self.stop_reason = StopReason.COMPLETED

    def handle(self, event: Any) -> None:
        from schemathesis.engine import events

        if isinstance(event, events.EngineStarted):
            self.started = event.timestamp
        elif isinstance(event, events.PhaseStarted):
            name = str(event.phase.name.value)
            if name in _PHASE_NAMES and event.phase.is_enabled and event.phase.skip_reason is None:
                # Stateful scenarios span operations, so that phase has no per-operation total.
                total = 0 if name == Phase.STATEFUL.value else self.total
                self.progress.phase_started(name, total)
        elif isinstance(event, events.ScenarioFinished):
            self._scenario(event)
        elif isinstance(event, events.NonFatalError):
            self._problem(event)
        elif isinstance(event, events.FatalError):
            raise SpecguardError(f"the fuzz engine failed: {_first_line(event.exception)}")
        elif isinstance(event, events.EngineFinished):
            self.running_time = event.running_time
            self.stop_reason = _STOP_REASONS.get(str(event.stop_reason), StopReason.COMPLETED)
            for failure in event.failures:
                self._add(failure, "after-run", None, None)
        elif isinstance(event, events.Interrupted):
            self.stop_reason = StopReason.INTERRUPTED

    def _scenario(self, event: Any) -> None:
        recorder = event.recorder
        self.requests += len(recorder.interactions)
        for case_id, nodes in recorder.checks.items():
            for node in nodes:
                info = node.failure_info
                if info is None:
                    continue
                failure = info.failure
                failing_id = failure.case_id or case_id
                self._add(failure, str(event.phase.value), recorder, (failing_id, info))
        if event.is_test_scenario and str(event.phase.value) in _PHASE_NAMES:
            label = str(event.label or recorder.label or "scenario")
            self.progress.operation_done(str(event.phase.value), label, len(self.failures))

    def _add(self, failure: Any, phase: str, recorder: Any, where: tuple[str, Any] | None) -> None:
        label = failure.operation or (recorder.label if recorder is not None else "")
        operation = parse_label(str(label))
        key = (str(operation), str(failure.code), str(failure.title))
        known = self.failures.get(key)
        if known is not None:
            self.failures[key] = replace(known, occurrences=known.occurrences + 1)
            return
        status: int | None = None
        content_type: str | None = None
        excerpt = ""
        curl = ""
        if recorder is not None and where is not None:
            case_id, info = where
            interaction = recorder.interactions.get(case_id)
            response = interaction.response if interaction is not None else None
            if response is not None:
                status = int(response.status_code)
                content_type = next(iter(response.headers.get("content-type", [])), None)
                excerpt = _excerpt(response.content, self.redactor)
            curl = self._curl_chain(recorder, case_id, info)
        self.failures[key] = CheckFailure(
            operation=operation,
            check=_check_name(failure),
            code=str(failure.code),
            title=self.redactor.text(str(failure.title)),
            message=self.redactor.text(str(failure.message)).strip(),
            kind=failure_kind(str(failure.code)),
            phase=_phase_name(phase),
            status=status,
            content_type=content_type,
            body_excerpt=excerpt,
            curl=curl,
            seed=self.seed,
        )
        if self.first_failure_after is None and self.started is not None:
            self.first_failure_after = max(time.time() - self.started, 0.0)

    def _curl_chain(self, recorder: Any, case_id: str, info: Any) -> str:
        # Stateful failures need the earlier steps (e.g. the POST that created the resource).
        ids = [step.case_id for step in info.steps] or [case_id]
        if case_id not in ids:
            ids.append(case_id)
        lines = []
        for step_id in ids:
            interaction = recorder.interactions.get(step_id)
            if interaction is None:
                continue
            request = interaction.request
            lines.append(
                curl_command(
                    str(request.method),
                    str(request.uri),
                    request.headers,
                    request.body,
                    self.redactor,
                )
            )
        if not lines:
            return self.redactor.text(str(info.code_sample))
        return "\n".join(lines)

    def _problem(self, event: Any) -> None:
        info = event.info
        message = f"{info.title}: {info.message}".strip()
        key = (str(event.label), _first_line(message))
        if key in self.problems:
            return
        sample = info.code_sample
        self.problems[key] = EngineProblem(
            operation=str(event.label),
            phase=_phase_name(str(event.phase.value)) if event.phase is not None else "",
            message=self.redactor.text(message),
            curl=self.redactor.text(str(sample)) if sample else None,
        )


def _check_name(failure: Any) -> str:
    checks = getattr(type(failure), "checks", ())
    return str(checks[0]) if checks else "custom"


def _phase_name(raw: str) -> str:
    return "stateful" if raw == "after-run" else raw


def _excerpt(content: bytes | None, redactor: Redactor) -> str:
    if not content:
        return ""
    # Redact before cutting: a cut through a secret would leave its prefix unredacted.
    text = redactor.text(content.decode("utf-8", errors="replace"))
    return text if len(text) <= BODY_EXCERPT else text[:BODY_EXCERPT] + "…"


def _first_line(exc: object) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


@contextlib.contextmanager
def _hypothesis_home(directory: Path | None) -> Iterator[None]:
    """Point Hypothesis's storage at ``directory`` for the run, then restore it."""
    if directory is None or os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield
        return
    from hypothesis import configuration

    # The module keeps the current home in a private global; restore exactly what was there.
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    directory.mkdir(parents=True, exist_ok=True)
    configuration.set_hypothesis_home_dir(directory)
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(previous)
