"""Per-tensor calibration of the fixed-point baseline: ``fixedW`` -> ``fixed<W,F>``.

A precision config may say ``fixed8`` (any ``fixedW``, 2 <= W <= 16) for a role: 8-bit
integers with one static scale per tensor. This module picks F per op and role, the
standard static ("max") calibration:

* the range of an operand is its largest magnitude: weights from their values, activations
  from an FP32 run of the model on calibration inputs;
* an op's operands of one role share one format, so their largest range counts;
* F is the largest number of fraction bits that represents that range:
  ``max |x| <= (2^(W-1) - 1) * 2^-F``, clipped to -64..64 (F = W-2 for an all-zero range).

The result is a concrete precision config (``fixed<W,F>`` per op and role) that
``mx-assign-precision`` applies like any other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from . import interp, passes
from .dialects import mx
from .interp.mx_values import to_float
from .report import build_report

__all__ = ["fixed_format", "is_symbolic", "measure_ranges", "resolve_assignment",
           "resolve_config", "symbolic_width"]

_SYMBOLIC = re.compile(r"^fixed(\d+)$")
_MAX_F = 64
_SENTINEL_F = -_MAX_F  # marks the op-roles a symbolic entry reaches (see resolve_config)


def symbolic_width(spelling: Any) -> int | None:
    """W of a symbolic ``fixedW`` (None for anything else); ValueError for a bad W."""
    match = _SYMBOLIC.match(spelling.strip()) if isinstance(spelling, str) else None
    if match is None:
        return None
    width = int(match.group(1))
    if not 2 <= width <= 16:
        raise ValueError(f"{spelling!r}: fixed-point width must be in 2..16, got {width}")
    return width


def is_symbolic(config: Any) -> bool:
    """Whether a precision config (dict) names a ``fixedW`` anywhere."""
    if isinstance(config, dict):
        return any(is_symbolic(v) for v in config.values())
    return symbolic_width(config) is not None


def fixed_format(width: int, amax: float) -> str:
    """``fixed<W,F>`` with the most fraction bits that still represent ``amax``."""
    top = (1 << (width - 1)) - 1
    if not amax > 0 or not math.isfinite(amax):
        f = width - 2 if amax == 0 else -_MAX_F
    else:
        f = math.floor(math.log2(top / amax))
        while f > -_MAX_F and amax > math.ldexp(top, -f):  # exact checks around the log
            f -= 1
        while f < _MAX_F and amax <= math.ldexp(top, -(f + 1)):
            f += 1
    return f"fixed<{width},{max(-_MAX_F, min(_MAX_F, f))}>"


def _op_roles(module: Any) -> dict[str, list[str]]:
    """Op name -> the role of each operand (as the ops declare them)."""
    roles: dict[str, list[str]] = {}

    def walk(block: Any) -> None:
        for op in block.operations:
            for region in op.regions:
                for inner in region.blocks:
                    walk(inner)
            if mx.is_quantizable(op) and "name" in op.operation.attributes:
                name = str(op.operation.attributes["name"].value)
                roles[name] = ["" if r is None else str(r) for r in mx.operand_roles(op)]

    walk(module.body)
    return roles


def measure_ranges(module: Any, chunks: Iterable[list[np.ndarray]]) -> dict[tuple[str, str], float]:
    """(op name, role) -> the largest magnitude of its operands of that role, over an FP32
    run of ``module`` (a float module) on every chunk of inputs."""
    compute = mx.quantizable_ops(module.context)
    roles = _op_roles(module)
    ranges: dict[tuple[str, str], float] = {}

    def observe(step: Any, args: list[Any]) -> None:
        name = step.attrs.get("name")
        if name not in roles or step.kind not in compute:
            return
        for role, value in zip(roles[name], args, strict=False):
            array = np.asarray(to_float(value))
            if role and np.issubdtype(array.dtype, np.floating) and array.size:
                amax = float(np.max(np.abs(array)))
                key = (name, role)
                ranges[key] = max(ranges.get(key, 0.0), amax)

    program = interp.load(module)
    for chunk in chunks:
        interp.execute(program, chunk, observe=observe)
    return ranges


def resolve_assignment(assignment: dict[str, dict[str, str]],
                       ranges: dict[tuple[str, str], float]) -> dict[str, dict[str, str]]:
    """An op -> role -> format assignment with every ``fixedW`` made concrete."""
    out: dict[str, dict[str, str]] = {}
    for name, roles in assignment.items():
        out[name] = {}
        for role, spelling in roles.items():
            width = symbolic_width(spelling)
            out[name][role] = (spelling if width is None
                               else fixed_format(width, ranges.get((name, role), 0.0)))
    return out


def resolve_config(module: Any, config: dict, ranges: dict[tuple[str, str], float]) -> dict:
    """A concrete precision config for ``config`` on ``module`` (a float module).

    Which op-roles a ``fixedW`` reaches is decided by ``mx-assign-precision`` itself: the
    config is applied to a copy with each ``fixedW`` replaced by the sentinel
    ``fixed<W,-64>``, and the report says where it landed.
    """
    # search.space imports this module (symbolic_width): imported here, not at the top.
    from .search.space import config_of

    def sentinel(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: sentinel(v) for k, v in value.items()}
        width = symbolic_width(value)
        return value if width is None else f"fixed<{width},{_SENTINEL_F}>"

    probe = module.operation.clone()
    passes.assign_precision(probe, sentinel(config), diagnostics=[])
    assignment: dict[str, dict[str, str]] = {}
    for row in build_report(probe)["ops"]:
        if not row["name"]:
            continue  # unnamed ops take the config's default, which config_of keeps
        roles = assignment.setdefault(row["name"], {})
        for role in ("input", "weight", "bias", "output"):
            if row[role] is None:
                continue
            formats = [f for f in row[role].split("/") if f != "f32"] or ["f32"]
            spelled = formats[0]
            match = re.fullmatch(rf"fixed<(\d+),{_SENTINEL_F}>", spelled)
            roles[role] = f"fixed{match.group(1)}" if match else spelled
    return config_of(resolve_assignment(assignment, ranges))
