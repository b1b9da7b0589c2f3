"""The judge on OpenAPI concerns: $ref across two documents, recursion, discriminator,
readOnly/writeOnly by direction, and the public contract (verdicts, witnesses, memoisation)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from specguard.model import Witness
from specguard.semantics import Judge, Outcome, Verdict
from tests.semantics.support import MemoryResolver, judge

C, INC, U = Outcome.COMPATIBLE, Outcome.INCOMPATIBLE, Outcome.UNKNOWN


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def document(**schemas: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "components": {"schemas": schemas}}


TREE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "value": {"type": "integer"},
        "children": {"type": "array", "items": ref("Tree")},
    },
    "required": ["value"],
}


def pair(old: dict[str, Any], new: dict[str, Any]) -> Judge:
    return judge("3.1", old=document(**old), new=document(**new))


# --- $ref ------------------------------------------------------------------------------------


def test_recursive_schema_unchanged_in_two_documents() -> None:
    """A recursive schema equal in both documents is compatible (coinduction terminates)."""
    j = pair({"Tree": TREE}, {"Tree": copy.deepcopy(TREE)})
    assert j.request_compatible(ref("Tree"), "old", ref("Tree"), "new").outcome is C
    assert j.response_compatible(ref("Tree"), "old", ref("Tree"), "new").outcome is C


def test_recursive_schema_narrowed_deep_inside() -> None:
    """A change inside the recursion is found; the witness is a valid old tree."""
    narrowed = copy.deepcopy(TREE)
    narrowed["properties"]["value"] = {"type": "integer", "minimum": 0}
    j = pair({"Tree": TREE}, {"Tree": narrowed})
    verdict = j.request_compatible(ref("Tree"), "old", ref("Tree"), "new")
    assert verdict.outcome is INC
    assert verdict.witness is not None and verdict.witness.instance["value"] < 0
    assert j.response_compatible(ref("Tree"), "old", ref("Tree"), "new").outcome is C


def test_recursive_schema_with_an_extra_optional_property_in_the_loop() -> None:
    """Mutual recursion whose shapes differ but accept the same instances is proved equal."""
    forest = {"type": "array", "items": ref("Node")}
    node = {
        "type": "object",
        "properties": {"value": {"type": "integer"}, "children": ref("Forest")},
        "required": ["value"],
    }
    j = pair({"Tree": TREE}, {"Tree": ref("Node"), "Node": node, "Forest": forest})
    assert j.request_compatible(ref("Tree"), "old", ref("Tree"), "new").outcome is C
    assert j.response_compatible(ref("Tree"), "old", ref("Tree"), "new").outcome is C


def test_branch_moved_behind_a_ref() -> None:
    """Inline branch vs the same branch in components: equivalent."""
    inline = {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"a": {}}}]}
    moved = {"anyOf": [{"type": "string"}, ref("A")]}
    j = pair({"S": inline}, {"S": moved, "A": {"type": "object", "properties": {"a": {}}}})
    assert j.request_compatible(ref("S"), "old", ref("S"), "new").outcome is C
    assert j.response_compatible(ref("S"), "old", ref("S"), "new").outcome is C


def test_ref_with_sibling_keywords_in_3_1() -> None:
    """In 3.1 keywords beside $ref apply too: a sibling maxLength narrows the schema."""
    j = pair({"S": {"type": "string"}}, {"S": {"type": "string"}})
    new = {"$ref": "#/components/schemas/S", "maxLength": 2}
    verdict = j.request_compatible(ref("S"), "old", new, "new")
    assert verdict.outcome is INC
    assert verdict.witness is not None and len(verdict.witness.instance) > 2


def test_unresolvable_ref_is_unknown_with_the_ref_named() -> None:
    """A $ref the resolver cannot follow gives UNKNOWN, not a crash or a guess."""
    j = pair({"S": {"type": "string"}}, {})
    verdict = j.request_compatible(ref("S"), "old", ref("Missing"), "new")
    assert verdict.outcome is U
    assert "#/components/schemas/Missing" in verdict.reason


def test_unguarded_ref_cycle_is_unknown() -> None:
    """A schema that refers to itself without passing through an instance is undecided."""
    j = pair({"Loop": {"allOf": [ref("Loop")]}}, {"S": {"type": "string"}})
    assert j.request_compatible(ref("Loop"), "old", ref("S"), "new").outcome is U


def test_identical_nodes_short_circuit_without_resolving() -> None:
    """Unchanged schemas are compatible and do not need their $refs resolved twice."""
    resolver = MemoryResolver(old=document(Tree=TREE), new=document(Tree=copy.deepcopy(TREE)))
    j = Judge(resolver, dialect="3.1")
    schema = {"type": "array", "items": ref("Tree")}
    assert j.is_subschema(schema, "old", schema, "old", context="request").outcome is C
    assert resolver.calls == 0
    first = j.request_compatible(ref("Tree"), "old", ref("Tree"), "new")
    calls = resolver.calls
    second = j.request_compatible(ref("Tree"), "old", ref("Tree"), "new")
    assert first == second and first.outcome is C
    assert resolver.calls == calls


# --- discriminator ---------------------------------------------------------------------------

CAT: dict[str, Any] = {
    "type": "object",
    "properties": {"kind": {"type": "string"}, "meow": {"type": "boolean"}},
    "required": ["kind"],
}
DOG: dict[str, Any] = {
    "type": "object",
    "properties": {"kind": {"type": "string"}, "bark": {"type": "boolean"}},
    "required": ["kind"],
}
PET = {"oneOf": [ref("Cat"), ref("Dog")], "discriminator": {"propertyName": "kind"}}


def test_discriminated_union_unchanged() -> None:
    """A discriminated oneOf over overlapping branches compared with itself is compatible."""
    j = pair(
        {"Pet": PET, "Cat": CAT, "Dog": DOG}, copy.deepcopy({"Pet": PET, "Cat": CAT, "Dog": DOG})
    )
    assert j.request_compatible(ref("Pet"), "old", ref("Pet"), "new").outcome is C


def test_discriminated_branch_narrowed_gives_a_tagged_witness() -> None:
    """A narrowed branch: the witness carries the discriminator value that selects it."""
    dog = copy.deepcopy(DOG)
    dog["properties"]["bark"] = {"type": "string"}
    j = pair({"Pet": PET, "Cat": CAT, "Dog": DOG}, {"Pet": PET, "Cat": CAT, "Dog": dog})
    verdict = j.request_compatible(ref("Pet"), "old", ref("Pet"), "new")
    assert verdict.outcome is INC
    assert verdict.witness is not None
    assert verdict.witness.instance["kind"] == "Dog"
    assert isinstance(verdict.witness.instance["bark"], bool)


def test_discriminator_mapping_value_renamed() -> None:
    """Renaming a mapping value: old clients sending the old value are rejected."""
    old_pet = {
        **PET,
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"cat": ref("Cat")["$ref"], "dog": ref("Dog")["$ref"]},
        },
    }
    new_pet = {
        **PET,
        "discriminator": {
            "propertyName": "kind",
            "mapping": {"kitty": ref("Cat")["$ref"], "dog": ref("Dog")["$ref"]},
        },
    }
    j = pair({"Pet": old_pet, "Cat": CAT, "Dog": DOG}, {"Pet": new_pet, "Cat": CAT, "Dog": DOG})
    verdict = j.request_compatible(ref("Pet"), "old", ref("Pet"), "new")
    assert verdict.outcome is INC
    assert verdict.witness is not None and verdict.witness.instance["kind"] == "cat"


def test_discriminated_oneof_vs_tagged_anyof() -> None:
    """A discriminator and branches with const tags describe the same union."""
    tagged_cat = {**CAT, "properties": {**CAT["properties"], "kind": {"const": "Cat"}}}
    tagged_dog = {**DOG, "properties": {**DOG["properties"], "kind": {"const": "Dog"}}}
    old = {"Pet": PET, "Cat": tagged_cat, "Dog": tagged_dog}
    new = {"Pet": {"anyOf": [ref("Cat"), ref("Dog")]}, "Cat": tagged_cat, "Dog": tagged_dog}
    j = pair(old, new)
    assert j.request_compatible(ref("Pet"), "old", ref("Pet"), "new").outcome is C
    assert j.response_compatible(ref("Pet"), "old", ref("Pet"), "new").outcome is C


# --- readOnly / writeOnly --------------------------------------------------------------------

USER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "name": {"type": "string"},
        "password": {"type": "string", "writeOnly": True},
    },
    "required": ["id", "name", "password"],
    "additionalProperties": False,
}


def test_read_only_properties_are_ignored_in_requests() -> None:
    """Dropping or retyping a readOnly property does not affect requests, only responses."""
    retyped = copy.deepcopy(USER)
    retyped["properties"]["id"] = {"type": "string", "readOnly": True}
    j = judge()
    assert j.request_compatible(USER, "old", retyped, "new").outcome is C
    verdict = j.response_compatible(USER, "old", retyped, "new")
    assert verdict.outcome is INC
    assert verdict.witness is not None and isinstance(verdict.witness.instance["id"], str)
    assert "password" not in verdict.witness.instance


def test_write_only_properties_are_ignored_in_responses() -> None:
    """Changing a writeOnly property matters for requests, not for responses."""
    changed = copy.deepcopy(USER)
    changed["properties"]["password"] = {"type": "string", "writeOnly": True, "minLength": 8}
    j = judge()
    assert j.response_compatible(USER, "old", changed, "new").outcome is C
    verdict = j.request_compatible(USER, "old", changed, "new")
    assert verdict.outcome is INC
    assert verdict.witness is not None and "id" not in verdict.witness.instance


def test_property_made_read_only_breaks_requests() -> None:
    """A property clients used to send becomes readOnly: requests carrying it are rejected."""
    before = {"type": "object", "properties": {"note": {"type": "string"}}}
    after = {"type": "object", "properties": {"note": {"type": "string", "readOnly": True}}}
    verdict = judge().request_compatible(before, "old", after, "new")
    assert verdict.outcome is INC
    assert verdict.witness is not None and "note" in verdict.witness.instance


def test_read_only_behind_a_ref() -> None:
    """readOnly on the referenced schema counts for the property that refers to it."""
    j = pair(
        {"Id": {"type": "integer", "readOnly": True}}, {"Id": {"type": "string", "readOnly": True}}
    )
    old = {"type": "object", "properties": {"id": ref("Id")}, "required": ["id"]}
    assert j.request_compatible(old, "old", copy.deepcopy(old), "new").outcome is C
    assert j.response_compatible(old, "old", copy.deepcopy(old), "new").outcome is INC


# --- contract --------------------------------------------------------------------------------


def test_verdict_is_a_frozen_value() -> None:
    """Verdicts are immutable values and outcomes are string enums."""
    verdict = judge().is_subschema({"type": "string"}, "old", {}, "new", context="request")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.outcome = Outcome.UNKNOWN  # type: ignore[misc]
    assert Outcome.COMPATIBLE.value == "compatible" and Outcome("unknown") is U


@pytest.mark.parametrize(
    ("method", "accepts", "rejects"),
    [
        ("request_compatible", "the old schema accepts it", "the new one rejects it"),
        ("response_compatible", "the new schema allows it", "the old one did not"),
    ],
)
def test_witness_explains_the_direction(method: str, accepts: str, rejects: str) -> None:
    """The explanation names which side accepts the witness and quotes the validator."""
    narrow, wide = {"type": "string", "maxLength": 1}, {"type": "string"}
    old, new = (wide, narrow) if method == "request_compatible" else (narrow, wide)
    verdict: Verdict = getattr(judge(), method)(old, "old", new, "new")
    assert verdict.outcome is INC
    assert isinstance(verdict.witness, Witness)
    assert verdict.witness.explanation.startswith(f"{accepts}; {rejects}: ")
    assert "too long" in verdict.witness.explanation


def test_unverifiable_counterexample_is_dropped() -> None:
    """A candidate the validator does not confirm is never shown: UNKNOWN, no witness.

    ``contains`` is not modelled, so the judge's candidate ``[null]`` ignores it; the real
    validator rejects that candidate under the old schema.
    """
    sub = {"type": "array", "contains": {"type": "string"}}
    verdict = judge().is_subschema(
        sub, "old", {"type": "array", "maxItems": 0}, "new", context="request"
    )
    assert verdict.outcome is U
    assert verdict.witness is None
    assert "does not contain items" in verdict.reason


def test_validator_failure_on_a_witness_is_unknown() -> None:
    """If the validator cannot even run (here: a $ref it cannot resolve), the verdict is UNKNOWN."""

    class OnceResolver(MemoryResolver):
        def __call__(self, ref: str, base: str) -> tuple[str, str, Any]:
            if self.calls:
                raise LookupError("gone")
            return super().__call__(ref, base)

    j = Judge(OnceResolver(new=document(S={"type": "string", "maxLength": 1})), dialect="3.1")
    verdict = j.request_compatible({"type": "string"}, "old", ref("S"), "new")
    assert verdict.outcome is U
    assert verdict.witness is None
    assert "could not be checked" in verdict.reason


def test_public_names_are_pinned() -> None:
    """The package exports exactly the judge's interface, sorted."""
    import specguard.semantics as semantics

    assert semantics.__all__ == ["Judge", "Outcome", "RefResolver", "Verdict"]
    assert semantics.__all__ == sorted(semantics.__all__)
