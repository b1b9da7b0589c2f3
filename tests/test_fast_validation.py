"""The fast validity check (compiled meta-schemas plus one walk) and openapi-spec-validator
agree on valid/invalid for every spec we have: the corpus (when present), every fixture and
every contract under specs/. openapi-spec-validator runs as specguard runs it to explain a
rejected document (ECMA-262 patterns, the compiled meta-schema check's verdict)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import oas30_format_checker, oas31_format_checker

from specguard.errors import SpecguardError, SpecValidationError
from specguard.load import Spec, load_spec
from specguard.load._fast import CHECKED_FORMATS, Unsettled, meta_validator, problems
from specguard.load._validate import _path_options, clear_caches, explain, validate_spec

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def _corpus_specs() -> list[Path]:
    manifest = CORPUS / "manifest.json"
    if not manifest.is_file():
        return []
    pairs = json.loads(manifest.read_text())["pairs"]
    return sorted({CORPUS / pair[side] for pair in pairs for side in ("old", "new")})


def _local_specs() -> list[Path]:
    found = [*ROOT.joinpath("specs").glob("*.yaml")]
    for suffix in ("yaml", "yml", "json"):
        found += [p for p in ROOT.joinpath("fixtures").rglob(f"*.{suffix}")
                  if p.name != "expected.yaml"]
    return sorted(found)


def _load(path: Path) -> Spec | None:
    try:
        return load_spec(str(path), validate=False)
    except SpecguardError:
        return None  # not a document at all (hostile input): nothing to validate


def fast_verdict(spec: Spec) -> bool | None:
    """True valid, False invalid, None: the fast path hands the document to the Python one."""
    try:
        return next(problems(spec), None) is None
    except Unsettled:
        return None
    except SpecguardError:
        return False


def python_verdict(spec: Spec) -> bool:
    try:
        explain(spec)
    except SpecguardError:
        return False
    return True


def stock_verdict(spec: Spec) -> bool:
    """openapi-spec-validator exactly as it ships (Python ``re`` for patterns)."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    cls = OpenAPIV31SpecValidator if spec.is_31 else OpenAPIV30SpecValidator
    path = SchemaPath.from_dict(spec.data, **_path_options(spec, spec.root_uri()))
    try:
        return next(iter(cls(path).iter_errors()), None) is None
    except Exception:  # its resolution errors, RecursionError, re.error in a default check
        return False
    finally:
        clear_caches()


def _python_re_valid(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def ecma_differs(spec: Spec) -> bool:
    """The document has a ``pattern`` that Python's re and ECMA-262 judge differently: there
    the stock validator is wrong and specguard deliberately disagrees with it."""
    stack: list[Any] = [source.data for source in spec.files.values()]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            pattern = node.get("pattern")
            if isinstance(pattern, str) and _python_re_valid(pattern) != bool(
                meta_validator("3.1").is_valid({"pattern": pattern})
            ):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _agree(paths: list[Path], stock: bool = False) -> tuple[int, int, list[str]]:
    checked = unsettled = 0
    disagreements = []
    for path in paths:
        spec = _load(path)
        if spec is None:
            continue
        fast = fast_verdict(spec)
        slow = python_verdict(spec)
        checked += 1
        if fast is None:
            unsettled += 1
        elif fast != slow:
            disagreements.append(f"{path}: fast {fast}, openapi-spec-validator {slow}")
        if stock and (fast if fast is not None else slow) != stock_verdict(spec) and not (
            ecma_differs(spec)
        ):
            disagreements.append(f"{path}: fast {fast}, stock openapi-spec-validator disagrees")
    return checked, unsettled, disagreements


def test_fast_and_python_validation_agree_on_fixtures_and_specs() -> None:
    """Every fixture and reference contract gets the same verdict from both paths, and from
    openapi-spec-validator as it ships wherever no pattern reads differently in ECMA-262."""
    checked, unsettled, disagreements = _agree(_local_specs(), stock=True)
    assert not disagreements, "\n".join(disagreements)
    assert checked > 300, checked
    assert unsettled <= checked // 20, f"{unsettled} of {checked} handed to the Python path"


@pytest.mark.slow
@pytest.mark.skipif(not _corpus_specs(), reason="no corpus at ../shared/corpus")
def test_fast_and_python_validation_agree_on_the_corpus() -> None:
    """Every real spec of the corpus gets the same verdict from both paths, and the fast
    path settles all of them itself."""
    checked, unsettled, disagreements = _agree(_corpus_specs())
    assert not disagreements, "\n".join(disagreements)
    assert checked >= 20 and unsettled == 0, (checked, unsettled)


def test_the_format_table_matches_the_checkers() -> None:
    """The formats the fast path treats as asserted are the ones the Python checkers assert."""
    assert CHECKED_FORMATS["3.0"] == frozenset(oas30_format_checker.checkers)
    assert CHECKED_FORMATS["3.1"] == frozenset(oas31_format_checker.checkers)


def _document(schema: dict[str, Any], version: str = "3.0.3", **extra: Any) -> dict[str, Any]:
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/a/{id}": {"get": {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {
                "application/json": {"schema": schema}}}},
            **extra,
        }}},
    }


