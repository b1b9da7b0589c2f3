"""Fingerprints identify a finding across line moves and unrelated edits (acks rely on it)."""

from __future__ import annotations

from pathlib import Path

from specguard import diff_specs, load_spec

BASE = """\
openapi: 3.1.0
info: {{title: t, version: "1.0"}}
paths:
  /items:
    get:
      parameters:{extra}
        - {{name: limit, in: query, schema: {{type: integer, maximum: {maximum}}}}}
      responses:
        "200": {{description: ok}}
"""
EXTRA = "\n        - {name: page, in: query, schema: {type: integer}}"


def _fingerprints(tmp: Path, old: str, new: str) -> dict[str, str]:
    (tmp / "old.yaml").write_text(old)
    (tmp / "new.yaml").write_text(new)
    report = diff_specs(load_spec(str(tmp / "old.yaml")), load_spec(str(tmp / "new.yaml")))
    return {f.rule_id: f.fingerprint for f in report.findings}


def test_fingerprint_survives_a_parameter_inserted_before(tmp_path: Path) -> None:
    """Tightening `limit` has the same fingerprint whether or not a parameter precedes it."""
    plain = _fingerprints(tmp_path, BASE.format(extra="", maximum=100),
                          BASE.format(extra="", maximum=10))
    shifted = _fingerprints(tmp_path, BASE.format(extra=EXTRA, maximum=100),
                            BASE.format(extra=EXTRA, maximum=10))
    rule = "request-maximum-tightened"
    assert plain[rule] == shifted[rule]


def test_fingerprint_survives_line_moves(tmp_path: Path) -> None:
    """Blank lines and comments above a change do not change its fingerprint."""
    first = _fingerprints(tmp_path, BASE.format(extra="", maximum=100),
                          BASE.format(extra="", maximum=10))
    moved = _fingerprints(tmp_path, "# moved\n\n" + BASE.format(extra="", maximum=100),
                          "# moved\n\n\n" + BASE.format(extra="", maximum=10))
    assert first == moved


def test_different_changes_have_different_fingerprints(tmp_path: Path) -> None:
    """Two findings of one diff never share a fingerprint."""
    old = BASE.format(extra="", maximum=100)
    new = BASE.format(extra=EXTRA.replace("page, in: query,", "page, in: query, required: true,"),
                      maximum=10)
    prints = _fingerprints(tmp_path, old, new)
    assert len(prints) >= 2 and len(set(prints.values())) == len(prints)
