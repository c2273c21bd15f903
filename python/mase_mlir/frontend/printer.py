"""Print a :class:`~mase_mlir.frontend.mxgraph.Function` as ``mx``-dialect MLIR text.

Deterministic: the same function always prints byte-identical text. Float and integer
constants are printed as little-endian hex blobs (exact, never elided).
"""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np

from .mxgraph import Function, I64Array, MXEnum, Op, Value

_UNARY_FORM = {
    "mx.neg", "mx.exp", "mx.log", "mx.tanh", "mx.sqrt", "mx.rsqrt", "mx.reciprocal", "mx.sin",
    "mx.cos", "mx.abs", "mx.erf", "mx.relu", "mx.sigmoid", "mx.silu", "mx.gelu", "mx.softmax",
    "mx.reduce_sum", "mx.reduce_mean", "mx.reduce_max", "mx.reduce_min", "mx.reshape",
    "mx.transpose", "mx.slice", "mx.broadcast", "mx.convert",
}


def format_f64(value: float) -> str:
    """An MLIR float literal (always with a '.', hex bits for inf/nan)."""
    if math.isnan(value) or math.isinf(value):
        bits = np.array(value, dtype=np.float64).view(np.uint64)
        return f"0x{int(bits):016X}"
    text = repr(float(value))
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def format_attr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value} : i64"
    if isinstance(value, float):
        return f"{format_f64(value)} : f64"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, MXEnum):
        return f"#mx.{value.mnemonic}<{value.value}>"
    if isinstance(value, I64Array):
        return "array<i64" + ("".join(f", {v}" for v in value.values)).replace(", ", ": ", 1) + ">"
    raise TypeError(f"cannot print attribute value {value!r}")


def format_attr_dict(attrs: dict[str, Any]) -> str:
    if not attrs:
        return ""
    items = ", ".join(f"{k} = {format_attr(attrs[k])}" for k in sorted(attrs))
    return " {" + items + "}"


def format_dense(array: np.ndarray) -> str:
    if array.dtype == np.bool_:
        if array.size and (array.all() or not array.any()):
            return "dense<true>" if array.flat[0] else "dense<false>"
        return "dense<" + _nested_bools(array) + ">"
    data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"), copy=False)
    return 'dense<"0x' + data.tobytes().hex().upper() + '">'


def _nested_bools(array: np.ndarray) -> str:
    if array.ndim == 0:
        return "true" if bool(array) else "false"
    return "[" + ", ".join(_nested_bools(a) for a in array) + "]"


class _Names:
    def __init__(self, function: Function):
        self._names: dict[int, str] = {}
        for index, arg in enumerate(function.arguments):
            self._names[arg.id] = f"%arg{index}"
        self._count = 0

    def define(self, value: Value) -> str:
        name = f"%{self._count}"
        self._count += 1
        self._names[value.id] = name
        return name

    def __getitem__(self, value: Value) -> str:
        return self._names[value.id]


def _format_op(op: Op, names: _Names, out: io.StringIO) -> None:
    result = names.define(op.result)
    rtype = str(op.result.type)
    if op.kind == "arith.constant":
        out.write(f"    {result} = arith.constant {format_dense(op.attrs['value'])} : {rtype}\n")
        return
    attrs = format_attr_dict(op.attrs)
    if op.kind == "mx.softmax" and len(op.operands) == 2:
        x, mask = op.operands
        out.write(f"    {result} = mx.softmax {names[x]}, mask = {names[mask]}{attrs} : "
                  f"{x.type}, {mask.type} -> {rtype}\n")
        return
    if op.keywords:
        first, rest = op.operands[0], op.operands[1:]
        operands = names[first] + "".join(
            f" {kw} {names[v]}" for kw, v in zip(op.keywords, rest, strict=True)
        )
    else:
        operands = ", ".join(names[v] for v in op.operands)
    if op.kind in _UNARY_FORM:
        types = f"{op.operands[0].type} -> {rtype}"
    else:
        types = "(" + ", ".join(str(v.type) for v in op.operands) + f") -> {rtype}"
    out.write(f"    {result} = {op.kind} {operands}{attrs} : {types}\n")


def print_function(function: Function) -> str:
    out = io.StringIO()
    names = _Names(function)
    args = ", ".join(f"%arg{i}: {a.type}" for i, a in enumerate(function.arguments))
    results = ", ".join(str(v.type) for v in function.results)
    out.write("module {\n")
    out.write(f"  func.func @{function.name}({args}) -> ({results}) {{\n")
    for op in function.ops:
        _format_op(op, names, out)
    returned = ", ".join(names[v] for v in function.results)
    rtypes = ", ".join(str(v.type) for v in function.results)
    out.write(f"    func.return {returned} : {rtypes}\n")
    out.write("  }\n}\n")
    return out.getvalue()
