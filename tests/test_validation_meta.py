"""The compiled meta-schema check is only a shortcut: it never accepts a schema that
openapi-spec-validator's own (Python) check rejects, and errors still come from the latter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import SchemaError
from openapi_schema_validator import OAS30Validator, OAS31Validator
from openapi_schema_validator._format import oas31_format_checker
from openapi_schema_validator.validators import check_openapi_schema

from specguard.errors import SpecValidationError
from specguard.load import load_spec
from specguard.load._validate import _meta_validator

KEYWORDS = st.sampled_from(
    ["type", "minLength", "maximum", "pattern", "required", "properties", "items", "enum",
     "format", "nullable", "exclusiveMinimum", "discriminator", "additionalProperties", "$ref",
     "allOf", "oneOf", "readOnly", "default", "const", "uniqueItems", "minItems"]
)
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 5) | st.floats(-1, 2, allow_nan=False)
    | st.sampled_from(["string", "object", "integer", "null", "a", "^a$", "(", "date-time"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYWORDS, inner, max_size=3),
    max_leaves=10,
)
# well-typed keywords most of the time (so that many schemas are valid), junk now and then
WELL_TYPED: dict[str, st.SearchStrategy[Any]] = {
    "type": st.sampled_from(["string", "object", "integer", "number", "array", "null"]),
    "minLength": st.integers(-1, 3),
    "maximum": st.integers(-2, 5),
    "pattern": st.sampled_from(["^a$", "a+", "(", "[a-z]{2}"]),
    "required": st.lists(st.sampled_from(["a", "b"]), unique=True, max_size=2),
    "enum": st.lists(st.integers(0, 3), max_size=3),
    "format": st.sampled_from(["date-time", "uuid", "int32"]),
    "nullable": st.booleans(),
    "exclusiveMinimum": st.booleans() | st.integers(0, 3),
    "readOnly": st.booleans(),
    "uniqueItems": st.booleans(),
    "minItems": st.integers(-1, 2),
    "default": JUNK,
}
SCHEMAS = st.recursive(
    st.fixed_dictionaries(
        {}, optional={k: v | JUNK if k != "default" else v for k, v in WELL_TYPED.items()}
    ),
    lambda inner: st.fixed_dictionaries(
        {},
        optional={
            "type": st.just("object"),
            "properties": st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2),
            "items": inner,
            "allOf": st.lists(inner, max_size=2),
            "additionalProperties": st.booleans() | inner,
        },
    ),
    max_leaves=6,
)


def _python_accepts(dialect: str, schema: Any) -> bool:
    try:
        if dialect == "3.1":
            check_openapi_schema(OAS31Validator, schema, format_checker=oas31_format_checker)
        else:
            OAS30Validator.check_schema(schema)
    except SchemaError:
        return False
    return True


@settings(max_examples=400, deadline=None, derandomize=True)
@given(schema=SCHEMAS, dialect=st.sampled_from(["3.0", "3.1"]))
def test_fast_check_accepts_only_what_the_python_check_accepts(
    schema: dict[str, Any], dialect: str
) -> None:
    if _meta_validator(dialect).is_valid(schema):
        assert _python_accepts(dialect, schema), json.dumps(schema)


def test_the_fast_check_is_not_vacuous() -> None:
    """It accepts plain schemas (else it would shortcut nothing) and rejects broken ones."""
    for dialect in ("3.0", "3.1"):
        assert _meta_validator(dialect).is_valid({"type": "string", "maxLength": 3})
        assert not _meta_validator(dialect).is_valid({"type": 5})


@pytest.mark.parametrize(("version", "line"), [("3.0.3", 6), ("3.1.0", 8)])
def test_a_rejected_schema_is_reported_by_the_python_check(
    tmp_path: Path, version: str, line: int
) -> None:
    """With its line: 3.0 reports the schema (the document check fails first), 3.1 the keyword
    (its schema check's path used to be relative to the schema: line 1)."""
    path = tmp_path / "api.yaml"
    path.write_text(
        f"openapi: {version}\n"
        "info: {title: t, version: '1'}\n"
        "paths: {}\n"
        "components:\n"
        "  schemas:\n"
        "    Bad:\n"
        "      type: object\n"
        "      minProperties: -1\n"
    )
    with pytest.raises(SpecValidationError) as caught:
        load_spec(str(path))
    message = caught.value.one_line()
    assert f"api.yaml:{line}:" in message and "-1" in message, message
