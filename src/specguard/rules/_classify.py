"""Small pure functions from a neutral :class:`Change` to rule hits (id + message arguments).

One function per change subject; each knows the direction and picks the rule id. No I/O.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from specguard.model import Change, ChangeKind, Direction, LifecyclePolicy
from specguard.rules._catalogue import BOUND_RULE_IDS, CATALOGUE

ADDED, REMOVED, CHANGED = ChangeKind.ADDED, ChangeKind.REMOVED, ChangeKind.CHANGED
REQ, RESP = Direction.REQUEST, Direction.RESPONSE


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that fires for a change, with the arguments of its message."""

    rule_id: str
    args: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Context:
    """What rules may know besides the change: today's date and the lifecycle policy."""

    today: dt.date
    lifecycle: LifecyclePolicy = field(default_factory=LifecyclePolicy)


Classifier = Callable[[Change, Context], Iterator[Hit]]


def _hit(rule_id: str, **args: Any) -> Hit:
    if rule_id not in CATALOGUE:  # a typo must fail the first fixture that reaches it
        raise KeyError(f"no rule {rule_id!r} in the catalogue")
    return Hit(rule_id, tuple(sorted(args.items())))


def _sided(change: Change, request_rule: str, response_rule: str) -> str:
    """The rule for the change's direction, both named in full so that grep finds them."""
    return response_rule if change.direction is RESP else request_rule


def operation(change: Change, context: Context) -> Iterator[Hit]:
    # removals announced with a sunset date are judged in _lifecycle first
    yield _hit("operation-added" if change.kind is ADDED else "operation-removed")


