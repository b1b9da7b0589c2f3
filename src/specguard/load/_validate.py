"""Validate a loaded spec with openapi-spec-validator, reading refs through our resolver."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from specguard.errors import SpecguardError, SpecValidationError
from specguard.load._parse import encode_token

if TYPE_CHECKING:
    from specguard.load import Spec


def validate_spec(spec: Spec) -> None:
    """Raise :class:`SpecValidationError` naming file and line of the first problem."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
    )

    cls = OpenAPIV31SpecValidator if spec.is_31 else OpenAPIV30SpecValidator

    def handler(uri: str) -> Any:
        return spec.file_for_uri(uri)

    handlers = {"file": handler, "http": handler, "https": handler, "<all_urls>": handler}
    path = SchemaPath.from_dict(spec.data, base_uri=spec.root_uri(), handlers=handlers)
    try:
        error = next(iter(cls(path).iter_errors()), None)
    except SpecguardError:
        raise
    except RecursionError:
        raise SpecValidationError(
            "schema too deeply nested to validate", file=spec.root.name,
            hint="use --no-validate to diff anyway",
        ) from None
    except Exception as exc:  # the validator's own resolution errors
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
