"""Validate a loaded spec: settled fast (``_fast``), explained by openapi-spec-validator.

The fast path decides; openapi-spec-validator runs only on a document the fast path rejects
(or cannot decide), to name the problem with its message and line as it always did. Both read
``pattern`` with ECMA-262 semantics (the dialect OpenAPI names), not Python's ``re``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from specguard.errors import RefError, SpecguardError, SpecValidationError
from specguard.load._fast import OAS31_BASE_DIALECT, Problem, Unsettled, meta_validator, problems
from specguard.load._parse import decode_pointer, encode_token

if TYPE_CHECKING:
    from specguard.load import SourceFile, Spec


# resolved paths jsonschema-path may keep (LRU): 10,000 gives the whole gain on the corpus
_RESOLVED_PATHS = 10_000
_HINT = "use --no-validate to diff anyway"

_meta_validator = meta_validator  # the name the meta-check tests know


def validate_specs(specs: Sequence[Spec]) -> None:
    """Validate each spec, raising the first one's error (in the order given)."""
    for spec in specs:
        validate_spec(spec)


def validation_problem(spec: Spec) -> SpecValidationError | None:
    """What :func:`validate_spec` would raise for an invalid document, None for a valid one;
    a ``$ref`` that cannot be followed is raised (:class:`RefError`): no walk gets past it."""
    try:
        validate_spec(spec)
    except SpecValidationError as exc:
        return exc
    return None


def validate_spec(spec: Spec) -> None:
    """Raise :class:`SpecValidationError` (or :class:`RefError`) naming file and line of the
    first problem; return quietly for a valid document."""
    unsettled = False
    problem: Problem | SpecguardError | None
    try:
        problem = next(problems(spec), None)
    except Unsettled:
        problem, unsettled = None, True
    except SpecguardError as exc:
        problem = exc
    if problem is None and not unsettled:
        return
    try:
        explain(spec)  # raises with openapi-spec-validator's message and line
    except SpecValidationError as exc:
        if exc.pointer is None and isinstance(problem, Problem) and problem.pointer:
            # its check of a default names no place: the fast path knows which schema
            exc.pointer = problem.pointer
            exc.line = problem.file.line(problem.pointer)
            exc.file = problem.file.name
        raise
    if problem is None:
        return  # undecided by the fast path; the Python validator accepts it
    if isinstance(problem, SpecguardError):
        raise problem
    raise SpecValidationError(
        f"invalid OpenAPI document: {_short(problem.message)}",
        file=problem.file.name,
        line=problem.file.line(problem.pointer),
        pointer=problem.pointer or None,
        hint=_HINT,
    )


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= 300 else message[:297] + "..."


def explain(spec: Spec) -> None:
    """openapi-spec-validator on ``spec``: raise its first error with file and line."""
    try:
        _explain(spec)
    finally:
        clear_caches()


def clear_caches() -> None:
    """Drop what openapi-spec-validator keeps after a run: its ``iter_errors`` results sit in
    an unbounded ``lru_cache`` keyed on a validator that holds the whole document."""
    import sys

    module = sys.modules.get("openapi_spec_validator.validation.validators")
    if module is None:
        return
    cached: Any = getattr(getattr(module.SpecValidator, "iter_errors", None), "__wrapped__", None)
    if hasattr(cached, "cache_clear"):
        cached.cache_clear()


def _explain(spec: Spec) -> None:
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    cls = _linear(OpenAPIV31SpecValidator if spec.is_31 else OpenAPIV30SpecValidator)
    path = SchemaPath.from_dict(spec.data, **_path_options(spec, spec.root_uri()))
    try:
        error = next(iter(cls(path).iter_errors()), None)
    except SpecguardError:
        diagnose_refs(spec)
        raise
    except RecursionError:
        # Usually a $ref cycle that never reaches a schema; name it with its line.
        diagnose_refs(spec)
        raise SpecValidationError(
            "schema too deeply nested to validate", file=spec.root.name, hint=_HINT
        ) from None
    except Exception as exc:  # the validator's own resolution errors
        diagnose_refs(spec)
        # Our resolver's errors arrive wrapped by referencing (Unresolvable ← Unretrievable).
        cause: BaseException | None = exc
        for _ in range(10):
            if cause is None or isinstance(cause, SpecguardError):
                break
            cause = cause.__cause__ or cause.__context__
        if isinstance(cause, SpecguardError):
            raise cause from None
        raise SpecValidationError(
            f"invalid OpenAPI document: {_short(str(exc))}", file=spec.root.name, hint=_HINT
        ) from None
    if error is None:
        return
    tokens: Iterable[Any] = (
        getattr(error, "absolute_path", None) or getattr(error, "path", None) or ()
    )
    pointer = "".join("/" + encode_token(t) for t in tokens)
    # jsonschema-rs's message goes on with the schema path and the instance: the first
    # paragraph is the message, the pointer already says where
    message = _short(str(getattr(error, "message", error)).split("\n\nFailed validating")[0])
    raise SpecValidationError(
        f"invalid OpenAPI document: {message}",
        file=spec.root.name,
        line=spec.root.line(pointer),
        pointer=pointer or None,
        hint=_HINT,
    )


