"""The golden model of a hardware function: its mx ops evaluated with mase_mlir.numerics."""

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


def evaluate(model_text: str, func: str, args: list[MXTensor]) -> list[MXTensor]:
    """Results of ``@func`` on MX ``args``: mx.linear (exact block arithmetic, one
    rounding) and mx.relu (float relu of the exact values, re-quantized), as the
    interpreter defines them."""
    from .. import ir
    from ..dialects import mx

    with ir.Context():
        module = ir.Module.parse(model_text)
        f = _find(module, func)
        block = f.regions[0].blocks[0]
        env: dict[Any, MXTensor] = {}
        for a, v in zip(block.arguments, args, strict=True):
            env[a] = v
        results = None
        for op in block.operations:
            name = op.operation.name
            if name == "func.return":
                results = [env[v] for v in op.operands]
                break
            res_t = mx.TensorType(op.results[0].type)
            fmt = mx.FormatAttr(res_t.format).spelling
            ins = [env[v] for v in op.operands]
            if name == "mx.linear":
                if len(ins) != 2:
                    raise ValueError("golden model: mx.linear with a bias is not supported")
                env[op.results[0]] = linear(ins[0], ins[1], None, fmt)
            elif name == "mx.relu":
                x = dequantize(ins[0])
                env[op.results[0]] = quantize(np.maximum(x, np.float32(0)), fmt,
                                              axis=res_t.axis)
            else:
                raise ValueError(f"golden model: op {name} is not supported")
    assert results is not None
    return results


def interpreter(model_text: str, func: str, args: list[MXTensor]) -> tuple[str, list | None]:
    """Run the reference interpreter when it is available: (note, results or None)."""
    try:
        from .. import interp
    except ImportError as err:  # being written in parallel
        return f"unavailable ({err})", None
    try:
        out = interp.run(model_text, list(args), func_name=func)
    except Exception as err:  # noqa: BLE001 - reported, the numerics comparison still runs
        return f"failed: {type(err).__name__}: {err}", None
    return "compared", list(out)
