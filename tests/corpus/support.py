"""Findings of the corpus pairs as small, stable records; snapshot and label files.

A finding's KEY is ``(id, level, old, new, message)``: ``old``/``new`` are
``<file relative to the corpus folder>#<JSON pointer>`` or ``None``. Keys, not positions or
lines, tie a snapshot entry to its label, so a label survives unrelated edits of a spec.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from specguard import DiffReport, Finding, Level, diff_specs, load_spec
from specguard.model import Location

HERE = Path(__file__).resolve().parent
# tests/corpus/support.py -> parents[3] is the folder holding the clone and ../shared.
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SNAPSHOTS = HERE / "snapshots"
LABELS = HERE / "labels"
GROUND_TRUTH = HERE / "ground_truth.yaml"
REFRESH_COMMAND = "python -m tests.corpus.refresh"

# Fixed so that sunset policies (x-sunset dates) judge the same on every day the tests run.
TODAY = dt.date(2026, 12, 1)
REPORTED = (Level.BREAKING, Level.WARNING)
LABEL_VALUES = ("real", "false", "arguable")
MAX_OPERATIONS = 5
MAX_WITNESS = 300
CORPUS_MARK = "/shared/corpus/"

Key = tuple[str, str, "str | None", "str | None", str]


def corpus_available() -> bool:
    """Whether ../shared/corpus (with its manifest) sits beside the clone."""
    return (CORPUS / "manifest.json").is_file()


@cache
def manifest_pairs() -> tuple[dict[str, Any], ...]:
    """The pairs of the corpus manifest, in manifest order (empty when the corpus is absent)."""
    if not corpus_available():
        return ()
    data = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
    return tuple(data["pairs"])


def pair_names() -> list[str]:
    return [pair["name"] for pair in manifest_pairs()]


def pair_entry(name: str) -> dict[str, Any]:
    for pair in manifest_pairs():
        if pair["name"] == name:
            return pair
    raise KeyError(name)


def relative(location: Location | None) -> str | None:
    """``<file relative to the corpus folder>#<pointer>``, as the label worklists spell it."""
    if location is None:
        return None
    path = Path(location.file).resolve()
    try:
        name = path.relative_to(CORPUS.resolve()).as_posix()
    except ValueError:
        name = location.file
    return f"{name}#{location.pointer}"


def key_of(finding: Finding) -> Key:
    return (finding.rule_id, finding.level.value, relative(finding.old), relative(finding.new),
            finding.message)


def _normal(where: str | None) -> str | None:
    # A worklist made from a copy of the corpus elsewhere spells some files absolutely
    # (/tmp/shared/corpus/digitalocean-old/...): the part after the corpus folder is the name.
    if where is not None and where.startswith("/") and CORPUS_MARK in where:
        return where.rsplit(CORPUS_MARK, 1)[1]
    return where


def entry_key(entry: Mapping[str, Any]) -> Key:
    """The key of a snapshot or label entry (unknown fields are ignored)."""
    return (entry["id"], entry["level"], _normal(entry.get("old")), _normal(entry.get("new")),
            entry["message"])


def show_key(key: Key) -> str:
    rule, level, old, new, message = key
    return f"{level} {rule}: {message} [old {old}] [new {new}]"


@dataclass(frozen=True)
class PairResult:
    """One pair's report and its breaking/warning findings, as records for snapshots."""

    name: str
    report: DiffReport

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Breaking and warning findings (safe ones are neither snapshotted nor labelled)."""
        return tuple(f for f in self.report.findings if f.level in REPORTED)

    def records(self) -> list[dict[str, Any]]:
        return sorted((record(f) for f in self.findings), key=_record_order)


def record(finding: Finding) -> dict[str, Any]:
    """A snapshot entry: the key fields plus capped operations and a capped compact witness."""
    ops = [str(op) for op in finding.operations]
    witness = None
    if finding.witness is not None:
        witness = json.dumps(finding.witness.instance, separators=(",", ":"), sort_keys=True,
                             ensure_ascii=False)[:MAX_WITNESS]
    rule, level, old, new, message = key_of(finding)
    return {
        "id": rule,
        "level": level,
        "old": old,
        "new": new,
        "message": message,
        "operations": ops[:MAX_OPERATIONS],
        "operation_count": len(ops),
        "witness": witness,
    }


def _record_order(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    rule, level, old, new, message = entry_key(entry)
    # breaking before warning, then by rule and place; the rest keeps duplicates in one order
    return (level != "breaking", rule, old or "", new or "", message,
            entry["operations"], entry["operation_count"], entry["witness"] or "")


_results: dict[str, PairResult] = {}


def compute(name: str) -> PairResult:
    """Diff one manifest pair in-process like ``specguard diff`` (memoised): an invalid side
    is a finding (base-contract-invalid, contract-invalid), as in the default command."""
    if name not in _results:
        pair = pair_entry(name)
        old = load_spec(str(CORPUS / pair["old"]), validate=False)
        new = load_spec(str(CORPUS / pair["new"]), validate=False)
        _results[name] = PairResult(name, diff_specs(old, new, today=TODAY, validate=True))
    return _results[name]


def snapshot_path(name: str) -> Path:
    return SNAPSHOTS / f"{name}.yaml"


def label_path(name: str) -> Path:
    return LABELS / f"{name}.yaml"


def snapshot_document(result: PairResult) -> dict[str, Any]:
    records = result.records()
    levels = Counter(r["level"] for r in records)
    pair = pair_entry(result.name)
    return {
        "pair": result.name,
        "old": pair["old"],
        "new": pair["new"],
        "today": TODAY.isoformat(),
        "counts": {level.value: levels[level.value] for level in REPORTED},
        "findings": records,
    }


def dump_yaml(document: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(document), sort_keys=False, width=120, allow_unicode=True)


def write_snapshot(result: PairResult) -> Path:
    path = snapshot_path(result.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(snapshot_document(result)), encoding="utf-8")
    return path


def read_snapshot(name: str) -> list[dict[str, Any]] | None:
    """The committed snapshot's entries, or ``None`` when the pair has no snapshot yet."""
    path = snapshot_path(name)
    if not path.is_file():
        return None
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(document.get("findings") or [])


def read_labels(name: str) -> list[dict[str, Any]]:
    """The label entries of a pair (none when its file does not exist yet)."""
    path = label_path(name)
    if not path.is_file():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(document.get("findings") or [])


def labels_by_key(entries: Iterable[Mapping[str, Any]]) -> dict[Key, list[Mapping[str, Any]]]:
    table: dict[Key, list[Mapping[str, Any]]] = {}
    for entry in entries:
        table.setdefault(entry_key(entry), []).append(entry)
    return table


def verdict(entries: list[Mapping[str, Any]] | None) -> str | None:
    """The label of a key: ``real``/``false``/``arguable``, or ``None`` when unlabelled.

    Duplicate entries for one key (a finding reported twice) must agree; otherwise the
    strongest claim against specguard wins (false over arguable over real).
    """
    values = {e.get("label") for e in entries or ()} & set(LABEL_VALUES)
    for value in ("false", "arguable", "real"):
        if value in values:
            return value
    return None
