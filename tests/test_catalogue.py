"""Meta-tests: every rule id is described, fired by a fixture and mirrored; every keyword decided.

Coverage comes from the data in ``fixtures/``: a rule id is covered when a case that is not a
known gap (no ``xfail``) lists it under ``findings``. Ids that cannot be covered by a two-document
diff, and mirrors that do not exist, are waived below with a written reason; a waiver that is
no longer needed fails, so the tables cannot rot.

Mirrors are found by swapping one axis of the id: request↔response (and an event's
send↔receive), added↔removed (and
introduced↔dropped), tightened↔relaxed (and restricted↔relaxed, narrowed↔widened,
became-required↔became-optional, became-nullable↔became-not-nullable).
"""

from __future__ import annotations

import importlib.resources
import json
import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema_specifications import REGISTRY

from specguard.diff import OBJECT_TABLES, SCHEMA_KEYWORDS
from specguard.model import Direction
from specguard.rules import CATALOGUE, RETIRED, RULES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NON_CASE_FOLDERS = {"lint", "hostile"}
# Top-level fixture folders that group cases by theme instead of by rule id.
GROUP_FOLDERS = {"equivalent", "semantic", "examples", "lint", "hostile"}

AXES: dict[str, tuple[tuple[str, str], ...]] = {
    "direction": (("request", "response"), ("send", "receive")),
    "presence": (("added", "removed"), ("introduced", "dropped")),
    "strictness": (
        ("tightened", "relaxed"),
        ("restricted", "relaxed"),
        ("narrowed", "widened"),
        ("became-required", "became-optional"),
        ("became-nullable", "became-not-nullable"),
    ),
}

_GATE = "fired by the gate (specguard check compares services and versions), not by a two-file diff"
FIXTURE_WAIVERS: dict[str, str] = {
    "version-not-bumped": _GATE,
    "service-removed": _GATE,
    "service-added": _GATE,
    "gate-policy-changed": _GATE,
    "ack-expired": "fired by the gate's acknowledgement check (tests/gate covers it)",
    "ack-unused": "fired by the gate's acknowledgement check (tests/gate covers it)",
    "schema-compatibility-unknown": "reserved for the semantic judge's UNKNOWN verdicts; nothing "
    "emits it yet",
}

# Mirrors whose name is not the plain swap of the id: (id, axis) -> the id that mirrors it.
MIRROR_ALIASES: dict[tuple[str, str], str] = {
    ("server-added", "presence"): "servers-changed",
    ("request-content-media-type-widened", "strictness"): "request-content-media-type-changed",
    ("request-content-media-type-widened", "direction"): "response-content-media-type-narrowed",
    ("response-content-media-type-narrowed", "strictness"): "response-content-media-type-changed",
    ("response-content-media-type-narrowed", "direction"): "request-content-media-type-widened",
    ("security-requirement-tightened", "strictness"): "security-removed",
    ("response-default-removed", "presence"): "response-non-success-status-added",
    ("operation-sunset-removed", "presence"): "operation-added",
    ("request-parameter-required-added", "presence"): "request-parameter-removed",
    ("request-parameter-optional-added", "presence"): "request-parameter-removed",
    ("request-parameter-removed", "presence"): "request-parameter-optional-added",
    ("request-parameter-required-added", "direction"): "response-parameter-added",
    ("request-parameter-optional-added", "direction"): "response-parameter-added",
    ("response-parameter-added", "direction"): "request-parameter-optional-added",
    ("request-body-required-added", "presence"): "request-body-removed",
    ("request-body-optional-added", "presence"): "request-body-removed",
    ("request-body-removed", "presence"): "request-body-optional-added",
    ("request-body-required-added", "direction"): "response-body-added",
    ("request-body-optional-added", "direction"): "response-body-added",
    ("request-body-became-required", "direction"): "response-body-added",
    ("request-body-became-optional", "direction"): "response-body-removed",
    ("response-body-added", "direction"): "request-body-optional-added",
    ("response-required-header-removed", "presence"): "response-header-added",
    ("response-optional-header-removed", "presence"): "response-header-added",
    ("response-header-added", "presence"): "response-optional-header-removed",
    ("request-required-property-added", "direction"): "response-property-added",
    ("request-required-property-added", "presence"): "request-property-removed",
    ("request-property-removed", "direction"): "response-optional-property-removed",
    ("request-property-removed-closed", "presence"): "request-property-added",
    ("response-required-property-removed", "direction"): "request-property-removed",
    ("response-required-property-removed", "presence"): "response-property-added",
    ("response-optional-property-removed", "direction"): "request-property-removed",
    ("response-optional-property-removed", "presence"): "response-property-added",
    ("response-property-added", "presence"): "response-optional-property-removed",
    ("response-property-sunset-removed", "presence"): "response-property-added",
    ("request-property-sunset-removed", "presence"): "request-property-added",
    ("operation-removed-before-sunset", "presence"): "operation-added",
    ("parameter-removed-before-sunset", "presence"): "request-parameter-optional-added",
    ("parameter-sunset-removed", "presence"): "request-parameter-optional-added",
    ("request-property-removed-before-sunset", "presence"): "request-property-added",
    ("response-property-removed-before-sunset", "presence"): "response-property-added",
    ("request-oneof-branch-added", "direction"): "response-anyof-branch-added",
    ("request-oneof-branch-added", "presence"): "request-anyof-branch-removed",
    ("security-alternative-added", "presence"): "security-requirement-removed",
    ("security-removed", "presence"): "security-requirement-added",
    # event contracts: a sender's property is removed or added; only a receiver requires one
    ("event-send-payload-optional-property-removed", "direction"):
        "event-receive-payload-property-removed",
    ("event-send-payload-optional-property-removed", "presence"):
        "event-send-payload-property-added",
    ("event-receive-payload-required-property-added", "direction"):
        "event-send-payload-property-added",
    ("event-receive-payload-required-property-added", "presence"):
        "event-receive-payload-property-removed",
}

