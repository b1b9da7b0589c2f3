"""SQLite helpers: each service owns one database file and nothing else touches it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


def open_database(path: Path, schema: str) -> sqlite3.Connection:
    """Open (and create) a service database in autocommit mode with the given schema.

    Queries run on the event loop thread: they take well under a millisecond on a local
    file, and keeping them there means a transaction never interleaves with another
    request of the same process. ``BEGIN IMMEDIATE`` keeps them atomic across processes too.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=5000")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.executescript(schema)
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the database lock up front, so checks and writes agree."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def is_healthy(connection: sqlite3.Connection | None) -> bool:
    """Whether the database answers a trivial query."""
    if connection is None:
        return False
    try:
        connection.execute("SELECT 1").fetchone()
    except sqlite3.Error:
        return False
    return True


def utc_now() -> str:
    """The current time as an RFC 3339 string in UTC."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
