"""specguard's OpenAPI validators give openapi-schema-validator's answers (differential)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openapi_schema_validator as reference
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from specguard.semantics import _oas_validators as ours
from tests.semantics.strategies import schemas

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

PAIRS = {
    "3.0": (ours.OAS30Validator, reference.OAS30Validator),
    "3.1": (ours.OAS31Validator, reference.OAS31Validator),
}

# the edges of int32 and int64
BOUNDARIES = [2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**30]

JSON = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.sampled_from(BOUNDARIES),
        st.floats(allow_nan=False,
        allow_infinity=False), st.sampled_from(["", "a", "ab", "aGVsbG8=", "2020-01-01",
                                                "not base64!", "a@example.com", "[", "x" * 5]),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c", "id"]), children, max_size=3),
    ),
    max_leaves=8,
)

# OpenAPI 3.0's own keywords and formats beside the generated 2020-12 subset.
OAS_SCHEMAS = st.one_of(
    schemas(),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "integer", "number", "object", "array", "boolean"])},
        optional={
            "nullable": st.one_of(st.booleans(), st.just("true")),
            "format": st.sampled_from(["int32", "int64", "float", "double", "byte", "binary",
                                       "password", "regex", "date", "email", "unknown"]),
            "items": st.just({"type": "integer", "format": "int32"}),
            "additionalProperties": st.one_of(st.booleans(), st.just({"type": "string"})),
            "properties": st.just({"a": {"type": "string", "nullable": True}}),
            "maximum": st.integers(-2, 2),
            "exclusiveMaximum": st.booleans(),
            "minimum": st.integers(-2, 2),
            "exclusiveMinimum": st.booleans(),
            "readOnly": st.booleans(),
            "example": JSON,
        },
    ),
)


def _answer(cls: Any, schema: Any, instance: Any) -> tuple[str, ...] | str:
    try:
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        return tuple(sorted(error.message for error in validator.iter_errors(instance)))
    except Exception as exc:  # both must fail alike on a schema they cannot handle
        return type(exc).__name__


@pytest.mark.parametrize("dialect", sorted(PAIRS))
def test_the_same_formats_are_asserted(dialect: str) -> None:
    mine, theirs = PAIRS[dialect]
    assert set(mine.FORMAT_CHECKER.checkers) == set(theirs.FORMAT_CHECKER.checkers)


@pytest.mark.parametrize("dialect", sorted(PAIRS))
@settings(max_examples=300, deadline=None)
@given(schema=OAS_SCHEMAS, instance=JSON)
def test_generated_schemas_and_instances(dialect: str, schema: Any, instance: Any) -> None:
    mine, theirs = PAIRS[dialect]
    assert _answer(mine, schema, instance) == _answer(theirs, schema, instance)


def _schemas_in(value: Any, pointer: str) -> list[tuple[str, Any]]:
    """Each schema (under ``schema`` or ``components/schemas``) that names no other."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            where = f"{pointer}/{key}"
            if key == "schema" and isinstance(child, dict) and "$ref" not in repr(child):
                found.append((where, child))
            elif key == "schemas" and pointer == "/components" and isinstance(child, dict):
                found += [(f"{where}/{name}", schema) for name, schema in child.items()
                          if "$ref" not in repr(schema)]
            else:
                found += _schemas_in(child, where)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _schemas_in(child, f"{pointer}/{index}")
    return found


def _fixture_schemas() -> list[tuple[str, str, Any]]:
    """The fixtures' schemas, each once."""
    found = []
    seen: set[str] = set()
    for document in sorted(FIXTURES.glob("**/*.yaml")):
        if document.name == "expected.yaml":
            continue
        text = document.read_text(encoding="utf-8", errors="replace")
        if len(text) > 100_000 or "&" in text:  # the loader's hostile inputs (alias bombs)
            continue
        try:
            data = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError, ValueError):  # the loader's hostile fixtures
            continue
        if not isinstance(data, dict) or not str(data.get("openapi", "")).startswith("3."):
            continue
        dialect = "3.1" if str(data["openapi"]).startswith("3.1") else "3.0"
        for pointer, schema in _schemas_in(data, ""):
            if repr((dialect, schema)) not in seen:
                seen.add(repr((dialect, schema)))
                where = document.relative_to(FIXTURES).as_posix()
                found.append((f"{where}#{pointer}", dialect, schema))
    return found


FIXTURE_SCHEMAS = _fixture_schemas()
INSTANCES = [None, True, 0, 1.5, *BOUNDARIES, "", "a", "aGVsbG8=", [], [1, "a"], {},
             {"id": 1}, {"id": "x", "name": None}]


def test_fixture_schemas_are_many() -> None:
    assert len(FIXTURE_SCHEMAS) > 200


@pytest.mark.parametrize(("where", "dialect", "schema"), FIXTURE_SCHEMAS,
                         ids=[where for where, _, _ in FIXTURE_SCHEMAS])
def test_fixture_schemas(where: str, dialect: str, schema: Any) -> None:
    mine, theirs = PAIRS[dialect]
    for instance in INSTANCES:
        assert _answer(mine, schema, instance) == _answer(theirs, schema, instance), instance


@pytest.mark.parametrize("dialect", sorted(PAIRS))
def test_one_object_repeated_in_an_array(dialect: str) -> None:
    """Items that are the same object are checked once when valid; errors stay per index."""
    mine, theirs = PAIRS[dialect]
    schema = {"type": "array", "items": {"type": "object", "required": ["a"],
                                         "properties": {"a": {"type": "integer"}}}}
    good, bad = {"a": 1}, {"b": 1}
    for instance in ([good] * 5, [bad] * 5, [good, bad, good, bad], [good] * 3 + [{"a": "x"}]):
        assert _answer(mine, schema, instance) == _answer(theirs, schema, instance)
    paths = [list(error.path) for error in mine(schema).iter_errors([good, bad, good, bad])]
    assert paths == [[1], [3]]
