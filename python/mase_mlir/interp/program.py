"""A flat, executable form of one ``mx`` function: numbered value slots and steps.

Built from a parsed ``mase_mlir.ir.Module`` (:func:`from_ir`, in :mod:`.from_ir`) or from the
frontend's in-memory function (:func:`from_function`).
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
class Program:
    inputs: list[int]
    input_types: list[ValueType]
    outputs: list[int]
    steps: list[Step]
    constants: dict[int, Any]

    def plan_frees(self) -> None:
        last: dict[int, int] = {}
        for index, step in enumerate(self.steps):
            for slot in step.operands:
                last[slot] = index
        keep = set(self.outputs) | set(self.constants)
        for step in self.steps:
            step.free_after = []
        for slot, index in last.items():
            if slot not in keep:
                self.steps[index].free_after.append(slot)


def from_function(function: Any) -> Program:
    """Program of a :class:`mase_mlir.frontend.mxgraph.Function` (no MLIR parsing)."""

    def vtype(t) -> ValueType:
        return ValueType(tuple(t.shape), t.np_dtype)

    steps: list[Step] = []
    constants: dict[int, Any] = {}
    for op in function.ops:
        if op.kind == "arith.constant":
            constants[op.result.id] = op.attrs["value"]
            continue
        attrs = {k: (tuple(v.values) if hasattr(v, "values") else v) for k, v in op.attrs.items()}
        if op.keywords:
            attrs["_keywords"] = op.keywords
        steps.append(Step(op.kind, [v.id for v in op.operands], op.result.id, attrs,
                          vtype(op.result.type)))
    program = Program([a.id for a in function.arguments],
                      [vtype(a.type) for a in function.arguments],
                      [v.id for v in function.results], steps, constants)
    program.plan_frees()
    return program