_STATUS = "status codes exist only in responses; webhook and callback replies use these ids too"
_HEADER = "Header Objects exist only in responses; request headers are request-parameter-*"
_JUDGE = (
    "the judge reports only the incompatible direction (narrowed requests, widened responses); "
    "a compatible root change needs no finding of its own"
)
MIRROR_WAIVERS: dict[tuple[str, str], str] = {
    ("request-parameter-deprecated", "direction"): "parameter deprecation is advance notice in "
    "either direction and is reported under this one id",
    ("response-success-status-removed", "direction"): _STATUS,
    ("response-default-removed", "direction"): _STATUS,
    ("response-success-status-retired", "direction"): _STATUS,
    ("response-non-success-status-removed", "direction"): _STATUS,
    ("response-success-status-added", "direction"): _STATUS,
    ("response-non-success-status-added", "direction"): _STATUS,
    ("response-required-property-became-write-only", "direction"): "writeOnly hides a property "
    "only from responses; a request property that became readOnly is schema-read-only-changed",
    ("response-required-header-removed", "direction"): _HEADER,
    ("response-optional-header-removed", "direction"): _HEADER,
    ("response-header-added", "direction"): _HEADER,
    ("response-header-became-optional", "direction"): _HEADER,
    ("response-header-became-required", "direction"): _HEADER,
    ("request-property-removed-closed", "direction"): "additionalProperties: false only makes "
    "the receiver reject extras; a response property removal is judged by whether it was required",
    ("security-scheme-removed", "presence"): "a new scheme changes nothing by itself; the "
    "requirements that use it are judged by security-requirement-*",
    ("request-body-schema-narrowed", "direction"): _JUDGE,
    ("request-body-schema-narrowed", "strictness"): _JUDGE,
    ("request-parameter-schema-narrowed", "direction"): _JUDGE,
    ("request-parameter-schema-narrowed", "strictness"): _JUDGE,
    ("response-body-schema-widened", "direction"): _JUDGE,
    ("response-body-schema-widened", "strictness"): _JUDGE,
    ("response-header-schema-widened", "direction"): _JUDGE,
    ("response-parameter-schema-widened", "direction"): _JUDGE,
    ("response-parameter-schema-widened", "strictness"): _JUDGE,
    ("response-header-schema-widened", "strictness"): _JUDGE,
    ("event-send-payload-widened", "direction"): _JUDGE,
    ("event-send-payload-widened", "strictness"): _JUDGE,
    ("event-send-headers-widened", "direction"): _JUDGE,
    ("event-send-headers-widened", "strictness"): _JUDGE,
    ("event-receive-payload-narrowed", "direction"): _JUDGE,
    ("event-receive-payload-narrowed", "strictness"): _JUDGE,
    ("event-receive-headers-narrowed", "direction"): _JUDGE,
    ("event-receive-headers-narrowed", "strictness"): _JUDGE,
}


# -- fixture data ------------------------------------------------------------------------------


