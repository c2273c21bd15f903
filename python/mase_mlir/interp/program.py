"""An executable form of one ``mx`` function: numbered value slots and steps.

Built from a parsed ``mase_mlir.ir.Module`` by :mod:`.from_ir`. Steps are flat except for
kernel loops (``scf.for``), which are one :class:`Loop` step holding the steps of their body.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ValueType:
    """Shape and element type of a value; ``mx_format`` is set for ``!mx.tensor`` values."""

    shape: tuple[int, ...]
    dtype: np.dtype
    mx_format: str | None = None
    mx_axis: int = -1


@dataclass
class Step:
    kind: str
    operands: list[int]
    result: int
    attrs: dict[str, Any]
    type: ValueType
    free_after: list[int] = field(default_factory=list)
    """Slots whose last use is this step (released after it runs)."""


@dataclass
class Loop:
    """``scf.for %iv = lower to upper step step iter_args(carried = inits)``.

    ``operands`` are the slots of lower, upper, step (index scalars) and the initial values
    of the carried values; each iteration binds ``induction`` and ``carried``, runs ``body``
    and carries ``yields`` to the next iteration; the last yields become ``results``.
    """

    kind: str
    operands: list[int]
    results: list[int]
    induction: int
    carried: list[int]
    body: list[Step | Loop | Probe]
    yields: list[int]
    attrs: dict[str, Any] = field(default_factory=dict)
    free_after: list[int] = field(default_factory=list)
    body_locals: list[int] = field(default_factory=list)
    """Slots defined in the body (released after the loop)."""

    def uses(self) -> set[int]:
        """Slots defined outside the loop that it reads (its operands included)."""
        defined = {self.induction, *self.carried}
        used = set(self.operands) | set(self.yields)
        for step in self.body:
            used |= _uses(step)
            defined.update(_defines(step))
        return used - defined


@dataclass
class Probe:
    """Records the arguments and results of an inlined call each time it runs (a call
    in a loop's body runs once per iteration)."""

    callee: str
    args: list[int]
    results: list[int]
    free_after: list[int] = field(default_factory=list)


def _uses(step: Step | Loop | Probe) -> set[int]:
    if isinstance(step, Probe):
        return set(step.args) | set(step.results)
    return step.uses() if isinstance(step, Loop) else set(step.operands)


def _defines(step: Step | Loop | Probe) -> list[int]:
    if isinstance(step, Probe):
        return []
    return list(step.results) if isinstance(step, Loop) else [step.result]


def plan_frees(steps: list[Step | Loop], keep: set[int]) -> None:
    """Set each step's ``free_after`` to the slots (not in ``keep``) whose last use it is.

    A loop counts as a use of every outer value its body reads; in its body only the slots
    the body defines are released (outer values, the induction variable and the carried
    values are read again by the next iteration), and what is left of the body's values is
    released after the loop.
    """
    last: dict[int, int] = {}
    for index, step in enumerate(steps):
        for slot in _uses(step):
            last[slot] = index
    for step in steps:
        step.free_after = []
        if isinstance(step, Loop):
            local = {s for inner in step.body for s in _defines(inner)}
            step.body_locals = sorted(local)
            outer = _all_uses(step.body) - local
            plan_frees(step.body, keep | outer | set(step.yields) | {step.induction}
                       | set(step.carried))
    for slot, index in last.items():
        if slot not in keep:
            steps[index].free_after.append(slot)


def _all_uses(steps: list[Step | Loop]) -> set[int]:
    used: set[int] = set()
    for step in steps:
        used |= _uses(step)
    return used


@dataclass
class Program:
    inputs: list[int]
    input_types: list[ValueType]
    outputs: list[int]
    steps: list[Step | Loop | Probe]
    constants: dict[int, Any]
    #: Calls inlined into the program: callee name -> (argument slots, result slots).
    calls: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)

    def plan_frees(self) -> None:
        probed = {s for args, results in self.calls.values() for s in args + results}
        plan_frees(self.steps, set(self.outputs) | set(self.constants) | probed)
