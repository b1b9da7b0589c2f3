"""Fingerprints identify a finding across line moves and unrelated edits (acks rely on it).

Each finding of a diff has its own fingerprint; the same change keeps its fingerprint when
lines move, parameters are inserted before it, its values are edited again, or the spec is
checked out in another folder.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from specguard import Finding, diff_specs, load_spec
from tests.test_fixtures import run_case

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

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

REQUIRED = """\
openapi: 3.1.0
info: {{title: t, version: "1.0"}}
paths:
  /items:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: {required}
                properties: {{a: {{type: string}}, b: {{type: string}}, c: {{type: string}}}}
"""

ROOT = """\
openapi: 3.1.0
info: {title: t, version: "1.0"}
paths:
  /pair:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties: {a: {$ref: "models/a.yaml"}, b: {$ref: "models/b.yaml"}}
"""
# Two files with the same pointer to the changed node, reached by the same operation.
MODEL = "type: object\nproperties:\n  id: {{type: string, maxLength: {max_length}}}\n"


def _diff(tmp: Path, old: str, new: str) -> tuple[Finding, ...]:
    (tmp / "old.yaml").write_text(old)
    (tmp / "new.yaml").write_text(new)
    report = diff_specs(load_spec(str(tmp / "old.yaml")), load_spec(str(tmp / "new.yaml")))
    return report.findings


def _fingerprints(tmp: Path, old: str, new: str) -> dict[str, str]:
    return {f.rule_id: f.fingerprint for f in _diff(tmp, old, new)}


def _shared(findings: tuple[Finding, ...]) -> list[str]:
    """Findings whose fingerprint another finding of the same diff also has."""
    counts = Counter(f.fingerprint for f in findings)
    return [f"{f.fingerprint} {f.message} at {f.new or f.old}" for f in findings
            if counts[f.fingerprint] > 1]


def _multi_file(folder: Path, max_length: int) -> Path:
    (folder / "models").mkdir(parents=True)
    (folder / "api.yaml").write_text(ROOT)
    for name in ("a", "b"):
        (folder / "models" / f"{name}.yaml").write_text(MODEL.format(max_length=max_length))
    return folder / "api.yaml"


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


def test_fingerprint_survives_a_new_value_of_the_same_change(tmp_path: Path) -> None:
    """A bound tightened to 5 instead of 10 is the same change: the values do not identify it."""
    to_ten = _fingerprints(tmp_path, BASE.format(extra="", maximum=100),
                           BASE.format(extra="", maximum=10))
    to_five = _fingerprints(tmp_path, BASE.format(extra="", maximum=100),
                            BASE.format(extra="", maximum=5))
    assert to_ten["request-maximum-tightened"] == to_five["request-maximum-tightened"]


def test_different_changes_have_different_fingerprints(tmp_path: Path) -> None:
    """Two findings of one diff never share a fingerprint."""
    old = BASE.format(extra="", maximum=100)
    new = BASE.format(extra=EXTRA.replace("page, in: query,", "page, in: query, required: true,"),
                      maximum=10)
    prints = _fingerprints(tmp_path, old, new)
    assert len(prints) >= 2 and len(set(prints.values())) == len(prints)


def test_changes_at_one_pointer_are_told_apart_by_what_they_name(tmp_path: Path) -> None:
    """Properties leaving one `required` list (one pointer, one rule) each get a fingerprint."""
    findings = _diff(tmp_path, REQUIRED.format(required="[a, b, c]"),
                     REQUIRED.format(required="[a]"))
    optional = [f for f in findings if f.rule_id == "response-property-became-optional"]
    assert len(optional) == 2
    assert not _shared(findings)


def test_same_pointer_in_two_files_differs(tmp_path: Path) -> None:
    """A multi-file spec: the same change at the same pointer of two files is two findings."""
    old = _multi_file(tmp_path / "old", 10)
    new = _multi_file(tmp_path / "new", 20)
    findings = diff_specs(load_spec(str(old)), load_spec(str(new))).findings
    relaxed = [f for f in findings if f.rule_id == "response-max-length-relaxed"]
    assert len(relaxed) == 2
    assert not _shared(findings)


def test_fingerprints_do_not_depend_on_the_checkout_folder(tmp_path: Path) -> None:
    """The same multi-file spec pair in two folders (and relative vs absolute paths) agrees."""
    runs = []
    for name in ("one", "two"):
        old = _multi_file(tmp_path / name / "old", 10)
        new = _multi_file(tmp_path / name / "new", 20)
        findings = diff_specs(load_spec(str(old)), load_spec(str(new))).findings
        runs.append(sorted(f.fingerprint for f in findings))
    assert runs[0] and runs[0] == runs[1]


def _fixture_cases() -> list[Any]:
    folders = sorted(p.parent for p in FIXTURES.rglob("expected.yaml"))
    return [pytest.param(folder, id=str(folder.relative_to(FIXTURES))) for folder in folders
            if not {"lint", "hostile"} & set(folder.relative_to(FIXTURES).parts)]


@pytest.mark.parametrize("folder", _fixture_cases())
def test_fixture_findings_have_distinct_fingerprints(folder: Path) -> None:
    """In every fixture case, no two findings share a fingerprint."""
    _, findings = run_case(folder)
    assert not _shared(findings)


def _corpus_pair(name: str) -> tuple[Path, Path]:
    manifest = CORPUS / "manifest.json"
    if not manifest.is_file():
        pytest.skip(f"no corpus at {CORPUS}")
    pairs = {p["name"]: p for p in json.loads(manifest.read_text())["pairs"]}
    return CORPUS / pairs[name]["old"], CORPUS / pairs[name]["new"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["github-webhooks-11-12", "digitalocean"])
def test_corpus_findings_have_distinct_fingerprints(name: str) -> None:
    """Real pairs: many `required` changes at one pointer (webhooks), one pointer in many
    files (DigitalOcean's multi-file spec) — still one fingerprint per finding."""
    old, new = _corpus_pair(name)
    findings = diff_specs(load_spec(str(old), validate=False),
                          load_spec(str(new), validate=False)).findings
    assert len(findings) > 100
    assert not _shared(findings)


@pytest.mark.slow
def test_corpus_fingerprints_do_not_depend_on_the_checkout_folder(tmp_path: Path) -> None:
    """DigitalOcean copied elsewhere gives the fingerprints it gives in the corpus."""
    old, new = _corpus_pair("digitalocean")
    here = diff_specs(load_spec(str(old), validate=False), load_spec(str(new), validate=False))
    copies = []
    for side in (old, new):
        top = side.relative_to(CORPUS).parts[0]
        shutil.copytree(CORPUS / top, tmp_path / top)
        copies.append(tmp_path / side.relative_to(CORPUS))
    there = diff_specs(load_spec(str(copies[0]), validate=False),
                       load_spec(str(copies[1]), validate=False))
    assert [f.fingerprint for f in here.findings] == [f.fingerprint for f in there.findings]
