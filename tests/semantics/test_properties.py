"""Property: the judge never contradicts a real validator on generated schema pairs.

Counterexamples for COMPATIBLE verdicts are searched with schemathesis' JSON Schema generator:
hypothesis-jsonschema 0.23.1 (the latest) crashes on object schemas with hypothesis >= 6.150
(``'many' object has no attribute 'more'``).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.errors import UnsupportedSchema
from schemathesis.generation.jsonschema.builder import build

from specguard.semantics import Judge, Outcome
from specguard.semantics._empty import surely_inhabited
from specguard.semantics._samples import sample
from tests.semantics.strategies import TYPE_NAMES, mutations, schemas
from tests.semantics.support import MemoryResolver, plain_valid

DRAWS = 6  # instances drawn from the included schema per COMPATIBLE verdict

_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


def _check(data: st.DataObject, judge: Judge, sub: Any, sup: Any) -> str:
    verdict = judge.is_subschema(sub, "doc", sup, "doc", context="response")
    if verdict.outcome is Outcome.INCOMPATIBLE:
        assert verdict.witness is not None
        instance = verdict.witness.instance
        assert plain_valid(sub, instance), (sub, instance)
        assert not plain_valid(sup, instance), (sup, instance)
    elif verdict.outcome is Outcome.COMPATIBLE:
        assert verdict.witness is None
        try:
            strategy = build(sub, draft=jsonschema_rs.Draft202012, formats={})
        except UnsupportedSchema:
            return "compatible (generator cannot model the schema)"
        if not strategy.is_empty:
            for _ in range(DRAWS):
                instance = data.draw(strategy, label="instance of the included schema")
                assert plain_valid(sup, instance), (sub, sup, instance)
    else:
        assert verdict.reason
    return verdict.outcome.value


@_SETTINGS
@given(data=st.data())
def test_verdicts_agree_with_validator_on_mutations(data: st.DataObject) -> None:
    """For a schema and a mutation of it, each verdict (both ways) holds under jsonschema."""
    original = data.draw(schemas(), label="schema")
    mutated = data.draw(mutations(original), label="mutation")
    judge = Judge(MemoryResolver(), dialect="3.1", closed_senders=False, assert_formats=True)
    _check(data, judge, original, mutated)
    _check(data, judge, mutated, original)


@_SETTINGS
@given(data=st.data())
def test_verdicts_agree_with_validator_on_unrelated_pairs(data: st.DataObject) -> None:
    """For two independent schemas, each verdict holds under jsonschema."""
    left = data.draw(schemas(), label="left")
    right = data.draw(schemas(), label="right")
    _check(
        data,
        Judge(MemoryResolver(), dialect="3.1", closed_senders=False, assert_formats=True),
        left,
        right,
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(schema=schemas())
def test_every_schema_includes_itself(schema: Any) -> None:
    """A schema and a deep copy of it are judged compatible, never incompatible."""
    judge = Judge(MemoryResolver(), dialect="3.1", closed_senders=False, assert_formats=True)
    copy = __import__("copy").deepcopy(schema)
    assert judge.is_subschema(schema, "doc", copy, "doc", context="request").outcome is (
        Outcome.COMPATIBLE
    )


def _plain_schemas() -> st.SearchStrategy[Any]:
    """Object schemas of the keywords the quick inhabitation check reads, with now and then
    one that makes a schema empty or undecidable by it (false, an empty enum, minLength)."""
    leaf = st.one_of(
        st.builds(dict, type=TYPE_NAMES),
        st.just({"type": "string", "format": "date-time"}),
        st.just({"title": "anything"}),
        st.just(False),
        st.just({"enum": []}),
        st.just({"type": "string", "minLength": 3, "maxLength": 1}),
        st.just({"type": []}),
    )
    return st.recursive(
        leaf,
        lambda inner: st.builds(
            lambda props, required, extra: {
                "type": "object",
                "properties": props,
                "required": required,
                **extra,
            },
            st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
            st.lists(st.sampled_from(["a", "b", "d"]), unique=True, max_size=3),
            st.sampled_from([{}, {"additionalProperties": False}, {"writeOnly": True}]),
        ),
        max_leaves=8,
    )


@_SETTINGS
@given(schema=_plain_schemas())
def test_plainly_inhabited_schemas_have_an_instance(schema: Any) -> None:
    """Whatever the quick inhabitation check accepts has an instance a validator accepts."""
    judge = Judge(
        MemoryResolver(doc=schema), dialect="3.1", closed_senders=False, assert_formats=True
    )
    cx = judge._engine("request", False).ctx
    if surely_inhabited(cx, schema, "doc"):
        value = sample(cx, cx.refs.sch(schema, "doc", "3.1"))
        assert plain_valid(schema, value), value


@_SETTINGS
@given(data=st.data())
def test_closing_the_sender_only_removes_breaks(data: st.DataObject) -> None:
    """A sender closed over its declared properties sends fewer instances, never more: what
    is proved for the plain schema stays proved, and a witness of the closed judge is still
    a real instance of the sender's schema that the receiver rejects."""
    original = data.draw(schemas(), label="schema")
    mutated = data.draw(mutations(original), label="mutation")
    plain = Judge(MemoryResolver(), dialect="3.1", closed_senders=False, assert_formats=True)
    closed = Judge(MemoryResolver(), dialect="3.1", closed_senders=True, assert_formats=True)
    for sub, sup in ((original, mutated), (mutated, original)):
        before = plain.is_subschema(sub, "doc", sup, "doc", context="request")
        after = closed.is_subschema(sub, "doc", sup, "doc", context="request")
        if before.outcome is Outcome.COMPATIBLE:
            assert after.outcome is Outcome.COMPATIBLE, (sub, sup, after.reason)
        if after.outcome is Outcome.INCOMPATIBLE:
            assert after.witness is not None
            assert plain_valid(sub, after.witness.instance), (sub, after.witness.instance)
            assert not plain_valid(sup, after.witness.instance), (sup, after.witness.instance)
