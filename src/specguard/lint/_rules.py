"""The lint rule catalogue: one literal table, stable ids, never reused for another meaning."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LintRule:
    """A boundary rule checked by ``specguard lint``."""

    id: str
    summary: str
    rationale: str


RULES: tuple[LintRule, ...] = (
    LintRule(
        "contract-missing",
        "A service in the inventory has no readable contract.",
        "Every service is contract-first; a service without a spec cannot be gated or fuzzed.",
    ),
    LintRule(
        "contract-invalid",
        "A service's contract is not a valid OpenAPI document.",
        "The gate and the fuzzer need a contract they can read.",
    ),
    LintRule(
        "health-missing",
        "A service's contract has no GET /health.",
        "Orchestrators and the test harness need one liveness endpoint per service.",
    ),
    LintRule(
        "table-exposed",
        "A path segment, parameter or schema name is another service's owned table.",
        "Public names that mirror someone else's table couple clients to that storage.",
    ),
    LintRule(
        "table-shared",
        "Two services own the same table.",
        "Each service owns its data; shared tables are a hidden, unversioned contract.",
    ),
    LintRule(
        "gateway-owns-data",
        "The gateway owns tables.",
        "The gateway only routes; state behind it belongs to a service.",
    ),
    LintRule(
        "unknown-service",
        "mayCall or consumes names a service that is not in the inventory.",
        "A call to an undeclared service cannot be checked against any contract.",
    ),
    LintRule(
        "call-not-allowed",
        "consumes lists a callee that is not in mayCall.",
        "mayCall is the allowed dependency graph; consumes must stay inside it.",
    ),
    LintRule(
        "operation-missing",
        "consumes names an operationId that the callee's contract does not have.",
        "A consumed operation that does not exist is a call that will fail at run time.",
    ),
    LintRule(
        "example-invalid",
        "An example in a contract does not validate against its schema.",
        "Examples are documentation and test data; a wrong one misleads both.",
    ),
    LintRule(
        "stream-unpublished",
        "A service subscribes to a stream no service publishes.",
        "An event consumer without a producer is dead code or a missing declaration.",
    ),
    LintRule(
        "stream-contract-missing",
        "A stream a service publishes or subscribes to is no channel it sends or receives in "
        "its AsyncAPI document.",
        "Half the coupling between services is events; a stream without a contract is a "
        "payload nobody can gate.",
    ),
    LintRule(
        "channel-unknown",
        "sends or receives names a channel the service's AsyncAPI document does not have, or "
        "one without an operation of that action.",
        "The gate lists a channel's receivers as the consumers of its breaks; a wrong id hides "
        "them.",
    ),
    LintRule(
        "channel-unsent",
        "A service receives a channel (by address) that no service sends.",
        "An event consumer without a producer is dead code or a missing declaration.",
    ),
    LintRule(
        "event-payload-rejected",
        "A receiver of a stream rejects a message its sender may send (the judge's verified "
        "example).",
        "What a sender emits must be accepted by every receiver, or events are dead-lettered.",
    ),
)

RULES_BY_ID: dict[str, LintRule] = {rule.id: rule for rule in RULES}
