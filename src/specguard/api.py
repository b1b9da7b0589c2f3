"""The library entry point: load two specs and return judged findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from specguard._collector import collector_paused
from specguard.diff import compare
from specguard.load import Spec
from specguard.model import DiffReport, Level
from specguard.rules import classify


def diff_specs(
    old: Spec,
    new: Spec,
    *,
    today: dt.date | None = None,
    levels: Mapping[str, Level] | None = None,
    semantic: bool = True,
) -> DiffReport:
    """Compare two loaded specs and judge every change."""
    with collector_paused():
        tree = compare(old, new)
        findings = classify(tree, today=today, levels=levels, semantic=semantic)
    return DiffReport(old.root.name, new.root.name, findings)
