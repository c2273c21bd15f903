"""Elementwise aten ops: unary math, binary arithmetic, comparisons, selects, casts."""

from __future__ import annotations

import numpy as np

from ...dialects import mx
from ..mxgraph import TensorType, Value
from .core import Handlers, OpContext, Unsupported

_UNARY = {
    "neg": "mx.neg", "exp": "mx.exp", "log": "mx.log", "tanh": "mx.tanh", "sqrt": "mx.sqrt",
    "rsqrt": "mx.rsqrt", "reciprocal": "mx.reciprocal", "sin": "mx.sin", "cos": "mx.cos",
    "abs": "mx.abs", "erf": "mx.erf", "relu": "mx.relu", "sigmoid": "mx.sigmoid",
    "silu": "mx.silu", "gelu": "mx.gelu",
}
_BINARY = {"add": "mx.add", "sub": "mx.sub", "mul": "mx.mul", "div": "mx.div",
           "maximum": "mx.max", "minimum": "mx.min", "pow": "mx.pow"}
_CMP = {"eq": mx.CmpPredicate.eq, "ne": mx.CmpPredicate.ne, "lt": mx.CmpPredicate.lt,
        "le": mx.CmpPredicate.le, "gt": mx.CmpPredicate.gt, "ge": mx.CmpPredicate.ge}


def as_dtype(ctx: OpContext, value: Value, dtype: str, suffix: str = "convert") -> Value:
    """``value`` converted to element type ``dtype`` (``mx.convert`` when needed)."""
    if value.type.dtype == dtype:
        return value
    return ctx.emit("mx.convert", [value], TensorType(value.type.shape, dtype), suffix=suffix)


def operand(ctx: OpContext, index: int, dtype: str) -> Value:
    """Operand ``index`` (a tensor or a Python scalar) as a tensor of element type ``dtype``."""
    item = ctx.arg(index)
    if isinstance(item, (bool, int, float)):
        return scalar(ctx, item, dtype)
    return as_dtype(ctx, ctx.tensor(index), dtype, suffix=f"convert{index}")


def scalar(ctx: OpContext, value: float | int | bool, dtype: str) -> Value:
    return ctx.b.constant(np.array(value, dtype=TensorType((), dtype).np_dtype))


def _promoted(ctx: OpContext, indices: tuple[int, ...]) -> str:
    dtypes = []
    for i in indices:
        item = ctx.arg(i)
        if isinstance(item, bool):
            dtypes.append("i1")
        elif isinstance(item, int):
            dtypes.append("i64")
        elif isinstance(item, float):
            dtypes.append("f32")
        else:
            dtypes.append(ctx.tensor(i).type.dtype)
    for candidate in ("f32", "i64"):
        if candidate in dtypes:
            return candidate
    return "i1"


def unary(ctx: OpContext) -> None:
    packet = ctx.op.name.split(".")[2]
    rtype = ctx.result_type()
    attrs = {}
    if packet == "gelu" and ctx.num_args() > 1:
        approximate = ctx.arg(1)
        if approximate == "tanh":
            attrs["approximate"] = mx.GeluApproximation.Tanh
        elif approximate not in (None, "none"):
            raise Unsupported(f"gelu approximation {approximate!r}")
    if packet == "relu" and rtype.dtype != "f32":
        raise Unsupported("relu on integers")
    x = operand(ctx, 0, rtype.dtype)
    ctx.set_result(ctx.emit(_UNARY[packet], [x], rtype, attrs))


