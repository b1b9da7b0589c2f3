"""Helpers for the judge's tests: resolvers over in-memory documents and over loaded specs."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT202012

from specguard.load import Spec, load_spec
from specguard.semantics import Judge, Outcome, Verdict

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "semantic"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class MemoryResolver:
    """Resolves ``$ref``s between named in-memory documents (``name#/pointer``)."""

    def __init__(self, **documents: Any) -> None:
        self.documents = documents
        self.calls = 0

    def __call__(self, ref: str, base: str) -> tuple[str, str, Any]:
        self.calls += 1
        address, _, fragment = ref.partition("#")
        name = address or base
        node = self.documents[name]
        for token in urllib.parse.unquote(fragment).split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return name, f"{name}#{fragment}", node


class SpecResolver:
    """Resolves ``$ref``s of loaded specs; a base is a :class:`SourceFile` key."""

    def __init__(self, *specs: Spec) -> None:
        self.specs = specs

    def __call__(self, ref: str, base: str) -> tuple[str, str, Any]:
        for spec in self.specs:
            source = spec.files.get(base)
            if source is not None:
                target, pointer, node = spec.resolve(ref, source)
                return target.key, f"{target.key}#{pointer}", node
        raise KeyError(base)


def judge(
    dialect: Literal["3.0", "3.1"] = "3.1",
    *,
    closed_senders: bool = False,
    assert_formats: bool = True,
    **documents: Any,
) -> Judge:
    """A judge over in-memory documents (default names: ``old`` and ``new``).

    Plain JSON Schema instance sets with formats asserted by default, which a plain validator
    can check; the conventions specguard judges by (closed senders, formats as annotations)
    have tests of their own.
    """
    return Judge(
        MemoryResolver(**documents),
        dialect=dialect,
        closed_senders=closed_senders,
        assert_formats=assert_formats,
    )


def plain_valid(schema: Any, instance: Any) -> bool:
    """Draft 2020-12 validation with jsonschema alone (no OpenAPI extensions), formats asserted."""
    checker = Draft202012Validator.FORMAT_CHECKER
    return bool(Draft202012Validator(schema, format_checker=checker).is_valid(instance))


def assert_incompatible(verdict: Verdict, sub: Any, sup: Any) -> Any:
    """The verdict is INCOMPATIBLE and its witness separates the schemas (plain validator)."""
    assert verdict.outcome is Outcome.INCOMPATIBLE, verdict.reason
    assert verdict.witness is not None
    instance = verdict.witness.instance
    assert plain_valid(sub, instance), instance
    assert not plain_valid(sup, instance), instance
    return instance


@dataclass(frozen=True)
class Site:
    """One schema of an operation: what it is, where it is, and its document."""

    kind: str  # request-body, response-body, parameter
    label: str
    schema: Any
    base: str
    pointer: str


def _follow(spec: Spec, node: Any, base: str, pointer: str) -> tuple[Any, str, str]:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        source, pointer, node = spec.follow(node, spec.files[base], pointer)
        return node, source.key, pointer
    return node, base, pointer


def _token(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def sites(spec: Spec) -> dict[str, Site]:
    """Every request body, parameter and response body schema of a spec, by a stable label."""
    out: dict[str, Site] = {}
    for path, item in (spec.data.get("paths") or {}).items():
        item, item_base, item_ptr = _follow(spec, item, spec.root.key, f"/paths/{_token(path)}")
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            op, op_ptr = f"{method.upper()} {path}", f"{item_ptr}/{method}"
            for i, parameter in enumerate(operation.get("parameters") or []):
                parameter, base, ptr = _follow(
                    spec, parameter, item_base, f"{op_ptr}/parameters/{i}"
                )
                if "schema" in parameter:
                    label = f"{op} parameter {parameter['in']}:{parameter['name']}"
                    out[label] = Site(
                        "parameter", label, parameter["schema"], base, f"{ptr}/schema"
                    )
            body, base, ptr = _follow(
                spec, operation.get("requestBody"), item_base, f"{op_ptr}/requestBody"
            )
            for media, content in ((body or {}).get("content") or {}).items():
                if "schema" in content:
                    label = f"{op} request {media}"
                    where = f"{ptr}/content/{_token(media)}/schema"
                    out[label] = Site("request-body", label, content["schema"], base, where)
            for status, response in (operation.get("responses") or {}).items():
                response, base, ptr = _follow(
                    spec, response, item_base, f"{op_ptr}/responses/{status}"
                )
                for media, content in ((response or {}).get("content") or {}).items():
                    if "schema" in content:
                        label = f"{op} response {status} {media}"
                        where = f"{ptr}/content/{_token(media)}/schema"
                        out[label] = Site("response-body", label, content["schema"], base, where)
    return out


def independent_valid(spec: Spec, site: Site, instance: Any) -> bool:
    """Validate with openapi-schema-validator over the whole document (its own $ref handling).

    Independent of the judge's verifier, but like any plain validator it knows nothing about
    readOnly/writeOnly by direction.
    """
    uri = "urn:specguard-test:document"
    validator_cls = OAS31Validator if spec.is_31 else OAS30Validator
    specification = DRAFT202012 if spec.is_31 else DRAFT4
    registry: Registry[Any] = Registry().with_resource(
        uri, specification.create_resource(spec.data)
    )
    validator = validator_cls(
        {"$ref": f"{uri}#{site.pointer}"},
        registry=registry,
        format_checker=validator_cls.FORMAT_CHECKER,
    )
    return bool(validator.is_valid(instance))


def fixture_cases(family: str) -> Iterator[Path]:
    """The case folders of one family under fixtures/semantic."""
    yield from sorted(p.parent for p in (FIXTURES / family).glob("*/expected.yaml"))


def load_case(folder: Path) -> tuple[Spec, Spec]:
    """The old and new documents of a case, loaded without spec validation."""
    old = load_spec(str(folder / "old.yaml"), validate=False)
    new = load_spec(str(folder / "new.yaml"), validate=False)
    return old, new


def dialect_of(spec: Spec) -> Literal["3.0", "3.1"]:
    """The schema dialect of a loaded spec."""
    return "3.1" if spec.is_31 else "3.0"
