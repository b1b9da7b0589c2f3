"""Acknowledged breaks: ``specguard-ack.yaml`` lists findings a team decided to ship.

::

    acks:
      - fingerprint: request-parameter-required-added:0123456789abcdef
        reason: clients were migrated in PR 123
        approved-by: alice
        expires: 2026-03-01

An entry matches a finding by fingerprint (rule id, direction, service, operations, file
relative to the spec root, pointer and the names the message gives, see
``Finding.with_fingerprint``), so it survives line moves, unrelated edits and new values of the
same change. Expired entries no longer acknowledge anything.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from specguard.errors import ConfigError, LoadError
from specguard.load import SourceFile, parse_bytes

FINGERPRINT = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*:[0-9a-f]{16}$")
_FIELDS = ("fingerprint", "reason", "approved-by", "expires")
_HEADER = (
    "# Findings acknowledged as intended (specguard ack FINGERPRINT --reason ...).\n"
    "# Expired entries fail the gate; entries that match nothing are reported.\n"
)


@dataclass(frozen=True, slots=True)
class Ack:
    """One acknowledgement and the line it is written on."""

    fingerprint: str
    reason: str
    approved_by: str
    expires: dt.date
    line: int | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires < today

    def describe(self) -> str:
        return f"{self.reason} (approved by {self.approved_by}, until {self.expires.isoformat()})"


def _date(value: Any, file: str, line: int | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(
            f"expires must be a date (YYYY-MM-DD), not {value!r}", file=file, line=line
        ) from None


def parse_acks(raw: bytes, file: str) -> tuple[Ack, ...]:
    """Parse an acknowledgement file; every entry needs all four fields."""
    lines_text = raw.decode("utf-8", errors="replace").splitlines()
    if all(not line.strip() or line.lstrip().startswith("#") for line in lines_text):
        return ()  # a new file, or one whose every entry was removed
    try:
        data, text, lines = parse_bytes(raw, file)
    except LoadError as exc:
        raise ConfigError(exc.message, file=file, line=exc.line, hint=exc.hint) from None
    source = SourceFile(name=file, key=file, data=data, text=text, yaml_lines=lines)
    if data is None:
        return ()
    if not isinstance(data, dict) or set(data) - {"acks"}:
        raise ConfigError("expected a mapping with one key, 'acks'", file=file, line=1)
    entries = data.get("acks") or []
    if not isinstance(entries, list):
        raise ConfigError("'acks' must be a list", file=file, line=source.line("/acks"))
    acks: list[Ack] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        line = source.line(f"/acks/{index}")
        if not isinstance(entry, dict):
            raise ConfigError("each ack must be a mapping", file=file, line=line)
        missing = [name for name in _FIELDS if entry.get(name) in (None, "")]
        unknown = sorted(set(entry) - set(_FIELDS))
        if missing or unknown:
            problem = f"missing {', '.join(missing)}" if missing else f"unknown {unknown[0]!r}"
            raise ConfigError(
                f"ack {index + 1}: {problem}",
                file=file,
                line=line,
                hint="each ack has fingerprint, reason, approved-by and expires",
            )
        fingerprint = str(entry["fingerprint"])
        if not FINGERPRINT.match(fingerprint):
            raise ConfigError(
                f"ack {index + 1}: {fingerprint!r} is not a finding fingerprint",
                file=file,
                line=line,
                hint="copy it from a report: rule-id:16 hex digits",
            )
        if fingerprint in seen:
            raise ConfigError(f"{fingerprint} is acknowledged twice", file=file, line=line)
        seen.add(fingerprint)
        acks.append(
            Ack(
                fingerprint=fingerprint,
                reason=str(entry["reason"]),
                approved_by=str(entry["approved-by"]),
                expires=_date(entry["expires"], file, line),
                line=line,
            )
        )
    return tuple(acks)


def load_acks(path: Path, name: str) -> tuple[Ack, ...]:
    """The acknowledgements in ``path`` (none when the file does not exist)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=name) from None
    return parse_acks(raw, name)


def _entry_yaml(ack: Ack) -> str:
    entry = {
        "fingerprint": ack.fingerprint,
        "reason": ack.reason,
        "approved-by": ack.approved_by,
        "expires": ack.expires,
    }
    text = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=100)
    return "".join("  " + line + "\n" for line in text.splitlines())


def append_ack(path: Path, name: str, ack: Ack) -> None:
    """Add ``ack`` to the file, keeping what is there (comments included) when possible."""
    if not FINGERPRINT.match(ack.fingerprint):
        raise ConfigError(
            f"{ack.fingerprint!r} is not a finding fingerprint",
            hint="copy it from a report: rule-id:16 hex digits",
        )
    existing = load_acks(path, name)
    if any(a.fingerprint == ack.fingerprint for a in existing):
        raise ConfigError(f"{ack.fingerprint} is already acknowledged", file=name)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    wanted = [(a.fingerprint, a.reason, a.approved_by, a.expires) for a in (*existing, ack)]
    if existing:
        # Appending text keeps comments; re-parse to make sure it landed inside 'acks'.
        candidate = text.rstrip("\n") + "\n" + _entry_yaml(ack)
    else:
        candidate = (text if text.strip() else _HEADER).rstrip("\n") + "\n"
        candidate = candidate.replace("acks: []\n", "") if "acks: []" in candidate else candidate
        candidate += "acks:\n" + _entry_yaml(ack)
    try:
        parsed = parse_acks(candidate.encode(), name)
        landed = [(a.fingerprint, a.reason, a.approved_by, a.expires) for a in parsed]
    except ConfigError:
        landed = []
    if landed != wanted:
        body = [
            {"fingerprint": f, "reason": r, "approved-by": b, "expires": e} for f, r, b, e in wanted
        ]
        candidate = _HEADER + yaml.safe_dump(
            {"acks": body}, sort_keys=False, allow_unicode=True, width=100
        )
    path.write_text(candidate, encoding="utf-8")
