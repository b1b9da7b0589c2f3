"""Validate a loaded spec with openapi-spec-validator, reading refs through our resolver."""

from __future__ import annotations

import functools
import inspect
import multiprocessing
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from specguard.errors import RefError, SpecguardError, SpecValidationError
from specguard.load._parse import encode_token

if TYPE_CHECKING:
    from specguard.load import SourceFile, Spec


# resolved paths jsonschema-path may keep (LRU): 10,000 gives the whole gain on the corpus
_RESOLVED_PATHS = 10_000


# Below this much text in all, validating one document after another is quicker than forking.
PARALLEL_FROM_BYTES = 2_000_000


def validate_specs(specs: Sequence[Spec]) -> None:
    """Validate each spec, raising the first one's error (in the order given).

    Validation is pure Python and takes seconds on large documents: where ``fork`` exists and
    the documents are large, the others are validated in forked processes (they inherit the
    loaded documents) while this process validates the first.
    """
    size = sum(len(file.text) for spec in specs for file in spec.files.values())
    if (
        len(specs) < 2
        or size < PARALLEL_FROM_BYTES
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1  # forking a threaded process may deadlock
    ):
        for spec in specs:
            validate_spec(spec)
        return
    context = multiprocessing.get_context("fork")
    children = []
    for spec in specs[1:]:
        reader, writer = context.Pipe(duplex=False)
        child = context.Process(target=_validate_in_child, args=(spec, writer), daemon=True)
        child.start()
        writer.close()
        children.append((spec, child, reader))
    errors: list[SpecguardError | None] = []
    try:
        validate_spec(specs[0])
        errors.append(None)
    except SpecguardError as exc:
        errors.append(exc)
    for spec, child, reader in children:
        try:
            outcome = reader.recv()
        except EOFError:  # the child died (memory, a signal): validate here instead
            outcome = _outcome(spec)
        child.join()
        errors.append(outcome)
    for error in errors:
        if error is not None:
            raise error


def _validate_in_child(spec: Spec, writer: Any) -> None:
    writer.send(_outcome(spec))
    writer.close()


def _outcome(spec: Spec) -> SpecguardError | None:
    try:
        validate_spec(spec)
    except SpecguardError as exc:
        return exc
    return None


def validate_spec(spec: Spec) -> None:
    """Raise :class:`SpecValidationError` naming file and line of the first problem."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    cls = _linear(OpenAPIV31SpecValidator if spec.is_31 else OpenAPIV30SpecValidator)

    def handler(uri: str) -> Any:
        return spec.file_for_uri(uri)

    handlers = {"file": handler, "http": handler, "https": handler, "<all_urls>": handler}
    options: dict[str, Any] = {"base_uri": spec.root_uri(), "handlers": handlers}
    if "resolved_cache_maxsize" in inspect.signature(SchemaPath.from_dict).parameters:
        # jsonschema-path re-resolves every path on every lookup unless told to cache: the
        # validator's document walk then takes 2.5x as long (github-rest 3.9 s -> 1.6 s)
        options["resolved_cache_maxsize"] = _RESOLVED_PATHS
    path = SchemaPath.from_dict(spec.data, **options)
    try:
        error = next(iter(cls(path).iter_errors()), None)
    except SpecguardError:
        diagnose_refs(spec)
        raise
    except RecursionError:
        # Usually a $ref cycle that never reaches a schema; name it with its line.
        diagnose_refs(spec)
        raise SpecValidationError(
            "schema too deeply nested to validate",
            file=spec.root.name,
            hint="use --no-validate to diff anyway",
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
            f"invalid OpenAPI document: {' '.join(str(exc).split())[:300]}",
            file=spec.root.name,
            hint="use --no-validate to diff anyway",
        ) from None
    if error is None:
        return
    tokens: Iterable[Any] = (
        getattr(error, "absolute_path", None) or getattr(error, "path", None) or ()
    )
    pointer = "".join("/" + encode_token(t) for t in tokens)
    message = " ".join(str(getattr(error, "message", error)).split())
    if len(message) > 300:
        message = message[:297] + "..."
    raise SpecValidationError(
        f"invalid OpenAPI document: {message}",
        file=spec.root.name,
        line=spec.root.line(pointer),
        pointer=pointer or None,
        hint="use --no-validate to diff anyway",
    )


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
            # its path is relative to the schema: anchor it where the schema is, or the
            # message points at line 1
            parts = getattr(schema, "parts", None)
            path = getattr(error, "path", None)
            if parts and path is not None and hasattr(path, "extendleft"):
                path.extendleft(reversed([p for p in parts if p != "#"]))
            return error

    keywords["schema"] = LinearSchemaValidator
    linear = type(validator_cls.__name__, (validator_cls,), {"keyword_validators": keywords})
    _LINEAR[validator_cls] = linear
    return linear


@functools.cache
def _meta_validator(dialect: str) -> Any:
    """jsonschema-rs over the meta-schema openapi-spec-validator checks schemas against."""
    import jsonschema_rs
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from openapi_schema_validator._specifications import REGISTRY

    if dialect == "3.0":
        # OAS30Validator.check_schema: the draft-04 meta-schema, formats asserted
        return jsonschema_rs.validator_for(OAS30Validator.META_SCHEMA, validate_formats=True)
    registry = jsonschema_rs.Registry([(uri, REGISTRY.contents(uri)) for uri in REGISTRY])
    return jsonschema_rs.validator_for(
        OAS31Validator.META_SCHEMA, registry=registry, validate_formats=True
    )


def _meta_valid(checker: Any, schema: Any, schema_value: Any) -> bool:
    """True when the fast validator accepts the schema under the meta-schema the Python
    check would use; False when it rejects it or that meta-schema is another one."""
    from openapi_schema_validator._dialects import OAS31_BASE_DIALECT_ID

    try:
        if hasattr(checker, "_get_schema_dialect_id"):
            if checker._get_schema_dialect_id(schema, schema_value) != OAS31_BASE_DIALECT_ID:
                return False
            validator = _meta_validator("3.1")
        else:
            validator = _meta_validator("3.0")
        return bool(validator.is_valid(schema_value))
    except Exception:  # whatever it is, the Python check decides
        return False


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
