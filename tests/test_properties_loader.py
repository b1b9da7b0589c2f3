"""Properties of the loader and differ on arbitrary input: they fail only with SpecguardError.

Whatever bytes, YAML-looking text, JSON values or OpenAPI-shaped documents with wrong types
in random places come in, ``load_spec`` and ``diff_specs`` either succeed or raise
:class:`~specguard.errors.SpecguardError` (which the CLI prints as one line). Anything else
would be a traceback for the user.

Profiles: the default is bounded for CI (a few thousand examples in all, well under a
minute); ``SPECGUARD_PROPERTIES=long`` runs many more for a soak.
"""

from __future__ import annotations

import json
import os
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from specguard import diff_specs, load_spec
from specguard.errors import SpecguardError
from specguard.load import Spec

settings.register_profile(
    "specguard-ci",
    max_examples=1_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "specguard-long",
    max_examples=20_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile(
    "specguard-long" if os.environ.get("SPECGUARD_PROPERTIES") == "long" else "specguard-ci"
)

# -- strategies --------------------------------------------------------------------------

_YAML_ALPHABET = st.sampled_from(
    [*"abcxyz019 \t\n:-[]{},&*!|>'\"#%@`?~.<=$/\\", "\ufeff", "\x00", "\x1b", "é", "\u2028"]
)
yaml_like_text = st.text(alphabet=_YAML_ALPHABET, max_size=200)

_PREFIXES = [
    b"",
    b"\xef\xbb\xbf",
    b"openapi: 3.1.0\n",
    b'{"openapi": "3.0.3", ',
    b"%YAML 1.1\n---\n",
]
prefixed_bytes = st.builds(bytes.__add__, st.sampled_from(_PREFIXES), st.binary(max_size=200))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["#/components/schemas/A", "#/nope", "a.yaml", "http://127.0.0.1:9/x"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
        st.dictionaries(st.sampled_from(["$ref", "type", "items", "allOf"]), inner, max_size=2),
    ),
    max_leaves=20,
)

_TYPES = st.sampled_from(["string", "integer", "number", "boolean", "object", "array", "null"])
_REFS = st.sampled_from(
    ["#/components/schemas/A", "#/components/schemas/B", "#/components/schemas/Missing", "#/x"]
)


