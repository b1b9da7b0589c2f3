"""Check a witness with a real validator before anyone sees it.

The validators are OpenAPI's ``OAS30Validator`` / ``OAS31Validator`` (:mod:`._oas_validators`:
openapi-schema-validator's construction on jsonschema), with five keywords replaced so that
they read OpenAPI the way the judge does:

* ``$ref`` resolves through the caller's resolver (two documents, no network, no registry
  crawl), relative to the document the ``$ref`` was written in;
* ``properties`` / ``required``: in requests a readOnly property must not be sent and is not
  required; in responses the same holds for writeOnly (openapi-core's read/write validators);
* ``oneOf`` / ``anyOf`` with a ``discriminator`` validate the one target the property value
  selects (openapi-schema-validator's rule, limited to the values listed in :mod:`_oas`);
* ``allOf`` ignores the discriminator (plain JSON Schema).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import _keywords
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend as _extend

from specguard.semantics import _regex
from specguard.semantics._atoms import Dialect
from specguard.semantics._oas import (
    Context,
    Discriminated,
    Resolve,
    discriminated,
    has_flag,
    hidden_keyword,
)
from specguard.semantics._oas_validators import OAS30Validator, OAS31Validator


@dataclass(frozen=True, slots=True)
class Check:
    """What the validator said about one instance under one schema."""

    valid: bool
    message: str


class VerificationError(Exception):
    """The validator itself failed (a schema it cannot handle); the witness stays unverified."""


extend_validator: Any = _extend  # untyped in jsonschema's stubs


def _where(error: ValidationError) -> str:
    path = "".join(f"/{part}" for part in error.absolute_path)
    return f" at {path}" if path else ""


def _json_message(error: ValidationError) -> str:
    """The validator's message with the instance and the keyword's value written as JSON
    (``null``, ``{"a": false}``), as the reader's spec is, not as Python reprs."""
    message = str(error.message)
    for value in (error.instance, error.validator_value):
        try:
            as_json = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            continue
        message = message.replace(repr(value), as_json, 1)
    return message


_BASE_CLASSES: dict[Dialect, Any] = {"3.0": OAS30Validator, "3.1": OAS31Validator}
FORMAT_CHECKERS: dict[Dialect, Any] = {d: cls.FORMAT_CHECKER for d, cls in _BASE_CLASSES.items()}


class Verifier:
    """Builds one validator class per (document, context, dialect) and validates instances."""

    def __init__(self, resolve: Resolve, *, assert_formats: bool = True) -> None:
        self._resolve = resolve
        self._assert_formats = assert_formats
        self._classes: dict[tuple[str, Context, Dialect], Any] = {}
        # validators keep their schema alive, so the id() in the key stays unique
        self._instances: dict[tuple[str, Context, Dialect, int], Any] = {}

    def check(
        self, instance: Any, schema: Any, base: str, context: Context, dialect: Dialect
    ) -> Check:
        """Validate; raise :class:`VerificationError` when the validator cannot run."""
        if schema is True:
            return Check(True, "")
        if schema is False:
            return Check(False, "the schema 'false' allows nothing")
        try:
            cls = self._class(base, context, dialect)
            checker = FORMAT_CHECKERS[dialect] if self._assert_formats else None
            validator = cls(schema, format_checker=checker)
            error = next(iter(validator.iter_errors(instance)), None)
        except RecursionError as exc:
            raise VerificationError("validation recursed too deeply") from exc
        except Exception as exc:  # third-party validator on untrusted schemas
            raise VerificationError(f"{type(exc).__name__}: {exc}") from exc
        if error is None:
            return Check(True, "")
        message = f"{_json_message(error)}{_where(error)}"
        return Check(False, message)

    def _class(self, base: str, context: Context, dialect: Dialect) -> Any:
        known = self._classes.get((base, context, dialect))
        if known is None:
            known = self._classes[(base, context, dialect)] = self._build(base, context, dialect)
        return known

    def _build(self, base: str, context: Context, dialect: Dialect) -> Any:
        resolve = self._resolve
        hidden = hidden_keyword(context)

        def follow(validator: Any, ref: str, instance: Any) -> Iterator[ValidationError]:
            target_base, _identity, target = resolve(ref, base)
            # one validator per target: building one per $ref hop was a fifth of the work
            key = (target_base, context, dialect, id(target))
            sub = self._instances.get(key)
            if sub is None:
                cls = self._class(target_base, context, dialect)
                sub = self._instances[key] = cls(target, format_checker=validator.format_checker)
            yield from sub.iter_errors(instance)

        def ref(
            validator: Any, value: Any, instance: Any, schema: Any
        ) -> Iterator[ValidationError]:
            yield from follow(validator, value, instance)

        def properties(
            validator: Any, value: Any, instance: Any, schema: Any
        ) -> Iterator[ValidationError]:
            if not validator.is_type(instance, "object"):
                return
            for name, subschema in value.items():
                if name not in instance:
                    continue
                if has_flag(subschema, base, hidden, resolve):
                    yield ValidationError(f"{name!r} is {hidden} and must not be present")
                else:
                    yield from validator.descend(
                        instance[name], subschema, path=name, schema_path=name
                    )

        def required(
            validator: Any, value: Any, instance: Any, schema: Any
        ) -> Iterator[ValidationError]:
            if not validator.is_type(instance, "object"):
                return
            declared = schema.get("properties", {})
            for name in value:
                if name in instance:
                    continue
                if name in declared and has_flag(declared[name], base, hidden, resolve):
                    continue
                yield ValidationError(f"{name!r} is a required property")

        def with_discriminator(plain: Any) -> Any:
            def keyword(
                validator: Any, value: Any, instance: Any, schema: Any
            ) -> Iterator[ValidationError]:
                disc = discriminated(schema)
                if disc is None:
                    yield from plain(validator, value, instance, schema)
                    return
                if not isinstance(disc, Discriminated):
                    yield ValidationError(disc)
                    return
                if not validator.is_type(instance, "object"):
                    yield ValidationError(f"{instance!r} is not of type 'object'")
                    return
                target = disc.ref_for(instance.get(disc.prop))
                if target is None:
                    yield ValidationError(
                        f"{instance.get(disc.prop)!r} is not a known value of the "
                        f"discriminator {disc.prop!r}"
                    )
                    return
                yield from follow(validator, target, instance)

            return keyword

        def nothing(
            validator: Any, value: Any, instance: Any, schema: Any
        ) -> Iterator[ValidationError]:
            yield from ()

        def pattern(
            validator: Any, value: Any, instance: Any, schema: Any
        ) -> Iterator[ValidationError]:
            if not validator.is_type(instance, "string"):
                return
            found = _regex.search(value, instance)
            if found is None:
                # a backtracking pattern must not stall the check: this witness is unusable
                raise VerificationError(f"pattern {value!r} could not be checked in time")
            if not found:
                yield ValidationError(f"{instance!r} does not match {value!r}")

        return extend_validator(
            _BASE_CLASSES[dialect],
            {
                "$ref": ref,
                "properties": properties,
                "required": required,
                "oneOf": with_discriminator(_keywords.oneOf),
                "anyOf": with_discriminator(_keywords.anyOf),
                "allOf": _keywords.allOf,
                "readOnly": nothing,
                "writeOnly": nothing,
                "discriminator": nothing,
                "pattern": pattern,
            },
        )
