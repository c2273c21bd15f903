"""An independent emulation of a precision configuration on FLOAT mx IR.

It walks the float program (before mx-assign-precision) and applies the config itself with
:mod:`mase_mlir.numerics`: operands are quantized per role along their blocked axis,
contractions with two MX operands use ``numerics.linear``/``numerics.matmul`` (one rounding,
straight into the output format), softmax and the norms of an MX input into an MX output
use ``numerics.rows``, the table activations (gelu, silu, tanh, sigmoid) of an MX input
into an MX output ``numerics.elementwise.activation``, every other op dequantizes, computes in float32 and quantizes its
result. It shares only the float kernels (the float semantics) with the
interpreter, never its MX code path, and knows the roles from the dialect's documentation,
not from the pass.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

import numpy as np

from mase_mlir import interp, numerics
from mase_mlir.interp.kernels import KERNELS

_UNARY = {"neg", "abs", "exp", "log", "tanh", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "erf",
          "relu", "sigmoid", "silu", "gelu", "softmax"}
_BINARY = {"add", "sub", "mul", "div", "max", "min", "pow"}
_REDUCE = {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min"}
_CONTRACTIONS = {"mx.linear", "mx.matmul", "mx.batch_matmul"}


def operand_roles(kind: str, n: int, attrs: dict[str, Any]) -> list[str] | None:
    """Roles of the operands of a quantizable op (None: the op is never quantized)."""
    op = kind.removeprefix("mx.")
    if op == "linear":
        return ["input", "weight", "bias"][:n]
    if op == "layer_norm" or op == "rms_norm":
        # Which of the optional weight and bias are present: the interpreter's step says.
        return list(attrs["_roles"])
    if op == "embedding":
        return ["", "weight"]
    if op in _UNARY | _BINARY | _REDUCE | {"matmul", "batch_matmul"}:
        return ["input"] * n
    return None


def block_axis(kind: str, index: int, rank: int) -> int:
    if kind == "mx.linear":
        return (rank - 1, 1, 0)[index]
    if kind in ("mx.matmul", "mx.batch_matmul"):
        return rank - 1 if index == 0 else rank - 2
    return rank - 1


def resolve(config: Mapping[str, Any], name: str | None) -> dict[str, str]:
    formats = dict(config.get("default", {}))
    for glob, roles in config.get("ops", {}).items():
        if name is not None and fnmatch.fnmatchcase(name, glob):
            formats.update(roles)
    return formats


def _fitted(fmt: numerics.Format | None, dim: int) -> numerics.Format | None:
    """``fmt`` for a blocked dimension of ``dim``: one shorter block below a block (but a
    broadcast dimension of 1), None (f32) when longer but not a multiple."""
    if fmt is None:
        return None
    if 1 < dim < fmt.block_size:
        return numerics.Format(fmt.element, fmt.scale_bits, dim)
    return None if dim % fmt.block_size else fmt


def _blockable(value: Any, axis: int, fmt: str | None) -> numerics.Format | None:
    parsed = numerics.Format.parse_or_none(fmt)
    if parsed is None or not isinstance(value, np.ndarray) or value.dtype != np.float32:
        return None
    return _fitted(parsed, value.shape[axis]) if value.ndim else None


def _quantized(value: np.ndarray, fmt: numerics.Format, axis: int) -> numerics.MXTensor:
    return numerics.quantize(np.asarray(value, dtype=np.float32), fmt, axis)


def _as_float(value: Any) -> Any:
    return numerics.dequantize(value) if isinstance(value, numerics.MXTensor) else value


def emulate(float_module: Any, config: Mapping[str, Any], inputs: list[np.ndarray]) -> list:
    """Outputs of ``float_module`` on ``inputs`` under ``config`` (float32 arrays)."""
    program = interp.load(float_module)
    env: dict[int, Any] = dict(program.constants)
    env.update(zip(program.inputs, inputs, strict=True))
    with np.errstate(all="ignore"):
        for step in program.steps:
            env[step.result] = _emulate_step(step, [env[s] for s in step.operands], config)
    return [np.asarray(env[s]) for s in program.outputs]


def _emulate_step(step: Any, args: list[Any], config: Mapping[str, Any]) -> np.ndarray:
    roles = operand_roles(step.kind, len(args), step.attrs)
    if roles is None:
        return KERNELS[step.kind](args, step.attrs, step.type.shape, step.type.dtype)
    formats = resolve(config, step.attrs.get("name"))
    operands = []
    for index, (value, role) in enumerate(zip(args, roles, strict=True)):
        axis = block_axis(step.kind, index, np.ndim(value))
        fmt = _blockable(value, axis, formats.get(role)) if role else None
        operands.append(_quantized(value, fmt, axis) if fmt else value)
    out_fmt = None
    if step.type.dtype == np.float32 and len(step.type.shape) > 0:
        out_fmt = _fitted(numerics.Format.parse_or_none(formats.get("output")),
                          step.type.shape[-1])
    mx_pair = all(isinstance(v, numerics.MXTensor) for v in operands[:2])
    if step.kind in _CONTRACTIONS and mx_pair:
        if step.kind == "mx.linear":
            bias = operands[2] if len(operands) > 2 else None
            result = numerics.linear(operands[0], operands[1], bias, out_fmt)
        else:
            result = numerics.matmul(operands[0], operands[1], out_fmt)
        return np.asarray(_as_float(result), dtype=np.float32).reshape(step.type.shape)
    rows = _row_operator(step, operands, out_fmt)
    if rows is None:
        rows = _activation(step, operands, out_fmt)
    if rows is not None:
        return np.asarray(_as_float(rows), dtype=np.float32)
    floats = [_as_float(v) for v in operands]
    result = KERNELS[step.kind](floats, step.attrs, step.type.shape, step.type.dtype)
    if out_fmt is not None:
        result = numerics.dequantize(_quantized(result, out_fmt, -1))
    return np.asarray(result)


def _row_operator(step: Any, operands: list[Any], out_fmt: numerics.Format | None) -> Any:
    """softmax / layer_norm / rms_norm of an MX input into an MX output over the last
    axis: the exact definitions of ``numerics.rows`` (docs/numerics.md)."""
    from mase_mlir.numerics import rows

    x = operands[0] if operands else None
    if (out_fmt is None or not isinstance(x, numerics.MXTensor) or x.axis != x.ndim - 1
            or step.kind not in ("mx.softmax", "mx.layer_norm", "mx.rms_norm")):
        return None
    if step.kind == "mx.softmax":
        if step.attrs["axis"] % x.ndim != x.ndim - 1:
            return None
        return rows.softmax(x, operands[1] if len(operands) > 1 else None, out_fmt)
    if int(step.attrs.get("normalized_rank", 1)) != 1:
        return None
    params = dict(zip(step.attrs["_roles"][1:], operands[1:], strict=True))
    if step.kind == "mx.rms_norm":
        return rows.rms_norm(x, params.get("weight"), out_fmt, eps=step.attrs["eps"])
    return rows.layer_norm(x, params.get("weight"), params.get("bias"), out_fmt,
                           eps=step.attrs["eps"])


def _activation(step: Any, operands: list[Any], out_fmt: numerics.Format | None) -> Any:
    """gelu (either form), silu, tanh, sigmoid of an MX input into an MX output: the
    fixed-point table definition of ``numerics.elementwise`` (docs/numerics.md)."""
    from mase_mlir.numerics import elementwise

    kind = step.kind.removeprefix("mx.")
    if (out_fmt is None or kind not in elementwise.ACTIVATION_OPS
            or not isinstance(operands[0], numerics.MXTensor)):
        return None
    name = elementwise.activation_of(step.kind, step.attrs.get("approximate"))
    return elementwise.activation(name, operands[0], out_fmt)
