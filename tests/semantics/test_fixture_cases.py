"""Every case in fixtures/semantic, judged by the judge alone (no differ, no rules).

Equivalent cases: every schema of every operation is included in its counterpart both ways.
Breaking cases: a schema of the kind the expected rule names is proved incompatible, with a
witness that an independent validator (openapi-schema-validator over the whole document)
confirms. Explained cases (subtle breaks keyword rules already report) get the same check on
whichever schema changed. Convention cases are breaks of the plain instance sets that only
exist if a sender sends properties its schema does not declare or a validator asserts
``format``: the judge, which closes the sender over what it declares and reads formats as
annotations, proves them compatible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest
import yaml

from specguard.load import Spec, load_spec
from specguard.semantics import Judge, Outcome, Verdict
from tests.semantics.support import (
    Site,
    SpecResolver,
    dialect_of,
    fixture_cases,
    independent_valid,
    load_case,
    sites,
)

EQUIVALENT = list(fixture_cases("equivalent"))
BREAKING = list(fixture_cases("breaking"))
EXPLAINED = list(fixture_cases("explained"))
CONVENTION = list(fixture_cases("convention"))
KIND_OF_RULE = {
    "request-body-schema-narrowed": "request-body",
    "response-body-schema-widened": "response-body",
    "request-parameter-schema-narrowed": "parameter",
}


def _name(folder: Path) -> str:
    return folder.name


def _context(site: Site) -> Literal["request", "response"]:
    return "response" if site.kind == "response-body" else "request"


def _judge(old: Spec, new: Spec, *, plain: bool = False) -> Judge:
    """specguard's judge, or (``plain``) one of plain JSON Schema with formats asserted."""
    return Judge(
        SpecResolver(old, new),
        dialect="3.1" if new.is_31 else "3.0",
        closed_senders=not plain,
        assert_formats=plain,
    )


def _compare(judge: Judge, old: Spec, new: Spec, before: Site, after: Site) -> Verdict:
    kwargs: dict[str, Any] = {"old_dialect": dialect_of(old), "new_dialect": dialect_of(new)}
    if before.kind == "response-body":
        return judge.response_compatible(
            before.schema, before.base, after.schema, after.base, **kwargs
        )
    return judge.request_compatible(before.schema, before.base, after.schema, after.base, **kwargs)


def test_there_are_enough_cases() -> None:
    """The issue asks for at least 25 equivalent and 25 breaking cases."""
    assert len(EQUIVALENT) >= 25
    assert len(BREAKING) >= 25


@pytest.mark.parametrize(
    "folder",
    EQUIVALENT + BREAKING + EXPLAINED + CONVENTION,
    ids=lambda f: f"{f.parent.name}/{f.name}",
)
def test_case_documents_are_valid_openapi(folder: Path) -> None:
    """Both documents of a case load with full OpenAPI validation."""
    for side in ("old", "new"):
        spec = load_spec(str(folder / f"{side}.yaml"))
        assert spec.openapi_version.startswith("3.")


@pytest.mark.parametrize("folder", EQUIVALENT, ids=_name)
def test_equivalent_case(folder: Path) -> None:
    """Each schema accepts exactly what its counterpart accepts (proved both ways)."""
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    assert expected["findings"] == []
    old, new = load_case(folder)
    old_sites, new_sites = sites(old), sites(new)
    assert old_sites and old_sites.keys() == new_sites.keys()
    judge = _judge(old, new)
    for label, before in old_sites.items():
        after = new_sites[label]
        context = _context(before)
        forward = judge.is_subschema(
            before.schema,
            before.base,
            after.schema,
            after.base,
            context=context,
            sub_dialect=dialect_of(old),
            sup_dialect=dialect_of(new),
        )
        backward = judge.is_subschema(
            after.schema,
            after.base,
            before.schema,
            before.base,
            context=context,
            sub_dialect=dialect_of(new),
            sup_dialect=dialect_of(old),
        )
        assert forward.outcome is Outcome.COMPATIBLE, f"{label} old ⊆ new: {forward.reason}"
        assert backward.outcome is Outcome.COMPATIBLE, f"{label} new ⊆ old: {backward.reason}"


def _refuted_sites(folder: Path, kind: str | None) -> int:
    """Judge every schema of ``kind`` (any kind when None); check each witness independently."""
    old, new = load_case(folder)
    old_sites, new_sites = sites(old), sites(new)
    judge = _judge(old, new)
    # plain validators do not know readOnly/writeOnly by direction; the judge's own verifier
    # (which does) has already checked those witnesses
    directional = "Only" in (folder / "old.yaml").read_text() + (folder / "new.yaml").read_text()
    refuted = 0
    for label, before in old_sites.items():
        if (kind is not None and before.kind != kind) or label not in new_sites:
            continue
        after = new_sites[label]
        verdict = _compare(judge, old, new, before, after)
        if kind is None and verdict.outcome is not Outcome.INCOMPATIBLE:
            continue
        assert verdict.outcome is Outcome.INCOMPATIBLE, f"{label}: {verdict.reason}"
        assert verdict.witness is not None and verdict.witness.explanation
        instance = verdict.witness.instance
        refuted += 1
        if directional:
            continue
        accepted, rejected = (old, before), (new, after)
        if before.kind == "response-body":
            accepted, rejected = rejected, accepted
        assert independent_valid(*accepted, instance), (label, instance)
        assert not independent_valid(*rejected, instance), (label, instance)
    return refuted


