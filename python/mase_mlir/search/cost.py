"""Hardware cost of a precision config: logic cells and memory bits, per op and in total.

The model prices one operator unit per compute op (the dataflow design: every op its own
pipelined unit, one block of B values per cycle). An op is described by its kind, the
formats and shapes of its operands and its result (:class:`OpInfo`, read from the IR types);
:meth:`CostModel.op_cost` gives its cells from coefficients fitted to Yosys syntheses of the
project's own operator units (``calibration.json``, written by
``bench/search/calibrate_cost.py``), and its memory bits exactly from the types (the
weights it stores: element bits plus scale bits per block, as :mod:`mase_mlir.report`
counts them).

Cells of a unit (``lanes`` = the block size B of its input, one block per cycle; ``wa``,
``wb`` the bit widths of the exact element integers of its two operands, ``wo`` the width
of its result elements):

* contractions (linear, matmul, batch_matmul): ``c0 + c1 lanes wa wb + c2 lanes (wa + wb)
  + c3 (wa + wb + log2 lanes)`` (multipliers, adder tree, accumulator);
* every other op (elementwise, nonlinear, norms, softmax): ``d0 + d1 lanes wa + d2 lanes wo``
  (dequantize, the function datapath, requantize) with per-class coefficients.

An f32 operand is priced as a 32-bit integer operand (the hardware has no f32 units).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..numerics import Format
from ..numerics.blockmath import _max_int
from ..report import is_compute, operand_roles, type_info, walk_module
from ..report.walk import defining_op, is_weight

__all__ = ["DEFAULT_CALIBRATION", "CostModel", "OpInfo", "load_cost_model", "operand_width",
           "unit_class"]

DEFAULT_CALIBRATION = resources.files("mase_mlir.search") / "calibration.json"
CONTRACTIONS = frozenset({"mx.linear", "mx.matmul", "mx.batch_matmul"})


def unit_class(kind: str) -> str:
    """The calibrated unit an op kind maps to."""
    if kind in CONTRACTIONS:
        return "dot"
    if kind in ("mx.softmax", "mx.layer_norm", "mx.rms_norm"):
        return "reduce"
    if kind in ("mx.add", "mx.sub", "mx.mul", "mx.div", "mx.max", "mx.min", "mx.relu",
                "mx.neg", "mx.abs"):
        return "elementwise"
    return "function"  # exp, gelu, silu, tanh, ... and reductions: a table-driven unit


def operand_width(spelling: str | None) -> int:
    """Bits (sign included) of the exact element integers of a format, as the block
    arithmetic defines them (:mod:`mase_mlir.numerics.blockmath`); f32 counts as 32."""
    if spelling is None or spelling == "f32":
        return 32
    fmt = Format.parse(spelling)
    return fmt.element_bits if fmt.is_int else _max_int(fmt).bit_length() + 1


def _block(spelling: str | None) -> int:
    if spelling is None or spelling == "f32":
        return 1
    return Format.parse(spelling).block_size


@dataclass(frozen=True)
class OpInfo:
    """What the cost model needs to know about one compute op."""

    name: str
    kind: str
    formats: tuple[str | None, ...]  # the float operands' formats, in operand order
    output: str | None
    weight_bits: int  # storage bits of the constants it reads

    def features(self) -> tuple[str, list[float]]:
        cls = unit_class(self.kind)
        lanes = float(_block(self.formats[0] if self.formats else None))
        wa = float(operand_width(self.formats[0] if self.formats else None))
        wb = float(operand_width(self.formats[1])) if len(self.formats) > 1 else wa
        wo = float(operand_width(self.output))
        if cls == "dot":
            return cls, [1.0, lanes * wa * wb, lanes * (wa + wb), wa + wb + math.log2(lanes)]
        return cls, [1.0, lanes * wa, lanes * wo]


class CostModel:
    """Cells from calibrated coefficients, memory bits from the types."""

    def __init__(self, calibration: dict) -> None:
        self.calibration = calibration
        self.coefficients = {cls: list(map(float, c["coefficients"]))
                             for cls, c in calibration["units"].items()}

    def op_cost(self, op: OpInfo) -> dict[str, float]:
        cls, features = op.features()
        coefficients = self.coefficients.get(cls) or self.coefficients["elementwise"]
        cells = sum(c * f for c, f in zip(coefficients, features, strict=True))
        return {"cells": cells, "memory_bits": op.weight_bits}

    def module_cost(self, module: Any) -> dict[str, float]:
        total_cells = 0.0
        total_memory = 0
        for op in module_ops(module):
            cost = self.op_cost(op)
            total_cells += cost["cells"]
            total_memory += cost["memory_bits"]
        return {"cells": round(total_cells), "memory_bits": total_memory}


def module_ops(module: Any) -> list[OpInfo]:
    """The compute ops of a module with their operand formats and stored weight bits."""
    ops = []
    for op, _, _ in walk_module(module):
        if not is_compute(op):
            continue
        formats, weight_bits = [], 0
        for role, value in zip(operand_roles(op), op.operands, strict=True):
            info = type_info(value.type)
            if not role or info is None or not info.is_float:
                continue
            formats.append(info.spelling)
            if is_weight(value) and defining_op(value) is not None:
                weight_bits += info.bits
        out = type_info(op.results[0].type)
        attrs = op.operation.attributes
        name = str(attrs["name"].value) if "name" in attrs else ""
        ops.append(OpInfo(name, op.operation.name, tuple(formats),
                          out.spelling if out else None, weight_bits))
    return ops


def load_cost_model(path: str | Path | None = None) -> CostModel | None:
    """The cost model of a calibration file (default: the bundled one; None if absent)."""
    source = Path(path) if path else Path(str(DEFAULT_CALIBRATION))
    if not source.is_file():
        if path:
            raise FileNotFoundError(f"cost calibration {source} does not exist")
        return None
    return CostModel(json.loads(source.read_text()))
