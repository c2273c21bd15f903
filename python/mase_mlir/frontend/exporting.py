"""Capture a ``torch.nn.Module`` with ``torch.export`` at the aten level.

High-level aten ops that the converter understands are kept intact; every other op is
decomposed with PyTorch's default (core aten) decomposition table, so that unknown
composite ops have a chance to become supported ones.

The user's model is left exactly as it was found: export runs in eval mode and every
submodule's own training flag is restored afterwards (``model.train(was_training)`` would
switch eval-mode children of a training-mode wrapper to training); parameters, buffers and
attributes are only read.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sysconfig
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path

import torch
from torch.export import ExportedProgram
from torch.utils import _pytree as pytree

from .errors import ExportError, FrontendError


def decomposition_table(keep: Iterable[str]) -> dict:
    """The default export decomposition table without the op packets named in ``keep``.

    ``keep`` holds aten packet names without namespace (``"linear"``, ``"softmax"``...).
    """
    keep_set = set(keep)
    table = torch.export.default_decompositions()
    for op in list(table.keys()):
        packet = getattr(op, "_overloadpacket", None)
        if packet is None:
            continue
        namespace, _, name = packet._qualified_op_name.partition("::")
        if namespace == "aten" and name in keep_set:
            del table[op]
    return table


def check_model(model: object, example_inputs: tuple) -> None:
    """The model must be a ``torch.nn.Module`` computing in float32 (the ``mx`` dialect's
    float type): a float16/bfloat16/float64 model is an error, never silently converted."""
    if not isinstance(model, torch.nn.Module):
        raise FrontendError(f"the model must be a torch.nn.Module, got {type(model).__name__}")
    named = [*model.named_parameters(), *model.named_buffers()]
    named += [(f"example input {i}", t) for i, t in enumerate(pytree.tree_leaves(example_inputs))
              if isinstance(t, torch.Tensor)]
    other = [(name, t.dtype) for name, t in named
             if t.is_floating_point() and t.dtype != torch.float32]
    if other:
        name, dtype = other[0]
        raise FrontendError(
            f"mase imports float32 models, but {len(other)} tensor(s) of the model are not "
            f"float32 (e.g. {name}: {dtype}); import a float32 copy, "
            "copy.deepcopy(model).float(), with float32 example inputs")


@contextlib.contextmanager
def _eval_mode(model: torch.nn.Module) -> Iterator[None]:
    """Eval mode for the export; afterwards every submodule gets back its own flag."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for module, training in modes:
            module.training = training


@contextlib.contextmanager
def _quiet_torch() -> Iterator[None]:
    """torch.export logs its internal state and prints partial graphs to stderr when it
    fails; the error raised here says what went wrong instead."""
    previous = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        logging.disable(previous)


_LIBRARIES = tuple(str(Path(p).resolve()) for p in
                   {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
_OWN = str(Path(__file__).resolve().parents[1])


def _user_frame(exc: BaseException) -> str:
    """``file:line`` of the innermost frame of the failure in the user's own code."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = str(Path(frame.filename).resolve())
        if not path.startswith(_LIBRARIES) and not path.startswith(_OWN) and \
                not frame.filename.startswith("<"):
            return f" (at {frame.filename}:{frame.lineno})"
    return ""


def _hint(exc: BaseException) -> str:
    """What the failure usually means, only where that is known."""
    from torch.fx.experimental.symbolic_shapes import GuardOnDataDependentSymNode

    message = str(exc)
    if "in output, which is not a known type" in message or \
            "in input, which is not a known type" in message:
        return ("\nHint: models must return tensors (or tuples/dicts/dataclasses of tensors); "
                "disable caches such as `use_cache=True` that return custom objects.")
    if isinstance(exc, GuardOnDataDependentSymNode) or "data-dependent" in message:
        return ("\nHint: the model's control flow or shapes depend on the values of its "
                "inputs, which one exported graph cannot capture.")
    return ""


def export_model(
    model: torch.nn.Module, example_inputs: tuple, keep: Iterable[str]
) -> ExportedProgram:
    """``torch.export`` the model in eval mode and decompose what is not in ``keep``."""
    check_model(model, example_inputs)
    try:
        with _eval_mode(model), torch.no_grad(), _quiet_torch():
            program = torch.export.export(model, tuple(example_inputs), strict=False)
            return program.run_decompositions(decomposition_table(keep))
    except Exception as exc:  # torch.export raises many unrelated exception types
        lines = str(exc).strip().splitlines()
        raise ExportError(
            f"torch.export could not capture {type(model).__name__}: "
            f"{type(exc).__name__}: {lines[0] if lines else ''}{_user_frame(exc)}{_hint(exc)}"
        ) from exc
