"""The rule catalogue: one table of every rule id specguard can report.

Ids are stable kebab-case, direction first. An id never changes meaning; a retired id stays
listed in ``RETIRED`` so it is never reused. Levels here are defaults; configuration may
override them per id.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from specguard.model import Direction, Level

B, W, S = Level.BREAKING, Level.WARNING, Level.SAFE
REQ, RESP, NONE = Direction.REQUEST, Direction.RESPONSE, Direction.NONE


class JudgePolicy(str, enum.Enum):
    """How far the semantic judge may act on a rule's findings (see rules/_semantic.py)."""

    # a verdict on the changed schema pair may downgrade the finding (or attach its witness),
    # and a root schema proved compatible overrules it
    DECIDES = "decides"
    # the judge attaches a witness; the level stands (a change of meaning no instance shows:
    # a new default, a property that became writeOnly, a format)
    WITNESSES = "witnesses"
    # a root schema proved compatible overrules it; the pair itself is not judged
    ROOT = "root"
    # only a root schema that accepts the same instances both ways overrules it
    EQUIVALENCE = "equivalence"
    # a removed property: overruled only when it is still declared (it moved) and no old
    # instance breaks, or when the root schemas are equivalent both ways
    REMOVAL = "removal"
    # never touched: what it reports lies beyond the instances a validator sees
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogue entry: id, default level, direction, message template and rationale.

    ``judge`` says how far the semantic judge may act on its findings; ``isolated``: the
    finding's pointer names the whole change (one keyword's value), so the old schema with
    just that keyword replaced is exactly "this change alone" when a witness is sought.
    """

    id: str
    level: Level
    direction: Direction
    message: str
    rationale: str
    judge: JudgePolicy = JudgePolicy.EQUIVALENCE
    isolated: bool = False


DECIDES, WITNESSES, ROOT = JudgePolicy.DECIDES, JudgePolicy.WITNESSES, JudgePolicy.ROOT
REMOVAL, NEVER = JudgePolicy.REMOVAL, JudgePolicy.NEVER


def _r(rule_id: str, level: Level, direction: Direction, message: str, rationale: str, *,
       judge: JudgePolicy = JudgePolicy.EQUIVALENCE, isolated: bool = False) -> Rule:
    return Rule(rule_id, level, direction, message, rationale, judge, isolated)


_OLD_REQ = "an old client's request that was valid may now be rejected"
_OLD_RESP = "an old client may receive a response it cannot handle"
_WIDER = "the set of accepted requests only grew"
_NARROWER = "the set of possible responses only shrank"

_LISTED_RULES: tuple[Rule, ...] = (
    # -- operations and paths --------------------------------------------------------------
    _r("operation-removed", B, NONE, "operation {op} was removed",
       "clients calling it get 404/405"),
    _r("operation-sunset-removed", S, NONE,
       "operation {op} was removed after its sunset date {sunset}",
       "it was deprecated with a sunset date that has passed"),
    _r("operation-added", S, NONE, "operation {op} was added", "new operations break nobody"),
    _r("operation-deprecated", S, NONE, "operation {op} is now deprecated",
       "deprecation is advance notice, not a break"),
    _r("operation-undeprecated", S, NONE, "operation {op} is no longer deprecated",
       "clients lose nothing"),
    _r("operation-id-changed", W, NONE, "operationId changed from {old} to {new}",
       "generated clients and consumers that name the operation by id break"),
    _r("path-parameter-renamed", S, NONE, "path parameter renamed from {old} to {new}",
       "the URL shape is unchanged; only the template name differs"),
    _r("servers-changed", W, NONE, "servers changed",
       "clients with a configured base URL may need to move"),
    _r("server-added", S, NONE, "server {url} was added",
       "every server clients used is still listed"),
    # -- parameters ------------------------------------------------------------------------
    _r("request-parameter-required-added", B, REQ,
       "new required {location} parameter '{name}'", "old clients do not send it"),
    _r("request-parameter-optional-added", S, REQ,
       "new optional {location} parameter '{name}'", "old clients may omit it"),
    _r("request-parameter-removed", W, REQ, "{location} parameter '{name}' was removed",
       "old clients still send it; whether the service ignores or rejects it is not in the "
       "contract"),
    _r("request-parameter-became-required", B, REQ,
       "{location} parameter '{name}' became required", "old clients may omit it"),
    _r("request-parameter-became-optional", S, REQ,
       "{location} parameter '{name}' became optional", _WIDER),
    _r("request-parameter-deprecated", S, REQ, "{location} parameter '{name}' is now deprecated",
       "deprecation is advance notice"),
    _r("response-parameter-added", S, RESP, "callback now sends {location} parameter '{name}'",
       "receivers ignore what they do not read"),
    _r("response-parameter-removed", B, RESP,
       "callback no longer sends {location} parameter '{name}'",
       "receivers that read it lose it"),
    _r("response-parameter-became-optional", B, RESP,
       "callback parameter '{name}' became optional", "receivers that rely on it may miss it"),
    _r("response-parameter-became-required", S, RESP,
       "callback parameter '{name}' became required", _NARROWER),
    _r("parameter-location-changed", B, REQ,
       "parameter '{name}' moved from {old} to {new}", "old clients send it in the old place"),
    _r("parameter-style-changed", B, REQ,
       "serialisation style of parameter '{name}' changed from {old} to {new}",
       "old clients serialise it the old way"),
    _r("parameter-explode-changed", B, REQ,
       "explode of parameter '{name}' changed from {old} to {new}",
       "old clients serialise arrays/objects the old way"),
    _r("parameter-allow-reserved-added", S, REQ,
       "parameter '{name}' now allows reserved characters unencoded",
       "old clients percent-encode them, which still decodes the same"),
    _r("parameter-allow-reserved-removed", W, REQ,
       "parameter '{name}' no longer allows reserved characters unencoded",
       "old clients may send '/', '?' or '&' raw, which the service may now split or reject"),
    _r("parameter-allow-empty-value-added", S, REQ, "parameter '{name}' now allows an empty value",
       _WIDER),
    _r("parameter-allow-empty-value-removed", W, REQ,
       "parameter '{name}' no longer allows an empty value",
       "old clients that send it empty may be rejected"),
    # -- request bodies --------------------------------------------------------------------
    _r("request-body-required-added", B, REQ, "a required request body was added",
       "old clients send no body"),
    _r("request-body-optional-added", S, REQ, "an optional request body was added",
       "old clients may omit it"),
    _r("request-body-removed", W, REQ, "the request body was removed",
       "old clients still send one; the contract does not say whether it is ignored"),
    _r("request-body-became-required", B, REQ, "the request body became required",
       "old clients may omit it"),
    _r("request-body-became-optional", S, REQ, "the request body became optional", _WIDER),
    _r("response-body-added", S, RESP, "the callback now sends a body",
       "receivers ignore what they do not read"),
    _r("response-body-removed", B, RESP, "the callback no longer sends a body",
       "receivers that read it lose it"),
    _r("request-media-type-removed", B, REQ, "request media type {media} is no longer accepted",
       "old clients send it"),
    _r("request-media-type-added", S, REQ, "request media type {media} is now accepted", _WIDER),
    # -- responses -------------------------------------------------------------------------
    _r("response-success-status-removed", B, RESP, "success response {status} was removed",
       "old clients expect it"),
    _r("response-success-status-retired", S, RESP,
       "success response {status} was removed; {kept} remains",
       "the responses only narrowed: old clients already handle the success status that remains"),
    _r("response-default-removed", B, RESP, "the default response was removed",
       "no 2xx response is documented besides it: it was the response old clients expected"),
    _r("response-non-success-status-removed", S, RESP, "response {status} was removed",
       "the responses only narrowed: a client that handles this error loses nothing"),
    _r("response-success-status-added", W, RESP, "new success response {status}",
       "old clients may not handle a success status they do not know"),
    _r("response-non-success-status-added", S, RESP, "new response {status} documented",
       "documenting an error is not a change of behaviour"),
    _r("response-media-type-removed", B, RESP, "response media type {media} was removed",
       "clients that ask for it get 406"),
    _r("response-media-type-added", W, RESP, "new response media type {media}",
       "clients that do not send Accept may receive a format they cannot parse"),
    _r("response-required-header-removed", B, RESP, "required response header '{name}' removed",
       "clients that read it lose it"),
    _r("response-optional-header-removed", W, RESP, "optional response header '{name}' removed",
       "clients may read it although it was optional"),
    _r("response-header-added", S, RESP, "new response header '{name}'",
       "clients ignore headers they do not read"),
    _r("response-header-became-optional", B, RESP, "response header '{name}' became optional",
       "clients that rely on it may miss it"),
    _r("response-header-became-required", S, RESP, "response header '{name}' became required",
       _NARROWER),
    # -- schemas: types and values ---------------------------------------------------------
    _r("request-schema-type-narrowed", B, REQ, "type no longer accepts {lost}", _OLD_REQ,
       judge=DECIDES, isolated=True),
    _r("request-schema-type-widened", S, REQ, "type now also accepts {gained}", _WIDER,
       judge=DECIDES, isolated=True),
    _r("request-schema-became-not-nullable", B, REQ, "value is no longer nullable", _OLD_REQ,
       judge=DECIDES),
    _r("request-schema-became-nullable", S, REQ, "value is now nullable", _WIDER, judge=DECIDES),
    _r("response-schema-type-widened", B, RESP, "type may now also be {gained}", _OLD_RESP,
       judge=DECIDES, isolated=True),
    _r("response-schema-type-narrowed", S, RESP, "type is no longer {lost}", _NARROWER,
       judge=DECIDES, isolated=True),
    _r("response-schema-became-nullable", B, RESP, "value may now be null", _OLD_RESP,
       judge=DECIDES),
    _r("response-schema-became-not-nullable", S, RESP, "value is no longer null", _NARROWER,
       judge=DECIDES),
    _r("request-enum-value-removed", B, REQ, "enum value(s) {removed} no longer accepted",
       _OLD_REQ, judge=DECIDES),
    _r("request-enum-value-added", S, REQ, "enum value(s) {added} now accepted", _WIDER,
       judge=DECIDES),
    _r("response-enum-value-added", W, RESP, "response may now contain enum value(s) {added}",
       "clients that switch over the values may not handle the new one", judge=DECIDES),
    _r("response-enum-value-removed", S, RESP, "enum value(s) {removed} no longer returned",
       _NARROWER, judge=DECIDES),
    _r("request-extensible-enum-value-removed", B, REQ,
       "x-extensible-enum value(s) {removed} no longer listed",
       "old clients may send a value the service no longer accepts", judge=NEVER),
    _r("request-extensible-enum-value-added", S, REQ,
       "x-extensible-enum value(s) {added} now listed", _WIDER, judge=NEVER),
    _r("response-extensible-enum-value-added", S, RESP,
       "x-extensible-enum value(s) {added} may now be returned",
       "an extensible enum promises that new values come: clients must handle unknown ones",
       judge=NEVER),
    _r("response-extensible-enum-value-removed", S, RESP,
       "x-extensible-enum value(s) {removed} no longer returned", _NARROWER, judge=NEVER),
    _r("request-const-changed", B, REQ, "the only accepted value changed from {old} to {new}",
       "every old request carries the old value", judge=DECIDES),
    _r("response-const-changed", B, RESP, "the only returned value changed from {old} to {new}",
       "every response now carries a value old clients never saw", judge=DECIDES),
    _r("request-enum-constraint-added", B, REQ, "value is now restricted to {new}", _OLD_REQ,
       judge=DECIDES),
    _r("request-enum-constraint-removed", S, REQ, "value is no longer restricted to a list",
       _WIDER, judge=DECIDES),
    _r("response-enum-constraint-added", S, RESP, "value is now restricted to {new}",
       _NARROWER, judge=DECIDES),
    _r("response-enum-constraint-removed", W, RESP,
       "value is no longer restricted to {old}", "clients may get values they do not know",
       judge=DECIDES),
    # -- schemas: objects ------------------------------------------------------------------
    _r("request-property-became-required", B, REQ, "property '{name}' became required",
       "old clients may omit it", judge=DECIDES, isolated=True),
    _r("request-required-property-added", B, REQ, "new required property '{name}'",
       "old clients do not send it", judge=DECIDES),
    _r("request-property-became-optional", S, REQ, "property '{name}' became optional",
       _WIDER, judge=DECIDES, isolated=True),
    _r("response-property-became-optional", B, RESP, "property '{name}' became optional",
       "clients that rely on it may miss it", judge=DECIDES, isolated=True),
    _r("response-property-became-required", S, RESP, "property '{name}' became required",
       _NARROWER, judge=DECIDES, isolated=True),
    _r("request-property-removed", W, REQ, "property '{name}' was removed",
       "old clients still send it; extra properties are allowed, so it is probably ignored",
       judge=REMOVAL),
    _r("request-property-removed-closed", B, REQ,
       "property '{name}' was removed and additional properties are not allowed",
       "old clients that send it are rejected", judge=DECIDES),
    _r("request-property-added", S, REQ, "new optional property '{name}'", _WIDER),
    _r("response-required-property-removed", B, RESP,
       "required property '{name}' was removed", "clients that read it lose it", judge=DECIDES),
    _r("response-optional-property-removed", W, RESP, "optional property '{name}' was removed",
       "clients may read it although it was optional", judge=REMOVAL),
    _r("response-property-sunset-removed", S, RESP,
       "property '{name}' was removed after its sunset date {sunset}",
       "it was deprecated with a sunset date that has passed"),
    _r("request-property-sunset-removed", S, REQ,
       "property '{name}' was removed after its sunset date {sunset}",
       "it was deprecated with a sunset date that has passed"),
    # -- lifecycle: stability levels, sunset dates and notice (oasdiff's convention) --------
    _r("operation-removed-before-sunset", B, NONE,
       "operation {op} was removed before its sunset date {sunset}",
       "clients were promised the operation until its sunset date"),
    _r("parameter-removed-before-sunset", B, NONE,
       "{location} parameter '{name}' was removed before its sunset date {sunset}",
       "clients were promised the parameter until its sunset date"),
    _r("parameter-sunset-removed", S, NONE,
       "{location} parameter '{name}' was removed after its sunset date {sunset}",
       "it was deprecated with a sunset date that has passed"),
    _r("request-property-removed-before-sunset", B, REQ,
       "property '{name}' was removed before its sunset date {sunset}",
       "clients were promised the property until its sunset date"),
    _r("response-property-removed-before-sunset", B, RESP,
       "property '{name}' was removed before its sunset date {sunset}",
       "clients were promised the property until its sunset date"),
    _r("operation-sunset-too-soon", B, NONE,
       "operation {op} is deprecated with sunset date {sunset}, less than the {days} days of "
       "notice a {stability} operation gets",
       "the lifecycle policy sets the minimum notice before a removal (deprecation-days)"),
    _r("parameter-sunset-too-soon", B, NONE,
       "{location} parameter '{name}' is deprecated with sunset date {sunset}, less than the "
       "{days} days of notice a {stability} operation gets",
       "the lifecycle policy sets the minimum notice before a removal (deprecation-days)"),
    _r("operation-sunset-invalid", W, NONE,
       "sunset date '{sunset}' of operation {op} is not a date",
       "x-sunset must be YYYY-MM-DD or an RFC 3339 date-time; until it is, removal stays "
       "breaking"),
    _r("parameter-sunset-invalid", W, NONE,
       "sunset date '{sunset}' of {location} parameter '{name}' is not a date",
       "x-sunset must be YYYY-MM-DD or an RFC 3339 date-time; until it is, removal stays "
       "breaking"),
    _r("operation-sunset-deleted", W, NONE,
       "operation {op} stays deprecated but its sunset date {old} was deleted",
       "clients planning by the announced date lose it; removal stays breaking without one"),
    _r("parameter-sunset-deleted", W, NONE,
       "{location} parameter '{name}' stays deprecated but its sunset date {old} was deleted",
       "clients planning by the announced date lose it; removal stays breaking without one"),
    _r("operation-stability-decreased", B, NONE,
       "stability of operation {op} decreased from {old} to {new}",
       "a beta or stable operation promised compatibility that a lower level withdraws"),
    _r("operation-stability-increased", S, NONE,
       "stability of operation {op} increased from {old} to {new}", "clients gain a promise"),
    _r("operation-stability-invalid", W, NONE,
       "x-stability-level '{value}' of operation {op} is not draft, alpha, beta or stable",
       "the operation is judged as stable until the level is one of the four"),
    _r("response-property-added", S, RESP, "new property '{name}'",
       "clients ignore properties they do not read"),
    _r("request-additional-properties-restricted", B, REQ,
       "additional properties changed from {old} to {new}", _OLD_REQ, judge=DECIDES, isolated=True),
    _r("request-additional-properties-relaxed", S, REQ,
       "additional properties changed from {old} to {new}", _WIDER, judge=DECIDES, isolated=True),
    _r("response-additional-properties-relaxed", W, RESP,
       "additional properties changed from {old} to {new}",
       "strict clients may reject unknown properties", judge=DECIDES, isolated=True),
    _r("response-additional-properties-restricted", S, RESP,
       "additional properties changed from {old} to {new}", _NARROWER,
       judge=DECIDES, isolated=True),
    _r("schema-pattern-properties-changed", W, NONE, "patternProperties '{pattern}' {kind}",
       "which properties match which schema changed", judge=DECIDES),
    _r("request-discriminator-mapping-removed", B, REQ,
       "discriminator value '{value}' is no longer mapped", _OLD_REQ, judge=DECIDES),
    _r("request-discriminator-mapping-added", S, REQ,
       "discriminator value '{value}' is now mapped", _WIDER, judge=DECIDES),
    _r("response-discriminator-mapping-added", W, RESP,
       "response may now carry discriminator value '{value}'",
       "clients may not know the new variant", judge=DECIDES),
    _r("response-discriminator-mapping-removed", S, RESP,
       "discriminator value '{value}' is no longer returned", _NARROWER, judge=DECIDES),
    _r("schema-discriminator-property-changed", B, NONE,
       "discriminator property changed from {old} to {new}",
       "both sides pick the variant by this property", judge=DECIDES),
    # -- schemas: formats and patterns -----------------------------------------------------
    _r("request-pattern-added", B, REQ, "pattern {new} added", _OLD_REQ,
       judge=DECIDES, isolated=True),
    _r("request-pattern-changed", W, REQ, "pattern changed from {old} to {new}",
       "whether the new pattern accepts every old value cannot be decided in general",
       judge=DECIDES, isolated=True),
    _r("request-pattern-removed", S, REQ, "pattern {old} removed", _WIDER,
       judge=DECIDES, isolated=True),
    _r("response-pattern-added", S, RESP, "pattern {new} added", _NARROWER,
       judge=DECIDES, isolated=True),
    _r("response-pattern-changed", W, RESP, "pattern changed from {old} to {new}",
       "whether old clients accept every new value cannot be decided in general",
       judge=DECIDES, isolated=True),
    _r("response-pattern-removed", W, RESP, "pattern {old} removed",
       "values may no longer match what clients validate", judge=DECIDES, isolated=True),
    _r("request-format-added", W, REQ, "format {new} added",
       "servers that validate formats may reject values they accepted", judge=NEVER),
    _r("request-format-changed", W, REQ, "format changed from {old} to {new}",
       "format validation is optional; the effect depends on the service", judge=NEVER),
    _r("request-format-removed", S, REQ, "format {old} removed", _WIDER, judge=NEVER),
    _r("response-format-added", S, RESP, "format {new} added", _NARROWER, judge=NEVER),
    _r("response-format-changed", W, RESP, "format changed from {old} to {new}",
       "clients that parse the format may fail", judge=NEVER),
    _r("response-format-removed", W, RESP, "format {old} removed",
       "clients that parse the format may fail", judge=NEVER),
    _r("request-format-widened", S, REQ, "format widened from {old} to {new}", _WIDER, judge=NEVER),
    _r("request-format-narrowed", W, REQ, "format narrowed from {old} to {new}",
       "old clients may send values of the old format outside the new one", judge=NEVER),
    _r("request-format-incompatible", B, REQ, "format changed from {old} to {new}",
       "the formats share no value: an old client's value is never one of the new format",
       judge=NEVER),
    _r("response-format-narrowed", S, RESP, "format narrowed from {old} to {new}", _NARROWER,
       judge=NEVER),
    _r("response-format-widened", W, RESP, "format widened from {old} to {new}",
       "clients that parse the old format may not fit every new value (an int64 in an int32)",
       judge=NEVER),
    _r("response-format-incompatible", B, RESP, "format changed from {old} to {new}",
       "the formats share no value: clients parsing the old format fail on every new value",
       judge=NEVER),
    # -- schemas: strings that carry other data (contentEncoding, contentMediaType) ------
    _r("request-content-encoding-changed", B, REQ, "contentEncoding changed from {old} to {new}",
       "old clients encode the value the old way", judge=NEVER),
    _r("response-content-encoding-changed", B, RESP,
       "contentEncoding changed from {old} to {new}", "old clients decode the value the old way",
       judge=NEVER),
    _r("request-content-media-type-changed", B, REQ,
       "contentMediaType changed from {old} to {new}",
       "old clients send content of the old media type", judge=NEVER),
    _r("response-content-media-type-changed", B, RESP,
       "contentMediaType changed from {old} to {new}",
       "old clients parse the content as the old media type", judge=NEVER),
    _r("request-content-media-type-widened", S, REQ,
       "contentMediaType widened from {old} to {new}", _WIDER, judge=NEVER),
    _r("response-content-media-type-narrowed", S, RESP,
       "contentMediaType narrowed from {old} to {new}", _NARROWER, judge=NEVER),
    _r("request-content-media-type-added", W, REQ, "contentMediaType {new} added",
       "the service may now decode the string as that media type only", judge=NEVER),
    _r("request-content-media-type-removed", W, REQ, "contentMediaType {old} removed",
       "what the string must carry is no longer described", judge=NEVER),
    _r("response-content-media-type-added", W, RESP, "contentMediaType {new} added",
       "clients learn what the string carries; what they parsed before may differ", judge=NEVER),
    _r("response-content-media-type-removed", W, RESP, "contentMediaType {old} removed",
       "clients can no longer tell what the string carries", judge=NEVER),
    _r("schema-custom-format-changed", S, NONE, "format changed from {old} to {new}",
       "a format that neither JSON Schema nor OpenAPI defines is an annotation: no validator "
       "asserts it"),
    # -- schemas: arrays -------------------------------------------------------------------
    _r("request-items-changed", W, REQ, "array items changed from {old} to {new}",
       "a change of the items schema as a whole", judge=DECIDES),
    _r("response-items-changed", W, RESP, "array items changed from {old} to {new}",
       "a change of the items schema as a whole", judge=DECIDES),
    _r("schema-prefix-items-changed", W, NONE, "prefixItems changed from {old} to {new} entries",
       "tuple positions changed", judge=DECIDES),
    # -- schemas: composition --------------------------------------------------------------
    _r("request-allof-branch-added", B, REQ, "new allOf branch", _OLD_REQ, judge=DECIDES),
    _r("request-allof-branch-removed", S, REQ, "allOf branch removed", _WIDER, judge=DECIDES),
    _r("response-allof-branch-added", S, RESP, "new allOf branch", _NARROWER, judge=DECIDES),
    _r("response-allof-branch-removed", W, RESP, "allOf branch removed",
       "responses may no longer satisfy what the branch guaranteed", judge=DECIDES),
    _r("request-anyof-branch-removed", B, REQ, "{keyword} branch removed", _OLD_REQ,
       judge=DECIDES, isolated=True),
    _r("request-anyof-branch-added", S, REQ, "new {keyword} branch", _WIDER,
       judge=DECIDES, isolated=True),
    _r("request-oneof-branch-added", W, REQ, "new oneOf branch",
       "a value matching two branches is rejected by oneOf; overlap is not decided here",
       judge=DECIDES, isolated=True),
    _r("request-anyof-introduced", B, REQ, "value must now match one of {count} {keyword} "
       "branches", _OLD_REQ, judge=DECIDES),
    _r("response-anyof-introduced", S, RESP, "value now matches one of {count} {keyword} "
       "branches", _NARROWER, judge=DECIDES),
    _r("request-anyof-dropped", S, REQ, "the {keyword} constraint was removed", _WIDER,
       judge=DECIDES),
    _r("response-anyof-dropped", W, RESP, "the {keyword} constraint was removed",
       "responses may be values that none of the old branches allowed", judge=DECIDES),
    _r("response-anyof-branch-added", W, RESP, "new {keyword} branch",
       "clients may receive a variant they do not know", judge=DECIDES, isolated=True),
    _r("response-anyof-branch-removed", S, RESP, "{keyword} branch removed", _NARROWER,
       judge=DECIDES, isolated=True),
    _r("request-not-added", B, REQ, "a 'not' constraint was added", _OLD_REQ, judge=DECIDES),
    _r("request-not-removed", S, REQ, "a 'not' constraint was removed", _WIDER, judge=DECIDES),
    _r("request-not-changed", W, REQ, "the 'not' constraint changed",
       "whether the excluded set grew is decided by the semantic judge", judge=DECIDES),
    _r("response-not-changed", W, RESP, "the 'not' constraint changed",
       "whether the excluded set shrank is decided by the semantic judge", judge=DECIDES),
    _r("response-not-added", S, RESP, "a 'not' constraint was added", _NARROWER, judge=DECIDES),
    _r("response-not-removed", W, RESP, "a 'not' constraint was removed",
       "responses may contain values that were excluded", judge=DECIDES),
    _r("schema-boolean-changed", W, NONE, "schema changed from {old} to {new}",
       "a boolean or non-object schema changed", judge=DECIDES),
    _r("request-schema-added", B, REQ, "a schema was added where there was none",
       "a request without a schema accepted any payload; old clients' payloads may not fit"),
    _r("request-schema-removed", S, REQ, "the schema was removed", "any payload is accepted"),
    _r("response-schema-added", S, RESP, "a schema was added where there was none",
       "responses are now described; any payload was possible before"),
    _r("response-schema-removed", W, RESP, "the schema was removed",
       "responses are no longer described: clients cannot tell what they may receive"),
    # -- schemas: annotations with behaviour -----------------------------------------------
    _r("request-default-changed", W, REQ, "default changed from {old} to {new}",
       "old clients that omit the value get different behaviour", judge=NEVER),
    _r("response-default-changed", S, RESP, "default changed from {old} to {new}",
       "defaults in responses are documentation"),
    _r("schema-default-type-corrected", S, NONE,
       "default {old} is now written as the string \"{new}\"",
       "the old default was not a valid value of the string schema; the value is the same"),
    _r("schema-deprecated", S, NONE, "schema is now deprecated", "advance notice"),
    _r("schema-undeprecated", S, NONE, "schema is no longer deprecated", "clients lose nothing"),
    _r("schema-read-only-changed", W, NONE, "readOnly changed from {old} to {new}",
       "who may send the property changed", judge=WITNESSES),
    _r("schema-write-only-changed", W, NONE, "writeOnly changed from {old} to {new}",
       "whether the property is returned changed", judge=WITNESSES),
    # -- security --------------------------------------------------------------------------
    _r("security-requirement-added", B, REQ, "security {new} is now required",
       "old clients send no such credentials"),
    _r("security-alternative-added", S, REQ, "security {new} is now accepted too",
       "old credentials still work"),
    _r("security-requirement-removed", B, REQ, "security {old} is no longer accepted",
       "old clients that authenticate this way are rejected"),
    _r("security-requirement-tightened", B, REQ,
       "security {old} now also requires {added}",
       "old clients send only the credentials the old requirement named"),
    _r("security-removed", S, REQ, "security {old} is no longer required",
       "the operation became public"),
    _r("security-scope-added", B, REQ, "scheme {scheme} now needs scope(s) {added}",
       "old tokens may lack the scope"),
    _r("security-scope-removed", S, REQ, "scheme {scheme} no longer needs scope(s) {removed}",
       _WIDER),
    _r("security-scheme-changed", B, REQ, "security scheme {scheme}: {field} changed",
       "old clients authenticate the old way"),
    _r("security-scheme-removed", B, REQ, "security scheme {scheme} was removed",
       "old clients authenticate with it"),
    # -- semantic judge --------------------------------------------------------------------
    _r("request-body-schema-narrowed", B, REQ,
       "request body schema no longer accepts some valid old requests", _OLD_REQ),
    _r("request-parameter-schema-narrowed", B, REQ,
       "parameter schema no longer accepts some valid old values", _OLD_REQ),
    _r("response-body-schema-widened", B, RESP,
       "response body schema now allows responses the old schema did not", _OLD_RESP),
    _r("response-header-schema-widened", B, RESP,
       "response header schema now allows values the old schema did not", _OLD_RESP),
    _r("response-parameter-schema-widened", B, RESP,
       "callback parameter schema now allows values the old schema did not",
       "receivers of the callback may get a value they cannot handle"),
    _r("schema-compatibility-unknown", W, NONE,
       "compatibility of this schema change could not be decided: {reason}",
       "the judge could neither prove nor refute compatibility"),
    # -- event contracts (AsyncAPI 2.6/3.0; rules/_events.py) ------------------------------
    # An operation's action says which side a message is on: what a `send` operation emits
    # may only narrow (like a response), what a `receive` operation accepts may only widen
    # (like a request). Send rows have the response direction, receive rows the request one.
    _r("event-channel-removed", B, NONE, "channel {channel} ({address}) was removed",
       "its senders and receivers lose the stream"),
    _r("event-channel-added", S, NONE, "channel {channel} ({address}) was added",
       "a new channel breaks nobody"),
    _r("event-channel-address-changed", B, NONE,
       "channel {channel} moved from address {old} to {new}",
       "the other side still writes to or reads from the old stream"),
    _r("event-operation-removed", B, NONE, "{action} operation {operation} was removed",
       "the other side of the channel relies on it"),
    _r("event-operation-added", S, NONE, "{action} operation {operation} was added",
       "a new operation breaks nobody"),
    _r("event-operation-action-changed", B, NONE,
       "operation {operation} changed its action from {old} to {new}",
       "the application now does the opposite with the channel's messages"),
    _r("event-operation-channel-changed", B, NONE,
       "operation {operation} moved from channel {old} to {new}",
       "the other side still uses the old channel"),
    _r("event-send-message-added", W, RESP, "operation {operation} may now send message {message}",
       "receivers may not know the new message type"),
    _r("event-send-message-removed", S, RESP, "operation {operation} no longer sends message "
       "{message}", "what the sender emits only narrowed"),
    _r("event-receive-message-added", S, REQ, "operation {operation} now accepts message "
       "{message}", "what the receiver accepts only widened"),
    _r("event-receive-message-removed", B, REQ, "operation {operation} no longer accepts message "
       "{message}", "senders still send it"),
    _r("event-send-payload-property-removed", B, RESP,
       "required payload property '{name}' is no longer sent", "receivers that read it lose it"),
    _r("event-send-payload-optional-property-removed", W, RESP,
       "optional payload property '{name}' is no longer sent",
       "receivers may read it although it was optional"),
    _r("event-send-payload-property-added", S, RESP, "payload property '{name}' is now sent",
       "receivers ignore properties they do not read"),
    _r("event-send-payload-property-became-optional", B, RESP,
       "payload property '{name}' became optional", "receivers that rely on it may miss it"),
    _r("event-send-payload-property-became-required", S, RESP,
       "payload property '{name}' became required", "what the sender emits only narrowed"),
    _r("event-send-payload-type-widened", B, RESP, "payload value '{name}' may now be {gained}",
       "receivers may get a type they cannot handle"),
    _r("event-send-payload-type-narrowed", S, RESP, "payload value '{name}' is no longer {lost}",
       "what the sender emits only narrowed"),
    _r("event-send-payload-enum-value-added", W, RESP,
       "payload value '{name}' may now be {added}",
       "receivers that switch over the values may not handle the new one"),
    _r("event-send-payload-enum-value-removed", S, RESP,
       "payload value '{name}' is no longer {removed}", "what the sender emits only narrowed"),
    _r("event-send-payload-widened", B, RESP,
       "operation {operation} may now send payloads of message {message} the old schema did not "
       "allow", "receivers written against the old schema may reject them"),
    _r("event-send-headers-widened", B, RESP,
       "operation {operation} may now send headers of message {message} the old schema did not "
       "allow", "receivers written against the old schema may reject them"),
    _r("event-receive-payload-required-property-added", B, REQ,
       "payload property '{name}' is now required", "old senders do not send it"),
    _r("event-receive-payload-property-added", S, REQ, "optional payload property '{name}' is now "
       "read", "what the receiver accepts only widened"),
    _r("event-receive-payload-property-removed", W, REQ,
       "payload property '{name}' is no longer declared",
       "senders still send it; a receiver that closes its object rejects it"),
    _r("event-receive-payload-property-became-required", B, REQ,
       "payload property '{name}' became required", "senders may omit it"),
    _r("event-receive-payload-property-became-optional", S, REQ,
       "payload property '{name}' became optional", "what the receiver accepts only widened"),
    _r("event-receive-payload-type-narrowed", B, REQ,
       "payload value '{name}' is no longer accepted as {lost}", "senders may still send it"),
    _r("event-receive-payload-type-widened", S, REQ,
       "payload value '{name}' is now also accepted as {gained}",
       "what the receiver accepts only widened"),
    _r("event-receive-payload-enum-value-removed", B, REQ,
       "payload value '{name}' no longer accepts {removed}", "senders may still send it"),
    _r("event-receive-payload-enum-value-added", S, REQ, "payload value '{name}' now accepts "
       "{added}", "what the receiver accepts only widened"),
    _r("event-receive-payload-narrowed", B, REQ,
       "operation {operation} no longer accepts some payloads of message {message} it accepted",
       "senders written against the old schema may send them"),
    _r("event-receive-headers-narrowed", B, REQ,
       "operation {operation} no longer accepts some headers of message {message} it accepted",
       "senders written against the old schema may send them"),
    _r("event-payload-compatibility-unknown", W, NONE,
       "compatibility of message {message} of operation {operation} could not be decided: "
       "{reason}", "the judge could neither prove nor refute compatibility"),
    # -- documents -------------------------------------------------------------------------
    _r("base-contract-invalid", W, NONE, "the base contract is not valid OpenAPI: {reason}",
       "the diff goes on, but what the base promised is uncertain where it is invalid"),
    _r("contract-invalid", B, NONE, "the contract is not valid OpenAPI: {reason}",
       "tools and clients generated from an invalid contract may fail or disagree"),
    _r("contract-still-invalid", W, NONE, "the contract is still not valid OpenAPI: {reason}",
       "the base was invalid at the same place: this change did not make it so"),
    # -- gate ------------------------------------------------------------------------------
    _r("version-not-bumped", B, NONE,
       "breaking changes without a major version bump ({old} -> {new})",
       "semantic versioning promises no breaking change within a major version"),
    _r("ack-expired", B, NONE, "acknowledgement of {fingerprint} expired on {expires}",
       "an acknowledgement is a decision with a deadline: renew it or fix the break"),
    _r("ack-unused", W, NONE, "acknowledgement of {fingerprint} matches no finding",
       "a stale acknowledgement could silently approve a future, different break"),
    _r("gate-policy-changed", B, NONE, "the pull request weakens the gate's policy: {changes}",
       "the policy comes from the base revision; a pull request must not relax its own gate"),
    _r("service-removed", B, NONE, "service {name} was removed",
       "its consumers lose every operation"),
    _r("service-added", S, NONE, "service {name} was added", "new services break nobody"),
    _r("unclassified-change", W, NONE, "{object} field '{field}' changed",
       "no rule judges this change; it is reported rather than dropped", judge=ROOT),
    _r("response-required-property-became-write-only", B, RESP,
       "required property '{name}' became writeOnly",
       "a writeOnly property is never returned: clients that read it lose it"),
)

RETIRED: tuple[str, ...] = (
    # split by direction: request-/response-schema-added/-removed
    "schema-added",
    "schema-removed",
)



# The bound-like families, each id written out: (request tightened, request relaxed,
# response tightened, response relaxed) per keyword.
BOUND_RULE_IDS: dict[str, tuple[str, str, str, str]] = {
    "minimum": (
        "request-minimum-tightened", "request-minimum-relaxed",
        "response-minimum-tightened", "response-minimum-relaxed",
    ),
    "maximum": (
        "request-maximum-tightened", "request-maximum-relaxed",
        "response-maximum-tightened", "response-maximum-relaxed",
    ),
    "minLength": (
        "request-min-length-tightened", "request-min-length-relaxed",
        "response-min-length-tightened", "response-min-length-relaxed",
    ),
    "maxLength": (
        "request-max-length-tightened", "request-max-length-relaxed",
        "response-max-length-tightened", "response-max-length-relaxed",
    ),
    "minItems": (
        "request-min-items-tightened", "request-min-items-relaxed",
        "response-min-items-tightened", "response-min-items-relaxed",
    ),
    "maxItems": (
        "request-max-items-tightened", "request-max-items-relaxed",
        "response-max-items-tightened", "response-max-items-relaxed",
    ),
    "minProperties": (
        "request-min-properties-tightened", "request-min-properties-relaxed",
        "response-min-properties-tightened", "response-min-properties-relaxed",
    ),
    "maxProperties": (
        "request-max-properties-tightened", "request-max-properties-relaxed",
        "response-max-properties-tightened", "response-max-properties-relaxed",
    ),
    "multipleOf": (
        "request-multiple-of-tightened", "request-multiple-of-relaxed",
        "response-multiple-of-tightened", "response-multiple-of-relaxed",
    ),
    "uniqueItems": (
        "request-unique-items-tightened", "request-unique-items-relaxed",
        "response-unique-items-tightened", "response-unique-items-relaxed",
    ),
    "minContains": (
        "request-min-contains-tightened", "request-min-contains-relaxed",
        "response-min-contains-tightened", "response-min-contains-relaxed",
    ),
    "maxContains": (
        "request-max-contains-tightened", "request-max-contains-relaxed",
        "response-max-contains-tightened", "response-max-contains-relaxed",
    ),
    "contains": (
        "request-contains-tightened", "request-contains-relaxed",
        "response-contains-tightened", "response-contains-relaxed",
    ),
    "propertyNames": (
        "request-property-names-tightened", "request-property-names-relaxed",
        "response-property-names-tightened", "response-property-names-relaxed",
    ),
    "unevaluatedProperties": (
        "request-unevaluated-properties-tightened", "request-unevaluated-properties-relaxed",
        "response-unevaluated-properties-tightened", "response-unevaluated-properties-relaxed",
    ),
    "unevaluatedItems": (
        "request-unevaluated-items-tightened", "request-unevaluated-items-relaxed",
        "response-unevaluated-items-tightened", "response-unevaluated-items-relaxed",
    ),
    "dependentRequired": (
        "request-dependent-required-tightened", "request-dependent-required-relaxed",
        "response-dependent-required-tightened", "response-dependent-required-relaxed",
    ),
    "dependentSchemas": (
        "request-dependent-schemas-tightened", "request-dependent-schemas-relaxed",
        "response-dependent-schemas-tightened", "response-dependent-schemas-relaxed",
    ),
    "contentSchema": (
        "request-content-schema-tightened", "request-content-schema-relaxed",
        "response-content-schema-tightened", "response-content-schema-relaxed",
    ),
}


def _build_bound_rules() -> tuple[Rule, ...]:
    """Numeric, length and count bounds share one shape: tightened/relaxed × direction."""
    rules = []
    for keyword in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
                    "minProperties", "maxProperties", "multipleOf", "uniqueItems",
                    "minContains", "maxContains"):
        request_tight, request_loose, response_tight, response_loose = BOUND_RULE_IDS[keyword]
        # a count bound is one keyword; a numeric one may be two (maximum + exclusiveMaximum)
        alone = keyword.startswith(("min", "max")) and keyword not in ("minimum", "maximum")
        rules += [
            _r(request_tight, B, REQ, f"{keyword} tightened from {{old}} to {{new}}",
               _OLD_REQ, judge=DECIDES, isolated=alone),
            _r(request_loose, S, REQ, f"{keyword} relaxed from {{old}} to {{new}}",
               _WIDER, judge=DECIDES, isolated=alone),
            _r(response_loose, W, RESP, f"{keyword} relaxed from {{old}} to {{new}}",
               "clients that validate or size buffers by the old bound may fail",
               judge=DECIDES, isolated=alone),
            _r(response_tight, S, RESP,
               f"{keyword} tightened from {{old}} to {{new}}", _NARROWER, judge=DECIDES,
               isolated=alone),
        ]
    # 2020-12 constraints that are not numbers: added/removed/changed as a whole
    for keyword, what in (
        ("contains", "the items an array must contain"),
        ("propertyNames", "the names an object's keys must match"),
        ("unevaluatedProperties", "properties no other keyword evaluated"),
        ("unevaluatedItems", "items no other keyword evaluated"),
        ("dependentRequired", "properties required when another is present"),
        ("dependentSchemas", "schemas applied when a property is present"),
        ("contentSchema", "the schema of the data the string carries"),
    ):
        request_tight, request_loose, response_tight, response_loose = BOUND_RULE_IDS[keyword]
        # contentSchema describes data no validator looks into: the judge has no say
        judge = NEVER if keyword == "contentSchema" else DECIDES
        alone = keyword == "dependentRequired"
        rules += [
            _r(request_tight, B, REQ,
               f"{keyword} ({what}) tightened from {{old}} to {{new}}", _OLD_REQ, judge=judge,
               isolated=alone),
            _r(request_loose, S, REQ,
               f"{keyword} ({what}) relaxed from {{old}} to {{new}}", _WIDER, judge=judge,
               isolated=alone),
            _r(response_loose, W, RESP,
               f"{keyword} ({what}) relaxed from {{old}} to {{new}}",
               "clients that rely on the old constraint may receive values that break it",
               judge=judge, isolated=alone),
            _r(response_tight, S, RESP,
               f"{keyword} ({what}) tightened from {{old}} to {{new}}", _NARROWER, judge=judge,
               isolated=alone),
        ]
    return tuple(rules)


BOUND_RULES = _build_bound_rules()
# Every rule, built once; the catalogue is read-only.
RULES: tuple[Rule, ...] = (*_LISTED_RULES, *BOUND_RULES)
CATALOGUE: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in RULES})