def operation_deprecated(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("operation-deprecated" if change.new else "operation-undeprecated")


def operation_id(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("operation-id-changed", old=change.old, new=change.new)


def parameter(change: Change, context: Context) -> Iterator[Hit]:
    args = {"name": change.detail("name"), "location": change.detail("location")}
    required = change.detail("required")
    if change.direction is RESP:
        yield _hit("response-parameter-added" if change.kind is ADDED
                   else "response-parameter-removed", **args)
    elif change.kind is ADDED:
        yield _hit("request-parameter-required-added" if required
                   else "request-parameter-optional-added", **args)
    else:
        yield _hit("request-parameter-removed", **args)


def parameter_required(change: Change, context: Context) -> Iterator[Hit]:
    args = {"name": change.detail("name"), "location": change.detail("location")}
    if change.new:
        yield _hit(_sided(change, "request-parameter-became-required",
                          "response-parameter-became-required"), **args)
    else:
        yield _hit(_sided(change, "request-parameter-became-optional",
                          "response-parameter-became-optional"), **args)


def parameter_in(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("parameter-location-changed", name=change.detail("name"), old=change.old,
               new=change.new)


def parameter_style(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("parameter-style-changed", name=change.detail("name"), old=change.old,
               new=change.new)


def parameter_explode(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("parameter-explode-changed", name=change.detail("name"), old=change.old,
               new=change.new)


def parameter_allowance(change: Change, context: Context) -> Iterator[Hit]:
    reserved = change.subject.endswith("allowReserved")
    if change.kind is ADDED:
        rule_id = ("parameter-allow-reserved-added" if reserved
                   else "parameter-allow-empty-value-added")
    else:
        rule_id = ("parameter-allow-reserved-removed" if reserved
                   else "parameter-allow-empty-value-removed")
    yield _hit(rule_id, name=change.detail("name"))


def parameter_name(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("path-parameter-renamed", old=change.old, new=change.new)


def parameter_deprecated(change: Change, context: Context) -> Iterator[Hit]:
    if change.new:
        yield _hit("request-parameter-deprecated", name=change.detail("name"),
                   location=change.detail("location"))


def request_body(change: Change, context: Context) -> Iterator[Hit]:
    if change.direction is RESP:
        yield _hit("response-body-added" if change.kind is ADDED else "response-body-removed")
    elif change.kind is ADDED:
        yield _hit("request-body-required-added" if change.detail("required")
                   else "request-body-optional-added")
    else:
        yield _hit("request-body-removed")


def request_body_required(change: Change, context: Context) -> Iterator[Hit]:
    if change.direction is REQ:
        yield _hit("request-body-became-required" if change.new
                   else "request-body-became-optional")
    else:
        yield _hit("response-body-added" if change.new else "response-body-removed")


def media_type(change: Change, context: Context) -> Iterator[Hit]:
    if change.kind is ADDED:
        rule_id = _sided(change, "request-media-type-added", "response-media-type-added")
    else:
        rule_id = _sided(change, "request-media-type-removed", "response-media-type-removed")
    yield _hit(rule_id, media=change.detail("media"))


def response(change: Change, context: Context) -> Iterator[Hit]:
    status = str(change.detail("status"))
    kept = change.detail("success_kept") or ()
    if status == "DEFAULT" and change.kind is REMOVED and not kept:
        # no 2xx besides it: the default response was what old clients got on success
        yield _hit("response-default-removed")
        return
    success = status.startswith("2")
    if success and change.kind is REMOVED and kept:
        # the responses only narrowed to statuses old clients already handle
        yield _hit("response-success-status-retired", status=status.lower(),
                   kept=", ".join(kept))
        return
    if change.kind is ADDED:
        rule_id = ("response-success-status-added" if success
                   else "response-non-success-status-added")
    else:
        rule_id = ("response-success-status-removed" if success
                   else "response-non-success-status-removed")
    yield _hit(rule_id, status=status.lower())


def header(change: Change, context: Context) -> Iterator[Hit]:
    name = change.detail("name")
    if change.kind is ADDED:
        yield _hit("response-header-added", name=name)
    elif change.detail("required"):
        yield _hit("response-required-header-removed", name=name)
    else:
        yield _hit("response-optional-header-removed", name=name)


def header_required(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("response-header-became-required" if change.new
               else "response-header-became-optional", name=change.detail("name"))


def security_requirement(change: Change, context: Context) -> Iterator[Hit]:
    if change.detail("extends"):
        return  # reported with the requirement it extends, as security-requirement-tightened
    if change.detail("extended_by"):
        yield _hit("security-requirement-tightened", old=change.old,
                   added=list(change.detail("extended_by")))
        return
    if change.kind is ADDED:
        if change.detail("anonymous_before") or not change.detail("previous"):
            yield _hit("security-requirement-added", new=change.new)
        else:
            yield _hit("security-alternative-added", new=change.new)
    elif change.detail("remaining") and not change.detail("covered"):
        yield _hit("security-requirement-removed", old=change.old)
    else:
        yield _hit("security-removed", old=change.old)


def security_scopes(change: Change, context: Context) -> Iterator[Hit]:
    if change.detail("added"):
        yield _hit("security-scope-added", scheme=change.detail("scheme"),
                   added=change.detail("added"))
    if change.detail("removed"):
        yield _hit("security-scope-removed", scheme=change.detail("scheme"),
                   removed=change.detail("removed"))


def security_scheme(change: Change, context: Context) -> Iterator[Hit]:
    if change.kind is REMOVED:
        yield _hit("security-scheme-removed", scheme=change.detail("scheme"))
    else:
        yield _hit("security-scheme-changed", scheme=change.detail("scheme"),
                   field=change.detail("field"))


def servers(change: Change, context: Context) -> Iterator[Hit]:
    if change.kind is ADDED:
        yield _hit("server-added", url=change.new)
    else:
        yield _hit("servers-changed")


def media_type_encoding(change: Change, context: Context) -> Iterator[Hit]:
    # An entry that arrives with its property (or leaves with it) only says how that property
    # is sent; the property's own finding is what matters to old clients.
    if change.kind is ADDED and not change.detail("in_old_schema"):
        return
    if change.kind is REMOVED and not change.detail("in_new_schema"):
        return
    yield _hit("unclassified-change", object="media-type", field="encoding", old=change.old,
               new=change.new)


# -- schemas ------------------------------------------------------------------------------


def schema_type(change: Change, context: Context) -> Iterator[Hit]:
    lost, gained = set(change.detail("lost")), set(change.detail("gained"))
    if change.direction is REQ:
        if lost == {"null"}:
            yield _hit("request-schema-became-not-nullable")
        elif lost:
            yield _hit("request-schema-type-narrowed", lost=sorted(lost))
        elif gained == {"null"}:
            yield _hit("request-schema-became-nullable")
        elif gained:
            yield _hit("request-schema-type-widened", gained=sorted(gained))
    else:
        if gained == {"null"}:
            yield _hit("response-schema-became-nullable")
        elif gained:
            yield _hit("response-schema-type-widened", gained=sorted(gained))
        elif lost == {"null"}:
            yield _hit("response-schema-became-not-nullable")
        elif lost:
            yield _hit("response-schema-type-narrowed", lost=sorted(lost))


def schema_enum(change: Change, context: Context) -> Iterator[Hit]:
    if change.kind is ADDED:
        yield _hit(_sided(change, "request-enum-constraint-added",
                          "response-enum-constraint-added"), new=change.new)
        return
    if change.kind is REMOVED:
        yield _hit(_sided(change, "request-enum-constraint-removed",
                          "response-enum-constraint-removed"), old=change.old)
        return
    added, removed = change.detail("added"), change.detail("removed")
    # the value that may break comes first: a request's removed one, a response's new one
    if change.direction is REQ:
        if removed:
            yield _hit("request-enum-value-removed", removed=list(removed))
        if added:
            yield _hit("request-enum-value-added", added=list(added))
    else:
        if added:
            yield _hit("response-enum-value-added", added=list(added))
        if removed:
            yield _hit("response-enum-value-removed", removed=list(removed))


def schema_required(change: Change, context: Context) -> Iterator[Hit]:
    name = change.detail("name")
    if change.kind is ADDED:
        if change.direction is REQ and change.detail("new_property"):
            yield _hit("request-required-property-added", name=name)
        else:
            yield _hit(_sided(change, "request-property-became-required",
                              "response-property-became-required"), name=name)
    elif not (change.direction is RESP and change.detail("property_removed")):
        # A required response property that disappears is reported once, as removed.
        yield _hit(_sided(change, "request-property-became-optional",
                          "response-property-became-optional"), name=name)


def schema_property(change: Change, context: Context) -> Iterator[Hit]:
    name = change.detail("name")
    if change.kind is ADDED:
        if change.direction is REQ and change.detail("required"):
            return  # reported as request-required-property-added
        yield _hit(_sided(change, "request-property-added", "response-property-added"),
                   name=name)
        return
    if change.direction is REQ:
        closed = change.detail("additional_forbidden")
        yield _hit("request-property-removed-closed" if closed else "request-property-removed",
                   name=name)
    elif change.detail("required"):
        yield _hit("response-required-property-removed", name=name)
    else:
        yield _hit("response-optional-property-removed", name=name)


def schema_additional(change: Change, context: Context) -> Iterator[Hit]:
    if change.detail("tightened"):
        rule_id = _sided(change, "request-additional-properties-restricted",
                         "response-additional-properties-restricted")
    else:
        rule_id = _sided(change, "request-additional-properties-relaxed",
                         "response-additional-properties-relaxed")
    yield _hit(rule_id, old=change.old, new=change.new)


def schema_pattern_properties(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("schema-pattern-properties-changed", pattern=change.detail("pattern"),
               kind=change.kind.value)


def schema_bound(change: Change, context: Context) -> Iterator[Hit]:
    keyword = str(change.detail("keyword", change.subject.split(".", 1)[1]))
    request_tight, request_loose, response_tight, response_loose = BOUND_RULE_IDS[keyword]
    tightened = change.detail("tightened")
    loosened = change.detail("loosened", not tightened)
    if tightened:
        yield _hit(_sided(change, request_tight, response_tight), old=change.old,
                   new=change.new)
    if loosened:
        yield _hit(_sided(change, request_loose, response_loose), old=change.old,
                   new=change.new)


_KEYWORD_RULE_IDS: dict[tuple[str, ChangeKind], tuple[str, str]] = {
    ("pattern", ADDED): ("request-pattern-added", "response-pattern-added"),
    ("pattern", REMOVED): ("request-pattern-removed", "response-pattern-removed"),
    ("pattern", CHANGED): ("request-pattern-changed", "response-pattern-changed"),
    ("format", ADDED): ("request-format-added", "response-format-added"),
    ("format", REMOVED): ("request-format-removed", "response-format-removed"),
    ("format", CHANGED): ("request-format-changed", "response-format-changed"),
}


def schema_pattern(change: Change, context: Context) -> Iterator[Hit]:
    keyword = change.subject.split(".", 1)[1]
    yield _hit(_sided(change, *_KEYWORD_RULE_IDS[(keyword, change.kind)]), old=change.old,
               new=change.new)


# Formats JSON Schema 2020-12 and the OpenAPI Format Registry define; validators know no other.
STANDARD_FORMATS = frozenset({
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex", "int32", "int64", "float", "double",
    "byte", "binary", "password",
})


# The format lattice: (narrower, wider) where every value of the first is a value of the
# second. Closed transitively below.
_FORMAT_EDGES = (
    ("int32", "int64"), ("float", "double"), ("email", "idn-email"),
    ("hostname", "idn-hostname"), ("uri", "iri"), ("uri", "uri-reference"),
    ("iri", "iri-reference"), ("uri-reference", "iri-reference"),
)
# Formats whose values never overlap: a client or server parsing one fails on the other.
_DISJOINT_FORMATS = (
    frozenset({"date-time", "date", "time", "duration"}),
    frozenset({"ipv4", "ipv6"}),
)


def _format_closure() -> frozenset[tuple[str, str]]:
    pairs = set(_FORMAT_EDGES)
    while True:
        more = {(a, d) for a, b in pairs for c, d in pairs if b == c} - pairs
        if not more:
            return frozenset(pairs)
        pairs |= more


_NARROWER_FORMAT = _format_closure()


_FORMAT_RULE_IDS: dict[str, tuple[str, str]] = {
    "widened": ("request-format-widened", "response-format-widened"),
    "narrowed": ("request-format-narrowed", "response-format-narrowed"),
    "incompatible": ("request-format-incompatible", "response-format-incompatible"),
}


def format_relation(old: str, new: str) -> str:
    """'widened', 'narrowed', 'incompatible' (disjoint values) or 'changed' (not related)."""
    if (old, new) in _NARROWER_FORMAT:
        return "widened"
    if (new, old) in _NARROWER_FORMAT:
        return "narrowed"
    if any(old in group and new in group for group in _DISJOINT_FORMATS):
        return "incompatible"
    return "changed"


def schema_format(change: Change, context: Context) -> Iterator[Hit]:
    formats = {value for value in (change.old, change.new) if value is not None}
    if formats and not formats & STANDARD_FORMATS:
        yield _hit("schema-custom-format-changed", old=change.old, new=change.new)
        return
    if change.kind is CHANGED and isinstance(change.old, str) and isinstance(change.new, str):
        relation = format_relation(change.old, change.new)
        if relation != "changed":
            yield _hit(_sided(change, *_FORMAT_RULE_IDS[relation]), old=change.old,
                       new=change.new)
            return
    yield from schema_pattern(change, context)


def schema_items(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit(_sided(change, "request-items-changed", "response-items-changed"),
               old=change.old, new=change.new)


def schema_prefix_items(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("schema-prefix-items-changed", old=change.old, new=change.new)


def schema_all_of(change: Change, context: Context) -> Iterator[Hit]:
    if change.kind is ADDED:
        yield _hit(_sided(change, "request-allof-branch-added", "response-allof-branch-added"))
    else:
        yield _hit(_sided(change, "request-allof-branch-removed",
                          "response-allof-branch-removed"))


def schema_any_of(change: Change, context: Context) -> Iterator[Hit]:
    keyword = change.subject.split(".", 1)[1]
    if change.kind is ADDED:
        if not change.detail("previous"):
            yield _hit(_sided(change, "request-anyof-introduced", "response-anyof-introduced"),
                       keyword=keyword, count=change.detail("index") + 1)
        elif change.direction is REQ and keyword == "oneOf":
            yield _hit("request-oneof-branch-added")
        else:
            yield _hit(_sided(change, "request-anyof-branch-added",
                              "response-anyof-branch-added"), keyword=keyword)
    elif not change.detail("remaining"):
        # The whole list went: the constraint is gone, which widens the value.
        yield _hit(_sided(change, "request-anyof-dropped", "response-anyof-dropped"),
                   keyword=keyword)
    else:
        yield _hit(_sided(change, "request-anyof-branch-removed",
                          "response-anyof-branch-removed"), keyword=keyword)


def schema_not(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit(_sided(change, *{
        ADDED: ("request-not-added", "response-not-added"),
        REMOVED: ("request-not-removed", "response-not-removed"),
        CHANGED: ("request-not-changed", "response-not-changed"),
    }[change.kind]))


def schema_discriminator(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("schema-discriminator-property-changed", old=change.old, new=change.new)


def schema_discriminator_mapping(change: Change, context: Context) -> Iterator[Hit]:
    if change.kind is ADDED:
        rule_id = _sided(change, "request-discriminator-mapping-added",
                         "response-discriminator-mapping-added")
    else:
        rule_id = _sided(change, "request-discriminator-mapping-removed",
                         "response-discriminator-mapping-removed")
    yield _hit(rule_id, value=change.detail("value"))


def schema_default(change: Change, context: Context) -> Iterator[Hit]:
    old, new = change.old, change.new
    if (change.detail("types") == ("string",) and isinstance(new, str)
            and old is not None and not isinstance(old, str)
            and json.dumps(old) == new):
        # true -> "true" on a string: the old default was not a valid value, the same one
        # is now written as one
        yield _hit("schema-default-type-corrected", old=old, new=new)
        return
    yield _hit(_sided(change, "request-default-changed", "response-default-changed"), old=old,
               new=new)


def schema_deprecated(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("schema-deprecated" if change.new else "schema-undeprecated")


def schema_read_only(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("schema-read-only-changed", old=change.old, new=change.new)


def schema_write_only(change: Change, context: Context) -> Iterator[Hit]:
    if change.direction is RESP and change.new is True and change.detail("required"):
        # writeOnly: never in a response, so a property every response carried is gone
        yield _hit("response-required-property-became-write-only", name=change.detail("name"))
        return
    yield _hit("schema-write-only-changed", old=change.old, new=change.new)


def media_range_includes(wider: str, narrower: str) -> bool:
    """``image/*`` includes ``image/png``; ``*/*`` includes everything (parameters ignored)."""
    wide = wider.split(";", 1)[0].strip().lower()
    narrow = narrower.split(";", 1)[0].strip().lower()
    if wide in ("*/*", narrow):
        return True
    return wide.endswith("/*") and narrow.split("/", 1)[0] == wide[:-2]


def schema_content_encoding(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit(_sided(change, "request-content-encoding-changed",
                      "response-content-encoding-changed"), old=change.old, new=change.new)


def schema_content_media_type(change: Change, context: Context) -> Iterator[Hit]:
    if change.kind is not CHANGED:
        if change.kind is ADDED:
            rule_id = _sided(change, "request-content-media-type-added",
                             "response-content-media-type-added")
        else:
            rule_id = _sided(change, "request-content-media-type-removed",
                             "response-content-media-type-removed")
        yield _hit(rule_id, old=change.old, new=change.new)
        return
    old, new = str(change.old), str(change.new)
    if change.direction is REQ and media_range_includes(new, old):
        yield _hit("request-content-media-type-widened", old=old, new=new)
    elif change.direction is RESP and media_range_includes(old, new):
        yield _hit("response-content-media-type-narrowed", old=old, new=new)
    else:
        yield _hit(_sided(change, "request-content-media-type-changed",
                          "response-content-media-type-changed"), old=old, new=new)


def schema_extensible_enum(change: Change, context: Context) -> Iterator[Hit]:
    if change.detail("removed"):
        yield _hit(_sided(change, "request-extensible-enum-value-removed",
                          "response-extensible-enum-value-removed"),
                   removed=list(change.detail("removed")))
    if change.detail("added"):
        yield _hit(_sided(change, "request-extensible-enum-value-added",
                          "response-extensible-enum-value-added"),
                   added=list(change.detail("added")))


def schema_const(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit(_sided(change, "request-const-changed", "response-const-changed"),
               old=change.old, new=change.new)


def schema_boolean(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("schema-boolean-changed", old=change.old, new=change.new)


def schema_presence(change: Change, context: Context) -> Iterator[Hit]:
    if change.detail("unconstrained"):
        return  # a schema that admits anything says what no schema said
    if change.kind is ADDED:
        yield _hit(_sided(change, "request-schema-added", "response-schema-added"))
    else:
        yield _hit(_sided(change, "request-schema-removed", "response-schema-removed"))


def unclassified(change: Change, context: Context) -> Iterator[Hit]:
    yield _hit("unclassified-change", object=change.detail("object"),
               field=change.detail("field"), old=change.old, new=change.new)


CLASSIFIERS: dict[str, Classifier] = {
    "operation": operation,
    "operation.deprecated": operation_deprecated,
    "operation.operationId": operation_id,
    "parameter": parameter,
    "parameter.required": parameter_required,
    "parameter.in": parameter_in,
    "parameter.style": parameter_style,
    "parameter.explode": parameter_explode,
    "parameter.name": parameter_name,
    "parameter.allowReserved": parameter_allowance,
    "parameter.allowEmptyValue": parameter_allowance,
    "parameter.deprecated": parameter_deprecated,
    "request-body": request_body,
    "request-body.required": request_body_required,
    "media-type": media_type,
    "media-type.encoding": media_type_encoding,
    "response": response,
    "header": header,
    "header.required": header_required,
    "security-requirement": security_requirement,
    "security-scopes": security_scopes,
    "security-scheme": security_scheme,
    "servers": servers,
    "schema": schema_presence,
    "schema.boolean": schema_boolean,
    "schema.type": schema_type,
    "schema.enum": schema_enum,
    "schema.const": schema_const,
    "schema.x-extensible-enum": schema_extensible_enum,
    "schema.required": schema_required,
    "schema.property": schema_property,
    "schema.additionalProperties": schema_additional,
    "schema.patternProperties": schema_pattern_properties,
    "schema.minimum": schema_bound,
    "schema.maximum": schema_bound,
    "schema.minLength": schema_bound,
    "schema.maxLength": schema_bound,
    "schema.minItems": schema_bound,
    "schema.maxItems": schema_bound,
    "schema.minProperties": schema_bound,
    "schema.maxProperties": schema_bound,
    "schema.multipleOf": schema_bound,
    "schema.dependentSchemas": schema_bound,
    "schema.dependentRequired": schema_bound,
    "schema.unevaluatedItems": schema_bound,
    "schema.unevaluatedProperties": schema_bound,
    "schema.propertyNames": schema_bound,
    "schema.contains": schema_bound,
    "schema.maxContains": schema_bound,
    "schema.minContains": schema_bound,
    "schema.contentSchema": schema_bound,
    "schema.contentEncoding": schema_content_encoding,
    "schema.contentMediaType": schema_content_media_type,
    "schema.uniqueItems": schema_bound,
    "schema.pattern": schema_pattern,
    "schema.format": schema_format,
    "schema.items": schema_items,
    "schema.prefixItems": schema_prefix_items,
    "schema.allOf": schema_all_of,
    "schema.anyOf": schema_any_of,
    "schema.oneOf": schema_any_of,
    "schema.not": schema_not,
    "schema.discriminator": schema_discriminator,
    "schema.discriminator-mapping": schema_discriminator_mapping,
    "schema.default": schema_default,
    "schema.deprecated": schema_deprecated,
    "schema.readOnly": schema_read_only,
    "schema.writeOnly": schema_write_only,
    "unclassified": unclassified,
}
