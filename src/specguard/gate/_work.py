"""Per-service work, run in a process pool: load both sides of one contract and diff them.

Everything crossing the process boundary is a frozen, picklable value. A worker answers
with the report plus the facts the policy needs later (versions, operationIds, operations
marked ``x-internal``), so the parent never loads a spec itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from specguard.api import diff_specs
from specguard.errors import SpecguardError
from specguard.gate._sources import with_sources
from specguard.load import Spec, load_spec, validation_problem
from specguard.model import DiffReport, Finding, Level, LifecyclePolicy, Location, Operation
from specguard.rules import contract_findings
from specguard.vocabulary import HTTP_METHODS

# A $ref value in YAML or JSON text: `$ref: x`, `"$ref": "x"`, `'$ref': 'x'`.
_REF = re.compile(r"""["']?\$ref["']?\s*:\s*["']?([^"'\s,}\]]*)""")


@dataclass(frozen=True, slots=True)
class Job:
    """Compare one service: ``old``/``new`` are load locations (``REV:path`` or a path)."""

    service: str
    repo: str
    old: str | None
    new: str | None
    today: dt.date
    levels: tuple[tuple[str, Level], ...] = ()
    semantic: bool = True
    validate: bool = True
    lifecycle: LifecyclePolicy = field(default_factory=LifecyclePolicy)


@dataclass(frozen=True, slots=True)
class Side:
    """What the policy needs to know about one side's spec."""

    file: str
    version: str | None
    version_line: int | None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The diff of one service (None when it exists on one side only) and its facts."""

    service: str
    old: Side | None
    new: Side | None
    report: DiffReport | None
    operation_ids: tuple[tuple[Operation, str], ...] = ()
    internal: tuple[Operation, ...] = ()
    # a service on one side only has no report: its contract-invalid finding, if any
    problems: tuple[Finding, ...] = ()

    def operation_id(self, operation: Operation) -> str | None:
        for op, op_id in self.operation_ids:
            if op == operation:
                return op_id
        return None


def _side(spec: Spec) -> Side:
    info = spec.data.get("info")
    version = info.get("version") if isinstance(info, dict) else None
    return Side(
        file=spec.root.name,
        version=str(version) if version is not None else None,
        version_line=spec.root.line("/info/version"),
    )


def _operation_node(spec: Spec, operation: Operation) -> tuple[Any, Any]:
    """(path item, operation) of ``operation`` in ``spec``, following a path item $ref."""
    paths = spec.data.get("paths")
    item = paths.get(operation.path) if isinstance(paths, dict) else None
    if isinstance(item, dict) and "$ref" in item:
        try:
            _, _, item = spec.follow(item, spec.root, "")
        except SpecguardError:
            return None, None
    if not isinstance(item, dict):
        return None, None
    return item, item.get(operation.method)


def _facts(
    specs: tuple[Spec, ...], operations: set[Operation]
) -> tuple[tuple[tuple[Operation, str], ...], tuple[Operation, ...]]:
    if specs[0].is_asyncapi:  # an event contract: each operation's channel id
        from specguard.gate._events import event_facts

        return event_facts(specs[0]), ()
    ids: dict[Operation, str] = {}
    internal: set[Operation] = set()
    for op in operations:
        for spec in specs:
            item, node = _operation_node(spec, op)
            if isinstance(item, dict) and item.get("x-internal") is True:
                internal.add(op)
            if isinstance(node, dict):
                if node.get("x-internal") is True:
                    internal.add(op)
                if op not in ids and isinstance(node.get("operationId"), str):
                    ids[op] = node["operationId"]
    return tuple(sorted(ids.items())), tuple(sorted(internal))


def every_operation(spec: Spec) -> set[Operation]:
    paths = spec.data.get("paths")
    if not isinstance(paths, dict):
        return set()
    found: set[Operation] = set()
    for path, item in paths.items():
        if isinstance(item, dict):
            found.update(Operation(m, path) for m in HTTP_METHODS if isinstance(item.get(m), dict))
    return found


def _load(location: str, validate: bool) -> Spec:
    # Refs may point anywhere inside the repository, never outside it.
    return load_spec(location, root=".", validate=validate)


def self_contained(spec: Spec) -> bool:
    """True when the root file has no ``$ref`` to another file.

    Judged on the parsed document, not the text: a pull request may spell the key with an
    escape (``"\u0024ref"`` in JSON, ``"\x24ref"`` in YAML) that a text search misses. A
    ``$ref`` key inside example data also counts, so a false "no" only costs a diff.
    """
    if not all(value.startswith("#") for value in _REF.findall(spec.root.text)):
        return False  # the common case, without walking the document
    stack: list[Any] = [spec.root.data]
    seen: set[int] = set()  # YAML aliases share nodes: visit each once (alias bombs)
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                continue
            seen.add(id(node))
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
                return False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def _compare(job: Job) -> Outcome:
    # An invalid contract is a finding (contract-invalid at the head, base-contract-invalid
    # at the base) and the diff goes on; event contracts are still refused when invalid.
    old = _load(job.old, False) if job.old is not None else None
    new = _load(job.new, False) if job.new is not None else None
    if new is not None and new.is_asyncapi and job.validate:
        new = _load(job.new or "", True)
    if old is None or new is None:
        present = old or new
        assert present is not None
        problems: tuple[Finding, ...] = ()
        if new is not None and job.validate and not new.is_asyncapi:
            problems = contract_findings(None, (new, validation_problem(new)), dict(job.levels))
        ids, internal = _facts((present,), every_operation(present))
        return Outcome(
            job.service,
            _side(old) if old is not None else None,
            _side(new) if new is not None else None,
            None,
            ids,
            internal,
            problems,
        )
    if old.root.text == new.root.text and self_contained(new):
        # Unchanged and nothing it refers to can have changed: diff(a, a) is empty. In a
        # repository of many services, most of a pull request's services take this path.
        return Outcome(
            job.service, _side(old), _side(new), DiffReport(old.root.name, new.root.name, ())
        )
    report = diff_specs(old, new, today=job.today, levels=dict(job.levels), semantic=job.semantic,
                        lifecycle=job.lifecycle, validate=job.validate)
    # the gate's own findings come later and point at info.version: keep those lines too
    report = _trimmed(with_sources(report, old, new), also=[
        Location(spec.root.name, "/info/version", spec.root.line("/info/version"))
        for spec in (old, new)
    ])
    operations = {op for f in report.findings for op in f.operations}
    ids, internal = _facts((new, old), operations)
    return Outcome(job.service, _side(old), _side(new), report, ids, internal)


# Lines kept around each finding's line in a report's source text: reports quote at most a
# few lines of context (HTML snippets); the rest of a file is blanked, its line breaks kept.
KEPT_AROUND = 10


def _trimmed(report: DiffReport, also: Iterable[Location] = ()) -> DiffReport:
    """The report with its source texts reduced to the lines near findings.

    The gate holds every service's report until all are done: whole texts of 200 changed
    1 MB contracts would be 400 MB. Line numbers stay as they were (every line break is kept,
    whatever ``str.splitlines`` counts as one), so snippets and links are unchanged.
    """
    wanted: dict[str, set[int]] = {}
    places = [loc for f in report.findings for loc in (f.old, f.new, f.anchor)]
    for location in [*places, *also]:
        if location is not None and location.line is not None:
            wanted.setdefault(location.file, set()).update(
                range(location.line - KEPT_AROUND, location.line + KEPT_AROUND + 1)
            )
    sources = []
    for source in report.sources:
        keep = wanted.get(source.file, set())
        lines = source.text.splitlines(keepends=True)
        text = "".join(
            line if number in keep else line[len(line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e"
                                                              "\x85\u2028\u2029")):]
            for number, line in enumerate(lines, start=1)
        )
        sources.append(dataclasses.replace(source, text=text))
    return dataclasses.replace(report, sources=tuple(sources))


def run_job(job: Job) -> Outcome:
    """Diff one service with paths relative to the repository root (restores the cwd)."""
    previous = os.getcwd()
    os.chdir(job.repo)
    try:
        return _compare(job)
    finally:
        os.chdir(previous)
