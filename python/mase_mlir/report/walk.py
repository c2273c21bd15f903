"""Walking an ``mx`` module: every op of every function, kernel loops, weights."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import ir
from ..dialects import mx

CONSTANT_OPS = frozenset({"arith.constant", "mx.constant"})


def functions(module: Any) -> Iterator[Any]:
    """The ``func.func`` ops of a module."""
    for op in module.body.operations:
        if op.operation.name == "func.func":
            yield op


def walk(block: Any, repeat: int = 1,
         loop: str | None = None) -> Iterator[tuple[Any, int, str | None]]:
    """Every op of ``block`` (loop bodies included) with how many times it runs and the label
    of its enclosing loop."""
    for op in block.operations:
        yield op, repeat, loop
        if op.operation.name == "scf.for":
            trips = trip_count(op)
            yield from walk(op.regions[0].blocks[0], repeat * (trips or 1), loop_label(op))


def walk_module(module: Any) -> Iterator[tuple[Any, int, str | None]]:
    """:func:`walk` over every block of every function of ``module`` (a declaration has none)."""
    for func in functions(module):
        for block in func.regions[0].blocks:
            yield from walk(block)


def defining_op(value: Any) -> Any | None:
    return value.owner if isinstance(value, ir.OpResult) else None


def _constant_int(value: Any) -> int | None:
    op = defining_op(value)
    if op is None or op.operation.name != "arith.constant":
        return None
    attr = op.attributes["value"]
    return int(ir.IntegerAttr(attr).value) if isinstance(attr, ir.IntegerAttr) else None


def trip_count(loop: Any) -> int | None:
    """Iterations of an ``scf.for`` with constant bounds (None otherwise)."""
    lower, upper, step = (_constant_int(v) for v in list(loop.operands)[:3])
    if lower is None or upper is None or not step:
        return None
    return max(0, -(-(upper - lower) // step))


def loop_label(loop: Any) -> str:
    """A name for a loop: the first body op's name, e.g. ``model.layers.0.input_layernorm.pow``."""
    for op in loop.regions[0].blocks[0].operations:
        if "name" in op.operation.attributes:
            return str(op.operation.attributes["name"].value)
    return "scf.for"


def is_kernel_loop(op: Any) -> bool:
    """An ``scf.for`` that mx-kernel-loop made."""
    return op.operation.name == "scf.for" and mx.KERNEL_LOOP_ATTR in op.operation.attributes


def layer_names(op: Any) -> list[str] | None:
    """The op's name in every layer of its kernel loop (``mx.layer_names``), if it has them."""
    attrs = op.operation.attributes
    if mx.LAYER_NAMES_ATTR not in attrs:
        return None
    return [ir.StringAttr(a).value for a in ir.ArrayAttr(attrs[mx.LAYER_NAMES_ATTR])]


def is_weight(value: Any) -> bool:
    """A constant, or one layer of a stacked constant (``mx.take`` of a constant)."""
    op = defining_op(value)
    if op is None:
        return False
    if op.operation.name in CONSTANT_OPS:
        return True
    if op.operation.name == "mx.take":
        return is_weight(op.operands[0])
    return False


@dataclass
class OpCounts:
    """Ops of the module's functions (nested loop bodies included)."""

    total: int = 0
    constants: int = 0
    loops: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def non_constant(self) -> int:
        return self.total - self.constants


def count_ops(module: Any) -> OpCounts:
    """Count the ops in every function (terminators and loops included)."""
    counts = OpCounts()
    for op, _, _ in walk_module(module):
        kind = op.operation.name
        counts.total += 1
        counts.constants += kind in CONSTANT_OPS
        counts.loops += kind == "scf.for"
        counts.by_kind[kind] = counts.by_kind.get(kind, 0) + 1
    counts.by_kind = dict(sorted(counts.by_kind.items()))
    return counts
