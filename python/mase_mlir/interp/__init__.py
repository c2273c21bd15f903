"""Reference interpreter of the ``mx`` dialect on numpy.

``run(module, inputs)`` executes the ``@forward`` function (or the first function) of a
parsed ``mase_mlir.ir.Module``. Float ops compute in float32; ops on MX block tensors follow
:mod:`mase_mlir.numerics` exactly (see :mod:`.mx_values`). MX-typed outputs are returned as
``mase_mlir.numerics.MXTensor``; ``!mx.tensor`` arguments take an ``MXTensor`` of the
argument's format (codes and scales used exactly).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..context import parse_module
from .errors import InterpreterError, UnknownOpError
from .execute import check_kernels, execute
from .from_ir import from_module
from .program import Program


def load(module: Any, func_name: str | None = None, *,
         constants: dict | None = None) -> Program:
    """Compile a parsed module (or MLIR text) into an executable :class:`Program`.

    ``constants``, a dict the caller keeps, memoizes the decoded constants by their
    (uniqued) MLIR attributes: loading many variants of one module in the same context
    (the precision search) decodes each weight once per format. Its arrays are read-only.
    """
    if isinstance(module, str):
        module = parse_module(module)
    if isinstance(module, Program):
        return module
    program = from_module(module, func_name, constants)
    check_kernels(program)
    return program


def run(module: Any, inputs: list[np.ndarray], func_name: str | None = None) -> list[Any]:
    """Execute ``module`` on ``inputs`` and return its results in order (``func.call`` is
    inlined: a model split by ``mx-hw-outline`` runs as one)."""
    return execute(load(module, func_name), list(inputs))


def trace_call(module: Any, inputs: list[np.ndarray], callee: str,
               func_name: str | None = None) -> tuple[list[Any], list[Any], list[Any]]:
    """Run ``module`` and return (the arguments of its call to ``callee``, that call's
    results, the module's results): the values a part of the model sees when the whole
    model runs on ``inputs`` (e.g. the hardware part's real activations)."""
    runs, outputs = trace_calls(module, inputs, callee, func_name)
    args, results = runs[-1]
    return args, results, outputs


def trace_calls(module: Any, inputs: list[np.ndarray], callee: str,
                func_name: str | None = None) -> tuple[list[tuple[list, list]], list[Any]]:
    """Run ``module`` and return (the (arguments, results) of each of its calls to
    ``callee``, in order: a call in a loop runs once per iteration; the module's
    results)."""
    trace: dict[str, list[tuple[list[Any], list[Any]]]] = {}
    outputs = execute(load(module, func_name), list(inputs), trace=trace)
    if callee not in trace:
        raise InterpreterError(f"the module does not call @{callee}")
    return trace[callee], outputs


__all__ = ["InterpreterError", "Program", "UnknownOpError", "load", "run", "trace_call",
           "trace_calls"]
