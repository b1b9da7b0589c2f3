"""Loading a diff's two documents with a helper process gives what loading them here gives.

``specguard diff -j 2`` parses the old document in a helper and hands it over, lets the helper
index both documents' big containers for line numbers and validate both. Every report must be
byte for byte the one ``-j 1`` writes, errors included; a helper that dies, or a file that
changes under it, only means the work is done here.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from specguard.api import diff_specs
from specguard.errors import LoadError, SpecguardError
from specguard.gate import with_sources
from specguard.load import _pair as pair
from specguard.load import load_spec, loaded_pair
from specguard.load._parse import JsonLocator
from specguard.model import Level
from specguard.report import OutputFormat, RenderOptions, render

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper needs os.fork")


def _report(old: str, new: str, jobs: int, *, validate: bool = True) -> str:
    with loaded_pair(old, new, jobs=jobs, validate=validate) as (old_spec, new_spec, pending):
        assert (pending.helper is not None) is (jobs == 2)  # -j 2 always forks a helper
        report = diff_specs(old_spec, new_spec, validate=validate, validation=pending)
    report = with_sources(report, old_spec, new_spec)
    return render(report, OutputFormat.JSON,
                  RenderOptions(color=False, fail_on=Level.BREAKING, min_level=Level.SAFE))


def _as_json(source: Path, target: Path, indent: int | None) -> str:
    target.write_text(json.dumps(yaml.safe_load(source.read_text("utf-8")), indent=indent),
                      encoding="utf-8")
    return str(target)


CASES = [
    FIXTURES / "examples",  # YAML, many findings
    FIXTURES / "hostile" / "alias-reuse-legit",  # YAML aliases share values
    FIXTURES / "contract-invalid" / "duplicate-operation-id",  # a validation finding
    FIXTURES / "base-contract-invalid" / sorted(os.listdir(FIXTURES / "base-contract-invalid"))[0],
]


def _pair_files(case: Path) -> tuple[str, str]:
    if case.name == "examples":
        return str(case / "order-service-v1.yaml"), str(case / "order-service-v2.yaml")
    return str(case / "old.yaml"), str(case / "new.yaml")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_yaml_reports_are_identical(case: Path) -> None:
    old, new = _pair_files(case)
    alone = _report(old, new, 1)
    assert '"findings": []' not in alone
    assert _report(old, new, 2) == alone


@pytest.mark.parametrize("indent", [2, None], ids=["pretty", "compact"])
def test_json_reports_are_identical(tmp_path: Path, indent: int | None) -> None:
    """Pretty JSON takes the helper's container index; compact JSON is scanned here."""
    old, new = _pair_files(FIXTURES / "examples")
    old = _as_json(Path(old), tmp_path / "old.json", indent)
    new = _as_json(Path(new), tmp_path / "new.json", indent)
    alone = _report(old, new, 1)
    assert '"line": 1,' not in alone or indent is None  # real lines, not the fallback
    assert _report(old, new, 2) == alone
    assert _report(old, new, 2, validate=False) == _report(old, new, 1, validate=False)


def _error(old: str, new: str, jobs: int) -> str:
    with pytest.raises(SpecguardError) as raised:
        _report(old, new, jobs)
    return f"{type(raised.value).__name__}: {raised.value.one_line()}"


