"""The domain model: immutable values shared by every stage.

Nothing here does I/O. ``load`` produces documents, ``diff`` produces :class:`Change`
records, ``rules`` turns them into :class:`Finding` values, ``report`` renders findings.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from dataclasses import dataclass, field
from typing import Any


class Level(str, enum.Enum):
    """How bad a change is for an existing client."""

    BREAKING = "breaking"
    WARNING = "warning"
    SAFE = "safe"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {Level.SAFE: 0, Level.WARNING: 1, Level.BREAKING: 2}


class Direction(str, enum.Enum):
    """Which way data flows for the old client.

    ``request``: the client sends it, the service must keep accepting it (contravariant).
    ``response``: the service sends it, the client must keep understanding it (covariant).
    Webhooks and callbacks flip these, because the API provider is the one sending requests.
    """

    REQUEST = "request"
    RESPONSE = "response"
    NONE = "none"

    def flipped(self) -> Direction:
        if self is Direction.REQUEST:
            return Direction.RESPONSE
        if self is Direction.RESPONSE:
            return Direction.REQUEST
        return self


class ChangeKind(str, enum.Enum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True, order=True)
class Operation:
    """An operation by method and path as written in the new spec (or the old one if removed)."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True, slots=True)
class Location:
    """A node in a source file: the file, a JSON pointer within it, and its 1-based line."""

    file: str
    pointer: str
    line: int | None = None


class Subject(str, enum.Enum):
    """What the differ compared: an OpenAPI object (``parameter``) or one of its fields or
    keywords (``parameter.required``, ``schema.maxLength``). Every subject has a classifier."""

    HEADER = "header"
    HEADER_REQUIRED = "header.required"
    MEDIA_TYPE = "media-type"
    MEDIA_TYPE_ENCODING = "media-type.encoding"
    OPERATION = "operation"
    OPERATION_DEPRECATED = "operation.deprecated"
    OPERATION_OPERATION_ID = "operation.operationId"
    OPERATION_X_STABILITY_LEVEL = "operation.x-stability-level"
    OPERATION_X_SUNSET = "operation.x-sunset"
    PARAMETER = "parameter"
    PARAMETER_ALLOW_EMPTY_VALUE = "parameter.allowEmptyValue"
    PARAMETER_ALLOW_RESERVED = "parameter.allowReserved"
    PARAMETER_DEPRECATED = "parameter.deprecated"
    PARAMETER_EXPLODE = "parameter.explode"
    PARAMETER_IN = "parameter.in"
    PARAMETER_NAME = "parameter.name"
    PARAMETER_REQUIRED = "parameter.required"
    PARAMETER_STYLE = "parameter.style"
    PARAMETER_X_SUNSET = "parameter.x-sunset"
    REQUEST_BODY = "request-body"
    REQUEST_BODY_REQUIRED = "request-body.required"
    RESPONSE = "response"
    SCHEMA = "schema"
    SCHEMA_ADDITIONAL_PROPERTIES = "schema.additionalProperties"
    SCHEMA_ALL_OF = "schema.allOf"
    SCHEMA_ANY_OF = "schema.anyOf"
    SCHEMA_BOOLEAN = "schema.boolean"
    SCHEMA_CONST = "schema.const"
    SCHEMA_CONTAINS = "schema.contains"
    SCHEMA_CONTENT_ENCODING = "schema.contentEncoding"
    SCHEMA_CONTENT_MEDIA_TYPE = "schema.contentMediaType"
    SCHEMA_CONTENT_SCHEMA = "schema.contentSchema"
    SCHEMA_DEFAULT = "schema.default"
    SCHEMA_DEPENDENT_REQUIRED = "schema.dependentRequired"
    SCHEMA_DEPENDENT_SCHEMAS = "schema.dependentSchemas"
    SCHEMA_DEPRECATED = "schema.deprecated"
    SCHEMA_DISCRIMINATOR = "schema.discriminator"
    SCHEMA_DISCRIMINATOR_MAPPING = "schema.discriminator-mapping"
    SCHEMA_ENUM = "schema.enum"
    SCHEMA_FORMAT = "schema.format"
    SCHEMA_ITEMS = "schema.items"
    SCHEMA_MAX_CONTAINS = "schema.maxContains"
    SCHEMA_MAX_ITEMS = "schema.maxItems"
    SCHEMA_MAX_LENGTH = "schema.maxLength"
    SCHEMA_MAX_PROPERTIES = "schema.maxProperties"
    SCHEMA_MAXIMUM = "schema.maximum"
    SCHEMA_MIN_CONTAINS = "schema.minContains"
    SCHEMA_MIN_ITEMS = "schema.minItems"
    SCHEMA_MIN_LENGTH = "schema.minLength"
    SCHEMA_MIN_PROPERTIES = "schema.minProperties"
    SCHEMA_MINIMUM = "schema.minimum"
    SCHEMA_MULTIPLE_OF = "schema.multipleOf"
    SCHEMA_NOT = "schema.not"
    SCHEMA_ONE_OF = "schema.oneOf"
    SCHEMA_PATTERN = "schema.pattern"
    SCHEMA_PATTERN_PROPERTIES = "schema.patternProperties"
    SCHEMA_PREFIX_ITEMS = "schema.prefixItems"
    SCHEMA_PROPERTY = "schema.property"
    SCHEMA_PROPERTY_NAMES = "schema.propertyNames"
    SCHEMA_READ_ONLY = "schema.readOnly"
    SCHEMA_REQUIRED = "schema.required"
    SCHEMA_TYPE = "schema.type"
    SCHEMA_UNEVALUATED_ITEMS = "schema.unevaluatedItems"
    SCHEMA_UNEVALUATED_PROPERTIES = "schema.unevaluatedProperties"
    SCHEMA_UNIQUE_ITEMS = "schema.uniqueItems"
    SCHEMA_WRITE_ONLY = "schema.writeOnly"
    SCHEMA_X_EXTENSIBLE_ENUM = "schema.x-extensible-enum"
    SECURITY_REQUIREMENT = "security-requirement"
    SECURITY_SCHEME = "security-scheme"
    SECURITY_SCOPES = "security-scopes"
    SERVERS = "servers"
    UNCLASSIFIED = "unclassified"