def square(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    x = operand(ctx, 0, rtype.dtype)
    ctx.set_result(ctx.emit("mx.mul", [x, x], rtype))


def binary(ctx: OpContext) -> None:
    packet = ctx.op.name.split(".")[2]
    overload = ctx.overload
    rtype = ctx.result_type()
    if packet == "div" and overload == "Tensor_mode" and ctx.arg(2) is not None:
        raise Unsupported(f"division with rounding mode {ctx.arg(2)!r}")
    a = operand(ctx, 0, rtype.dtype)
    b = operand(ctx, 1, rtype.dtype)
    if packet in ("add", "sub") and ctx.num_args() > 2 and ctx.arg(2) not in (None, 1):
        b = ctx.emit("mx.mul", [b, scalar(ctx, ctx.arg(2), rtype.dtype)], b.type, suffix="alpha")
    ctx.set_result(ctx.emit(_BINARY[packet], [a, b], rtype))


def rsub(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    a = operand(ctx, 0, rtype.dtype)
    b = operand(ctx, 1, rtype.dtype)
    if ctx.num_args() > 2 and ctx.arg(2) not in (None, 1):
        a = ctx.emit("mx.mul", [a, scalar(ctx, ctx.arg(2), rtype.dtype)], a.type, suffix="alpha")
    ctx.set_result(ctx.emit("mx.sub", [b, a], rtype))


def compare(ctx: OpContext) -> None:
    packet = ctx.op.name.split(".")[2]
    dtype = _promoted(ctx, (0, 1))
    a = operand(ctx, 0, dtype)
    b = operand(ctx, 1, dtype)
    ctx.set_result(ctx.emit("mx.cmp", [a, b], ctx.result_type(),
                            {"predicate": _CMP[packet]}))


def where(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    cond = operand(ctx, 0, "i1")
    a = operand(ctx, 1, rtype.dtype)
    b = operand(ctx, 2, rtype.dtype)
    ctx.set_result(ctx.emit("mx.select", [cond, a, b], rtype))


def masked_fill(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    x = operand(ctx, 0, rtype.dtype)
    mask = operand(ctx, 1, "i1")
    fill = operand(ctx, 2, rtype.dtype)
    ctx.set_result(ctx.emit("mx.select", [mask, fill, x], rtype))


def logical_binary(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    if rtype.dtype != "i1":
        raise Unsupported("bitwise operations on integers")
    a = operand(ctx, 0, "i1")
    b = operand(ctx, 1, "i1")
    packet = ctx.op.name.split(".")[2]
    # and(a, b) = a ? b : a ;  or(a, b) = a ? a : b
    on_true, on_false = (b, a) if "and" in packet else (a, b)
    ctx.set_result(ctx.emit("mx.select", [a, on_true, on_false], rtype))


def logical_not(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    if rtype.dtype != "i1":
        raise Unsupported("bitwise not on integers")
    x = operand(ctx, 0, "i1")
    ctx.set_result(ctx.emit("mx.cmp", [x, scalar(ctx, False, "i1")], rtype,
                            {"predicate": mx.CmpPredicate.eq}))


def clamp(ctx: OpContext) -> None:
    packet = ctx.op.name.split(".")[2]
    rtype = ctx.result_type()
    x = operand(ctx, 0, rtype.dtype)
    if packet == "clamp_min":
        low, high = ctx.arg(1), None
    elif packet == "clamp_max":
        low, high = None, ctx.arg(1)
    else:
        low, high = ctx.arg(1), ctx.arg(2)
    if low is not None:
        bound = operand(ctx, 1, rtype.dtype)
        x = ctx.emit("mx.max", [x, bound], rtype, suffix=None if high is None else "lower")
    if high is not None:
        bound = operand(ctx, 2 if packet != "clamp_max" else 1, rtype.dtype)
        x = ctx.emit("mx.min", [x, bound], rtype)
    ctx.set_result(x)


def cast(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    item = ctx.arg(0)
    if isinstance(item, np.ndarray):
        ctx.set_result(item.astype(rtype.np_dtype))
        return
    x = ctx.tensor(0)
    ctx.set_result(x if x.type.dtype == rtype.dtype else ctx.emit("mx.convert", [x], rtype))


def identity(ctx: OpContext) -> None:
    if ctx.op.name.split(".")[2] == "dropout" and ctx.arg(2):
        raise Unsupported("dropout in training mode")
    ctx.set_result(ctx.arg(0))


def populate_elementwise_handlers(handlers: Handlers) -> None:
    """Register the converters of elementwise aten ops."""
    handlers.add(unary, *_UNARY)
    handlers.add(square, "square")
    handlers.add(binary, *_BINARY)
    handlers.add(rsub, "rsub")
    handlers.add(compare, *_CMP)
    handlers.add(where, "where")
    handlers.add(masked_fill, "masked_fill")
    handlers.add(logical_binary, "__and__", "bitwise_and", "logical_and", "__or__", "bitwise_or",
                 "logical_or")
    handlers.add(logical_not, "logical_not", "bitwise_not")
    handlers.add(clamp, "clamp", "clamp_min", "clamp_max", "hardtanh")
    handlers.add(identity, "clone", "alias", "detach", "contiguous", "lift_fresh_copy", "dropout",
                 "copy", "_assert_tensor_metadata")
    handlers.add(cast, "prims.convert_element_type", "_to_copy", "to", "type_as", "_to_dtype")
