"""Fuzz stage: prove at run time what the static diff can only promise.

- :func:`run_fuzz` drives schemathesis's engine against a base URL or an in-process ASGI app
  and returns a typed :class:`FuzzReport` (unique failures with curl reproductions).
- :func:`run_verify` sends requests valid under the OLD contract to the NEW service and, given
  the static :class:`~specguard.model.DiffReport`, marks breaking findings ``confirmed`` or
  ``not-observed`` and flags unpredicted failures as ``undocumented-behaviour-change``.
- :func:`check_traffic` validates recorded HAR traffic against a contract with openapi-core,
  streaming the file.
- :mod:`specguard.fuzz.report` writes any of these as text, JSON, Markdown or JUnit, one
  function per report and format (the CLI's one report registry picks them).

Imports: this package uses ``specguard.load``, ``specguard.model`` and ``specguard.errors``
only; the diff arrives as a value, computed by the caller.
"""

from __future__ import annotations

from specguard.fuzz._asgi import contain_errors, load_app
from specguard.fuzz._engine import (
    VERIFY_CHECKS,
    FuzzOptions,
    ServiceUnreachable,
    Target,
    probe,
    run_fuzz,
)
from specguard.fuzz._model import (
    ALL_PHASES,
    UNDOCUMENTED_CHANGE,
    CheckFailure,
    EngineProblem,
    FailureKind,
    FuzzReport,
    JoinedFinding,
    Observation,
    OperationTraffic,
    Phase,
    StopReason,
    TrafficExample,
    TrafficReport,
    VerifiedFailure,
    VerifyReport,
)
from specguard.fuzz._progress import ProgressSink, progress_for
from specguard.fuzz._redact import REDACTED, Redactor
from specguard.fuzz._traffic import check_traffic
from specguard.fuzz._verify import run_verify

__all__ = [
    "ALL_PHASES",
    "REDACTED",
    "UNDOCUMENTED_CHANGE",
    "VERIFY_CHECKS",
    "CheckFailure",
    "EngineProblem",
    "FailureKind",
    "FuzzOptions",
    "FuzzReport",
    "JoinedFinding",
    "Observation",
    "OperationTraffic",
    "Phase",
    "ProgressSink",
    "Redactor",
    "ServiceUnreachable",
    "StopReason",
    "Target",
    "TrafficExample",
    "TrafficReport",
    "VerifiedFailure",
    "VerifyReport",
    "check_traffic",
    "contain_errors",
    "load_app",
    "probe",
    "progress_for",
    "run_fuzz",
    "run_verify",
]
