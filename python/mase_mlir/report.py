"""The precision and memory report of an ``mx`` module (``mase report``).

Everything is read from the IR's types (formats live in the types, no side tables):

* per compute op: name, kind, the formats of its input, weight and bias operands and of its
  output, and how many times it runs (the trip count for ops in a kernel loop body);
* bits per weight value: over the stored constants (``mx.constant``: element bits plus scale
  bits / B, i.e. storage bits / values; float constants 32 bits), weighted by element count;
* bits per activation value: over the non-constant tensor operands of compute ops, each use
  weighted by its element count times the number of times the op runs (so a looped module and
  its unrolled form give the same figures);
* bits per value: both together, (weight bits + activation bits) / (weight values +
  activation values), the average the precision search minimizes;
* weight memory: storage bits of every float/MX constant (stacked weights count fully), plus
  integer constants (masks, position ids) separately;
* kernel loops (``scf.for`` marked ``mx.kernel_loop``): trip count, ops per layer, stacked
  weights and carried values.

``build_report(module)`` returns a JSON-ready dict (deterministic: same IR, same JSON);
``format_report(report)`` renders it as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import ir
from .dialects import mx

__all__ = ["OpCounts", "build_report", "count_ops", "format_report", "report_json"]

CONSTANT_OPS = frozenset({"arith.constant", "mx.constant"})
# The roles a precision config formats, as the dialect's OperandRole enum spells them.
_ROLES = tuple(str(role) for role in mx.OperandRole)


def _roles(op: Any) -> list[str]:
    """The role of each operand as the op declares it ("" for operands never quantized)."""
    return ["" if role is None else str(role) for role in mx.operand_roles(op)]


# --- types -------------------------------------------------------------------


@dataclass(frozen=True)
class TypeInfo:
    """Format spelling, element count and storage bits of one tensor type."""

    spelling: str
    numel: int
    bits: int
    is_float: bool  # f32 or MX: a numeric value (not ids, masks or indices)


def type_info(type_: Any) -> TypeInfo | None:
    if mx.TensorType.isinstance(type_):
        t = mx.TensorType(type_)
        spelling = str(mx.FormatAttr(t.format).spelling)
        return TypeInfo(spelling, _prod(t.shape), int(t.storage_bits), True)
    if isinstance(type_, ir.RankedTensorType):
        element = type_.element_type
        numel = _prod(type_.shape)
        width = 32
        if isinstance(element, ir.IntegerType):
            width = element.width
        elif hasattr(element, "width"):
            width = element.width
        return TypeInfo(str(element), numel, numel * width, isinstance(element, ir.FloatType))
    return None


def _prod(shape: Any) -> int:
    n = 1
    for d in shape:
        n *= int(d)
    return n


# --- walking -------------------------------------------------------------------


def _functions(module: Any) -> Iterator[Any]:
    for op in module.body.operations:
        if op.operation.name == "func.func":
            yield op


def _walk(block: Any, repeat: int, loop: str | None) -> Iterator[tuple[Any, int, str | None]]:
    """Every op of ``block`` with how many times it runs and its enclosing kernel loop."""
    for op in block.operations:
        yield op, repeat, loop
        if op.operation.name == "scf.for":
            trips = trip_count(op)
            inner = loop_label(op)
            yield from _walk(op.regions[0].blocks[0], repeat * (trips or 1), inner)


def _defining_op(value: Any) -> Any | None:
    return value.owner if isinstance(value, ir.OpResult) else None


def _constant_int(value: Any) -> int | None:
    op = _defining_op(value)
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


def _is_weight(value: Any) -> bool:
    """A constant, or one layer of a stacked constant (``mx.take`` of a constant)."""
    op = _defining_op(value)
    if op is None:
        return False
    if op.operation.name in CONSTANT_OPS:
        return True
    if op.operation.name == "mx.take":
        return _is_weight(op.operands[0])
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
    for func in _functions(module):
        for op, _, _ in _walk(func.regions[0].blocks[0], 1, None):
            kind = op.operation.name
            counts.total += 1
            counts.constants += kind in CONSTANT_OPS
            counts.loops += kind == "scf.for"
            counts.by_kind[kind] = counts.by_kind.get(kind, 0) + 1
    counts.by_kind = dict(sorted(counts.by_kind.items()))
    return counts


# --- the report ------------------------------------------------------------------


class _Average:
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
    formats: dict[str, list[str]] = {r: [] for r in _ROLES}
    for role, value in zip(_roles(op), op.operands, strict=True):
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
    names_attr = None
    for o in ops:
        if "mx.layer_names" in o.operation.attributes:
            names_attr = o.operation.attributes["mx.layer_names"]
            break
    row = {
        "name": loop_label(op),
        "trip_count": trip_count(op),
        "ops_per_layer": len(layer_ops),
        "takes": len(takes),
        "stacked_weights": len(seen),
        "stacked_weight_bytes": stacked_bits // 8,
        "carried_values": len(op.results),
    }
    if names_attr is not None:
        # The first named op of every layer (mx.layer_names of the first body op).
        row["layers"] = [str(getattr(a, "value", a)) for a in names_attr]
    return row


def build_report(module: Any) -> dict[str, Any]:
    """The report of a parsed ``mase_mlir.ir.Module`` as a JSON-ready dict."""
    rows: list[dict[str, Any]] = []
    loops: list[dict[str, Any]] = []
    weights, activations = _Average(), _Average()
    weight_bits = {"mx": 0, "f32": 0, "other": 0}
    weight_counts = {"mx": 0, "f32": 0, "other": 0}
    for func in _functions(module):
        for op, repeat, loop in _walk(func.regions[0].blocks[0], 1, None):
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
            elif kind == "scf.for" and "mx.kernel_loop" in op.operation.attributes:
                loops.append(_loop_row(op))
            elif mx.is_quantizable(op):
                rows.append(_op_row(op, repeat, loop))
                for role, value in zip(_roles(op), op.operands, strict=True):
                    info = type_info(value.type)
                    if role and info and info.is_float and not _is_weight(value):
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


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2) + "\n"


def format_report(report: dict[str, Any]) -> str:
    """The report as text: the per-op table, the loops and the summary."""
    lines: list[str] = []
    header = ("op", "kind", "input", "weight", "bias", "output", "runs")
    table = [header] + [
        (r["name"], r["op"].removeprefix("mx."), r["input"] or "-", r["weight"] or "-",
         r["bias"] or "-", r["output"] or "-", str(r["repeat"]))
        for r in report["ops"]
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for index, row in enumerate(table):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    if report["loops"]:
        lines.append("")
        lines.append("kernel loops:")
        for loop in report["loops"]:
            lines.append(
                f"  {loop['name']}: {loop['trip_count']} layers x {loop['ops_per_layer']} ops "
                f"(+{loop['takes']} mx.take), "
                f"{loop['stacked_weights']} stacked weights "
                f"({_bytes(loop['stacked_weight_bytes'])}), "
                f"{loop['carried_values']} carried value(s)")
    s = report["summary"]
    lines.append("")
    lines.append(f"compute ops: {s['compute_ops']} ({s['compute_op_runs']} executed), "
                 f"ops excluding constants: {s['ops_excluding_constants']}")
    lines.append(f"bits per weight: {_num(s['bits_per_weight'])} "
                 f"({s['weight_values']} values); "
                 f"bits per activation: {_num(s['bits_per_activation'])} "
                 f"({s['activation_values']} values); "
                 f"bits per value: {_num(s['bits_per_value'])}")
    lines.append(f"weight memory: {_bytes(s['weight_bytes'])} "
                 f"(MX {_bytes(s['weight_bytes_mx'])}, f32 {_bytes(s['weight_bytes_f32'])}); "
                 f"other constants: {_bytes(s['other_constant_bytes'])}")
    return "\n".join(lines) + "\n"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _bytes(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.2f} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KiB"
    return f"{n} B"