def _spec(tmp_path: Path, document: dict[str, Any]) -> Spec:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(document))
    return load_spec(str(path), validate=False)


CASES: dict[str, tuple[dict[str, Any], bool]] = {
    "plain": (_document({"type": "object"}), True),
    "bad keyword type": (_document({"type": "object", "minProperties": -1}), False),
    "default outside enum": (_document({"type": "string", "enum": ["a"], "default": "b"}), False),
    "default of the wrong type": (_document({"type": "integer", "default": "1"}), False),
    "null default of a nullable": (_document({"type": "string", "nullable": True,
                                             "default": None}), True),
    "int32 default out of range": (_document({"type": "integer", "format": "int32",
                                             "default": 2**40}), False),
    "ECMA pattern with a default": (_document({"type": "string", "pattern": r"^\p{L}+$",
                                              "default": "abc"}), True),
    "named group": (_document({"type": "string", "pattern": "(?<word>x)"}), True),
    "Python-only named group": (_document({"type": "string", "pattern": "(?P<word>x)"}), False),
    "required undefined by allOf": (_document({"allOf": [{"properties": {"a": {}}}],
                                              "required": ["b"]}), False),
    "required defined by allOf": (_document({"allOf": [{"properties": {"a": {}}}],
                                            "required": ["a"]}), True),
    "duplicate operationId": (
        {**_document({}), "paths": {
            "/a": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"operationId": "x", "responses": {"200": {"description": "ok"}}}},
        }}, False),
    "undeclared path parameter": (
        {**_document({}), "paths": {"/a/{id}": {"get": {
            "responses": {"200": {"description": "ok"}}}}}}, False),
    "path parameter not in the template": (
        {**_document({}), "paths": {"/a": {"get": {
            "parameters": [{"name": "id", "in": "path", "required": True}],
            "responses": {"200": {"description": "ok"}}}}}}, False),
    "duplicate parameter": (
        {**_document({}), "paths": {"/a": {"get": {
            "parameters": [{"name": "q", "in": "query"}, {"name": "q", "in": "query"}],
            "responses": {"200": {"description": "ok"}}}}}}, False),
    "duplicate tag": ({**_document({}), "tags": [{"name": "a"}, {"name": "a"}]}, False),
    "3.1 plain": (_document({"type": ["string", "null"]}, "3.1.0"), True),
    "3.1 bad keyword": (_document({"type": "string", "maxLength": "3"}, "3.1.0"), False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_check_agrees_with_the_python_validator(tmp_path: Path, name: str) -> None:
    """Each check the fast path makes gives the verdict openapi-spec-validator gives."""
    document, valid = CASES[name]
    spec = _spec(tmp_path, document)
    assert fast_verdict(spec) is valid
    assert python_verdict(spec) is valid


def test_a_rejected_document_is_explained_with_its_line(tmp_path: Path) -> None:
    """The message and line come from openapi-spec-validator, as before the fast path."""
    spec = _spec(tmp_path, _document({"type": "string", "enum": ["a"], "default": "b"}))
    with pytest.raises(SpecValidationError) as caught:
        validate_spec(spec)
    assert "'b' is not one of ['a']" in caught.value.message
    assert caught.value.file == spec.root.name
