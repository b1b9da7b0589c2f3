"""Report scenarios built by the real pipeline (load → diff → rules → gate), deterministically.

Each scenario is a :class:`DiffReport` whose file names, revisions and dates are fixed, so
every format renders byte-identical output run after run. The semantic judge is off: its
evolving findings belong to its own tests, not to the golden files of the formats.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from specguard import diff_specs, load_spec
from specguard.gate import CheckOptions, GateConfig, run_check, with_sources
from specguard.model import DiffReport
from tests.gate.support import AFTER_SUNSET, ORDERS_V1, ORDERS_V2, shop_repo

DATA = Path(__file__).resolve().parent / "data"
TODAY = dt.date.fromisoformat(AFTER_SUNSET)


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    """Run with ``folder`` as the working directory (spec names are relative to it)."""
    previous = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)


def _pair(folder: Path, old: str, new: str) -> DiffReport:
    with inside(folder):
        old_spec, new_spec = load_spec(old), load_spec(new)
        report = diff_specs(old_spec, new_spec, today=TODAY, semantic=False)
        return with_sources(report, old_spec, new_spec)


def plain(tmp: Path) -> DiffReport:
    """`specguard diff` of one contract: a break, a sunset removal, a deprecation."""
    (tmp / "v1").mkdir()
    (tmp / "v2").mkdir()
    (tmp / "v1" / "orders.yaml").write_text(ORDERS_V1)
    (tmp / "v2" / "orders.yaml").write_text(ORDERS_V2)
    return _pair(tmp, "v1/orders.yaml", "v2/orders.yaml")


def hostile(tmp: Path) -> DiffReport:
    """Spec text full of HTML, Markdown, link and terminal-escape syntax."""
    shutil.copy(DATA / "hostile-v1.yaml", tmp / "hostile-v1.yaml")
    shutil.copy(DATA / "hostile-v2.yaml", tmp / "hostile-v2.yaml")
    return _pair(tmp, "hostile-v1.yaml", "hostile-v2.yaml")


def unchanged(tmp: Path) -> DiffReport:
    """Nothing changed: every format still says so."""
    (tmp / "orders.yaml").write_text(ORDERS_V1)
    return _pair(tmp, "orders.yaml", "orders.yaml")


def gate(tmp: Path) -> DiffReport:
    """`specguard check` of three services with consumers, the version rule and acks."""
    repo = shop_repo(tmp / "shop")
    with inside(repo.path):
        first = run_check(repo.path, GateConfig(), _options())
    by_rule = {f.rule_id: f.fingerprint for f in first.findings}
    repo.write(
        "specguard-ack.yaml",
        "\n".join(
            [
                "acks:",
                f"  - fingerprint: {by_rule['request-max-length-tightened']}",
                "    reason: orders never sends long SKUs",
                "    approved-by: alice",
                "    expires: 2026-01-01",
                f"  - fingerprint: {by_rule['version-not-bumped']}",
                "    reason: released as 1.1 by mistake",
                "    approved-by: bob",
                "    expires: 2025-06-01",
                "  - fingerprint: operation-removed:0123456789abcdef",
                "    reason: an old decision",
                "    approved-by: carol",
                "    expires: 2026-01-01",
                "",
            ]
        ),
    )
    with inside(repo.path):
        return run_check(repo.path, GateConfig(), _options())


def _options() -> CheckOptions:
    return CheckOptions(base="HEAD~1", today=TODAY, semantic=False, jobs=1)


SCENARIOS: dict[str, Callable[[Path], DiffReport]] = {
    "plain": plain,
    "hostile": hostile,
    "unchanged": unchanged,
    "gate": gate,
}
