"""Settle a document's validity fast: a compiled check against the OpenAPI meta-schema plus the
checks it cannot express, in one walk over the parsed data.

This is the same decision openapi-spec-validator makes (``tests/test_fast_validation.py``
proves it on every corpus spec and fixture), without its pure-Python walk through
jsonschema-path, which took seconds on a 12 MB document:

* the whole document against the official OpenAPI 3.0 / 3.1 schema (the JSON files
  openapi-spec-validator ships), compiled by jsonschema-rs exactly as that package does;
* duplicate tag names; per path item and operation: duplicate parameters (``in`` + name),
  path template parameters against the declared path parameters (both ways), unique
  operationIds;
* every schema reached from a parameter, a media type or ``components/schemas`` (through
  ``$ref``, ``allOf``/``anyOf``/``oneOf``/``not``/``items``/``properties``): the dialect's
  meta-schema (compiled), ``required`` names an ``allOf`` does not define, and ``default``
  values against their schema (``pattern`` with ECMA-262 semantics).

Whatever this walk does not model exactly (another JSON Schema dialect, reference cycles
through ``allOf``, pathological nesting, a default whose schema uses ``$ref``, ``format`` or
``nullable``) is handed to the Python validator, which then decides.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from specguard.errors import SpecguardError
from specguard.load._parse import encode_token

if TYPE_CHECKING:
    from specguard.load import SourceFile, Spec

OPERATIONS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OAS31_BASE_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
# Deeper than this, the Python validator's recursion may give up: let it decide.
_MAX_DEPTH = 64


class Unsettled(Exception):
    """The fast path cannot decide this document exactly; the Python validator must."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why the fast path rejects a document: a message and where."""

    message: str
    file: SourceFile
    pointer: str


@functools.cache
def document_validator(minor: str) -> Any:
    """jsonschema-rs over the official OpenAPI schema, built as openapi-spec-validator builds
    its own (``validator_cls_for(schema)(schema)``), from the file that package ships."""
    import jsonschema_rs

    schema = _package_json("openapi_spec_validator", f"resources/schemas/v{minor}/schema.json")
    return jsonschema_rs.validator_cls_for(schema)(schema)


