"""The rule catalogue: one table of every rule id specguard can report.

Ids are stable kebab-case, direction first. An id never changes meaning; a retired id stays
listed in ``RETIRED`` so it is never reused. Levels here are defaults; configuration may
override them per id.
"""

from __future__ import annotations

from dataclasses import dataclass

from specguard.model import Direction, Level

B, W, S = Level.BREAKING, Level.WARNING, Level.SAFE
REQ, RESP, NONE = Direction.REQUEST, Direction.RESPONSE, Direction.NONE


@dataclass(frozen=True, slots=True)
class Rule:
    """One catalogue entry: id, default level, direction, message template and rationale."""

    id: str
    level: Level
    direction: Direction
    message: str
    rationale: str


def _r(rule_id: str, level: Level, direction: Direction, message: str, rationale: str) -> Rule:
    return Rule(rule_id, level, direction, message, rationale)


_OLD_REQ = "an old client's request that was valid may now be rejected"
_OLD_RESP = "an old client may receive a response it cannot handle"
_WIDER = "the set of accepted requests only grew"
_NARROWER = "the set of possible responses only shrank"

RULES: tuple[Rule, ...] = (
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
    _r("request-schema-type-narrowed", B, REQ, "type no longer accepts {lost}", _OLD_REQ),
    _r("request-schema-type-widened", S, REQ, "type now also accepts {gained}", _WIDER),
    _r("request-schema-became-not-nullable", B, REQ, "value is no longer nullable", _OLD_REQ),
    _r("request-schema-became-nullable", S, REQ, "value is now nullable", _WIDER),
    _r("response-schema-type-widened", B, RESP, "type may now also be {gained}", _OLD_RESP),
    _r("response-schema-type-narrowed", S, RESP, "type is no longer {lost}", _NARROWER),
    _r("response-schema-became-nullable", B, RESP, "value may now be null", _OLD_RESP),
    _r("response-schema-became-not-nullable", S, RESP, "value is no longer null", _NARROWER),
    _r("request-enum-value-removed", B, REQ, "enum value(s) {removed} no longer accepted",
       _OLD_REQ),
    _r("request-enum-value-added", S, REQ, "enum value(s) {added} now accepted", _WIDER),
    _r("response-enum-value-added", W, RESP, "response may now contain enum value(s) {added}",
       "clients that switch over the values may not handle the new one"),
    _r("response-enum-value-removed", S, RESP, "enum value(s) {removed} no longer returned",
       _NARROWER),
    _r("request-const-changed", B, REQ, "the only accepted value changed from {old} to {new}",
       "every old request carries the old value"),
    _r("response-const-changed", B, RESP, "the only returned value changed from {old} to {new}",
       "every response now carries a value old clients never saw"),
    _r("request-enum-constraint-added", B, REQ, "value is now restricted to {new}", _OLD_REQ),
    _r("request-enum-constraint-removed", S, REQ, "value is no longer restricted to a list",
       _WIDER),
    _r("response-enum-constraint-added", S, RESP, "value is now restricted to {new}",
       _NARROWER),
    _r("response-enum-constraint-removed", W, RESP,
       "value is no longer restricted to {old}", "clients may get values they do not know"),
    # -- schemas: objects ------------------------------------------------------------------
    _r("request-property-became-required", B, REQ, "property '{name}' became required",
       "old clients may omit it"),
    _r("request-required-property-added", B, REQ, "new required property '{name}'",
       "old clients do not send it"),
    _r("request-property-became-optional", S, REQ, "property '{name}' became optional",
       _WIDER),
    _r("response-property-became-optional", B, RESP, "property '{name}' became optional",
       "clients that rely on it may miss it"),
    _r("response-property-became-required", S, RESP, "property '{name}' became required",
       _NARROWER),
    _r("request-property-removed", W, REQ, "property '{name}' was removed",
       "old clients still send it; extra properties are allowed, so it is probably ignored"),
    _r("request-property-removed-closed", B, REQ,
       "property '{name}' was removed and additional properties are not allowed",
       "old clients that send it are rejected"),
    _r("request-property-added", S, REQ, "new optional property '{name}'", _WIDER),
    _r("response-required-property-removed", B, RESP,
       "required property '{name}' was removed", "clients that read it lose it"),
    _r("response-optional-property-removed", W, RESP, "optional property '{name}' was removed",
       "clients may read it although it was optional"),
    _r("response-property-sunset-removed", S, RESP,
       "property '{name}' was removed after its sunset date {sunset}",
       "it was deprecated with a sunset date that has passed"),
    _r("request-property-sunset-removed", S, REQ,
       "property '{name}' was removed after its sunset date {sunset}",
       "it was deprecated with a sunset date that has passed"),
    _r("response-property-added", S, RESP, "new property '{name}'",
       "clients ignore properties they do not read"),
    _r("request-additional-properties-restricted", B, REQ,
       "additional properties changed from {old} to {new}", _OLD_REQ),
    _r("request-additional-properties-relaxed", S, REQ,
       "additional properties changed from {old} to {new}", _WIDER),
    _r("response-additional-properties-relaxed", W, RESP,
       "additional properties changed from {old} to {new}",
       "strict clients may reject unknown properties"),
    _r("response-additional-properties-restricted", S, RESP,
       "additional properties changed from {old} to {new}", _NARROWER),
    _r("schema-pattern-properties-changed", W, NONE, "patternProperties '{pattern}' {kind}",
       "which properties match which schema changed"),
    _r("request-discriminator-mapping-removed", B, REQ,
       "discriminator value '{value}' is no longer mapped", _OLD_REQ),
    _r("request-discriminator-mapping-added", S, REQ,
       "discriminator value '{value}' is now mapped", _WIDER),
    _r("response-discriminator-mapping-added", W, RESP,
       "response may now carry discriminator value '{value}'",
       "clients may not know the new variant"),
    _r("response-discriminator-mapping-removed", S, RESP,
       "discriminator value '{value}' is no longer returned", _NARROWER),
    _r("schema-discriminator-property-changed", B, NONE,
       "discriminator property changed from {old} to {new}",
       "both sides pick the variant by this property"),
    # -- schemas: formats and patterns -----------------------------------------------------
    _r("request-pattern-added", B, REQ, "pattern {new} added", _OLD_REQ),
    _r("request-pattern-changed", W, REQ, "pattern changed from {old} to {new}",
       "whether the new pattern accepts every old value cannot be decided in general"),
    _r("request-pattern-removed", S, REQ, "pattern {old} removed", _WIDER),
    _r("response-pattern-added", S, RESP, "pattern {new} added", _NARROWER),
    _r("response-pattern-changed", W, RESP, "pattern changed from {old} to {new}",
       "whether old clients accept every new value cannot be decided in general"),
    _r("response-pattern-removed", W, RESP, "pattern {old} removed",
       "values may no longer match what clients validate"),
    _r("request-format-added", W, REQ, "format {new} added",
       "servers that validate formats may reject values they accepted"),
    _r("request-format-changed", W, REQ, "format changed from {old} to {new}",
       "format validation is optional; the effect depends on the service"),
    _r("request-format-removed", S, REQ, "format {old} removed", _WIDER),
    _r("response-format-added", S, RESP, "format {new} added", _NARROWER),
    _r("response-format-changed", W, RESP, "format changed from {old} to {new}",
       "clients that parse the format may fail"),
    _r("response-format-removed", W, RESP, "format {old} removed",
       "clients that parse the format may fail"),
    _r("schema-custom-format-changed", S, NONE, "format changed from {old} to {new}",
       "a format that neither JSON Schema nor OpenAPI defines is an annotation: no validator "
       "asserts it"),
    # -- schemas: arrays -------------------------------------------------------------------
    _r("request-items-changed", W, REQ, "array items changed from {old} to {new}",
       "a change of the items schema as a whole"),
    _r("response-items-changed", W, RESP, "array items changed from {old} to {new}",
       "a change of the items schema as a whole"),
    _r("schema-prefix-items-changed", W, NONE, "prefixItems changed from {old} to {new} entries",
       "tuple positions changed"),
    # -- schemas: composition --------------------------------------------------------------
    _r("request-allof-branch-added", B, REQ, "new allOf branch", _OLD_REQ),
    _r("request-allof-branch-removed", S, REQ, "allOf branch removed", _WIDER),
    _r("response-allof-branch-added", S, RESP, "new allOf branch", _NARROWER),
    _r("response-allof-branch-removed", W, RESP, "allOf branch removed",
       "responses may no longer satisfy what the branch guaranteed"),
    _r("request-anyof-branch-removed", B, REQ, "{keyword} branch removed", _OLD_REQ),
    _r("request-anyof-branch-added", S, REQ, "new {keyword} branch", _WIDER),
    _r("request-oneof-branch-added", W, REQ, "new oneOf branch",
       "a value matching two branches is rejected by oneOf; overlap is not decided here"),
    _r("request-anyof-introduced", B, REQ, "value must now match one of {count} {keyword} "
       "branches", _OLD_REQ),
    _r("response-anyof-introduced", S, RESP, "value now matches one of {count} {keyword} "
       "branches", _NARROWER),
    _r("request-anyof-dropped", S, REQ, "the {keyword} constraint was removed", _WIDER),
    _r("response-anyof-dropped", W, RESP, "the {keyword} constraint was removed",
       "responses may be values that none of the old branches allowed"),
    _r("response-anyof-branch-added", W, RESP, "new {keyword} branch",
       "clients may receive a variant they do not know"),
    _r("response-anyof-branch-removed", S, RESP, "{keyword} branch removed", _NARROWER),
    _r("request-not-added", B, REQ, "a 'not' constraint was added", _OLD_REQ),
    _r("request-not-removed", S, REQ, "a 'not' constraint was removed", _WIDER),
    _r("request-not-changed", W, REQ, "the 'not' constraint changed",
       "whether the excluded set grew is decided by the semantic judge"),
    _r("response-not-changed", W, RESP, "the 'not' constraint changed",
       "whether the excluded set shrank is decided by the semantic judge"),
    _r("response-not-added", S, RESP, "a 'not' constraint was added", _NARROWER),
    _r("response-not-removed", W, RESP, "a 'not' constraint was removed",
       "responses may contain values that were excluded"),
    _r("schema-boolean-changed", W, NONE, "schema changed from {old} to {new}",
       "a boolean or non-object schema changed"),
    _r("schema-added", W, NONE, "a schema was added where there was none",
       "the payload is now constrained"),
    _r("schema-removed", W, NONE, "the schema was removed", "the payload is no longer described"),
    # -- schemas: annotations with behaviour -----------------------------------------------
    _r("request-default-changed", W, REQ, "default changed from {old} to {new}",
       "old clients that omit the value get different behaviour"),
    _r("response-default-changed", S, RESP, "default changed from {old} to {new}",
       "defaults in responses are documentation"),
    _r("schema-deprecated", S, NONE, "schema is now deprecated", "advance notice"),
    _r("schema-undeprecated", S, NONE, "schema is no longer deprecated", "clients lose nothing"),
    _r("schema-read-only-changed", W, NONE, "readOnly changed from {old} to {new}",
       "who may send the property changed"),
    _r("schema-write-only-changed", W, NONE, "writeOnly changed from {old} to {new}",
       "whether the property is returned changed"),
    # -- security --------------------------------------------------------------------------
    _r("security-requirement-added", B, REQ, "security {new} is now required",
       "old clients send no such credentials"),
    _r("security-alternative-added", S, REQ, "security {new} is now accepted too",
       "old credentials still work"),
    _r("security-requirement-removed", B, REQ, "security {old} is no longer accepted",
       "old clients that authenticate this way are rejected"),
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
    _r("schema-compatibility-unknown", W, NONE,
       "compatibility of this schema change could not be decided: {reason}",
       "the judge could neither prove nor refute compatibility"),
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
       "no rule judges this change; it is reported rather than dropped"),
    _r("response-required-property-became-write-only", B, RESP,
       "required property '{name}' became writeOnly",
       "a writeOnly property is never returned: clients that read it lose it"),
)

RETIRED: tuple[str, ...] = ()

CATALOGUE: dict[str, Rule] = {rule.id: rule for rule in RULES}


def _build_bound_rules() -> tuple[Rule, ...]:
    """Numeric, length and count bounds share one shape: tightened/relaxed × direction."""
    rules = []
    for keyword in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
                    "minProperties", "maxProperties", "multipleOf", "uniqueItems"):
        slug = "".join("-" + c.lower() if c.isupper() else c for c in keyword)
        rules += [
            _r(f"request-{slug}-tightened", B, REQ, f"{keyword} tightened from {{old}} to {{new}}",
               _OLD_REQ),
            _r(f"request-{slug}-relaxed", S, REQ, f"{keyword} relaxed from {{old}} to {{new}}",
               _WIDER),
            _r(f"response-{slug}-relaxed", W, RESP, f"{keyword} relaxed from {{old}} to {{new}}",
               "clients that validate or size buffers by the old bound may fail"),
            _r(f"response-{slug}-tightened", S, RESP,
               f"{keyword} tightened from {{old}} to {{new}}", _NARROWER),
        ]
    return tuple(rules)


BOUND_RULES = _build_bound_rules()
CATALOGUE.update({rule.id: rule for rule in BOUND_RULES})