def _path_options(spec: Spec, base_uri: str) -> dict[str, Any]:
    from jsonschema_path import SchemaPath

    def handler(uri: str) -> Any:
        return spec.file_for_uri(uri)

    handlers = {"file": handler, "http": handler, "https": handler, "<all_urls>": handler}
    options: dict[str, Any] = {"base_uri": base_uri, "handlers": handlers}
    if "resolved_cache_maxsize" in inspect.signature(SchemaPath.from_dict).parameters:
        # jsonschema-path re-resolves every path on every lookup unless told to cache: the
        # validator's document walk then takes 2.5x as long (github-rest 3.9 s -> 1.6 s)
        options["resolved_cache_maxsize"] = _RESOLVED_PATHS
    return options


def default_valid_python(
    spec: Spec, file: SourceFile, pointer: str, schema: Any, default: Any
) -> bool:
    """A schema's ``default`` checked as openapi-spec-validator checks it (its OAS validator,
    formats, ``$ref`` through the document), with ECMA-262 ``pattern``: for the schemas the
    fast path does not check itself."""
    from jsonschema_path import SchemaPath

    path = SchemaPath.from_dict(file.data, **_path_options(spec, _uri_of(spec, file)))
    node: Any = file.data
    try:
        for token in decode_pointer(pointer):
            part: str | int = int(token) if isinstance(node, list) else token
            node = node[part]
            path = path / part
        cls, checker = _value_validator(spec.is_31)
        with path.resolve() as resolved:
            validator = cls(resolved.contents, _resolver=resolved.resolver,
                            format_checker=checker)
            return next(iter(validator.iter_errors(default)), None) is None
    except Exception as exc:  # whatever it is, the Python validator decides
        raise Unsettled(f"default: {type(exc).__name__}") from None
    finally:
        del path


def _uri_of(spec: Spec, file: SourceFile) -> str:
    """The URI openapi-spec-validator knows ``file`` by (a URL for a remote document)."""
    if file is spec.root:
        return spec.root_uri()
    path = spec._paths.get(file.key)  # the loader's own table: this package's business
    return file.key if path is None else PurePosixPath(path).as_uri()


@functools.cache
def _value_validator(is_31: bool) -> tuple[Any, Any]:
    """openapi-schema-validator's OAS 3.0 / 3.1 validator with ``pattern`` read as ECMA-262."""
    from jsonschema.validators import extend as untyped_extend
    from openapi_schema_validator import (
        OAS30Validator,
        OAS31Validator,
        oas30_format_checker,
        oas31_format_checker,
    )

    extend: Any = untyped_extend
    if is_31:
        return extend(OAS31Validator, {"pattern": _ecma_pattern}), oas31_format_checker
    return extend(OAS30Validator, {"pattern": _ecma_pattern}), oas30_format_checker