class Part(str, enum.Enum):
    """Which part of a message a top-level schema describes."""

    BODY = "body"
    PARAMETER = "parameter"
    HEADER = "header"


# -- what a change carries besides its old and new value, one frozen type per kind --------


@dataclass(frozen=True, slots=True)
class Facts:
    """The named facts of a change beyond its values; each kind of subject has its type."""


@dataclass(frozen=True, slots=True)
class OperationFacts(Facts):
    deprecated: bool = False
    was_deprecated: bool = False
    sunset: Any = None
    stability: Any = None


@dataclass(frozen=True, slots=True)
class ParameterFacts(Facts):
    name: Any = None
    location: Any = None
    required: bool = False
    deprecated: bool = False
    was_deprecated: bool = False
    sunset: Any = None
    stability: Any = None


@dataclass(frozen=True, slots=True)
class BodyFacts(Facts):
    required: bool = False


@dataclass(frozen=True, slots=True)
class MediaFacts(Facts):
    media: str | None = None
    previous: int = 0
    remaining: int = 0
    part: Part | None = None
    property: str | None = None
    in_old_schema: bool = False
    in_new_schema: bool = False


@dataclass(frozen=True, slots=True)
class ResponseFacts(Facts):
    status: str = ""
    success_kept: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HeaderFacts(Facts):
    name: str = ""
    required: bool = False
    status: str = ""


@dataclass(frozen=True, slots=True)
class SecurityFacts(Facts):
    scheme: str | None = None
    field: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    previous: int = 0
    remaining: int = 0
    covered: bool = False
    anonymous_before: bool = False
    extends: bool = False
    extended_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldFacts(Facts):
    """A field compared as a whole (``unclassified``): which object, which field."""

    object: str = ""
    field: str = ""


@dataclass(frozen=True, slots=True)
class SchemaFacts(Facts):
    part: Part | None = None
    unconstrained: bool = False


