"""The golden models of a hardware function (``model.mlir`` of a compiled design).

:func:`evaluate` applies :mod:`mase_mlir.numerics` op by op (``linear`` with its bias
and accumulation, ``relu`` as the exact re-quantization of ``max(x, 0)``): a path
independent of the interpreter. :func:`interpreter` runs the reference interpreter
on the same function. The simulation passes only when the RTL equals both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..numerics import MXTensor, dequantize, quantize
from ..numerics.blockmath import linear


def _find(module: Any, name: str) -> Any:
    for op in module.body.operations:
        if op.operation.name == "func.func" and str(op.attributes["sym_name"]).strip('"') == name:
            return op
    raise ValueError(f"function @{name} not found in the model")


def evaluate(model_text: str, func: str, args: list[MXTensor | None]) -> list[MXTensor]:
    """The results of ``@func`` on the MX ``args`` (None for an unused argument)."""
    from .. import ir
    from ..backend.netlister import _constant
    from ..dialects import mx

    with ir.Context():
        module = ir.Module.parse(model_text)
        f = _find(module, func)
        block = f.regions[0].blocks[0]
        env: dict[Any, MXTensor] = {a: v for a, v in zip(block.arguments, args, strict=True)}
        for raw in block.operations:
            op = raw.operation
            name = op.name
            if name == "func.return":
                return [env[v] for v in op.operands]
            if name == "mx.constant":
                env[op.results[0]] = _constant(op)
                continue
            res_t = mx.TensorType(op.results[0].type)
            fmt = mx.FormatAttr(res_t.format).spelling
            ins = [env[v] for v in op.operands]
            if name == "mx.linear":
                acc = (mx.attribute_spelling(op.attributes["acc"]) if "acc" in op.attributes
                       else None)
                bias = ins[2] if len(ins) > 2 else None
                env[op.results[0]] = linear(ins[0], ins[1], bias, fmt, acc=acc)
            elif name == "mx.relu":
                x = dequantize(ins[0])
                env[op.results[0]] = quantize(np.maximum(x, np.float32(0)), fmt,
                                              axis=res_t.axis)
            else:
                raise ValueError(f"golden model: op {name} is not supported")
    raise ValueError(f"function @{func} has no return")


def interpreter(model_text: str, func: str, args: list[MXTensor | None]) -> tuple[str, list | None]:
    """Run the reference interpreter: (note, results or None when it failed)."""
    from .. import interp

    try:
        out = interp.run(model_text, list(args), func_name=func)
    except Exception as err:  # noqa: BLE001 - reported as a mismatch by the caller
        return f"failed: {type(err).__name__}: {err}", None
    return "compared", list(out)