def _expected_files() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(FIXTURES.rglob("expected.yaml")):
        if NON_CASE_FOLDERS & set(path.relative_to(FIXTURES).parts):
            continue
        yield path, yaml.safe_load(path.read_text()) or {}


@cache
def covered() -> dict[str, tuple[str, ...]]:
    """Rule id -> the case folders (not known gaps) whose ``findings`` list it."""
    result: dict[str, list[str]] = {}
    for path, expected in _expected_files():
        if "xfail" in expected:
            continue
        for pattern in expected.get("findings") or []:
            if isinstance(pattern, dict) and "id" in pattern:
                case = str(path.parent.relative_to(FIXTURES))
                result.setdefault(pattern["id"], []).append(case)
    return {rule_id: tuple(cases) for rule_id, cases in result.items()}


def swapped(rule_id: str, axis: str) -> set[str]:
    """Every id obtained by swapping one pair of the axis in ``rule_id`` (whole segments only)."""
    result = set()
    for a, b in AXES[axis]:
        for old, new in ((a, b), (b, a)):
            pattern = re.compile(rf"(?:^|(?<=-)){re.escape(old)}(?=-|$)")
            if pattern.search(rule_id):
                result.add(pattern.sub(new, rule_id))
    result.discard(rule_id)
    return result


def mirror(rule_id: str, axis: str) -> str | None:
    """The id that mirrors ``rule_id`` along ``axis``, by name or by alias (None: no mirror)."""
    existing = sorted(swapped(rule_id, axis) & CATALOGUE.keys())
    if existing:
        return existing[0]
    return MIRROR_ALIASES.get((rule_id, axis))


def _mirror_axes(rule_id: str) -> list[str]:
    return [axis for axis in AXES if swapped(rule_id, axis)]


# -- the catalogue -----------------------------------------------------------------------------


def test_ids_are_unique_and_kebab_case() -> None:
    """Rule ids are unique across both tables, kebab-case, and never reuse a retired id."""
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) == len(CATALOGUE)
    assert not [i for i in ids if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i)]
    assert not set(RETIRED) & set(ids)


@pytest.mark.parametrize("rule_id", sorted(CATALOGUE))
def test_rule_is_described(rule_id: str) -> None:
    """The rule has a message template with valid fields, a rationale and a matching direction."""
    rule = CATALOGUE[rule_id]
    assert rule.message.strip() and rule.rationale.strip()
    fields = [name for _, name, _, _ in string.Formatter().parse(rule.message) if name is not None]
    assert all(re.fullmatch(r"[a-z_]+", name) for name in fields), fields
    if rule_id.startswith("request-"):
        assert rule.direction is Direction.REQUEST
    if rule_id.startswith("response-"):
        assert rule.direction is Direction.RESPONSE


@pytest.mark.parametrize("rule_id", sorted(CATALOGUE))
def test_rule_has_a_fixture(rule_id: str) -> None:
    """A fixture case lists the rule in its findings, or the rule is waived with a reason."""
    if rule_id in FIXTURE_WAIVERS:
        assert FIXTURE_WAIVERS[rule_id].strip()
        return
    cases = covered().get(rule_id)
    assert cases, f"no fixtures/<case>/expected.yaml lists {rule_id}"


@pytest.mark.parametrize("rule_id", sorted(CATALOGUE))
def test_rule_mirrors_have_fixtures(rule_id: str) -> None:
    """Each mirror of the rule exists and is covered, or its absence is waived with a reason."""
    for axis in _mirror_axes(rule_id):
        twin = mirror(rule_id, axis)
        if twin is None:
            reason = MIRROR_WAIVERS.get((rule_id, axis))
            assert reason, (
                f"{rule_id} has no {axis} mirror (tried {sorted(swapped(rule_id, axis))})"
            )
            continue
        assert twin in CATALOGUE, f"alias {twin} for {rule_id} is not in the catalogue"
        cases = covered().get(twin)
        assert twin in FIXTURE_WAIVERS or cases, f"mirror {twin} of {rule_id} has no fixture"


def test_waivers_are_not_stale() -> None:
    """Every waiver and alias is still needed: its id exists and nothing else covers it."""
    stale = [i for i in FIXTURE_WAIVERS if i not in CATALOGUE or covered().get(i)]
    for rule_id, axis in MIRROR_ALIASES:
        named = swapped(rule_id, axis) & CATALOGUE.keys()
        if rule_id not in CATALOGUE or named or not swapped(rule_id, axis):
            stale.append(f"alias {rule_id}/{axis}")
    for rule_id, axis in MIRROR_WAIVERS:
        if rule_id not in CATALOGUE or mirror(rule_id, axis) is not None:
            stale.append(f"mirror waiver {rule_id}/{axis}")
    assert not stale


