"""Execute a :class:`~.program.Program` on numpy inputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..numerics import Format
from .errors import InterpreterError, UnknownOpError
from .kernels import KERNELS
from .mx_values import is_mx, run_mx_step
from .program import Loop, Probe, Program, Step, ValueType

#: Per callee, the (arguments, results) of each time an inlined call ran.
Trace = dict[str, list[tuple[list[Any], list[Any]]]]

MX_ONLY_OPS = frozenset({"mx.quantize", "mx.dequantize", "mx.cast"})


def _kinds(steps: list[Step | Loop | Probe]) -> set[str]:
    kinds: set[str] = set()
    for step in steps:
        if isinstance(step, Loop):
            kinds |= _kinds(step.body)
        elif isinstance(step, Step):
            kinds.add(step.kind)
    return kinds


def check_kernels(program: Program) -> None:
    unknown = sorted(k for k in _kinds(program.steps) if k not in KERNELS and k not in MX_ONLY_OPS)
    if unknown:
        names = ", ".join(unknown)
        raise UnknownOpError(f"the interpreter has no implementation of: {names}")


def _check_mx_input(index: int, value: Any, vtype: ValueType) -> Any:
    """An ``MXTensor`` argument: its format, shape and blocked axis must match the type."""
    if vtype.mx_format is None:
        raise InterpreterError(f"input {index}: an MX tensor ({value.fmt}) for a non-MX argument")
    if value.fmt != Format.parse(vtype.mx_format):
        raise InterpreterError(
            f"input {index}: expected format {vtype.mx_format}, got {value.fmt}")
    if tuple(value.shape) != vtype.shape:
        raise InterpreterError(
            f"input {index}: expected shape {vtype.shape}, got {tuple(value.shape)}")
    if value.axis != vtype.mx_axis:
        raise InterpreterError(
            f"input {index}: expected blocks along axis {vtype.mx_axis}, got axis {value.axis}")
    return value


def _check_array(index: int, array: np.ndarray, vtype: ValueType) -> None:
    """The array must convert to the argument's element type without changing a value:
    real numbers for float arguments, integers for integer arguments (no truncation of
    floats), booleans (or integers 0 and 1) for i1 arguments."""
    kind, target = array.dtype.kind, vtype.dtype.kind
    if kind not in "biuf":
        raise InterpreterError(f"input {index}: expected real numbers, got dtype {array.dtype}")
    if target in "iu" and kind not in "biu":
        raise InterpreterError(
            f"input {index}: the argument holds integers, got dtype {array.dtype} (convert "
            "the values with .astype(np.int64) if they are whole numbers)")
    if target == "b" and kind != "b" and not (kind in "iu" and np.isin(array, (0, 1)).all()):
        raise InterpreterError(f"input {index}: the argument holds booleans, got dtype "
                               f"{array.dtype} with values other than 0 and 1")


def _check_inputs(program: Program, inputs: list[Any]) -> list[Any]:
    """Inputs as the program's argument types: arrays (converted to the element type when no
    value changes), and for ``!mx.tensor`` arguments an ``MXTensor`` of the same
    format/shape/axis (used as is: codes and scales exact). A float array for an
    ``!mx.tensor`` argument is an error: its values are not in the format, and quantizing
    them is a decision (format, axis, rounding) the caller makes with ``numerics.quantize``."""
    if len(inputs) != len(program.inputs):
        raise InterpreterError(
            f"expected {len(program.inputs)} inputs, got {len(inputs)}")
    out: list[Any] = []
    for index, (array, vtype) in enumerate(zip(inputs, program.input_types, strict=True)):
        if is_mx(array):
            out.append(_check_mx_input(index, array, vtype))
            continue
        if vtype.mx_format is not None:
            raise InterpreterError(
                f"input {index}: the argument is an MX tensor ({vtype.mx_format}, blocked "
                f"along axis {vtype.mx_axis}); pass a numerics.MXTensor, e.g. "
                f"numerics.quantize(x, \"{vtype.mx_format}\", axis={vtype.mx_axis})")
        array = np.asarray(array)
        _check_array(index, array, vtype)
        if tuple(array.shape) != vtype.shape:
            raise InterpreterError(
                f"input {index}: expected shape {vtype.shape}, got {tuple(array.shape)}")
        out.append(array.astype(vtype.dtype, copy=False))
    return out


Observer = Callable[[Step, list[Any]], None]


def execute(program: Program, inputs: list[np.ndarray],
            calls: dict[str, tuple[list[Any], list[Any]]] | None = None, *,
            trace: Trace | None = None, observe: Observer | None = None) -> list[np.ndarray]:
    """Run ``program``; with ``calls`` (a dict to fill), also record the arguments and
    results of every inlined call's last run, by callee name; with ``trace``, of every
    run; ``observe(step, operands)``, when given, sees every step's operand values before
    it runs (e.g. to measure ranges for fixed-point calibration)."""
    check_kernels(program)
    env: dict[int, Any] = dict(program.constants)
    env.update(zip(program.inputs, _check_inputs(program, inputs), strict=True))
    runs: Trace = {} if trace is None else trace
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        _run_steps(program.steps, env, runs, observe)
    if calls is not None:
        for callee, recorded in runs.items():
            calls[callee] = recorded[-1]
    return [env[s] if is_mx(env[s]) else np.ascontiguousarray(env[s]) for s in program.outputs]


def _run_steps(steps: list[Step | Loop | Probe], env: dict[int, Any], trace: Trace,
               observe: Observer | None) -> None:
    for step in steps:
        if isinstance(step, Loop):
            _run_loop(step, env, trace, observe)
        elif isinstance(step, Probe):
            trace.setdefault(step.callee, []).append(
                ([env[s] for s in step.args], [env[s] for s in step.results]))
        else:
            args = [env[s] for s in step.operands]
            if observe is not None:
                observe(step, args)
            env[step.result] = _run_step(step, args)
        for slot in step.free_after:
            del env[slot]


def _run_step(step: Step, args: list[Any]) -> Any:
    try:
        if step.type.mx_format or step.kind in MX_ONLY_OPS or any(map(is_mx, args)):
            return run_mx_step(step, args)
        return KERNELS[step.kind](args, step.attrs, step.type.shape, step.type.dtype)
    except Exception as exc:
        name = step.attrs.get("name", "")
        raise InterpreterError(f"{step.kind} ({name}) failed: {exc}") from exc


def _run_loop(loop: Loop, env: dict[int, Any], trace: Trace,
              observe: Observer | None) -> None:
    """``scf.for``: the body once per counter value, carried values passed along."""
    lower, upper, stride = (_index(env[s]) for s in loop.operands[:3])
    if stride <= 0:
        raise InterpreterError(f"scf.for: step must be positive, got {stride}")
    carried = [env[s] for s in loop.operands[3:]]
    for counter in range(lower, upper, stride):
        env[loop.induction] = counter
        env.update(zip(loop.carried, carried, strict=True))
        _run_steps(loop.body, env, trace, observe)
        carried = [env[s] for s in loop.yields]
    env.update(zip(loop.results, carried, strict=True))
    for slot in (loop.induction, *loop.carried, *loop.body_locals):
        env.pop(slot, None)


def _index(value: Any) -> int:
    array = np.asarray(value)
    if array.ndim != 0 or not np.issubdtype(array.dtype, np.integer):
        raise InterpreterError(f"scf.for: bounds must be index scalars, got {value!r}")
    return int(array)
