"""Check that every example in a contract validates against the schema it illustrates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import referencing
import referencing.exceptions
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing.jsonschema import DRAFT4, DRAFT202012

from specguard.errors import SpecguardError
from specguard.load import Spec, encode_token
from specguard.vocabulary import DEFINITION_MAPS, SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUED

# Where schemas nest: every keyword that holds one, lists them or maps names to them.
_SCHEMA_MAPS = (*SCHEMA_MAPS, *DEFINITION_MAPS)
_MAX_NODES = 200_000  # a bound on the walk for hostile documents


@dataclass(frozen=True, slots=True)
class BadExample:
    """An example (at ``pointer``) that its schema (at ``schema_pointer``) rejects."""

    pointer: str
    schema_pointer: str
    message: str


@dataclass(frozen=True, slots=True)
class _Example:
    pointer: str
    value: Any
    schema_pointer: str


def invalid_examples(spec: Spec) -> list[BadExample]:
    """Every example of the root document that does not validate, in document order."""
    validator_cls = OAS31Validator if spec.is_31 else OAS30Validator
    specification = DRAFT202012 if spec.is_31 else DRAFT4
    base = spec.root_uri()

    def retrieve(uri: str) -> referencing.Resource[Any]:
        return specification.create_resource(spec.file_for_uri(uri))

    # ``retrieve`` is an attrs alias of ``_retrieve``, which mypy does not see.
    empty: referencing.Registry[Any] = referencing.Registry(retrieve=retrieve)  # type: ignore[call-arg]
    registry = empty.with_resource(base, specification.create_resource(spec.data))
    bad: list[BadExample] = []
    for example in _examples(spec):
        validator = validator_cls(
            {"$ref": f"{base}#{example.schema_pointer}"},
            registry=registry,
            format_checker=validator_cls.FORMAT_CHECKER,
        )
        try:
            error = best_match(validator.iter_errors(example.value))
        except (referencing.exceptions.Unresolvable, SpecguardError) as exc:
            bad.append(
                BadExample(example.pointer, example.schema_pointer, f"cannot resolve: {exc}")
            )
            continue
        except RecursionError:
            bad.append(
                BadExample(example.pointer, example.schema_pointer, "schema nests too deeply")
            )
            continue
        if error is not None:
            where = "".join("/" + encode_token(token) for token in error.absolute_path)
            text = " ".join(error.message.split())
            if len(text) > 200:
                text = text[:197] + "..."
            bad.append(
                BadExample(example.pointer, example.schema_pointer, f"{text} (at {where or '/'})")
            )
    return bad


def _examples(spec: Spec) -> Iterator[_Example]:
    """Examples with the pointer of the schema they belong to; ``$ref`` examples are followed."""
    stack: list[tuple[Any, str, bool]] = [(spec.data, "", False)]
    seen = 0
    while stack:
        node, pointer, is_schema = stack.pop()
        seen += 1
        if seen > _MAX_NODES:
            return
        if isinstance(node, list):
            stack.extend(
                (item, f"{pointer}/{i}", False) for i, item in reversed(list(enumerate(node)))
            )
            continue
        if not isinstance(node, dict) or ("$ref" in node and len(node) == 1):
            continue
        if is_schema:
            yield from _schema_examples(node, pointer)
            stack.extend(reversed(list(_subschemas(node, pointer))))
            continue
        schema = node.get("schema")
        if isinstance(schema, dict):
            yield from _object_examples(spec, node, pointer)
        children: list[tuple[Any, str, bool]] = []
        for key, value in node.items():
            child = f"{pointer}/{encode_token(key)}"
            if key == "schema":
                children.append((value, child, True))
            elif key == "schemas" and pointer == "/components" and isinstance(value, dict):
                children.extend(
                    (item, f"{child}/{encode_token(name)}", True) for name, item in value.items()
                )
            elif key in ("example", "examples") and isinstance(schema, dict):
                continue  # handled with their schema above
            elif key in ("examples",) and pointer == "/components":
                continue  # checked where they are used, against that schema
            else:
                children.append((value, child, False))
        stack.extend(reversed(children))


def _schema_examples(node: dict[str, Any], pointer: str) -> Iterator[_Example]:
    if "example" in node:
        yield _Example(f"{pointer}/example", node["example"], pointer)
    examples = node.get("examples")
    if isinstance(examples, list):
        for index, value in enumerate(examples):
            yield _Example(f"{pointer}/examples/{index}", value, pointer)


def _subschemas(node: dict[str, Any], pointer: str) -> Iterator[tuple[Any, str, bool]]:
    for key in SCHEMA_VALUED:
        if isinstance(node.get(key), dict):
            yield node[key], f"{pointer}/{key}", True
    for key in _SCHEMA_MAPS:
        value = node.get(key)
        if isinstance(value, dict):
            for name, item in value.items():
                yield item, f"{pointer}/{key}/{encode_token(name)}", True
    for key in SCHEMA_LISTS:
        value = node.get(key)
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield item, f"{pointer}/{key}/{index}", True
    if isinstance(node.get("items"), list):  # OpenAPI 3.0 / draft 4 tuple form
        for index, item in enumerate(node["items"]):
            yield item, f"{pointer}/items/{index}", True


def _object_examples(spec: Spec, node: dict[str, Any], pointer: str) -> Iterator[_Example]:
    """``example`` / ``examples`` of a media type, parameter or header, against its ``schema``."""
    schema_pointer = f"{pointer}/schema"
    if "example" in node:
        yield _Example(f"{pointer}/example", node["example"], schema_pointer)
    examples = node.get("examples")
    if not isinstance(examples, dict):
        return
    for name, example in examples.items():
        example_pointer = f"{pointer}/examples/{encode_token(name)}"
        try:
            _, _, target = spec.follow(example, spec.root, example_pointer)
        except SpecguardError:
            continue  # a broken $ref is the loader's finding, not ours
        if isinstance(target, dict) and "value" in target:
            # Reported where it is used: the same shared example may suit one schema only.
            where = f"{example_pointer}/value" if target is example else example_pointer
            yield _Example(where, target["value"], schema_pointer)