def test_fixture_folders_are_rule_ids() -> None:
    """Top-level fixture folders are rule ids or declared groups, so a typo cannot hide a case."""
    folders = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert not folders - CATALOGUE.keys() - GROUP_FOLDERS


def test_fixture_ids_exist() -> None:
    """Every rule id an expected.yaml names (in findings or absent) is in the catalogue."""
    unknown = set()
    for path, expected in _expected_files():
        for pattern in [*(expected.get("findings") or []), *(expected.get("absent") or [])]:
            if isinstance(pattern, dict) and pattern.get("id") not in (None, *CATALOGUE):
                unknown.add(f"{path.parent.relative_to(FIXTURES)}: {pattern['id']}")
    assert not unknown


def test_rule_case_folders_list_their_rule() -> None:
    """A case under fixtures/<rule-id>/ names that rule in findings or absent, or is a gap."""
    unrelated = []
    for path, expected in _expected_files():
        top = path.relative_to(FIXTURES).parts[0]
        if top in GROUP_FOLDERS or "xfail" in expected:
            continue
        named = {
            p.get("id")
            for p in [*(expected.get("findings") or []), *(expected.get("absent") or [])]
            if isinstance(p, dict)
        }
        if top not in named and expected.get("findings"):
            unrelated.append(str(path.parent.relative_to(FIXTURES)))
    assert not unrelated


# -- keyword and field tables ------------------------------------------------------------------


def _json_schema_keywords() -> set[str]:
    keywords: set[str] = set()
    for uri in REGISTRY:
        if uri.startswith("https://json-schema.org/draft/2020-12/meta/"):
            keywords |= set(REGISTRY.contents(uri).get("properties", {}))
    return keywords


def _oas_base_vocabulary() -> set[str]:
    path = (
        importlib.resources.files("openapi_schema_validator") / "schemas/oas3.1/vocabularies/base"
    )
    return set(json.loads(path.read_text())["properties"])


def test_every_json_schema_keyword_is_decided() -> None:
    """Every 2020-12 vocabulary keyword and every OAS base-vocabulary keyword has a handling."""
    keywords = _json_schema_keywords()
    assert len(keywords) > 50  # the vocabularies were found
    assert not (keywords | _oas_base_vocabulary()) - SCHEMA_KEYWORDS.keys()


def test_schema_table_has_no_unknown_keyword() -> None:
    """The schema table lists only real keywords (3.0's nullable being the one extra)."""
    known = _json_schema_keywords() | _oas_base_vocabulary() | {"nullable"}
    assert not SCHEMA_KEYWORDS.keys() - known


@cache
def _oas_schema() -> dict[str, Any]:
    path = (
        importlib.resources.files("openapi_spec_validator") / "resources/schemas/v3.1/schema.json"
    )
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _resolve(pointer: str) -> Any:
    node: Any = _oas_schema()
    for token in pointer.lstrip("#/").split("/"):
        node = node[token]
    return node


def _fields(schema: Any, seen: set[str] | None = None) -> set[str]:
    """Fixed field names of an object schema, including those added by allOf/if/then mixins."""
    seen = set() if seen is None else seen
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties", {}))
    subschemas = [*schema.get("allOf", []), *schema.get("anyOf", []), *schema.get("oneOf", [])]
    subschemas += [schema[k] for k in ("if", "then", "else") if k in schema]
    subschemas += list(schema.get("dependentSchemas", {}).values())
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
        seen.add(ref)
        subschemas.append(_resolve(ref))
    for sub in subschemas:
        names |= _fields(sub, seen)
    return names


# OpenAPI object (name in the 3.1 schema's $defs) -> the table that decides its fields.
TABLE_OF = {
    "(document)": "document",
    "components": "components",
    "path-item": "path-item",
    "operation": "operation",
    "parameter": "parameter",
    "request-body": "request-body",
    "media-type": "media-type",
    "response": "response",
    "header": "header",
    "security-scheme": "security-scheme",
}
# Objects decided as one value by the field that holds them: (table, field).
WHOLE_VALUE = {
    "info": ("document", "info"),
    "contact": ("document", "info"),
    "license": ("document", "info"),
    "server": ("document", "servers"),
    "server-variable": ("document", "servers"),
    "external-documentation": ("document", "externalDocs"),
    "tag": ("document", "tags"),
    "encoding": ("media-type", "encoding"),
    "example": ("media-type", "examples"),
    "link": ("response", "links"),
    "oauth-flows": ("security-scheme", "flows"),
    "reference": ("path-item", "$ref"),
}
# Maps and mixins without fixed fields of their own, walked by the differ entry by entry.
NOT_OBJECTS = {
    "paths",
    "responses",
    "callbacks",
    "content",
    "security-requirement",
    "schema",
    "specification-extensions",
    "map-of-strings",
    "examples",
}


