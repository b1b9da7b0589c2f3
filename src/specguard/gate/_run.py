"""``specguard check``: every service's contract at a base revision against the head.

Services come from the inventory (or the config) on each side: listed in both is a diff,
only at the head is an added service, only at the base a removed one. The diffs run in a
process pool whose workers are forked from the already loaded process, so a repository with
many services pays the imports once, not once per service or even per worker.
"""

from __future__ import annotations

import datetime as dt
import importlib
import multiprocessing
import os
import posixpath
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from specguard.errors import ConfigError
from specguard.gate import _git
from specguard.gate._acks import load_acks
from specguard.gate._config import GateConfig, inside
from specguard.gate._events import event_jobs
from specguard.gate._policy import apply_acks, service_findings
from specguard.gate._work import Job, Outcome, run_job
from specguard.inventory import Inventory, parse_inventory
from specguard.inventory import ServiceEntry as InventoryService
from specguard.model import DiffReport, Finding, ServiceInfo, SourceText

WORKTREE = "worktree"
# Imported before forking, so no worker pays for them. openapi-spec-validator is not among
# them: it only explains an invalid document (the compiled check in _fast decides).
_PRELOAD = (
    "specguard.gate._work",
    "specguard.rules",
    "specguard.semantics",
    "specguard.load._fast",
    "jsonschema_rs",
)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What to compare and how: ``head`` None means the working tree."""

    base: str
    head: str | None = None
    today: dt.date | None = None
    semantic: bool = True
    validate: bool = True
    jobs: int | None = None
    acks: bool = True


def _normal(path: str) -> str:
    """A path relative to the repository root; paths leaving the repository are refused,
    since the inventory and config come with the pull request under review."""
    normal = posixpath.normpath(path.replace("\\", "/"))
    if normal.startswith("/") or normal == ".." or normal.startswith("../"):
        raise ConfigError(
            f"path {path!r} is outside the repository",
            hint="inventory, spec and ack paths are relative to the repository root",
        )
    return normal


def _inventory_at(
    repo: Path, rev: str | None, config: GateConfig, required: bool
) -> Inventory | None:
    """The services listed at ``rev`` (None: the working tree)."""
    if config.services is not None:
        return Inventory(config.services)
    path = _normal(config.inventory)
    if rev is None:
        file = inside(repo, path)
        if not file.is_file():
            raise ConfigError(
                "service inventory not found",
                file=path,
                hint="create it, set 'inventory' in the config, or list 'services' there",
            )
        return parse_inventory(file.read_bytes(), path, require_spec=True)
    if path not in _git.existing(repo, rev, [path]):
        if required:
            raise ConfigError("service inventory not found", file=f"{rev}:{path}")
        return None
    return parse_inventory(_git.read(repo, rev, path), f"{rev}:{path}", require_spec=True)


def _contract(service: InventoryService) -> str:
    """The normalised path of a service's OpenAPI contract (the gate's inventory requires one)."""
    if service.spec is None:
        raise ConfigError(f"service {service.name!r} has no 'spec' path")
    return _normal(service.spec)


def _jobs(
    repo: Path,
    head: Inventory,
    base: Inventory | None,
    options: CheckOptions,
    config: GateConfig,
    today: dt.date,
) -> list[Job]:
    base_services = {s.name: s for s in (base.services if base is not None else head.services)}
    head_names = {s.name for s in head.services}
    removed = [s for s in base_services.values() if s.name not in head_names]
    # A service's old contract is where the base inventory put it (it may have moved).
    old_paths = {s.name: _contract(base_services.get(s.name, s)) for s in head.services}
    old_paths.update({s.name: _contract(s) for s in removed})
    at_base = _git.existing(repo, options.base, old_paths.values())
    at_head: set[str] = set()
    if options.head is not None:
        at_head = _git.existing(repo, options.head, [_contract(s) for s in head.services])
    levels = tuple(sorted(config.overrides().items()))

    def new_location(service: InventoryService) -> str:
        path = _contract(service)
        if options.head is None:
            if not inside(repo, path).is_file():
                raise ConfigError(f"spec of service {service.name!r} not found", file=path)
            return path
        if path not in at_head:
            raise ConfigError(
                f"spec of service {service.name!r} not found", file=f"{options.head}:{path}"
            )
        return f"{options.head}:{path}"

    jobs = []
    for service in head.services:
        old_path = old_paths[service.name]
        old = f"{options.base}:{old_path}" if old_path in at_base else None
        jobs.append(
            Job(
                service.name,
                str(repo),
                old,
                new_location(service),
                today,
                levels,
                options.semantic,
                options.validate,
                config.lifecycle,
            )
        )
    for service in removed:
        path = old_paths[service.name]
        if path in at_base:
            jobs.append(
                Job(
                    service.name,
                    str(repo),
                    f"{options.base}:{path}",
                    None,
                    today,
                    levels,
                    options.semantic,
                    options.validate,
                    config.lifecycle,
                )
            )
    jobs += event_jobs(repo, head, base, options, today, levels)
    return jobs


def _context() -> multiprocessing.context.BaseContext:
    """Fork on Linux: workers inherit the loaded pipeline and start in milliseconds.

    The CLI runs no threads, which is what makes fork safe here. Elsewhere a fork server
    (or spawn) re-imports the pipeline once per server or worker instead.
    """
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:  # pragma: no cover - an optional part is missing
            continue
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:  # pragma: no cover - macOS
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(_PRELOAD))
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


def run_jobs(jobs: Sequence[Job], workers: int | None = None) -> list[Outcome]:
    """Run every job, in a process pool when there is more than one; results in job order."""
    count = min(len(jobs), workers or os.cpu_count() or 1)
    if count <= 1:
        return [run_job(job) for job in jobs]
    chunk = max(1, len(jobs) // (count * 4))
    with ProcessPoolExecutor(max_workers=count, mp_context=_context()) as pool:
        return list(pool.map(run_job, jobs, chunksize=chunk))


def run_check(repo: Path, config: GateConfig, options: CheckOptions) -> DiffReport:
    """Compare every service and apply the gate policy; the report is ready to render."""
    root = _git.toplevel(repo)
    today = options.today or dt.date.today()
    _git.resolve(root, options.base)
    if options.head is not None:
        _git.resolve(root, options.head)
    head = _inventory_at(root, options.head, config, required=True)
    assert head is not None
    base = _inventory_at(root, options.base, config, required=False)
    outcomes = run_jobs(_jobs(root, head, base, options, config, today), options.jobs)

    findings: list[Finding] = []
    services: list[ServiceInfo] = []
    sources: list[SourceText] = []
    for outcome in outcomes:
        former = [s.name for s in base.callers(outcome.service)] if base is not None else []
        findings.extend(service_findings(outcome, head, config, former))
        services.append(
            ServiceInfo(
                name=outcome.service,
                old_spec=outcome.old.file if outcome.old else None,
                new_spec=outcome.new.file if outcome.new else None,
                old_version=outcome.old.version if outcome.old else None,
                new_version=outcome.new.version if outcome.new else None,
            )
        )
        if outcome.report is not None:
            sources.extend(outcome.report.sources)
    if options.acks:
        ack_name = _normal(config.acks)
        acks = load_acks(inside(root, ack_name), ack_name)
        findings = apply_acks(findings, acks, today, ack_name, config)
        if acks:
            text = (root / ack_name).read_text(encoding="utf-8")
            sources.append(SourceText(ack_name, text, ack_name, None))
    return DiffReport(
        old_source=options.base,
        new_source=options.head or WORKTREE,
        findings=tuple(findings),
        sources=tuple(sources),
        services=tuple(services),
    )
