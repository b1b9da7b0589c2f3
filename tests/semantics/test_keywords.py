"""The judge keyword family by keyword family: proofs, witnesses and honest UNKNOWNs."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from openapi_schema_validator import OAS30Validator

from specguard.semantics import Outcome, Verdict
from tests.semantics.support import assert_incompatible, judge, plain_valid

C, INC, U = Outcome.COMPATIBLE, Outcome.INCOMPATIBLE, Outcome.UNKNOWN


def decide(
    sub: Any,
    sup: Any,
    *,
    dialect: Literal["3.0", "3.1"] = "3.1",
    context: Literal["request", "response"] = "request",
) -> Verdict:
    """``sub ⊆ sup`` for two standalone schemas (no $ref)."""
    return judge(dialect).is_subschema(sub, "old", sup, "new", context=context)


def check(sub: Any, sup: Any, expected: Outcome, **options: Any) -> Verdict:
    """Assert the outcome; for INCOMPATIBLE also that jsonschema agrees with the witness."""
    verdict = decide(sub, sup, **options)
    assert verdict.outcome is expected, verdict.reason
    if expected is INC and options.get("dialect", "3.1") == "3.1":
        assert_incompatible(verdict, sub, sup)
    if expected is not INC:
        assert verdict.witness is None
    return verdict


def both_ways(left: Any, right: Any, **options: Any) -> None:
    """The two schemas accept exactly the same instances."""
    check(left, right, C, **options)
    check(right, left, C, **options)


STRING = {"type": "string"}
INTEGER = {"type": "integer"}


# --- types -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "sup", "expected"),
    [
        (STRING, {"type": ["string", "null"]}, C),
        ({"type": ["string", "null"]}, STRING, INC),
        (INTEGER, {"type": "number"}, C),
        ({"type": "number"}, INTEGER, INC),
        ({"type": "boolean"}, {}, C),
        ({}, STRING, INC),
        (True, {"not": {}}, INC),
        (False, STRING, C),
        ({"type": ["integer", "number"]}, {"type": "number"}, C),
    ],
    ids=[
        "string-to-nullable",
        "nullable-to-string",
        "integer-to-number",
        "number-to-integer",
        "boolean-to-anything",
        "anything-to-string",
        "true-to-false",
        "false-to-anything",
        "integer-or-number",
    ],
)
def test_types(sub: Any, sup: Any, expected: Outcome) -> None:
    """Type sets: widening is compatible, narrowing yields a witness of the dropped type."""
    check(sub, sup, expected)


def test_type_array_equals_any_of_with_null() -> None:
    """``type: [string, "null"]`` and ``anyOf: [string, null]`` accept the same instances."""
    both_ways({"type": ["string", "null"]}, {"anyOf": [STRING, {"type": "null"}]})


def test_number_to_integer_witness_is_a_fraction() -> None:
    """The witness for number ⊄ integer is a non-integral number."""
    witness = check({"type": "number"}, INTEGER, INC).witness
    assert witness is not None
    assert isinstance(witness.instance, float)
    assert not witness.instance.is_integer()


# --- enum / const ----------------------------------------------------------------------------


def test_enum_single_value_equals_const() -> None:
    """``enum: [x]`` and ``const: x`` are the same schema."""
    both_ways({"enum": ["x"]}, {"const": "x"})


def test_enum_reordered_is_equivalent() -> None:
    """Reordering enum values changes nothing."""
    both_ways(
        {"type": "string", "enum": ["a", "b", "c"]}, {"type": "string", "enum": ["c", "a", "b"]}
    )


def test_enum_value_removed_gives_that_value() -> None:
    """Removing an enum value: the removed value is the witness."""
    verdict = check({"enum": ["a", "b"]}, {"enum": ["a"]}, INC)
    assert verdict.witness is not None and verdict.witness.instance == "b"


def test_enum_within_type_and_type_within_enum() -> None:
    """An enum is inside its type; a type is not inside an enum of some of its values."""
    check({"enum": [1, 2]}, INTEGER, C)
    check({"type": "boolean"}, {"enum": [True]}, INC)
    check({"type": "integer", "minimum": 1, "maximum": 3}, {"enum": [3, 1, 2]}, C)


def test_enum_uses_json_equality() -> None:
    """``1`` and ``1.0`` are equal enum values, ``true`` and ``1`` are not."""
    check({"enum": [1]}, {"enum": [1.0]}, C)
    verdict = check({"enum": [True]}, {"enum": [1]}, INC)
    assert verdict.witness is not None and verdict.witness.instance is True


def test_enum_filtered_by_sibling_keywords() -> None:
    """Enum values the sibling keywords reject do not count (here: 'toolong')."""
    both_ways({"type": "string", "maxLength": 3, "enum": ["ab", "toolong"]}, {"const": "ab"})


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "sup", "expected"),
    [
        ({"type": "integer", "minimum": 0}, {"type": "integer", "minimum": 1}, INC),
        ({"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 0}, C),
        ({"type": "number", "maximum": 10}, {"type": "number", "maximum": 9.5}, INC),
        ({"type": "integer", "exclusiveMinimum": 0}, {"type": "integer", "minimum": 1}, C),
        ({"type": "integer", "minimum": 1}, {"type": "integer", "exclusiveMinimum": 0}, C),
        ({"type": "number", "minimum": 0}, {"type": "number", "exclusiveMinimum": 0}, INC),
        ({"type": "integer", "multipleOf": 4}, {"type": "integer", "multipleOf": 2}, C),
        ({"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 4}, INC),
        ({"type": "number", "multipleOf": 0.5}, {"type": "number", "multipleOf": 0.5}, C),
        ({"type": "number", "multipleOf": 1}, INTEGER, C),
        (
            {"type": "integer", "minimum": 0, "maximum": 3},
            {"anyOf": [{"type": "integer", "maximum": 1}, {"type": "integer", "minimum": 2}]},
            C,
        ),
        (
            {"type": "integer", "minimum": 0, "maximum": 3},
            {"anyOf": [{"type": "integer", "maximum": 1}, {"type": "integer", "minimum": 3}]},
            INC,
        ),
    ],
    ids=[
        "minimum-raised",
        "minimum-lowered",
        "maximum-lowered",
        "exclusive-vs-inclusive-integer",
        "inclusive-vs-exclusive-integer",
        "minimum-made-exclusive",
        "multiple-of-divisor",
        "multiple-of-multiple",
        "same-float-multiple",
        "multiple-of-one-is-integer-3.1",
        "range-split-in-union",
        "range-with-gap-in-union",
    ],
)
def test_numbers(sub: Any, sup: Any, expected: Outcome) -> None:
    """Bounds, exclusivity and multipleOf, also across unions of ranges."""
    check(sub, sup, expected)


def test_gap_witness_is_the_missing_integer() -> None:
    """The witness of a range that lost a value is exactly that value."""
    sup = {"anyOf": [{"type": "integer", "maximum": 1}, {"type": "integer", "minimum": 3}]}
    verdict = check({"type": "integer", "minimum": 0, "maximum": 3}, sup, INC)
    assert verdict.witness is not None and verdict.witness.instance == 2


# --- strings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "sup", "expected"),
    [
        ({"type": "string", "maxLength": 5}, {"type": "string", "maxLength": 3}, INC),
        ({"type": "string", "minLength": 1}, {"type": "string"}, C),
        ({"type": "string"}, {"type": "string", "minLength": 1}, INC),
        ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^a"}, C),
        ({"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}, INC),
        ({"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^[a-z]*$"}, U),
        ({"type": "string", "pattern": "^[a-z]*$"}, {"type": "string", "pattern": "^[a-z]+$"}, INC),
        (
            {"type": "string", "pattern": "^a+$"},
            {"type": "string", "pattern": "^a+$", "minLength": 1},
            C,
        ),
    ],
    ids=[
        "max-length-lowered",
        "min-length-dropped",
        "min-length-added",
        "same-pattern",
        "disjoint-patterns",
        "different-patterns-undecided",
        "pattern-now-needs-a-char",
        "pattern-implies-min-length",
    ],
)
def test_strings(sub: Any, sup: Any, expected: Outcome) -> None:
    """Lengths are exact; patterns are proved only when equal, refuted when a sample shows it."""
    check(sub, sup, expected)


def test_pattern_reason_mentions_patterns() -> None:
    """An undecided pattern change says so."""
    verdict = decide({"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^x"})
    assert verdict.outcome in (INC, U)
    verdict = decide(
        {"type": "string", "pattern": "^[a-z]+$"}, {"type": "string", "pattern": "^[a-z]*$"}
    )
    assert "pattern" in verdict.reason


def test_formats_the_validator_asserts() -> None:
    """Adding an asserted format narrows (witness ''); unknown formats are annotations."""
    verdict = check(STRING, {"type": "string", "format": "date"}, INC)
    assert verdict.witness is not None and verdict.witness.instance == ""
    check({"type": "string", "format": "date"}, STRING, C)
    both_ways({"type": "string", "format": "date"}, {"type": "string", "format": "date"})
    check(STRING, {"type": "string", "format": "x-house-style"}, C)


def test_format_change_finds_a_sample_of_the_old_format() -> None:
    """date → date-time: a date sample is the witness."""
    sub = {"type": "string", "format": "date"}
    verdict = check(sub, {"type": "string", "format": "date-time"}, INC)
    assert verdict.witness is not None and verdict.witness.instance == "2020-01-01"


# --- arrays ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "sup", "expected"),
    [
        ({"type": "array", "items": INTEGER}, {"type": "array", "items": {"type": "number"}}, C),
        ({"type": "array", "items": {"type": "number"}}, {"type": "array", "items": INTEGER}, INC),
        ({"type": "array"}, {"type": "array", "minItems": 1}, INC),
        ({"type": "array", "maxItems": 3}, {"type": "array", "maxItems": 2}, INC),
        (
            {"type": "array", "items": STRING},
            {"type": "array", "items": STRING, "uniqueItems": True},
            INC,
        ),
        (
            {"type": "array", "items": STRING, "maxItems": 1},
            {"type": "array", "uniqueItems": True},
            C,
        ),
        (
            {"type": "array", "prefixItems": [STRING]},
            {"type": "array", "prefixItems": [INTEGER]},
            INC,
        ),
        (
            {"type": "array", "prefixItems": [STRING], "items": False},
            {"type": "array", "maxItems": 1},
            C,
        ),
        ({"type": "array", "items": False}, {"type": "array", "maxItems": 0}, C),
    ],
    ids=[
        "items-widened",
        "items-narrowed",
        "min-items-added",
        "max-items-lowered",
        "unique-added",
        "unique-irrelevant-for-one-item",
        "prefix-items-narrowed",
        "closed-tuple-has-max-length",
        "no-items-means-empty",
    ],
)
def test_arrays(sub: Any, sup: Any, expected: Outcome) -> None:
    """Item schemas, positions, lengths and uniqueness."""
    check(sub, sup, expected)


def test_unique_items_witness_has_a_duplicate() -> None:
    """The witness for an added uniqueItems is an array with two equal items."""
    sub = {"type": "array", "items": STRING}
    verdict = check(sub, {**sub, "uniqueItems": True}, INC)
    assert verdict.witness is not None
    first, second = verdict.witness.instance[:2]
    assert first == second


def test_contains_is_undecided() -> None:
    """``contains`` is not modelled: adding it yields UNKNOWN with the keyword named."""
    verdict = check({"type": "array"}, {"type": "array", "contains": STRING}, U)
    assert "contains" in verdict.reason


# --- objects ---------------------------------------------------------------------------------

OBJECT = {
    "type": "object",
    "properties": {"a": STRING, "b": INTEGER},
    "required": ["a"],
}


@pytest.mark.parametrize(
    ("sub", "sup", "expected"),
    [
        (OBJECT, {**OBJECT, "required": ["a", "b"]}, INC),
        (OBJECT, {**OBJECT, "required": []}, C),
        (OBJECT, {**OBJECT, "required": ["a"], "properties": {"a": STRING, "b": STRING}}, INC),
        (OBJECT, {**OBJECT, "additionalProperties": False}, INC),
        ({**OBJECT, "additionalProperties": False}, OBJECT, C),
        (
            {**OBJECT, "additionalProperties": False},
            {"type": "object", "required": ["a"], "properties": {"a": STRING}},
            C,
        ),
        (OBJECT, {**OBJECT, "additionalProperties": STRING}, INC),
        (OBJECT, {**OBJECT, "maxProperties": 2}, INC),
        (OBJECT, {**OBJECT, "minProperties": 2}, INC),
        ({**OBJECT, "additionalProperties": False}, {**OBJECT, "maxProperties": 2}, C),
        (
            {"type": "object", "patternProperties": {"^x-": STRING}},
            {"type": "object", "patternProperties": {"^x-": {"type": "string", "maxLength": 1}}},
            INC,
        ),
        (
            {"type": "object", "patternProperties": {"^x-": STRING}, "additionalProperties": False},
            {"type": "object", "patternProperties": {"^x-": STRING}},
            C,
        ),
        ({"type": "object"}, {"type": "object", "patternProperties": {"^y": INTEGER}}, U),
    ],
    ids=[
        "required-added",
        "required-removed",
        "property-type-changed",
        "closed",
        "opened",
        "property-dropped-when-closed",
        "additional-typed",
        "max-properties-added",
        "min-properties-added",
        "closed-object-has-max-size",
        "pattern-property-narrowed",
        "pattern-property-opened",
        "patterns-differ",
    ],
)
def test_objects(sub: Any, sup: Any, expected: Outcome) -> None:
    """Properties, required, additional and pattern properties, sizes."""
    check(sub, sup, expected)


def test_required_added_witness_lacks_the_property() -> None:
    """The witness for a new required property is an old instance without it."""
    verdict = check(OBJECT, {**OBJECT, "required": ["a", "b"]}, INC)
    assert verdict.witness is not None
    assert "b" not in verdict.witness.instance and "a" in verdict.witness.instance


def test_property_moved_into_sibling_all_of_branch_with_closed_object() -> None:
    """additionalProperties:false in one allOf branch rejects a property moved to the other."""
    old = {
        "type": "object",
        "properties": {"a": STRING, "b": INTEGER},
        "additionalProperties": False,
    }
    new = {
        "allOf": [
            {"type": "object", "properties": {"a": STRING}, "additionalProperties": False},
            {"properties": {"b": INTEGER}},
        ]
    }
    verdict = check(old, new, INC)
    assert verdict.witness is not None and "b" in verdict.witness.instance
    check(new, old, C)


# --- combinators -----------------------------------------------------------------------------


def test_all_of_flattened_is_equivalent() -> None:
    """allOf of fragments equals the merged object."""
    flat = {"type": "object", "properties": {"a": STRING, "b": INTEGER}, "required": ["a"]}
    split = {
        "allOf": [
            {"type": "object", "properties": {"a": STRING}},
            {"properties": {"b": INTEGER}},
            {"required": ["a"]},
        ]
    }
    both_ways(flat, split)


def test_one_of_and_any_of_agree_on_disjoint_branches() -> None:
    """oneOf → anyOf over branches no instance satisfies twice is no change."""
    both_ways({"oneOf": [STRING, INTEGER]}, {"anyOf": [STRING, INTEGER]})
    tagged = [
        {"type": "object", "properties": {"k": {"const": "a"}}, "required": ["k"]},
        {"type": "object", "properties": {"k": {"const": "b"}}, "required": ["k"]},
    ]
    both_ways({"oneOf": tagged}, {"anyOf": tagged})


def test_one_of_branches_that_now_overlap() -> None:
    """A value in two oneOf branches is rejected: widening one branch onto the other breaks."""
    old = {"oneOf": [{"type": "integer", "maximum": 0}, {"type": "integer", "minimum": 10}]}
    new = {"oneOf": [{"type": "integer", "maximum": 10}, {"type": "integer", "minimum": 10}]}
    verdict = check(old, new, INC)
    assert verdict.witness is not None and verdict.witness.instance == 10


def test_one_of_exact_on_overlapping_branches() -> None:
    """Overlapping oneOf branches: exactly-one semantics is modelled through complements."""
    old = {"oneOf": [{"type": "string", "maxLength": 3}, {"type": "string", "minLength": 5}]}
    new = {"oneOf": [{"type": "string", "maxLength": 4}, {"type": "string", "minLength": 4}]}
    check(old, new, C)
    verdict = check(new, {"type": "string", "not": {"const": "abcd"}}, C)
    assert verdict.reason


def test_not_added() -> None:
    """A new ``not`` excludes values: one of them is the witness."""
    verdict = check(STRING, {"type": "string", "not": {"enum": ["x", "y"]}}, INC)
    assert verdict.witness is not None and verdict.witness.instance in ("x", "y")
    check({"type": "string", "enum": ["a"]}, {"type": "string", "not": {"enum": ["x"]}}, C)


def test_not_required_means_absent() -> None:
    """``not: {required: [a]}`` forbids a; an object that may carry a is not included."""
    sub = {"type": "object", "properties": {"a": STRING}}
    verdict = check(sub, {**sub, "not": {"required": ["a"]}}, INC)
    assert verdict.witness is not None and "a" in verdict.witness.instance
    check({**sub, "properties": {"a": False}}, {**sub, "not": {"required": ["a"]}}, C)


def test_if_then_else() -> None:
    """if/then/else is (if ∧ then) ∨ (¬if ∧ else)."""
    cond = {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}}
    verdict = check({"type": "object"}, cond, INC)
    assert verdict.witness is not None and "a" in verdict.witness.instance
    check({"type": "object", "required": ["a", "b"]}, cond, C)


def test_double_negation() -> None:
    """``not: {not: X}`` is X."""
    both_ways({"not": {"not": OBJECT}}, OBJECT)


# --- unsupported keywords --------------------------------------------------------------------


@pytest.mark.parametrize(
    "keyword",
    [
        {"propertyNames": {"maxLength": 1}},
        {"dependentSchemas": {"a": {"required": ["b"]}}},
        {"unevaluatedProperties": False, "anyOf": [{"properties": {"a": {}}}, {}]},
    ],
    ids=["propertyNames", "dependentSchemas", "unevaluatedProperties-beside-anyOf"],
)
def test_unsupported_object_keywords_are_unknown_when_added(keyword: dict[str, Any]) -> None:
    """An added keyword the judge does not model gives UNKNOWN naming it, never COMPATIBLE."""
    verdict = check({"type": "object"}, {"type": "object", **keyword}, U)
    assert next(iter(keyword)) in verdict.reason


def test_unsupported_keyword_on_the_included_side_is_ignored_soundly() -> None:
    """A constraint the judge cannot model only shrinks the included side: proofs still hold."""
    check({"type": "object", "dependentRequired": {"a": ["b"]}}, {"type": "object"}, C)


def test_unknown_type_name_is_unknown() -> None:
    """A type name JSON Schema does not define makes the schema undecided."""
    check(STRING, {"type": "text"}, U)


# --- OpenAPI 3.0 dialect ---------------------------------------------------------------------


def oas30_valid(schema: Any, instance: Any) -> bool:
    return bool(OAS30Validator(schema).is_valid(instance))


def test_nullable_equals_any_of_null_in_3_0() -> None:
    """3.0 ``nullable: true`` accepts null, like an anyOf with a null-only branch."""
    nullable = {"type": "string", "nullable": True}
    both_ways(
        nullable,
        {"anyOf": [STRING, {"type": "string", "nullable": True, "enum": [None]}]},
        dialect="3.0",
    )
    verdict = check(nullable, STRING, INC, dialect="3.0")
    assert verdict.witness is not None and verdict.witness.instance is None
    assert oas30_valid(nullable, None) and not oas30_valid(STRING, None)


def test_nullable_without_type_changes_nothing_in_3_0() -> None:
    """OpenAPI 3.0.3: nullable only adds null next to an explicit type."""
    both_ways({"nullable": True, "minLength": 1}, {"minLength": 1}, dialect="3.0")


def test_nullable_with_enum_needs_null_in_the_enum() -> None:
    """A nullable enum without null in its values still rejects null (3.0.3 clarification)."""
    both_ways(
        {"type": "string", "nullable": True, "enum": ["a"]},
        {"type": "string", "enum": ["a"]},
        dialect="3.0",
    )


def test_boolean_exclusive_bounds_in_3_0() -> None:
    """3.0 boolean exclusiveMinimum makes minimum exclusive; 0 is the witness."""
    inclusive = {"type": "number", "minimum": 0}
    exclusive = {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    check(exclusive, inclusive, C, dialect="3.0")
    verdict = check(inclusive, exclusive, INC, dialect="3.0")
    assert verdict.witness is not None and verdict.witness.instance == 0
    both_ways(
        {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
        {"type": "integer", "minimum": 1},
        dialect="3.0",
    )


def test_integer_excludes_integral_floats_in_3_0() -> None:
    """In 3.0 (draft 4) 1.0 is not an integer: number multipleOf 1 is wider than integer."""
    verdict = check({"type": "number", "multipleOf": 1}, INTEGER, INC, dialect="3.0")
    assert verdict.witness is not None
    assert oas30_valid({"type": "number", "multipleOf": 1}, verdict.witness.instance)
    assert not oas30_valid(INTEGER, verdict.witness.instance)


def test_3_1_keywords_are_ignored_in_3_0() -> None:
    """const and type arrays are not 3.0: const is ignored like the 3.0 validator does."""
    both_ways({"type": "string", "const": "a"}, STRING, dialect="3.0")
    check(STRING, {"type": ["string", "null"]}, U, dialect="3.0")


def test_3_0_nullable_vs_3_1_type_array_across_documents() -> None:
    """Old 3.0 ``nullable`` and new 3.1 ``type: [string, "null"]`` are the same schema."""
    j = judge("3.1")
    old, new = {"type": "string", "nullable": True}, {"type": ["string", "null"]}
    for context in ("request", "response"):
        verdict = j.is_subschema(old, "old", new, "new", context=context, sub_dialect="3.0")
        assert verdict.outcome is C, verdict.reason
        verdict = j.is_subschema(new, "new", old, "old", context=context, sup_dialect="3.0")
        assert verdict.outcome is C, verdict.reason
    assert plain_valid(new, None)


OBJ_AB = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}


def test_dependent_required_added_is_incompatible_with_a_witness() -> None:
    """dependentRequired a -> b rejects an object with a and without b."""
    verdict = check(OBJ_AB, {**OBJ_AB, "dependentRequired": {"a": ["b"]}}, INC)
    assert verdict.witness is not None and "a" in verdict.witness.instance
    assert "b" not in verdict.witness.instance


def test_dependent_required_is_compatible_when_the_name_is_already_required() -> None:
    check({**OBJ_AB, "required": ["b"]}, {**OBJ_AB, "dependentRequired": {"a": ["b"]}}, C)


def test_dependent_required_is_compatible_when_the_key_cannot_occur() -> None:
    sub = {**OBJ_AB, "properties": {"a": False, "b": {"type": "string"}}}
    check(sub, {**OBJ_AB, "dependentRequired": {"a": ["b"]}}, C)


def test_dependent_required_on_both_sides_is_compatible() -> None:
    both = {**OBJ_AB, "dependentRequired": {"a": ["b"]}}
    check(both, both, C)


def test_instances_missing_a_dependency_are_not_members() -> None:
    """Relaxing dependentRequired widens: the old schema is included in the new one."""
    check({**OBJ_AB, "dependentRequired": {"a": ["b"]}}, OBJ_AB, C)
    check(OBJ_AB, {**OBJ_AB, "dependentRequired": {"a": ["b"]}}, INC)


def test_unevaluated_properties_counts_all_of_members_as_evaluated() -> None:
    """unevaluatedProperties: false beside allOf members rejects only keys none declares."""
    member = {"properties": {"a": {"type": "string"}}}
    closed = {"type": "object", "allOf": [member], "unevaluatedProperties": False}
    verdict = check({"type": "object", "allOf": [member]}, closed, INC)
    assert verdict.witness is not None and set(verdict.witness.instance) - {"a"}
    check({"type": "object", "allOf": [member], "additionalProperties": False}, closed, C)


def test_unevaluated_properties_is_moot_after_additional_properties() -> None:
    """An allOf member with additionalProperties evaluates every key."""
    member = {"properties": {"a": {}}, "additionalProperties": {"type": "string"}}
    check({"type": "object", "allOf": [member]},
          {"type": "object", "allOf": [member], "unevaluatedProperties": False}, C)