def _ecma_pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Any:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "string") or not isinstance(pattern, str):
        return
    if not _pattern_validator(pattern).is_valid(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.lru_cache(maxsize=1024)
def _pattern_validator(pattern: str) -> Any:
    """jsonschema-rs's ECMA-262 regular expressions (the dialect OpenAPI names)."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator({"pattern": pattern})


class _IdRegistry(list[int]):
    """A list of ids with constant-time membership.

    openapi-spec-validator 0.8 remembers visited schemas in plain lists and asks
    ``id in list`` for every schema: quadratic, hours for a 50 MB spec with 350 000 schemas.
    """

    def __init__(self) -> None:
        super().__init__()
        self._members: set[int] = set()

    def append(self, item: int) -> None:
        self._members.add(item)
        super().append(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


_LINEAR: dict[type[Any], type[Any]] = {}


def _linear(validator_cls: type[Any]) -> type[Any]:
    """The spec validator class with its schema visitor's id lists made constant-time."""
    known = _LINEAR.get(validator_cls)
    if known is not None:
        return known
    keywords = dict(getattr(validator_cls, "keyword_validators", {}))
    schema_cls = keywords.get("schema")
    if schema_cls is None:  # another openapi-spec-validator layout: leave it alone
        return validator_cls

    class LinearSchemaValidator(schema_cls):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for name in ("visited_schema_ids", "meta_checked_schema_ids"):
                if isinstance(getattr(self, name, None), list):
                    setattr(self, name, _IdRegistry())

        def _validate_schema_meta(self, schema: Any, schema_value: Any) -> Any:
            # Checking every schema against the dialect's meta-schema in Python was 70 % of
            # validating a large spec (16 s of 23 s profiled on github-webhooks). A compiled
            # validator settles the common case, a valid schema; one it rejects goes through
            # the Python check, so errors read as before.
            if _meta_valid(self, schema, schema_value):
                return None
            error = super()._validate_schema_meta(schema, schema_value)
            if error is None:
                # Python's re accepts it, ECMA-262 does not (or another format check differs):
                # the compiled check is the dialect OpenAPI names, so its verdict stands
                error = _ecma_meta_error(self, schema_value)
            # its path is relative to the schema: anchor it where the schema is, or the
            # message points at line 1
            parts = getattr(schema, "parts", None)
            path = getattr(error, "path", None)
            if parts and path is not None and hasattr(path, "extendleft"):
                path.extendleft(reversed([p for p in parts if p != "#"]))
            return error

    keywords["schema"] = LinearSchemaValidator
    default_cls = keywords.get("default")
    if default_cls is not None:

        class EcmaValueValidator(default_cls):  # type: ignore[misc, valid-type]
            value_validator_cls = _value_validator("V31" in validator_cls.__name__)[0]

        keywords["default"] = EcmaValueValidator
    linear = type(validator_cls.__name__, (validator_cls,), {"keyword_validators": keywords})
    _LINEAR[validator_cls] = linear
    return linear


def _meta_valid(checker: Any, schema: Any, schema_value: Any) -> bool:
    """True when the fast validator accepts the schema under the meta-schema the Python
    check would use; False when it rejects it or that meta-schema is another one."""
    try:
        if hasattr(checker, "_get_schema_dialect_id"):
            if checker._get_schema_dialect_id(schema, schema_value) != OAS31_BASE_DIALECT:
                return False
            validator = meta_validator("3.1")
        else:
            validator = meta_validator("3.0")
        return bool(validator.is_valid(schema_value))
    except Exception:  # whatever it is, the Python check decides
        return False


def _ecma_meta_error(checker: Any, schema_value: Any) -> Any:
    """The compiled check's first complaint about a schema the Python check accepts."""
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    dialect = "3.1" if hasattr(checker, "_get_schema_dialect_id") else "3.0"
    try:
        error = next(iter(meta_validator(dialect).iter_errors(schema_value)), None)
    except Exception:
        return None
    if error is None:
        return None
    path = [str(t) for t in getattr(error, "instance_path", None) or ()]
    return OpenAPIValidationError(" ".join(str(error.message).split()), path=path)


_COMPOSITIONS = ("allOf", "anyOf", "oneOf")

Place = tuple["SourceFile", str, Any]  # file, pointer, value


def diagnose_refs(spec: Spec) -> None:
    """Raise a :class:`RefError` with file and line for the first bad ``$ref``, if any.

    Used only when validation failed in a way that hides the place (a resolver exception,
    a RecursionError): resolves every ``$ref`` of every file reached, one step each, then
    looks for cycles that never pass through a value: bare (A -> B -> A) or through
    ``allOf``/``anyOf``/``oneOf`` (a schema that is its own conjunct). Linear in the size of
    the documents, whatever the length of the reference chains.
    """
    edges: dict[int, list[Place]] = {}
    places: list[Place] = []
    walked: set[str] = set()
    while True:
        pending = [f for key, f in list(spec.files.items()) if key not in walked]
        if not pending:
            break
        for source in pending:
            walked.add(source.key)
            stack: list[tuple[Any, str]] = [(source.data, "")]
            while stack:
                value, pointer = stack.pop()
                if isinstance(value, dict):
                    successors = _successors(spec, source, pointer, value)
                    if successors:
                        edges[id(value)] = successors
                        places.append((source, pointer, value))
                    stack.extend((v, pointer + "/" + encode_token(k)) for k, v in value.items())
                elif isinstance(value, list):
                    stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(value))
    _find_cycle(places, edges)


def _successors(spec: Spec, source: SourceFile, pointer: str, value: Any) -> list[Place]:
    """Where a schema leads without passing through a value: its $ref, its branches."""
    found: list[Place] = []
    if "$ref" in value:
        found.append(spec.resolve(value["$ref"], source, pointer))
    for keyword in _COMPOSITIONS:
        branches = value.get(keyword)
        if isinstance(branches, list):
            found.extend(
                (source, f"{pointer}/{keyword}/{index}", branch)
                for index, branch in enumerate(branches)
            )
    return found


def _find_cycle(places: list[Place], edges: dict[int, list[Place]]) -> None:
    done: set[int] = set()
    for start in places:
        on_path: set[int] = set()
        stack: list[tuple[Place, bool]] = [(start, False)]
        while stack:
            (source, pointer, value), leaving = stack.pop()
            ident = id(value)
            if leaving:
                on_path.discard(ident)
                done.add(ident)
                continue
            if ident in done:
                continue
            if ident in on_path:
                through = "" if _bare_ref(value) else " through allOf/anyOf/oneOf"
                raise RefError(
                    f"circular $ref{through} that never reaches a schema",
                    file=source.name,
                    line=source.line(pointer),
                    pointer=pointer or "/",
                    hint="a schema may not be its own $ref target or allOf/anyOf/oneOf branch",
                )
            on_path.add(ident)
            stack.append(((source, pointer, value), True))
            stack.extend((succ, False) for succ in edges.get(ident, ()))


def _bare_ref(value: Any) -> bool:
    return (
        isinstance(value, dict) and "$ref" in value and not any(k in value for k in _COMPOSITIONS)
    )
