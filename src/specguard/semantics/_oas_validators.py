"""OpenAPI's schema validators, built on jsonschema as openapi-schema-validator builds them.

openapi-schema-validator's ``OAS30Validator`` / ``OAS31Validator`` are jsonschema validators with
a few OpenAPI keywords; importing that package also imports pydantic-settings (0.1 s, a third
of a small diff's run time) for options the verifier never reads. These classes are the same
construction: the same keyword table, type checker and format checks (the functions below
follow openapi-schema-validator 0.8, BSD-3-Clause, Artur Maciag). A differential test
(``tests/semantics/test_oas_validators.py``) holds them to the originals.
"""

from __future__ import annotations

import binascii
import re
from base64 import b64decode
from collections.abc import Iterator, Mapping
from numbers import Number
from typing import Any

# jsonschema's keyword functions and type checkers are private modules: pinned below 5.
from jsonschema import _keywords, _legacy_keywords, _types
from jsonschema._format import FormatChecker
from jsonschema._utils import extras_msg, find_additional_properties
from jsonschema.exceptions import FormatError, ValidationError
from jsonschema.validators import Draft4Validator, Draft202012Validator, create, extend

_create: Any = create  # untyped in jsonschema's stubs
_extend: Any = extend


# Formats


def _is_int32(instance: object) -> bool:
    if isinstance(instance, bool) or not isinstance(instance, int):
        return True
    return ~(1 << 31) < instance < 1 << 31


def _is_int64(instance: object) -> bool:
    if isinstance(instance, bool) or not isinstance(instance, int):
        return True
    return ~(1 << 63) < instance < 1 << 63


def _is_float(instance: object) -> bool:  # float and double: Python's float is a double
    if isinstance(instance, int) or not isinstance(instance, Number):
        return True
    return isinstance(instance, float)


def _is_binary(instance: object) -> bool:
    return True


def _is_byte(instance: object) -> bool:
    if not isinstance(instance, (str, bytes)):
        return True
    data = instance.encode("ascii", errors="strict") if isinstance(instance, str) else instance
    try:
        b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _is_password(instance: object) -> bool:
    return True


def _is_regex(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        re.compile(instance)
    except re.error:
        return False
    return True


def _format_checker(*, binary: bool) -> Any:
    """Every format jsonschema knows, plus OpenAPI's (3.0 also ``binary`` and ``byte``)."""
    checker: Any = FormatChecker()
    checker.checks("int32")(_is_int32)
    checker.checks("int64")(_is_int64)
    checker.checks("float")(_is_float)
    checker.checks("double")(_is_float)
    if binary:
        checker.checks("binary")(_is_binary)
        checker.checks("byte", (binascii.Error, TypeError))(_is_byte)
    checker.checks("password")(_is_password)
    checker.checks("regex")(_is_regex)
    return checker


OAS30_FORMAT_CHECKER = _format_checker(binary=True)
OAS31_FORMAT_CHECKER = _format_checker(binary=False)


# OpenAPI 3.0 keywords


def _type(
    validator: Any, data_type: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if instance is None:
        if schema.get("nullable") is True:  # OAS 3.0.3: nullable only beside a type
            return
        yield ValidationError("None for not nullable")
    if not validator.is_type(instance, data_type):
        yield ValidationError(f"{instance!r} is not of type {data_type!r}")


def _format(
    validator: Any, fmt: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if instance is None or validator.format_checker is None:
        return
    try:
        validator.format_checker.check(instance, fmt)
    except FormatError as error:
        yield ValidationError(str(error), cause=error.cause)


def _items(
    validator: Any, items: Mapping[str, Any], instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "array"):
        return
    # A witness that must outgrow maxItems repeats one object a thousand times: the same
    # object under the same schema has the same errors, so a valid one is checked once.
    valid: set[int] = set()
    for index, item in enumerate(instance):
        if id(item) in valid:
            continue
        errors = False
        for error in validator.descend(item, items, path=index):
            errors = True
            yield error
        if not errors:
            valid.add(id(item))


def _additional_properties(
    validator: Any, allowed: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    extras = set(find_additional_properties(instance, schema))
    if not extras:
        return
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif validator.is_type(allowed, "boolean") and not allowed:
        listed, verb = extras_msg(extras)
        yield ValidationError(f"Additional properties are not allowed ({listed} {verb} unexpected)")


def _annotation(
    validator: Any, value: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    yield from ()


def _oas30_id_of(schema: Any) -> str:
    return schema.get("id", "") if isinstance(schema, dict) else ""


_OAS30_KEYWORDS: dict[str, Any] = {
    "multipleOf": _keywords.multipleOf,
    "maximum": _legacy_keywords.maximum_draft3_draft4,  # exclusiveMaximum is a boolean here
    "minimum": _legacy_keywords.minimum_draft3_draft4,
    "maxLength": _keywords.maxLength,
    "minLength": _keywords.minLength,
    "pattern": _keywords.pattern,
    "maxItems": _keywords.maxItems,
    "minItems": _keywords.minItems,
    "uniqueItems": _keywords.uniqueItems,
    "maxProperties": _keywords.maxProperties,
    "minProperties": _keywords.minProperties,
    "enum": _keywords.enum,
    "type": _type,
    "allOf": _keywords.allOf,
    "oneOf": _keywords.oneOf,
    "anyOf": _keywords.anyOf,
    "not": _keywords.not_,
    "items": _items,
    "properties": _keywords.properties,
    "required": _keywords.required,
    "additionalProperties": _additional_properties,
    "format": _format,
    "$ref": _keywords.ref,
    # fixed OpenAPI fields, not assertions
    "discriminator": _annotation,
    "readOnly": _annotation,
    "writeOnly": _annotation,
    "xml": _annotation,
    "externalDocs": _annotation,
    "example": _annotation,
    "deprecated": _annotation,
}

# Draft 4's types without "null": OpenAPI 3.0 writes nullable instead.
_OAS30_TYPES = _types.draft4_type_checker.remove("null")

OAS30Validator: Any = _create(
    meta_schema=Draft4Validator.META_SCHEMA,
    validators=_OAS30_KEYWORDS,
    type_checker=_OAS30_TYPES,
    format_checker=OAS30_FORMAT_CHECKER,
    id_of=_oas30_id_of,
)

OAS31Validator: Any = _extend(
    Draft202012Validator,
    {
        "description": _annotation,
        "discriminator": _annotation,
        "xml": _annotation,
        "externalDocs": _annotation,
        "example": _annotation,
    },
    type_checker=_types.draft202012_type_checker,
    format_checker=OAS31_FORMAT_CHECKER,
)
