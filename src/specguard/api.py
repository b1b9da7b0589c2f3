"""The library entry point: load two specs and return judged findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from specguard._collector import collector_paused
from specguard.diff import compare
from specguard.load import Spec, Validation
from specguard.model import DiffReport, Level, LifecyclePolicy
from specguard.rules import classify, contract_findings


def diff_specs(
    old: Spec,
    new: Spec,
    *,
    today: dt.date | None = None,
    levels: Mapping[str, Level] | None = None,
    semantic: bool = True,
    lifecycle: LifecyclePolicy | None = None,
    validate: bool = False,
    validation: Validation | None = None,
) -> DiffReport:
    """Compare two loaded specs and judge every change (``lifecycle``: the minimum notice of
    deprecations; oasdiff's defaults when None).

    ``validate``: an invalid old document is a ``base-contract-invalid`` finding, an invalid
    new one ``contract-invalid``, and the diff goes on; if it cannot go on, the first
    validation error is raised (the old side's first). ``validation``: the same verdicts,
    already under way (:func:`specguard.load.loaded_pair` validates in a helper process).
    """
    if old.is_asyncapi or new.is_asyncapi:
        return diff_events(old, new, levels=levels, semantic=semantic)
    if not validate:
        validation = None
    elif validation is None:
        validation = Validation(old, new, None)
    try:
        if validation is not None and validation.helper is None:
            validation.result()  # an unfollowable $ref is raised before any walk
        with collector_paused():
            tree = compare(old, new)
            findings = classify(tree, today=today, levels=levels, semantic=semantic,
                                lifecycle=lifecycle)
    except Exception:
        for problem in validation.result() if validation is not None else ():
            if problem is not None:
                raise problem from None  # not walkable: the validator's one line says why
        raise
    problems = validation.result() if validation is not None else (None, None)
    if problems != (None, None):
        invalid = contract_findings((old, problems[0]), (new, problems[1]), levels)
        # worst first; within a level, the rules' order and then these
        findings = tuple(sorted(findings + invalid, key=lambda f: -f.level.rank))
    return DiffReport(old.root.name, new.root.name, findings)


def diff_events(
    old: Spec,
    new: Spec,
    *,
    levels: Mapping[str, Level] | None = None,
    semantic: bool = True,
) -> DiffReport:
    """Compare two AsyncAPI documents (event contracts) and judge every change by its side."""
    from specguard.diff._asyncapi import compare_events
    from specguard.errors import LoadError
    from specguard.rules._events import classify_events

    for spec, other in ((old, new), (new, old)):
        if not spec.is_asyncapi:
            raise LoadError(
                f"cannot compare an OpenAPI document with the AsyncAPI document {other.root.name}",
                file=spec.root.name,
                hint="diff AsyncAPI documents with AsyncAPI documents",
            )
    with collector_paused():
        findings = classify_events(compare_events(old, new), levels=levels, semantic=semantic)
    return DiffReport(old.root.name, new.root.name, findings)