def _junk_or(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly well-typed values, sometimes an arbitrary JSON value in their place."""
    return st.one_of(strategy, strategy, strategy, json_values)


schemas = st.recursive(
    st.one_of(
        st.fixed_dictionaries({"type": _junk_or(_TYPES)}),
        st.fixed_dictionaries({"$ref": _junk_or(_REFS)}),
        st.booleans(),
        st.fixed_dictionaries(
            {"type": st.just("string")},
            optional={
                "maxLength": _junk_or(st.integers(0, 9)),
                "enum": _junk_or(st.lists(st.text(max_size=3), max_size=3)),
                "nullable": st.booleans(),
            },
        ),
    ),
    lambda inner: st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("object")},
            optional={
                "properties": _junk_or(st.dictionaries(st.sampled_from("abc"), inner, max_size=3)),
                "required": _junk_or(st.lists(st.sampled_from("abcd"), max_size=3)),
                "additionalProperties": _junk_or(st.one_of(st.booleans(), inner)),
            },
        ),
        st.fixed_dictionaries({"type": st.just("array"), "items": _junk_or(inner)}),
        st.dictionaries(
            st.sampled_from(["allOf", "anyOf", "oneOf"]),
            _junk_or(st.lists(inner, max_size=3)),
            min_size=1,
            max_size=2,
        ),
        st.fixed_dictionaries({"not": _junk_or(inner)}),
    ),
    max_leaves=8,
)
parameters = st.fixed_dictionaries(
    {"name": _junk_or(st.sampled_from(["id", "q", "X-Key"]))},
    optional={
        "in": _junk_or(st.sampled_from(["path", "query", "header", "cookie"])),
        "required": _junk_or(st.booleans()),
        "schema": schemas,
    },
)
responses = st.dictionaries(
    st.one_of(st.sampled_from(["200", "201", "404", "default", "2XX"]), st.text(max_size=4)),
    _junk_or(
        st.fixed_dictionaries(
            {"description": st.just("r")},
            optional={
                "content": st.fixed_dictionaries(
                    {"application/json": st.fixed_dictionaries({"schema": schemas})}
                )
            },
        )
    ),
    max_size=3,
)
operations = st.fixed_dictionaries(
    {"responses": _junk_or(responses)},
    optional={
        "parameters": _junk_or(st.lists(_junk_or(parameters), max_size=3)),
        "requestBody": _junk_or(
            st.fixed_dictionaries(
                {
                    "content": st.fixed_dictionaries(
                        {"application/json": st.fixed_dictionaries({"schema": schemas})}
                    )
                }
            )
        ),
        "deprecated": _junk_or(st.booleans()),
        "security": _junk_or(
            st.lists(
                st.dictionaries(
                    st.sampled_from(["k", "o"]),
                    st.lists(st.text(max_size=3), max_size=2),
                    max_size=2,
                ),
                max_size=2,
            )
        ),
    },
)
path_items = st.dictionaries(
    st.sampled_from(["get", "put", "post", "delete", "parameters", "x-a"]),
    _junk_or(operations),
    max_size=3,
)
documents = st.fixed_dictionaries(
    {
        "openapi": st.sampled_from(["3.0.3", "3.1.0"]),
        "info": st.just({"title": "t", "version": "1"}),
        "paths": _junk_or(
            st.dictionaries(
                st.sampled_from(["/a", "/a/{id}", "/a/{key}", "/b"]),
                _junk_or(path_items),
                max_size=3,
            )
        ),
    },
    optional={
        "components": st.fixed_dictionaries(
            {"schemas": _junk_or(st.dictionaries(st.sampled_from(["A", "B"]), schemas, max_size=2))}
        ),
        "webhooks": _junk_or(st.dictionaries(st.sampled_from(["w"]), path_items, max_size=1)),
        "security": _junk_or(st.lists(st.dictionaries(st.sampled_from(["k"]), st.just([])))),
    },
)


# -- helpers -----------------------------------------------------------------------------


def _load(raw: bytes, validate: bool) -> Spec | None:
    """Load from stdin bytes; ``None`` when specguard refused the input (its own error)."""
    try:
        spec = load_spec("-", stdin=raw, validate=validate)
    except SpecguardError as error:
        assert "\n" not in error.one_line()
        event(f"load refused: {type(error).__name__}")
        return None
    event("loaded")
    return spec


def _diff(old: Spec, new: Spec) -> Any:
    try:
        report = diff_specs(old, new)
    except SpecguardError as error:
        assert "\n" not in error.one_line()
        event(f"diff refused: {type(error).__name__}")
        return None
    event("diffed" if report.findings else "diffed, no findings")
    return report


def _encode(document: Any, as_json: bool) -> bytes:
    if as_json:
        return json.dumps(document).encode()
    return yaml.safe_dump(document, sort_keys=False).encode()


# -- properties --------------------------------------------------------------------------


@PROFILE
@given(raw=prefixed_bytes, validate=st.booleans())
def test_any_bytes_fail_only_with_specguard_error(raw: bytes, validate: bool) -> None:
    """Arbitrary bytes (behind a BOM, a YAML or JSON start) load or fail with our error."""
    _load(raw, validate)


@PROFILE
@given(text=yaml_like_text)
def test_any_yaml_like_text_fails_only_with_specguard_error(text: str) -> None:
    """Text made of YAML's syntax characters loads or fails with our error."""
    spec = _load(("openapi: 3.1.0\n" + text).encode("utf-8", "surrogatepass"), validate=False)
    if spec is not None:
        _diff(spec, spec)


@PROFILE
@given(value=json_values, as_json=st.booleans())
def test_any_json_value_as_document_fails_only_with_specguard_error(
    value: Any, as_json: bool
) -> None:
    """Any JSON value as the document, or under its paths, loads and diffs or fails cleanly."""
    _load(_encode(value, as_json), validate=False)
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": value}
    spec = _load(_encode(document, as_json), validate=False)
    if spec is not None:
        _diff(spec, spec)


@PROFILE
@given(old=documents, new=documents, as_json=st.booleans(), validate=st.booleans())
def test_openapi_shaped_documents_diff_or_fail_with_specguard_error(
    old: Any, new: Any, as_json: bool, validate: bool
) -> None:
    """OpenAPI-shaped documents with wrong types anywhere diff both ways or fail cleanly."""
    old_spec = _load(_encode(old, as_json), validate)
    new_spec = _load(_encode(new, as_json), validate)
    if old_spec is None or new_spec is None:
        return
    _diff(old_spec, new_spec)
    _diff(new_spec, old_spec)


@PROFILE
@given(document=documents)
def test_a_document_diffed_with_itself_has_no_findings(document: Any) -> None:
    """diff(a, a) is empty whatever the document holds (when it loads and diffs at all)."""
    spec = _load(_encode(document, as_json=True), validate=False)
    if spec is None:
        return
    report = _diff(spec, spec)
    if report is not None:
        assert report.findings == ()
