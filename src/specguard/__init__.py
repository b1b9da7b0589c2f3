"""specguard: semantic diff, CI gate and run-time proof for OpenAPI contracts.

Stages, data flowing one way: ``load`` → ``diff`` → ``rules`` → ``report``; ``gate``
(git, many services, acknowledgements), ``fuzz`` (schemathesis) and ``cli`` sit on top.
"""

from __future__ import annotations

from specguard.api import diff_specs
from specguard.errors import SpecguardError
from specguard.load import Spec, load_spec
from specguard.model import (
    Change,
    ChangeKind,
    DiffReport,
    Direction,
    Finding,
    Level,
    Location,
    Operation,
    Witness,
)

__all__ = [
    "Change",
    "ChangeKind",
    "DiffReport",
    "Direction",
    "Finding",
    "Level",
    "Location",
    "Operation",
    "Spec",
    "SpecguardError",
    "Witness",
    "diff_specs",
    "load_spec",
]
