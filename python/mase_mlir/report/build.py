"""The report of a module: per-op formats, average bits, weight memory, kernel loops."""

from __future__ import annotations

from typing import Any

from .roles import ROLES, is_compute, operand_roles
from .storage import TypeInfo, type_info
from .walk import (
    CONSTANT_OPS,
    count_ops,
    is_kernel_loop,
    is_weight,
    layer_names,
    loop_label,
    trip_count,
    walk_module,
)


class _Average:
    """Bits per value over what was added."""

    def __init__(self) -> None:
        self.bits = 0
        self.values = 0

    def add(self, info: TypeInfo, times: int = 1) -> None:
        self.bits += info.bits * times
        self.values += info.numel * times

    def value(self) -> float | None:
        return round(self.bits / self.values, 4) if self.values else None

    def __add__(self, other: _Average) -> _Average:
        total = _Average()
        total.bits, total.values = self.bits + other.bits, self.values + other.values
        return total


def _op_row(op: Any, repeat: int, loop: str | None) -> dict[str, Any]:
    attrs = op.operation.attributes
    formats: dict[str, list[str]] = {r: [] for r in ROLES}
    for role, value in zip(operand_roles(op), op.operands, strict=True):
        info = type_info(value.type)
        # Numeric operands only: integer ids and i1 masks have no format to report.
        if role and info and info.is_float and info.spelling not in formats[role]:
            formats[role].append(info.spelling)
    for result in op.results:
        info = type_info(result.type)
        if info and info.spelling not in formats["output"]:
            formats["output"].append(info.spelling)
    row: dict[str, Any] = {
        "name": str(attrs["name"].value) if "name" in attrs else "",
        "op": op.operation.name,
    }
    row.update({role: "/".join(f) if f else None for role, f in formats.items()})
    row["repeat"] = repeat
    if loop is not None:
        row["loop"] = loop
    return row


def _loop_row(op: Any) -> dict[str, Any]:
    body = op.regions[0].blocks[0]
    ops = [o for o in body.operations if o.operation.name != "scf.yield"]
    takes = [o for o in ops if o.operation.name == "mx.take"]
    layer_ops = [o for o in ops if o.operation.name != "mx.take"]
    stacked_bits = 0
    seen: set[Any] = set()
    for take in takes:
        source = take.operands[0]
        if source in seen:
            continue
        seen.add(source)
        info = type_info(source.type)
        stacked_bits += info.bits if info else 0
    row = {
        "name": loop_label(op),
        "trip_count": trip_count(op),
        "ops_per_layer": len(layer_ops),
        "takes": len(takes),
        "stacked_weights": len(seen),
        "stacked_weight_bytes": stacked_bits // 8,
        "carried_values": len(op.results),
    }
    # The first named op of every layer: the layer names of the first body op that has them.
    names = next((n for n in map(layer_names, ops) if n is not None), None)
    if names is not None:
        row["layers"] = names
    return row


def build_report(module: Any) -> dict[str, Any]:
    """The report of a parsed ``mase_mlir.ir.Module`` as a JSON-ready dict."""
    rows: list[dict[str, Any]] = []
    loops: list[dict[str, Any]] = []
    weights, activations = _Average(), _Average()
    weight_bits = {"mx": 0, "f32": 0, "other": 0}
    weight_counts = {"mx": 0, "f32": 0, "other": 0}
    for op, repeat, loop in walk_module(module):
        kind = op.operation.name
        if kind in CONSTANT_OPS:
            info = type_info(op.results[0].type)
            if info is None:
                continue  # index scalars (loop bounds)
            group = "mx" if kind == "mx.constant" else ("f32" if info.is_float else "other")
            weight_bits[group] += info.bits
            weight_counts[group] += 1
            if info.is_float:
                weights.add(info)
        elif is_kernel_loop(op):
            loops.append(_loop_row(op))
        elif is_compute(op):
            rows.append(_op_row(op, repeat, loop))
            for role, value in zip(operand_roles(op), op.operands, strict=True):
                info = type_info(value.type)
                if role and info and info.is_float and not is_weight(value):
                    activations.add(info, repeat)
    counts = count_ops(module)
    return {
        "summary": {
            "compute_ops": len(rows),
            "compute_op_runs": sum(r["repeat"] for r in rows),
            "ops": counts.total,
            "ops_excluding_constants": counts.non_constant,
            "kernel_loops": len(loops),
            "bits_per_weight": weights.value(),
            "bits_per_activation": activations.value(),
            "bits_per_value": (weights + activations).value(),
            "weight_values": weights.values,
            "activation_values": activations.values,
            "weight_bytes": (weight_bits["mx"] + weight_bits["f32"]) // 8,
            "weight_bytes_mx": weight_bits["mx"] // 8,
            "weight_bytes_f32": weight_bits["f32"] // 8,
            "other_constant_bytes": weight_bits["other"] // 8,
            "constants": weight_counts,
        },
        "ops": rows,
        "loops": loops,
    }
