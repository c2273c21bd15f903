"""Float ``mx`` IR + a precision config -> the MX-typed function the hardware lowers.

``mase compile model.mlir --config cfg.json``: when the config holds a precision
configuration (``default`` / ``ops``, see docs/rewrites.md), it is applied with
:func:`mase_mlir.passes.assign_precision`, then the function boundary is made
MX-typed: a float argument used only by ``mx.quantize`` ops of one result type
becomes an argument of that MX type (the host quantizes inputs and weights; the
memories hold MX blocks), and a result produced by ``mx.dequantize`` returns the
MX value (the output memory holds MX blocks). Anything else stays as it is (and the
hardware lowering reports what it cannot lower).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PRECISION_KEYS = frozenset({"default", "ops"})


def split_config(config: Mapping[str, Any], backend_keys: set[str]) -> tuple[dict, dict]:
    """(precision config, backend options) of a ``--config`` object; unknown keys are errors.

    A ``hardware`` sub-object may hold the backend options too.
    """
    precision, backend = {}, {}
    for key, val in config.items():
        if key in PRECISION_KEYS:
            precision[key] = val
        elif key == "hardware" and isinstance(val, Mapping):
            backend.update(val)
        elif key in backend_keys:
            backend[key] = val
        else:
            known = sorted(PRECISION_KEYS | backend_keys | {"hardware"})
            raise ValueError(f"unknown config key {key!r} (known: {', '.join(known)})")
    for key in backend:
        if key not in backend_keys:
            raise ValueError(f"unknown hardware option {key!r}")
    return precision, backend


def apply_precision(model_text: str, precision: Mapping[str, Any]) -> str:
    """``model_text`` with ``precision`` assigned and an MX-typed boundary (new text)."""
    from .. import ir, passes
    from ..context import parse_module

    module = parse_module(model_text)
    passes.assign_precision(module, dict(precision))
    with module.context:
        for fop in module.body.operations:
            if fop.operation.name == "func.func":
                _mx_boundary(fop, ir)
    return str(module)


def _op(x: Any) -> Any:
    return x.operation if hasattr(x, "operation") else x


def _mx_boundary(fop: Any, ir: Any) -> None:
    block = fop.regions[0].blocks[0]
    for arg in block.arguments:
        users = [_op(u.owner) for u in arg.uses]
        if not users or any(u.name != "mx.quantize" for u in users):
            continue
        types = {str(u.results[0].type) for u in users}
        if len(types) != 1:
            continue
        arg.set_type(users[0].results[0].type)
        for u in users:
            u.results[0].replace_all_uses_with(arg)
            u.erase()
    ret = _op(block.operations[len(block.operations) - 1])
    for i, val in enumerate(list(ret.operands)):
        owner = val.owner
        if isinstance(owner, ir.Block):
            continue
        owner = _op(owner)
        if owner.name == "mx.dequantize":
            ret.operands[i] = owner.operands[0]
            if not list(owner.results[0].uses):
                owner.erase()
    fop.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(
        [a.type for a in block.arguments], [v.type for v in ret.operands]))
