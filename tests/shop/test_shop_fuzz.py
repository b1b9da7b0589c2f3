"""Each running service honours its own contract under schemathesis (all phases, small budget)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from schemathesis import engine
from schemathesis.engine import events

from shop._config import ServiceName
from tests.shop.support import LiveSystem

pytestmark = pytest.mark.redis

SPECS = Path(__file__).resolve().parents[2] / "specs"
# Small enough to keep the suite fast on 2 cores, large enough to cover every operation with
# the examples, coverage, fuzzing and stateful phases; a fixed seed keeps runs reproducible.
MAX_EXAMPLES = 8
SEED = 20261130


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing check, with the curl line that reproduces it."""

    operation: str
    code: str
    title: str
    reproduce: str


def fuzz(spec: Path, base_url: str) -> tuple[list[Failure], list[str], int]:
    """Run schemathesis's engine like ``st run``; return failures, engine errors, cases sent."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"stateful": {"max-steps": 5}},
        }
    )
    schema = schemathesis.openapi.from_path(str(spec), config=config)
    schema.config.update(base_url=base_url)
    failures: set[Failure] = set()
    errors: list[str] = []
    cases = 0
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases += len(event.recorder.cases)
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    if node.failure_info is not None:
                        failure = node.failure_info.failure
                        failures.add(
                            Failure(
                                failure.operation,
                                failure.code,
                                failure.title,
                                node.failure_info.code_sample,
                            )
                        )
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.value}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return sorted(failures, key=lambda f: (f.operation, f.code)), errors, cases


@pytest.mark.parametrize("name", list(ServiceName), ids=lambda n: n.value)
def test_service_honours_its_contract_under_fuzzing(
    shop: LiveSystem, name: ServiceName, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No server error, undocumented status, schema violation or accepted bad input."""
    monkeypatch.chdir(tmp_path)  # schemathesis and Hypothesis write caches to the cwd
    failures, errors, cases = fuzz(SPECS / name.spec_file, shop.url(name))
    assert not errors
    assert failures == [], "\n".join(
        f"{f.operation} {f.code} {f.title}\n{f.reproduce}" for f in failures
    )
    assert cases > 50  # the run really exercised the service
