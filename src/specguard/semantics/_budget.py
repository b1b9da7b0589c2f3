"""Units of work one decision may take: deterministic, unlike a time limit.

Every intersection, membership test, candidate and inclusion check ticks once; a pathological
schema (a product of many oneOfs) stops at the budget with "unknown" instead of running for
minutes and gigabytes, and a verdict does not depend on the machine.
"""

from __future__ import annotations

STEP_BUDGET = 15_000


class BudgetExceeded(Exception):
    """One decision used up :data:`STEP_BUDGET`; the engine's memo state is abandoned."""


class Budget:
    """The steps the current decision has taken."""

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = 0

    def restart(self) -> None:
        self.steps = 0

    def tick(self) -> None:
        """Count a unit of work; past :data:`STEP_BUDGET`, raise :class:`BudgetExceeded`."""
        self.steps += 1
        if self.steps > STEP_BUDGET:
            raise BudgetExceeded