def test_load_errors_are_the_same_old_first(tmp_path: Path) -> None:
    good = _pair_files(FIXTURES / "examples")[0]
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.1.0",\n "info": [}', encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text("openapi: 3.1.0\ninfo: {title: x\n", encoding="utf-8")
    for old, new in ((str(broken), good), (good, str(broken)), (str(broken), str(other)),
                     (str(other), str(broken))):
        assert _error(old, new, 2) == _error(old, new, 1), (old, new)
    assert "broken.json:2" in _error(str(broken), str(other), 2)


def _with_repeated_key(tmp_path: Path) -> str:
    """The example's new contract as JSON with one key written twice (the last one valid)."""
    text = _as_json(Path(_pair_files(FIXTURES / "examples")[1]), tmp_path / "twice.json", 2)
    body = Path(text).read_text("utf-8")
    twice = body.replace('"info": {', '"info": {"title": "first",', 1)
    assert twice != body
    Path(text).write_text(twice, encoding="utf-8")
    return text


def test_a_repeated_json_key_is_refused_the_same(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """This process parses the new document without looking for repeated keys; the helper's
    parse finds them, and the error is the one loading here gives, old first."""
    old = _as_json(Path(_pair_files(FIXTURES / "examples")[0]), tmp_path / "old.json", 2)
    twice = _with_repeated_key(tmp_path)
    expected = _error(old, twice, 1)
    assert "duplicate key 'title'" in expected
    assert _error(old, twice, 2) == expected
    assert _error(twice, old, 2) == _error(twice, old, 1)
    for validate in (True, False):
        with pytest.raises(LoadError, match="duplicate key"):
            _report(old, twice, 2, validate=validate)
    monkeypatch.setattr(pair, "_serve", lambda *args: os._exit(3))  # no helper to ask
    assert _error(old, twice, 2) == expected


def test_an_unfollowable_ref_is_raised_the_same(tmp_path: Path) -> None:
    old, new = _pair_files(FIXTURES / "examples")
    text = Path(new).read_text("utf-8").replace(
        "$ref: '#/components/schemas/", "$ref: 'missing.yaml#/components/schemas/", 1)
    assert text != Path(new).read_text("utf-8")
    dangling = tmp_path / "new.yaml"
    dangling.write_text(text, encoding="utf-8")
    assert _error(old, str(dangling), 2) == _error(old, str(dangling), 1)


def test_a_helper_that_dies_leaves_the_work_here(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = _pair_files(FIXTURES / "examples")
    alone = _report(old, new, 1)
    monkeypatch.setattr(pair, "_serve", lambda *args: os._exit(3))
    assert _report(old, new, 2) == alone


def test_a_file_changed_under_the_helper_is_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper's checksum of what it read differs from this process's: nothing it
    sent (document or index) is used."""
    old, new = _pair_files(FIXTURES / "examples")
    alone = _report(old, new, 1)
    taken: list[str] = []
    rebuilt = pair._rebuilt
    monkeypatch.setattr(pair, "_rebuilt", lambda *a: taken.append("old") or rebuilt(*a))
    monkeypatch.setattr(pair.zlib, "crc32", lambda raw: os.getpid())  # differs per process
    assert _report(old, new, 2) == alone
    assert taken == []


def test_the_helper_hands_over_the_old_document() -> None:
    old, new = _pair_files(FIXTURES / "hostile" / "alias-reuse-legit")
    with loaded_pair(old, new, jobs=2) as (old_spec, _, pending):
        assert pending.helper is not None
        here = load_spec(old, validate=False)
        assert old_spec.root.data == here.root.data
        schema = old_spec.root.data["paths"]["/items"]["get"]["responses"]["200"]["content"][
            "application/json"]["schema"]["properties"]
        assert schema["a"] is schema["b"]  # the alias is still one shared value
        assert pending.result() == (None, None)


def _pointers(value: Any, pointer: str = "") -> list[str]:
    found = [pointer]
    if isinstance(value, dict):
        for key, child in value.items():
            token = key.replace("~", "~0").replace("/", "~1")
            found += _pointers(child, f"{pointer}/{token}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _pointers(child, f"{pointer}/{index}")
    return found


@pytest.mark.parametrize("indent", [2, 4, None])
def test_an_adopted_index_gives_the_same_lines(indent: int | None) -> None:
    data = yaml.safe_load((FIXTURES / "examples" / "order-service-v2.yaml").read_text("utf-8"))
    text = json.dumps(data, indent=indent)
    warmed = JsonLocator(text, data).warm(2)
    assert warmed[0] or warmed[1]
    adopted, fresh = JsonLocator(text, data), JsonLocator(text, data)
    adopted.adopt(warmed)
    pointers = _pointers(data)
    assert len(pointers) > 200
    assert [adopted.line(p) for p in pointers] == [fresh.line(p) for p in pointers]


def test_small_documents_stay_in_one_process() -> None:
    old, new = _pair_files(FIXTURES / "examples")
    with loaded_pair(old, new) as (_, _, pending):
        assert pending.helper is None  # below MIN_PARALLEL_BYTES
    with loaded_pair(old, new, jobs=1) as (_, _, pending):
        assert pending.helper is None


def test_a_missing_file_is_the_usual_error() -> None:
    old, _ = _pair_files(FIXTURES / "examples")
    with pytest.raises(LoadError, match="file not found"), loaded_pair(
            old, "no/such/file.yaml", jobs=2):
        pass


def test_both_documents_take_the_helpers_index(tmp_path: Path) -> None:
    old, new = _pair_files(FIXTURES / "examples")
    old = _as_json(Path(old), tmp_path / "old.json", 2)
    new = _as_json(Path(new), tmp_path / "new.json", 2)
    with loaded_pair(old, new, jobs=2) as (old_spec, new_spec, _):
        for spec in (old_spec, new_spec):
            assert spec.root.line("/openapi") == 2
            locator = spec.root._json_locator
            assert locator is not None
            # one lookup indexed the root alone; the helper's index has every path item too
            assert len(locator._pretty) > len(spec.root.data["paths"])


def test_lines_come_from_the_adopted_index() -> None:
    data = yaml.safe_load((FIXTURES / "examples" / "order-service-v2.yaml").read_text("utf-8"))
    text = json.dumps(data, indent=2)
    pretty, children, blocks = JsonLocator(text, data).warm(2)
    # an index one line off everywhere: lookups through it must come out one line off
    shifted = {position: {key: (text.index("\n", start) + 1 + (start - text.rindex(
        "\n", 0, start) - 1), value) for key, (start, value) in index.items()}
        if isinstance(index, dict) else index for position, index in pretty.items()}
    adopted, fresh = JsonLocator(text, data), JsonLocator(text, data)
    adopted.adopt((shifted, children, blocks))
    assert adopted.line("/paths") == fresh.line("/paths") + 1


def test_no_fork_means_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine that cannot fork now (EAGAIN) or has no writable temporary folder: the
    diff runs in this process, as with -j 1."""
    old, new = _pair_files(FIXTURES / "examples")
    alone = _report(old, new, 1)

    def refuse() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(pair.os, "fork", refuse)
    with loaded_pair(old, new, jobs=2) as (old_spec, new_spec, pending):
        assert pending.helper is None
        report = diff_specs(old_spec, new_spec, validate=True, validation=pending)
    assert render(with_sources(report, old_spec, new_spec), OutputFormat.JSON,
                  RenderOptions(color=False, fail_on=Level.BREAKING, min_level=Level.SAFE)
                  ) == alone


def test_a_git_revision_is_loaded_by_the_helper_too(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``diff main:openapi.json openapi.json``: the helper reads the revision with git as this
    process would; the report is the one -j 1 writes."""
    from tests.gate.support import GitRepo

    old, new = _pair_files(FIXTURES / "examples")
    repo = GitRepo(tmp_path / "repo")
    target = repo.path / "openapi.json"
    _as_json(Path(old), target, 2)
    repo.git("add", "openapi.json")
    repo.git("commit", "-q", "-m", "v1")
    _as_json(Path(new), target, 2)
    monkeypatch.chdir(repo.path)
    alone = _report("HEAD:openapi.json", "openapi.json", 1)
    assert '"findings": []' not in alone
    assert _report("HEAD:openapi.json", "openapi.json", 2) == alone
    with loaded_pair("HEAD:openapi.json", "openapi.json", jobs=2) as (old_spec, _, pending):
        assert pending.helper is not None and old_spec.root.name == "HEAD:openapi.json"
    assert pair._size_hint("HEAD:openapi.json") == pair._size_hint("openapi.json")
    assert pair._size_hint("HEAD:missing.json") is None
