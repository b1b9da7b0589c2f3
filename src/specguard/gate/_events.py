"""Event contracts in the gate: the AsyncAPI documents the inventory names, compared like
services (one job per document, named by its path), and who a break of a channel affects.

A change to what a ``send`` operation emits affects the services that receive that channel;
a change to what a ``receive`` operation accepts affects the services that send on it. The
inventory says which services send and receive which channel ids of which document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from specguard.errors import ConfigError, SpecguardError
from specguard.inventory import Inventory
from specguard.load import Spec
from specguard.load._asyncapi import Action, event_document
from specguard.model import Finding, Level, Operation

if TYPE_CHECKING:
    from specguard.gate._run import CheckOptions
    from specguard.gate._work import Job

__all__ = ["event_documents", "event_facts", "event_impact", "event_jobs", "is_event_document"]


def _normal(path: str) -> str:
    return posixpath.normpath(path)


def event_documents(inventory: Inventory | None) -> tuple[str, ...]:
    """The distinct AsyncAPI documents the inventory names, in first-listed order."""
    if inventory is None:
        return ()
    seen: dict[str, None] = {}
    for service in inventory.services:
        if service.asyncapi is not None:
            seen.setdefault(_normal(service.asyncapi), None)
    return tuple(seen)


def is_event_document(name: str, inventory: Inventory) -> bool:
    """Whether a gate job named ``name`` compared one of the inventory's AsyncAPI documents."""
    return name in event_documents(inventory)


def event_facts(spec: Spec) -> tuple[tuple[Operation, str], ...]:
    """(operation as reports name it, channel id) of every operation of an AsyncAPI document."""
    from specguard.diff._asyncapi import event_operation

    try:
        document = event_document(spec)
    except SpecguardError:  # an unreadable side was reported by the diff already
        return ()
    facts = {
        event_operation(op, document.channel(op.channel)): op.channel
        for op in document.operations
    }
    return tuple(sorted(facts.items()))


def event_impact(finding: Finding, channels: dict[Operation, str], document: str,
                 inventory: Inventory) -> Finding:
    """List the services on the other side of each channel the finding touches.

    A finding without operations (a channel removed) affects every service that names the
    document.
    """
    affected: set[str] = set()
    for operation in finding.operations:
        channel = channels.get(operation)
        if channel is None:
            continue
        others = (inventory.receivers(document, channel) if operation.method == Action.SEND.value
                  else inventory.senders(document, channel))
        affected.update(service.name for service in others)
    if not finding.operations:
        affected.update(
            s.name for s in inventory.services
            if s.asyncapi is not None and _normal(s.asyncapi) == document
        )
    if not affected:
        return finding
    return dataclasses.replace(finding, consumers=tuple(sorted(affected)))


def event_jobs(
    repo: Path,
    head: Inventory,
    base: Inventory | None,
    options: CheckOptions,
    today: dt.date,
    levels: tuple[tuple[str, Level], ...],
) -> list[Job]:
    """One job per AsyncAPI document: compared at the base and at the head like a service."""
    from specguard.gate import _git
    from specguard.gate._config import inside
    from specguard.gate._work import Job

    head_docs = event_documents(head)
    base_docs = event_documents(base) if base is not None else head_docs
    at_base = _git.existing(repo, options.base, [*head_docs, *base_docs])
    at_head = _git.existing(repo, options.head, head_docs) if options.head is not None else set()

    def job(name: str, old: str | None, new: str | None) -> Job:
        return Job(name, str(repo), old, new, today, levels, options.semantic, options.validate)

    jobs = []
    for doc in head_docs:
        if options.head is None:
            if not inside(repo, doc).is_file():
                raise ConfigError("AsyncAPI document named in the inventory not found", file=doc)
            new = doc
        elif doc in at_head:
            new = f"{options.head}:{doc}"
        else:
            raise ConfigError("AsyncAPI document named in the inventory not found",
                              file=f"{options.head}:{doc}")
        jobs.append(job(doc, f"{options.base}:{doc}" if doc in at_base else None, new))
    for doc in base_docs:
        if doc not in head_docs and doc in at_base:
            jobs.append(job(doc, f"{options.base}:{doc}", None))
    return jobs
