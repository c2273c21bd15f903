"""Execute a :class:`~.program.Program` on numpy inputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InterpreterError, UnknownOpError
from .kernels import KERNELS
from .mx_values import is_mx, run_mx_step
from .program import Program, Step

MX_ONLY_OPS = frozenset({"mx.quantize", "mx.dequantize", "mx.cast"})


def check_kernels(program: Program) -> None:
    unknown = sorted(
        {s.kind for s in program.steps if s.kind not in KERNELS and s.kind not in MX_ONLY_OPS})
    if unknown:
        names = ", ".join(unknown)
        raise UnknownOpError(f"the interpreter has no implementation of: {names}")


def _check_inputs(program: Program, inputs: list[np.ndarray]) -> list[np.ndarray]:
    if len(inputs) != len(program.inputs):
        raise InterpreterError(
            f"expected {len(program.inputs)} inputs, got {len(inputs)}")
    out = []
    for index, (array, vtype) in enumerate(zip(inputs, program.input_types, strict=True)):
        array = np.asarray(array)
        if tuple(array.shape) != vtype.shape:
            raise InterpreterError(
                f"input {index}: expected shape {vtype.shape}, got {tuple(array.shape)}")
        out.append(array.astype(vtype.dtype, copy=False))
    return out


def execute(program: Program, inputs: list[np.ndarray]) -> list[np.ndarray]:
    check_kernels(program)
    env: dict[int, Any] = dict(program.constants)
    env.update(zip(program.inputs, _check_inputs(program, inputs), strict=True))
    step: Step
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        for step in program.steps:
            args = [env[s] for s in step.operands]
            try:
                if step.type.mx_format or step.kind in MX_ONLY_OPS or any(map(is_mx, args)):
                    result = run_mx_step(step, args)
                else:
                    result = KERNELS[step.kind](args, step.attrs, step.type.shape, step.type.dtype)
            except Exception as exc:
                name = step.attrs.get("name", "")
                raise InterpreterError(f"{step.kind} ({name}) failed: {exc}") from exc
            env[step.result] = result
            for slot in step.free_after:
                del env[slot]
    return [env[s] if is_mx(env[s]) else np.ascontiguousarray(env[s]) for s in program.outputs]
