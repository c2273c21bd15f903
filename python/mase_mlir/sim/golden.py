"""The golden models of a hardware function (``model.mlir`` of a compiled design).

:func:`evaluate` applies :mod:`mase_mlir.numerics` op by op through :data:`GOLDEN` (one
entry per op with a hardware unit), a path that does not go through the interpreter;
:func:`interpreter` runs the reference interpreter on the same function. The simulation
passes only when the RTL equals both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import interp, ir, passes
from ..backend.netlister import _constant, bool_constant
from ..dialects import mx
from ..numerics import Format, MXTensor, dequantize, elementwise, quantize, rows
from ..numerics.blockmath import linear, matmul

#: op name -> f(attributes, operands, result format, result axis) -> MX result. Data
#: movement between a dequantize and a quantize has float operands and results (format
#: and axis None): it moves the exact values.
Golden = Callable[[dict[str, Any], list[Any], Format | None, int | None], Any]


def _linear(attrs: dict[str, Any], ins: list[MXTensor], fmt: Format, axis: int) -> MXTensor:
    bias = ins[2] if len(ins) > 2 else None
    return linear(ins[0], ins[1], bias, fmt, acc=attrs.get("acc"))


def _relu(attrs: dict[str, Any], ins: list[MXTensor], fmt: Format, axis: int) -> MXTensor:
    return quantize(np.maximum(dequantize(ins[0]), np.float32(0)), fmt, axis=axis)


def _softmax(attrs: dict[str, Any], ins: list[Any], fmt: Format, axis: int) -> MXTensor:
    return rows.softmax(ins[0], ins[1] if len(ins) > 1 else None, fmt)


def _norm(attrs: dict[str, Any], ins: list[Any], fmt: Format, axis: int) -> MXTensor:
    params = dict(zip(attrs["_roles"][1:], ins[1:], strict=True))
    if attrs["_op"] == "mx.rms_norm":
        return rows.rms_norm(ins[0], params.get("weight"), fmt, eps=attrs["eps"])
    return rows.layer_norm(ins[0], params.get("weight"), params.get("bias"), fmt,
                           eps=attrs["eps"])


def _matmul(attrs: dict[str, Any], ins: list[MXTensor], fmt: Format, axis: int) -> MXTensor:
    return matmul(ins[0], ins[1], fmt, acc=attrs.get("acc"))


def _moving(fn: Callable[[dict[str, Any], list[np.ndarray]], np.ndarray]) -> Golden:
    """A data movement op: on the exact values, re-quantized when its result is MX."""

    def run(attrs: dict[str, Any], ins: list[Any], fmt: Format | None, axis: int | None):
        values = [dequantize(x) if isinstance(x, MXTensor) else x for x in ins]
        out = np.asarray(fn(attrs, values), dtype=np.float32)
        return out if fmt is None else quantize(out, fmt, axis=axis)

    return run


def _binary(name: str) -> Golden:
    """add, sub, mul: exact, rounded once (numerics.elementwise)."""

    def run(attrs: dict[str, Any], ins: list[Any], fmt: Format, axis: int) -> MXTensor:
        return getattr(elementwise, name)(ins[0], ins[1], fmt, axis=axis)

    return run


def _slice(attrs: dict[str, Any], xs: list[np.ndarray]) -> np.ndarray:
    index = tuple(slice(o, o + n * s, s) for o, n, s in
                  zip(attrs["offsets"], attrs["sizes"], attrs["strides"], strict=True))
    return xs[0][index]


def _activation(attrs: dict[str, Any], ins: list[MXTensor], fmt: Format, axis: int
                ) -> MXTensor:
    name = elementwise.activation_of(attrs["_op"], attrs.get("approximate"))
    return elementwise.activation(name, ins[0], fmt, axis=axis)


GOLDEN: dict[str, Golden] = {
    "mx.linear": _linear,
    "mx.relu": _relu,
    "mx.softmax": _softmax,
    "mx.layer_norm": _norm,
    "mx.rms_norm": _norm,
    "mx.add": _binary("add"),
    "mx.sub": _binary("sub"),
    "mx.mul": _binary("mul"),
    "mx.gelu": _activation,
    "mx.silu": _activation,
    "mx.tanh": _activation,
    "mx.sigmoid": _activation,
    # Attention's contractions and data movement (hw-attention).
    "mx.matmul": _matmul,
    "mx.batch_matmul": _matmul,
    "mx.quantize": _moving(lambda a, xs: xs[0]),
    "mx.dequantize": _moving(lambda a, xs: xs[0]),
    "mx.cast": _moving(lambda a, xs: xs[0]),
    "mx.neg": _moving(lambda a, xs: -xs[0]),
    "mx.transpose": _moving(lambda a, xs: np.transpose(xs[0], a["permutation"])),
    "mx.slice": _moving(_slice),
    "mx.concat": _moving(lambda a, xs: np.concatenate(xs, axis=a["axis"])),
}


_MOVEMENT = frozenset({"mx.quantize", "mx.dequantize", "mx.cast", "mx.neg", "mx.transpose",
                       "mx.slice", "mx.concat"})


def _values(x: Any) -> np.ndarray:
    return dequantize(x) if isinstance(x, MXTensor) else x


#: Movement ops defined by their result's shape.
_SHAPED: dict[str, Callable[[Any, tuple[int, ...]], np.ndarray]] = {
    "mx.reshape": lambda x, shape: _values(x).reshape(shape),
    "mx.broadcast": lambda x, shape: np.broadcast_to(_values(x), shape).astype(np.float32),
}


def _float_constant(attr: Any) -> np.ndarray:
    dense = ir.DenseFPElementsAttr(attr)
    shape = tuple(ir.ShapedType(dense.type).shape)
    if dense.is_splat:
        return np.full(shape, dense.get_splat_value().value, dtype=np.float32)
    return np.array(dense, dtype=np.float32).reshape(shape)


def _find(module: Any, name: str) -> Any:
    for op in module.body.operations:
        if op.operation.name == "func.func" and str(op.attributes["sym_name"]).strip('"') == name:
            return op
    raise ValueError(f"function @{name} not found in the model")


def _attributes(op: Any) -> dict[str, Any]:
    out = {}
    for named in op.attributes:
        key = named if isinstance(named, str) else named.name
        attr = op.attributes[key]
        spelling = mx.attribute_spelling(attr)
        if spelling is not None:
            out[key] = spelling
        elif isinstance(attr, ir.DenseI64ArrayAttr):
            out[key] = list(ir.DenseI64ArrayAttr(attr))
        else:
            out[key] = getattr(attr, "value", str(attr))
    return out


def evaluate(model_text: str, func: str, args: list[MXTensor | np.ndarray | None]
             ) -> list[MXTensor]:
    """The results of ``@func`` on the MX ``args`` (booleans for a mask, None for an
    unused argument)."""
    with ir.Context():
        module = ir.Module.parse(model_text)
        f = _find(module, func)
        block = f.regions[0].blocks[0]
        env: dict[Any, Any] = dict(zip(block.arguments, args, strict=True))
        returned = _block(block, env)
        if returned is None:
            raise ValueError(f"function @{func} has no return")
        return returned


def _block(block: Any, env: dict[Any, Any]) -> list[MXTensor] | None:
    """Evaluates a block's ops into ``env``; returns what its terminator returns or
    yields. Kernel loops run their body once per layer."""
    for raw in block.operations:
        op = raw.operation
        name = op.name
        if name in ("func.return", "scf.yield"):
            return [env[v] for v in op.operands]
        if name == "mx.constant":
            env[op.results[0]] = _constant(op)
            continue
        if name == "arith.constant":
            mask = bool_constant(op)
            if str(op.results[0].type) == "index":  # a kernel loop's bound
                env[op.results[0]] = ir.IntegerAttr(op.attributes["value"]).value
            elif mask is not None:  # a softmax mask
                env[op.results[0]] = mask
            else:  # float data a movement op reads
                env[op.results[0]] = _float_constant(op.attributes["value"])
            continue
        if name == "mx.take":
            env[op.results[0]] = env[op.operands[0]].take(env[op.operands[1]])
            continue
        if name == "scf.for":
            lower, upper, step, *carried = (env[v] for v in op.operands)
            body = op.regions[0].blocks[0]
            for i in range(lower, upper, step):
                env.update(zip(body.arguments, [i, *carried], strict=True))
                carried = _block(body, env)
            env.update(zip(op.results, carried, strict=True))
            continue
        if name not in GOLDEN and name not in _SHAPED:
            raise ValueError(f"golden model: op {name} is not supported")
        result = op.results[0]
        fmt = axis = None
        if mx.TensorType.isinstance(result.type):
            res_t = mx.TensorType(result.type)
            fmt, axis = Format.parse(mx.FormatAttr(res_t.format).spelling), res_t.axis
            shape = tuple(res_t.shape)
        else:
            shape = tuple(ir.ShapedType(result.type).shape)
        operands = [env[v] for v in op.operands]
        if name in _SHAPED:
            value = _SHAPED[name](operands[0], shape)
            env[result] = value if fmt is None else quantize(value, fmt, axis=axis)
            continue
        attrs = _attributes(op)
        attrs["_op"] = name
        if name not in _MOVEMENT:  # operand roles: the quantizable ops' own
            attrs["_roles"] = tuple("" if r is None else str(r)
                                    for r in mx.operand_roles(op))
        env[result] = GOLDEN[name](attrs, operands, fmt, axis)
    return None


def interpreter(model_text: str, func: str, args: list[MXTensor | None]) -> tuple[str, list | None]:
    """Run the reference interpreter: (note, results or None when it failed). A model
    with a kernel loop runs twice, looped and unrolled (``mx-unroll-loops``): both must
    agree bit for bit."""
    try:
        out = interp.run(model_text, list(args), func_name=func)
        if "mx.kernel_loop" not in model_text:
            return "compared", list(out)
        with ir.Context():
            module = ir.Module.parse(model_text)
            passes.unroll_loops(module)
            unrolled = interp.run(str(module), list(args), func_name=func)
    except Exception as err:  # noqa: BLE001 - reported as a mismatch by the caller
        return f"failed: {type(err).__name__}: {err}", None
    for k, (a, b) in enumerate(zip(out, unrolled, strict=True)):
        if compare_exact(a, b):
            return f"failed: result {k} of the looped and the unrolled IR differ", None
    return "compared (looped and unrolled IR)", list(out)


def compare_exact(a: MXTensor, b: MXTensor) -> bool:
    """Whether two MX tensors differ in any code, scale, format, shape or axis."""
    return (a.fmt != b.fmt or a.shape != b.shape or a.axis != b.axis
            or not np.array_equal(a.codes, b.codes) or not np.array_equal(a.scales, b.scales))