@pytest.mark.parametrize("folder", BREAKING, ids=_name)
def test_breaking_case(folder: Path) -> None:
    """The schema named by the expected rule is incompatible; the witness is independently valid."""
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    (finding,) = expected["findings"]
    assert finding["level"] == "breaking" and finding["witness"] is True
    assert expected["complete"] is False
    assert _refuted_sites(folder, KIND_OF_RULE[finding["id"]]) == 1


@pytest.mark.parametrize("folder", EXPLAINED, ids=_name)
def test_explained_case(folder: Path) -> None:
    """A subtle break keyword rules also report: the judge refutes it with a checked witness."""
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    assert expected["findings"] == [{"witness": True}]
    assert _refuted_sites(folder, None) >= 1


@pytest.mark.parametrize("folder", CONVENTION, ids=_name)
def test_convention_case(folder: Path) -> None:
    """Plain instance sets differ (a witness an independent validator confirms), but every
    schema pair is compatible once the sender is closed over what it declares."""
    old, new = load_case(folder)
    old_sites, new_sites = sites(old), sites(new)
    plain, closed = _judge(old, new, plain=True), _judge(old, new)
    refuted = 0
    for label, before in old_sites.items():
        after = new_sites[label]
        verdict = _compare(plain, old, new, before, after)
        if verdict.outcome is Outcome.INCOMPATIBLE:
            assert verdict.witness is not None
            accepted, rejected = (old, before), (new, after)
            if before.kind == "response-body":
                accepted, rejected = rejected, accepted
            assert independent_valid(*accepted, verdict.witness.instance), label
            assert not independent_valid(*rejected, verdict.witness.instance), label
            refuted += 1
        by_convention = _compare(closed, old, new, before, after)
        assert by_convention.outcome is Outcome.COMPATIBLE, f"{label}: {by_convention.reason}"
    assert refuted >= 1


@pytest.mark.parametrize("folder", EQUIVALENT + BREAKING + EXPLAINED + CONVENTION, ids=_name)
def test_proof_only_agrees_on_compatibility(folder: Path) -> None:
    """Asking only for a proof (no counterexample) proves exactly what the full judge proves,
    in both directions, and never answers INCOMPATIBLE (it has no witness to show)."""
    old, new = load_case(folder)
    old_sites, new_sites = sites(old), sites(new)
    kwargs: dict[str, Any] = {"old_dialect": dialect_of(old), "new_dialect": dialect_of(new)}
    compared = 0
    for label, before in old_sites.items():
        after = new_sites.get(label)
        if after is None:
            continue
        for check in ("request_compatible", "response_compatible"):
            # a fresh judge per mode: neither may lean on the other's memo
            full = getattr(_judge(old, new), check)(
                before.schema, before.base, after.schema, after.base, **kwargs
            )
            proof = getattr(_judge(old, new), check)(
                before.schema, before.base, after.schema, after.base, witness=False, **kwargs
            )
            assert proof.outcome is not Outcome.INCOMPATIBLE and proof.witness is None
            assert (proof.outcome is Outcome.COMPATIBLE) == (
                full.outcome is Outcome.COMPATIBLE
            ), (label, check, full.reason, proof.reason)
            compared += 1
    assert compared


def test_a_proof_only_answer_does_not_stand_in_for_a_witness() -> None:
    """A pair first judged proof-only and then with a witness gets its witness."""
    folder = BREAKING[0]
    old, new = load_case(folder)
    judge = _judge(old, new)
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    kind = KIND_OF_RULE[expected["findings"][0]["id"]]
    label, before = next((k, s) for k, s in sites(old).items() if s.kind == kind)
    after = sites(new)[label]
    context = _context(before)
    check = judge.response_compatible if context == "response" else judge.request_compatible
    kwargs: dict[str, Any] = {"old_dialect": dialect_of(old), "new_dialect": dialect_of(new)}
    first = check(before.schema, before.base, after.schema, after.base, witness=False, **kwargs)
    assert first.outcome is Outcome.UNKNOWN
    second = check(before.schema, before.base, after.schema, after.base, **kwargs)
    assert second.outcome is Outcome.INCOMPATIBLE and second.witness is not None
