"""MX-typed values in the interpreter: exact ``mase_mlir.numerics`` semantics.

- ``mx.quantize`` / ``mx.dequantize`` / ``mx.cast`` / ``mx.constant`` use numerics directly.
- ``mx.linear`` / ``mx.matmul`` / ``mx.batch_matmul`` with MX operands blocked along K use the
  block arithmetic of numerics, accumulated as their ``acc`` attribute says (exact when absent),
  with one rounding into the result format.
- ``mx.take`` of an MX tensor slices its scale codes and element codes alike.
- An op in :data:`MX_SEMANTICS` with an MX result uses its integer definition in numerics
  (the one the hardware implements); the entry may decline (return None) for operands it
  does not define, e.g. float ones.
- Every other op with MX operands dequantizes them, computes in float32 and, when its
  result type is an MX type, quantizes the result (blocked along the type's axis, ties to
  even).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..numerics import Format, MXTensor, dequantize, linear, matmul, quantize, rows
from .kernels import KERNELS, leading_index
from .mx_elementwise import SEMANTICS as ELEMENTWISE_SEMANTICS
from .program import Step


def is_mx(value: Any) -> bool:
    return isinstance(value, MXTensor)


def to_float(value: Any) -> Any:
    return dequantize(value) if is_mx(value) else value


def _quantize(x: np.ndarray, step: Step, rounding: str = "even") -> Any:
    return quantize(np.asarray(x, dtype=np.float32), step.type.mx_format, step.type.mx_axis,
                    rounding)


def _exact_matmul(step: Step, args: list[Any]) -> Any | None:
    out_fmt = step.type.mx_format
    acc = step.attrs.get("acc")
    if step.kind == "mx.linear":
        x, w = args[0], args[1]
        bias = args[2] if len(args) > 2 else None
        if (is_mx(x) and is_mx(w) and x.axis == x.ndim - 1 and w.axis == 1
                and (step.type.mx_format is None or step.type.mx_axis == len(step.type.shape) - 1)):
            return _finish(linear(x, w, bias, out_fmt, acc=acc), step)
        return None
    a, b = args
    if (is_mx(a) and is_mx(b) and a.axis == a.ndim - 1 and b.axis == b.ndim - 2
            and (step.type.mx_format is None or step.type.mx_axis == len(step.type.shape) - 1)):
        return _finish(matmul(a, b, out_fmt, acc=acc), step)
    return None


def _finish(result: Any, step: Step) -> Any:
    if is_mx(result):
        return result
    return np.asarray(result, dtype=np.float32).reshape(step.type.shape)


def _take(stacked: Any, index: Any, step: Step) -> Any:
    if stacked.axis == 0:
        raise ValueError("mx.take cannot slice the blocked axis")
    part = stacked.take(leading_index(index, stacked.codes.shape[0]))
    if step.type.mx_format and (Format.parse(step.type.mx_format) != part.fmt
                                or step.type.mx_axis != part.axis):
        raise ValueError(f"result type {step.type.mx_format} (axis {step.type.mx_axis}) does not "
                         f"match the slice ({part.fmt}, axis {part.axis})")
    return part


#: kind -> f(step, args): the MX result of the op as numerics defines it, or None when
#: the definition does not cover these operands (the float path then runs).
MxSemantics = Callable[[Step, list[Any]], Any]
MX_SEMANTICS: dict[str, MxSemantics] = {}


def run_mx_step(step: Step, args: list[Any]) -> Any:
    """Run a step that has MX operands or an MX result."""
    kind = step.kind
    if step.type.mx_format and kind in MX_SEMANTICS:
        result = MX_SEMANTICS[kind](step, args)
        if result is not None:
            return result
    if kind == "mx.quantize":
        return _quantize(args[0], step, step.attrs.get("rounding", "even"))
    if kind == "mx.dequantize":
        return dequantize(args[0]).astype(np.float32).reshape(step.type.shape)
    if kind == "mx.cast":
        return _quantize(dequantize(args[0]), step, step.attrs.get("rounding", "even"))
    if kind == "mx.take" and is_mx(args[0]):
        return _take(args[0], args[1], step)
    if kind in ("mx.linear", "mx.matmul", "mx.batch_matmul"):
        exact = _exact_matmul(step, args)
        if exact is not None:
            return exact
    floats = [to_float(a) for a in args]
    out_dtype = np.dtype(np.float32) if step.type.mx_format else step.type.dtype
    result = KERNELS[kind](floats, step.attrs, step.type.shape, out_dtype)
    if step.type.mx_format:
        return _quantize(result, step)
    return result


# --------------------------------------------------------------------------- row operators
def _last_axis(step: Step, x: Any) -> bool:
    """The MX definition covers an MX input and result both blocked along the last axis."""
    rank = len(step.type.shape)
    return is_mx(x) and x.axis == x.ndim - 1 and step.type.mx_axis == rank - 1


def _softmax(step: Step, args: list[Any]) -> Any:
    x = args[0]
    if not _last_axis(step, x) or step.attrs["axis"] % x.ndim != x.ndim - 1:
        return None
    mask = args[1] if len(args) > 1 else None
    return rows.softmax(x, mask, step.type.mx_format)


def _norm(step: Step, args: list[Any]) -> Any:
    x = args[0]
    if not _last_axis(step, x) or int(step.attrs.get("normalized_rank", 1)) != 1:
        return None
    params = dict(zip(step.attrs["_roles"][1:], args[1:], strict=True))
    if step.kind == "mx.rms_norm":
        return rows.rms_norm(x, params.get("weight"), step.type.mx_format,
                             eps=step.attrs["eps"])
    return rows.layer_norm(x, params.get("weight"), params.get("bias"), step.type.mx_format,
                           eps=step.attrs["eps"])


MX_SEMANTICS.update({"mx.softmax": _softmax, "mx.layer_norm": _norm, "mx.rms_norm": _norm})
MX_SEMANTICS.update(ELEMENTWISE_SEMANTICS)