def _oas_objects() -> dict[str, set[str]]:
    objects = {"(document)": set(_oas_schema()["properties"])}
    for name, schema in _oas_schema()["$defs"].items():
        if name.endswith("-or-reference") or name in NOT_OBJECTS:
            continue
        objects[name] = _fields(schema)
    return objects


def test_every_openapi_object_is_decided() -> None:
    """Every OpenAPI 3.1 object has a table, or is decided as a whole by a listed field."""
    objects = _oas_objects()
    assert len(objects) > 20  # the schema was found
    assert not objects.keys() - TABLE_OF.keys() - WHOLE_VALUE.keys()
    for table, field in WHOLE_VALUE.values():
        assert field in OBJECT_TABLES[table], (table, field)


@pytest.mark.parametrize("name", sorted(TABLE_OF))
def test_every_openapi_field_is_decided(name: str) -> None:
    """Every fixed field of the OpenAPI 3.1 object is in its table, and the table invents none."""
    fields = _oas_objects()[name]
    table = OBJECT_TABLES[TABLE_OF[name]]
    assert fields, name
    assert not fields - table.keys()
    # A path item may itself be a $ref (3.1 allows siblings); the schema models that apart.
    assert not table.keys() - fields - {"$ref"}


def test_rules_is_the_whole_catalogue_and_read_only() -> None:
    """One immutable table: every rule (generated families too) is in RULES, once."""
    assert [rule.id for rule in RULES] == list(CATALOGUE)
    with pytest.raises(TypeError):
        CATALOGUE["x"] = RULES[0]  # type: ignore[index]


# Mirrors the judge treats differently on purpose, with the reason.
JUDGE_ASYMMETRY: dict[frozenset[str], str] = {
    frozenset({"request-default-changed", "response-default-changed"}): "a request default is "
    "what the service assumes when a client omits the value (behaviour the judge cannot see); "
    "a response default only documents",
}


@pytest.mark.parametrize("rule_id", sorted(CATALOGUE))
def test_mirrors_share_the_judge_policy(rule_id: str) -> None:
    """A rule and its mirror (request/response, tightened/relaxed, added/removed) are judged
    the same way: the judge's reach is a fact of what the rule is about, not of its side."""
    rule = CATALOGUE[rule_id]
    for axis in _mirror_axes(rule_id):
        twin_id = mirror(rule_id, axis)
        if twin_id is None or twin_id not in CATALOGUE or twin_id in MIRROR_ALIAS_TARGETS:
            continue
        if frozenset({rule_id, twin_id}) in JUDGE_ASYMMETRY:
            continue
        twin = CATALOGUE[twin_id]
        assert (rule.judge, rule.isolated) == (twin.judge, twin.isolated), (
            f"{rule_id} is judged {rule.judge.value}/isolated={rule.isolated}, its {axis} "
            f"mirror {twin_id} {twin.judge.value}/isolated={twin.isolated}"
        )


MIRROR_ALIAS_TARGETS = frozenset(MIRROR_ALIASES.values())


def test_every_subject_has_a_classifier() -> None:
    """What the differ can compare (``Subject``) and what the rules classify are one list."""
    from specguard.model import Subject
    from specguard.rules import CLASSIFIERS

    assert set(CLASSIFIERS) == {subject.value for subject in Subject}


def test_every_rule_id_is_written_out() -> None:
    """grep finds every rule: each id is spelled out in the catalogue, and no classifier
    composes one from pieces (f-strings)."""
    rules_dir = Path(__file__).resolve().parent.parent / "src" / "specguard" / "rules"
    catalogue = (rules_dir / "_catalogue.py").read_text()
    unspelled = [rule_id for rule_id in CATALOGUE if f'"{rule_id}"' not in catalogue]
    assert not unspelled, unspelled
    composed = [
        f"{path.name}:{number}"
        for path in sorted(rules_dir.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"""_hit\(\s*f["']""", line)
    ]
    assert not composed, composed