@dataclass(frozen=True, slots=True)
class TypeFacts(Facts):
    lost: tuple[str, ...] = ()
    gained: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ValuesFacts(Facts):
    """Values an enumeration gained and lost (canonical JSON text)."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BoundFacts(Facts):
    """A constraint that got tighter and/or looser (None: looser exactly when not tighter)."""

    tightened: bool = False
    loosened: bool | None = None
    keyword: str | None = None


@dataclass(frozen=True, slots=True)
class PropertyFacts(Facts):
    name: str = ""
    required: bool = False
    additional_forbidden: bool = False
    deprecated: bool = False
    sunset: Any = None
    new_property: bool = False
    property_removed: bool = False


@dataclass(frozen=True, slots=True)
class BranchFacts(Facts):
    """An allOf/anyOf/oneOf branch: its position, and the list sizes before and after."""

    index: int = 0
    previous: int = 0
    remaining: int = 0


@dataclass(frozen=True, slots=True)
class KeyFacts(Facts):
    """A keyed entry of a schema: a patternProperties pattern, a discriminator value."""

    pattern: str | None = None
    value: str | None = None


@dataclass(frozen=True, slots=True)
class DefaultFacts(Facts):
    types: tuple[str, ...] = ()


NO_FACTS = Facts()

_S = Subject
_BOUNDED = (
    _S.SCHEMA_MINIMUM, _S.SCHEMA_MAXIMUM, _S.SCHEMA_MIN_LENGTH, _S.SCHEMA_MAX_LENGTH,
    _S.SCHEMA_MIN_ITEMS, _S.SCHEMA_MAX_ITEMS, _S.SCHEMA_MIN_PROPERTIES, _S.SCHEMA_MAX_PROPERTIES,
    _S.SCHEMA_MIN_CONTAINS, _S.SCHEMA_MAX_CONTAINS, _S.SCHEMA_MULTIPLE_OF,
    _S.SCHEMA_UNIQUE_ITEMS, _S.SCHEMA_ADDITIONAL_PROPERTIES, _S.SCHEMA_CONTAINS,
    _S.SCHEMA_PROPERTY_NAMES, _S.SCHEMA_UNEVALUATED_PROPERTIES, _S.SCHEMA_UNEVALUATED_ITEMS,
    _S.SCHEMA_DEPENDENT_REQUIRED, _S.SCHEMA_DEPENDENT_SCHEMAS, _S.SCHEMA_CONTENT_SCHEMA,
)
# The facts type of each subject that carries facts; others carry NO_FACTS.
FACTS_OF: dict[Subject, type[Facts]] = {
    **{s: OperationFacts for s in (_S.OPERATION, _S.OPERATION_DEPRECATED,
                                   _S.OPERATION_X_SUNSET, _S.OPERATION_X_STABILITY_LEVEL)},
    **{s: ParameterFacts for s in Subject if s.value.startswith("parameter")},
    _S.REQUEST_BODY: BodyFacts,
    _S.MEDIA_TYPE: MediaFacts,
    _S.MEDIA_TYPE_ENCODING: MediaFacts,
    _S.RESPONSE: ResponseFacts,
    _S.HEADER: HeaderFacts,
    _S.HEADER_REQUIRED: HeaderFacts,
    **{s: SecurityFacts for s in (_S.SECURITY_REQUIREMENT, _S.SECURITY_SCOPES,
                                  _S.SECURITY_SCHEME)},
    _S.UNCLASSIFIED: FieldFacts,
    _S.SCHEMA: SchemaFacts,
    _S.SCHEMA_TYPE: TypeFacts,
    _S.SCHEMA_ENUM: ValuesFacts,
    _S.SCHEMA_X_EXTENSIBLE_ENUM: ValuesFacts,
    **{s: BoundFacts for s in _BOUNDED},
    **{s: PropertyFacts for s in (_S.SCHEMA_PROPERTY, _S.SCHEMA_REQUIRED, _S.SCHEMA_READ_ONLY,
                                  _S.SCHEMA_WRITE_ONLY)},
    **{s: BranchFacts for s in (_S.SCHEMA_ALL_OF, _S.SCHEMA_ANY_OF, _S.SCHEMA_ONE_OF)},
    _S.SCHEMA_PATTERN_PROPERTIES: KeyFacts,
    _S.SCHEMA_DISCRIMINATOR_MAPPING: KeyFacts,
    _S.SCHEMA_DEFAULT: DefaultFacts,
}


@dataclass(frozen=True, slots=True)
class Change:
    """A neutral fact produced by the differ: something was added, removed or changed.

    ``subject`` names the OpenAPI object or keyword (``operation``, ``parameter``,
    ``schema.type``, ...). ``direction`` is the data-flow direction at that point, already
    flipped inside webhooks/callbacks. ``old``/``new`` are small JSON values (never whole
    documents) the rules need to judge; ``facts`` the other named facts, of the subject's type
    (``FACTS_OF``).
    """

    subject: Subject
    kind: ChangeKind
    direction: Direction
    old_location: Location | None
    new_location: Location | None
    old: Any = None
    new: Any = None
    facts: Facts = NO_FACTS

    def detail(self, name: str, default: Any = None) -> Any:
        """A fact by name; ``default`` when this kind has no such fact or it is unset."""
        value = getattr(self.facts, name, None)
        return default if value is None else value


class Stability(str, enum.Enum):
    """An operation's ``x-stability-level`` (oasdiff's convention), least to most stable.

    An operation without the extension is stable. Draft and alpha operations promise nothing:
    changes to them are not breaking.
    """

    DRAFT = "draft"
    ALPHA = "alpha"
    BETA = "beta"
    STABLE = "stable"

    @property
    def rank(self) -> int:
        return _STABILITY_RANK[self]


_STABILITY_RANK = {Stability.DRAFT: 0, Stability.ALPHA: 1, Stability.BETA: 2, Stability.STABLE: 3}


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """The minimum notice a deprecation must give, in days between the change and its
    ``x-sunset`` date, per stability level (0: not enforced). Draft and alpha need none.

    The defaults are oasdiff's (``--deprecation-days-beta 31 --deprecation-days-stable 180``).
    """

    deprecation_days_beta: int = 31
    deprecation_days_stable: int = 180

    def notice_days(self, stability: Stability) -> int:
        if stability is Stability.STABLE:
            return self.deprecation_days_stable
        if stability is Stability.BETA:
            return self.deprecation_days_beta
        return 0


@dataclass(frozen=True, slots=True)
class Witness:
    """A concrete JSON instance proving an incompatibility, checked against both schemas."""

    instance: Any
    explanation: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A judged change: what a reviewer reads."""

    rule_id: str
    level: Level
    direction: Direction
    message: str
    operations: tuple[Operation, ...]
    old: Location | None
    new: Location | None
    witness: Witness | None = None
    note: str | None = None
    service: str | None = None
    consumers: tuple[str, ...] = ()
    acknowledged: str | None = None
    fingerprint: str = field(default="", compare=False)
    # For removals (``new`` is None): the nearest surviving node in the new spec, so reports
    # that must point into the new file (SARIF, GitHub annotations) have a line to show.
    anchor: Location | None = field(default=None, compare=False)
    # What tells this finding apart from others of its rule on the same operations, set by
    # the rules stage: the file relative to the spec root, the pointer with list positions
    # replaced by identities, and the message arguments that name what changed. Kept on the
    # finding so that the gate can recompute the fingerprint with a service name.
    identity: tuple[str, ...] = field(default=(), compare=False)
    # The rule's message arguments (name, JSON value), sorted by name: the message is
    # rendered from them in one place (``specguard.rules.make_finding``) and machine
    # formats carry them as they are.
    args: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    def with_fingerprint(self) -> Finding:
        """Return a copy with a fingerprint stable across line moves and unrelated edits.

        Made of the rule, direction, service, operations and :attr:`identity` (findings made
        outside the rules stage, which have none, use their location's pointer): never of
        line numbers or absolute paths, so acknowledgements survive edits elsewhere and
        other checkouts.
        """
        if self.identity:
            key = self.identity
        else:
            where = self.new or self.old
            key = (where.pointer if where is not None else "",)
        ops = ",".join(sorted(str(op) for op in self.operations))
        # The direction too: one schema may change in a request and a response of one operation.
        raw = "\x1f".join((self.rule_id, self.direction.value, self.service or "", ops, *key))
        digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
        return _replace(self, fingerprint=f"{self.rule_id}:{digest}")


