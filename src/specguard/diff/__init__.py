"""Diff stage: a neutral list of changes between two loaded specs.

``compare(old, new)`` walks both documents semantically (paths by shape, parameters by
``in`` + name, schemas through ``$ref`` without expanding) and returns a :class:`DiffTree`:
every :class:`~specguard.model.Change` with the operations it affects, plus the top-level
schema pairs for the semantic judge. It never decides whether a change breaks anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from specguard.diff._differ import (
    ChangeKey,
    Differ,
    Entry,
    SchemaRoot,
    declared_properties,
    path_shape,
)
from specguard.diff._keywords import OBJECT_TABLES, SCHEMA_KEYWORDS, Handling
from specguard.diff._walk import Node
from specguard.load import Spec

__all__ = [
    "OBJECT_TABLES",
    "SCHEMA_KEYWORDS",
    "ChangeKey",
    "DiffTree",
    "Entry",
    "Handling",
    "Node",
    "SchemaRoot",
    "compare",
    "declared_properties",
    "path_shape",
]


@dataclass(frozen=True, slots=True)
class DiffTree:
    """What changed: entries (change + affected operations) and the schema roots compared."""

    old: Spec
    new: Spec
    entries: tuple[Entry, ...]
    roots: tuple[SchemaRoot, ...]
    by_key: Mapping[ChangeKey, Entry]
    expand: Callable[[Iterable[ChangeKey]], set[ChangeKey]]


def compare(old: Spec, new: Spec) -> DiffTree:
    """Compare two specs and return every change, each once, with its operations."""
    differ = Differ(old, new)
    differ.run()
    return DiffTree(
        old, new, tuple(differ.entries.values()), tuple(differ.roots), differ.entries,
        differ.expand,
    )