def _package_json(package: str, relative: str) -> Any:
    """A JSON file shipped inside ``package``, read without importing the package (importing
    openapi-schema-validator costs 0.18 s: pydantic settings)."""
    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not folders:
        raise Unsettled(f"{package} is not installed")
    try:
        return json.loads((Path(folders[0]) / relative).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # another package layout
        raise Unsettled(f"{package}/{relative}: {exc}") from None


@functools.cache
def meta_validator(dialect: str) -> Any:
    """jsonschema-rs over the meta-schema openapi-spec-validator checks each schema against:
    OpenAPI 3.0 schemas against draft 04 (``OAS30Validator.check_schema``), 3.1 schemas against
    the OAS 3.1 base dialect; formats asserted (``regex`` with ECMA-262 semantics)."""
    import jsonschema_rs

    if dialect == "3.0":
        draft4 = _package_json("jsonschema_specifications", "schemas/draft4/metaschema.json")
        return jsonschema_rs.validator_for(draft4, validate_formats=True, formats=_UNASSERTED)
    dialect_schema = _package_json("openapi_schema_validator", "schemas/oas3.1/metaschema.json")
    vocabulary = _package_json("openapi_schema_validator", "schemas/oas3.1/vocabularies/base")
    registry = jsonschema_rs.Registry([(vocabulary["$id"], vocabulary)])
    return jsonschema_rs.validator_for(
        dialect_schema, registry=registry, validate_formats=True, formats=_UNASSERTED
    )


def _anything(value: str) -> bool:
    return True


# The meta-schemas' URI formats ($ref, $id, externalDocs.url): jsonschema's checkers assert
# them only when the optional rfc3987 package is installed, so a '{' in a $ref pointer
# passes; the verdict must not depend on what else is installed. Only "regex" is asserted.
_UNASSERTED = {
    name: _anything
    for name in ("uri", "uri-reference", "iri", "iri-reference", "uri-template",
                 "json-pointer", "relative-json-pointer")
}


# Keywords whose meaning jsonschema-rs and openapi-schema-validator share exactly; a default
# whose schema uses only these is checked by jsonschema-rs, anything else by the Python one
# (importing it costs 0.18 s, so the common cases below stay on this side).
_PLAIN = frozenset({
    "type", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems", "uniqueItems",
    "minProperties", "maxProperties", "required", "properties", "additionalProperties", "items",
    "description", "title", "example", "examples", "default", "deprecated", "readOnly",
    "writeOnly", "externalDocs", "xml",
})
_NESTED_ONE = ("additionalProperties", "items")
# The formats openapi-schema-validator's checkers assert (tests pin these against them).
CHECKED_FORMATS = {
    "3.0": frozenset({"binary", "byte", "date", "date-time", "double", "email", "float",
                      "idn-email", "idn-hostname", "int32", "int64", "ipv4", "ipv6", "password",
                      "regex", "time", "uuid"}),
    "3.1": frozenset({"date", "date-time", "double", "email", "float", "idn-email",
                      "idn-hostname", "int32", "int64", "ipv4", "ipv6", "password", "regex",
                      "time", "uuid"}),
}
_STRING_FORMATS = frozenset({"byte", "date", "date-time", "email", "idn-email", "idn-hostname",
                             "ipv4", "ipv6", "regex", "time", "uuid"})
_INT_BITS = {"int32": 31, "int64": 63}


def format_passes(name: Any, value: Any, dialect: str) -> bool:
    """True when openapi-schema-validator's format checker certainly accepts ``value``
    (False: it may not; the Python validator must say)."""
    if not isinstance(name, str) or name not in CHECKED_FORMATS[dialect]:
        return True  # not asserted
    if name in ("password", "binary", "float", "double"):
        return True  # any parsed JSON value passes (float/double: every number is one)
    if name in _INT_BITS:
        bits = _INT_BITS[name]
        return isinstance(value, bool) or not isinstance(value, int) or (
            ~(1 << bits) < value < 1 << bits
        )
    return name in _STRING_FORMATS and not isinstance(value, str)


def _plain(schema: Any, default: Any, dialect: str) -> bool:
    """True when jsonschema-rs judges ``default`` against ``schema`` exactly as the Python
    validator would: a ``format`` or ``nullable`` only on the schema itself, where they cannot
    change the verdict on this value."""
    if type(schema) is not dict:
        return False
    for key, value in schema.items():
        if key == "format":
            if not format_passes(value, default, dialect):
                return False
        elif key == "nullable":
            if default is None:
                return False
        elif key not in _PLAIN and not key.startswith("x-"):
            return False
        elif key == "properties":
            if type(value) is not dict or not all(_nested_plain(v, 1) for v in value.values()):
                return False
        elif key in _NESTED_ONE and not _nested_plain(value, 1):
            return False
    return True


def _nested_plain(schema: Any, depth: int) -> bool:
    if type(schema) is bool:
        return True
    if type(schema) is not dict or depth > 8:
        return False
    for key, value in schema.items():
        if key not in _PLAIN and not key.startswith("x-"):
            return False
        if key == "properties":
            if type(value) is not dict or not all(
                _nested_plain(v, depth + 1) for v in value.values()
            ):
                return False
        elif key in _NESTED_ONE and not _nested_plain(value, depth + 1):
            return False
    return True


@functools.lru_cache(maxsize=4096)
def _plain_validator(text: str, draft4: bool) -> Any:
    import jsonschema_rs

    schema = json.loads(text)
    cls = jsonschema_rs.Draft4Validator if draft4 else jsonschema_rs.Draft202012Validator
    return cls(schema, validate_formats=False)


Where = Any  # a JSON pointer, or (parent, token) built into one only when a problem needs it


def pointer_of(where: Where) -> str:
    tokens: list[str] = []
    while isinstance(where, tuple):
        where, token = where
        tokens.append(encode_token(str(token)))
    return str(where) + "".join("/" + t for t in reversed(tokens))


class _Invalid(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _fail(message: str, file: SourceFile, where: Where) -> NoReturn:
    raise _Invalid(Problem(message, file, pointer_of(where)))


class _Walk:
    """One pass over a spec: the checks openapi-spec-validator makes after the schema check.

    Schemas are identified by ``id()`` as the Python validator does (the spec keeps them
    alive); a $ref is followed to its target, its siblings ignored, as jsonschema-path does.
    """

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.is_31 = spec.is_31
        self.dialect = "3.1" if self.is_31 else "3.0"
        self.meta = meta_validator(self.dialect)
        self.meta_checked: set[int] = set()
        self.visited: set[int] = set()
        self.operation_ids: set[Any] = set()
        self.collected: dict[int, frozenset[str] | None] = {}  # None: being collected
        self.default_dialect: Any = None

    # -- navigation ----------------------------------------------------------------------

    def follow(self, file: SourceFile, where: Where, node: Any) -> tuple[SourceFile, Where, Any]:
        steps = 0
        while type(node) is dict and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise Unsettled("$ref is not a string")
            steps += 1
            if steps > 1000:
                raise Unsettled("$ref chain")
            file, where, node = self.spec.resolve(ref, file)
        return file, where, node

    def child(
        self, file: SourceFile, where: Where, node: Any, key: str
    ) -> tuple[SourceFile, Where, Any]:
        return self.follow(file, (where, key), node[key])

    @staticmethod
    def mapping(node: Any) -> dict[str, Any]:
        if type(node) is not dict:
            raise Unsettled("not a mapping")
        return node

    @staticmethod
    def sequence(node: Any) -> list[Any]:
        if type(node) is not list:
            raise Unsettled("not a list")
        return node

    # -- the document --------------------------------------------------------------------

    def run(self) -> None:
        root = self.spec.root
        data = self.mapping(root.data)
        if "tags" in data:
            file, where, tags = self.child(root, "", data, "tags")
            seen: set[Any] = set()
            for index, tag in enumerate(self.sequence(tags)):
                tfile, twhere, tag = self.follow(file, (where, index), tag)
                name = self.mapping(tag).get("name")
                if not isinstance(name, str):
                    raise Unsettled("tag name")
                if name in seen:
                    _fail(f"Duplicate tag name '{name}'", tfile, twhere)
                seen.add(name)
        if "paths" in data:
            file, where, paths = self.child(root, "", data, "paths")
            for url, item in self.mapping(paths).items():
                self.path_item(file, (where, url), url, item)
        if "components" in data:
            file, where, components = self.child(root, "", data, "components")
            if "schemas" in self.mapping(components):
                file, where, schemas = self.child(file, where, components, "schemas")
                for name, schema in self.mapping(schemas).items():
                    self.schema(file, (where, name), schema)

    def path_item(self, file: SourceFile, where: Where, url: str, item: Any) -> None:
        file, where, item = self.follow(file, where, item)
        item = self.mapping(item)
        shared: list[dict[str, Any]] = []
        if "parameters" in item:
            shared = self.parameters(*self.child(file, where, item, "parameters"))
        for method, operation in item.items():
            if method in OPERATIONS:
                self.operation(file, (where, method), url, method, operation, shared)

    def parameters(self, file: SourceFile, where: Where, node: Any) -> list[dict[str, Any]]:
        """Check a parameter list; the resolved parameters."""
        found: list[dict[str, Any]] = []
        seen: set[tuple[Any, Any]] = set()
        for index, parameter in enumerate(self.sequence(node)):
            pfile, pwhere, parameter = self.follow(file, (where, index), parameter)
            parameter = self.mapping(parameter)
            if "schema" in parameter:
                self.schema(pfile, (pwhere, "schema"), parameter["schema"])
            try:
                key = (parameter["name"], parameter["in"])
                duplicate = key in seen
            except (KeyError, TypeError):
                raise Unsettled("parameter without a hashable name and in") from None
            if duplicate:
                _fail(f"Duplicate parameter '{parameter['name']}'", pfile, pwhere)
            seen.add(key)
            found.append(parameter)
        return found

    def operation(
        self,
        file: SourceFile,
        where: Where,
        url: str,
        method: str,
        node: Any,
        shared: list[dict[str, Any]],
    ) -> None:
        file, where, node = self.follow(file, where, node)
        node = self.mapping(node)
        if "operationId" in node:
            operation_id = node["operationId"]
            try:
                duplicate = operation_id is not None and operation_id in self.operation_ids
                self.operation_ids.add(operation_id)
            except TypeError:
                raise Unsettled("operationId is not hashable") from None
            if duplicate:
                _fail(f"Operation ID '{operation_id}' for '{method}' in '{url}' is not unique",
                      file, (where, "operationId"))
        if "responses" in node:
            rfile, rwhere, responses = self.child(file, where, node, "responses")
            for code, response in self.mapping(responses).items():
                self.response(rfile, (rwhere, code), response)
        own: list[dict[str, Any]] = []
        if "parameters" in node:
            own = self.parameters(*self.child(file, where, node, "parameters"))
        declared: set[str] = set()
        for parameter in own + shared:
            place = parameter.get("in")
            if not isinstance(place, str):
                raise Unsettled("parameter 'in' is not a string")
            if place == "path":
                name = parameter.get("name")
                if not isinstance(name, str):
                    raise Unsettled("parameter name is not a string")
                declared.add(name)
        try:
            in_url = {field for _, field, _, _ in string.Formatter().parse(url) if field}
        except ValueError as exc:
            _fail(f"invalid path template {url!r}: {exc}", file, where)
        for name in sorted(in_url ^ declared):
            _fail(f"Path parameter '{name}' for '{method}' operation in '{url}' was not resolved",
                  file, where)

    def response(self, file: SourceFile, where: Where, node: Any) -> None:
        file, where, node = self.follow(file, where, node)
        if "content" not in self.mapping(node):
            return
        file, where, content = self.child(file, where, node, "content")
        for media, media_type in self.mapping(content).items():
            mfile, mwhere, media_type = self.follow(file, (where, media), media_type)
            if "schema" in self.mapping(media_type):
                self.schema(mfile, (mwhere, "schema"), media_type["schema"])

    # -- schemas -------------------------------------------------------------------------

    def schema(self, file: SourceFile, where: Where, node: Any) -> None:
        """A schema reached from a parameter, a media type or components/schemas, and every
        schema under it through allOf/anyOf/oneOf/not/items/properties."""
        stack: list[tuple[SourceFile, Where, Any, bool, int]] = [(file, where, node, True, 0)]
        visited = self.visited
        while stack:
            file, where, value, top, depth = stack.pop()
            if depth > _MAX_DEPTH:
                raise Unsettled("schemas nested too deeply")
            if type(value) is dict and "$ref" in value:
                file, where, value = self.follow(file, where, value)
            kind = type(value)
            if kind is not dict and kind is not bool:
                _fail(f"{value!r} is not of type 'object', 'boolean'", file, where)
            ident = id(value)
            if top and ident not in self.meta_checked:
                self.meta_checked.add(ident)
                self.meta_check(value, file, where)
            if ident in visited:
                continue
            visited.add(ident)
            if kind is bool:
                continue
            deeper = depth + 1
            for keyword in ("allOf", "anyOf", "oneOf"):
                if keyword in value:
                    for index, inner in enumerate(self.sequence(value[keyword])):
                        stack.append((file, ((where, keyword), index), inner, False, deeper))
            for keyword in ("not", "items"):
                if keyword in value:
                    stack.append((file, (where, keyword), value[keyword], False, deeper))
            if "properties" in value:
                for name, inner in self.mapping(value["properties"]).items():
                    stack.append((file, ((where, "properties"), name), inner, False, deeper))
            if "allOf" in value:
                self.required_defined(file, where, value, top)
            if "default" in value:
                default = value["default"]
                if (
                    (default is not None or value.get("nullable") is not True)
                    and not self.default_valid(file, where, value, default)
                ):
                    _fail("default value does not match its schema", file, (where, "default"))

    def meta_check(self, value: Any, file: SourceFile, where: Where) -> None:
        if self.is_31:
            dialect = value.get("$schema") if type(value) is dict else None
            if dialect is None:
                dialect = self.jsonschema_dialect()
            if dialect != OAS31_BASE_DIALECT:
                raise Unsettled(f"schema dialect {dialect!r}")
        if not self.meta.is_valid(value):
            _fail("schema does not match its meta-schema", file, where)

    def required_defined(
        self, file: SourceFile, where: Where, value: dict[str, Any], top: bool
    ) -> None:
        """``required`` names only properties the schema or its allOf defines (top level)."""
        nested: set[str] = set()
        for index, inner in enumerate(self.sequence(value["allOf"])):
            nested |= self.properties_of(file, ((where, "allOf"), index), inner, 0)
        if not top:
            return
        required = value.get("required") or []
        properties = value.get("properties") or []
        try:
            extra = set(required) - set(properties) - nested
        except TypeError:
            raise Unsettled("required or properties not hashable") from None
        if extra:
            _fail(f"Required list has not defined properties: {sorted(extra)}", file, where)

    def properties_of(self, file: SourceFile, where: Where, node: Any, depth: int) -> set[str]:
        """Every property name reachable through allOf/anyOf/oneOf/items/not (as the Python
        validator collects them); a cycle makes it recurse without end: let it decide."""
        if depth > _MAX_DEPTH:
            raise Unsettled("allOf nested too deeply")
        file, where, value = self.follow(file, where, node)
        if type(value) is not dict:
            return set()
        ident = id(value)
        known = self.collected.get(ident, ())
        if known is None:
            raise Unsettled("cycle through allOf/anyOf/oneOf/items/not")
        if known != ():
            return set(known)
        self.collected[ident] = None
        found: set[str] = set()
        if "properties" in value:
            found.update(self.mapping(value["properties"]))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in value:
                for index, inner in enumerate(self.sequence(value[keyword])):
                    found |= self.properties_of(file, ((where, keyword), index), inner, depth + 1)
        for keyword in ("items", "not"):
            if keyword in value:
                found |= self.properties_of(file, (where, keyword), value[keyword], depth + 1)
        self.collected[ident] = frozenset(found)
        return found

    def jsonschema_dialect(self) -> Any:
        if self.default_dialect is None:
            self.default_dialect = self.spec.root.data.get("jsonSchemaDialect",
                                                           OAS31_BASE_DIALECT)
        return self.default_dialect

    def default_valid(self, file: SourceFile, where: Where, schema: Any, default: Any) -> bool:
        if not _plain(schema, default, self.dialect):
            from specguard.load._validate import default_valid_python

            return default_valid_python(self.spec, file, pointer_of(where), schema, default)
        try:
            text = json.dumps(schema, sort_keys=True)
        except (TypeError, ValueError):
            raise Unsettled("schema is not JSON") from None
        return bool(_plain_validator(text, not self.is_31).is_valid(default))


def problems(spec: Spec) -> Iterator[Problem]:
    """Why ``spec`` is invalid, first reason first; nothing when it is valid.

    Raises :class:`Unsettled` when only the Python validator can decide, and a
    :class:`~specguard.errors.RefError` for a ``$ref`` the walk cannot follow.
    """
    validator = document_validator("3.1" if spec.is_31 else "3.0")
    error = next(iter(validator.iter_errors(spec.root.data)), None)
    if error is not None:
        tokens = getattr(error, "instance_path", None) or ()
        pointer = "".join("/" + encode_token(str(t)) for t in tokens)
        yield Problem(" ".join(str(getattr(error, "message", error)).split()), spec.root,
                      pointer)
        return
    try:
        _Walk(spec).run()
    except _Invalid as invalid:
        yield invalid.problem
    except SpecguardError:
        raise
    except (RecursionError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise Unsettled(f"{type(exc).__name__}: {exc}") from None