def _replace(finding: Finding, **changes: Any) -> Finding:
    return dataclasses.replace(finding, **changes)


@dataclass(frozen=True, slots=True)
class SourceText:
    """The text of one file findings point into, so reports can show snippets and links.

    ``file`` is the name used in :class:`Location`; ``path`` the file's path relative to the
    repository (or the working folder) and ``revision`` the git revision it was read at
    (``None``: the working tree).
    """

    file: str
    text: str
    path: str | None = None
    revision: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """One service compared by the gate: its spec on each side (``None``: absent there)."""

    name: str
    old_spec: str | None
    new_spec: str | None
    old_version: str | None = None
    new_version: str | None = None


@dataclass(frozen=True, slots=True)
class DiffReport:
    """All findings of one comparison, sorted for stable output.

    ``sources`` and ``services`` are optional context for reports (snippets, per-service
    tables); a plain two-file diff may leave them empty.
    """

    old_source: str
    new_source: str
    findings: tuple[Finding, ...]
    sources: tuple[SourceText, ...] = ()
    services: tuple[ServiceInfo, ...] = ()

    def count(self, level: Level) -> int:
        return sum(1 for f in self.findings if f.level is level)

    def source(self, file: str) -> SourceText | None:
        """The text of ``file`` (a :attr:`Location.file`), when the report carries it."""
        for source in self.sources:
            if source.file == file:
                return source
        return None

    def worst(self) -> Level | None:
        levels = [f.level for f in self.findings]
        return max(levels, key=lambda lv: lv.rank) if levels else None
