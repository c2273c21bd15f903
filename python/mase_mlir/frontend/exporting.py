"""Capture a ``torch.nn.Module`` with ``torch.export`` at the aten level.

High-level aten ops that the converter understands are kept intact; every other op is
decomposed with PyTorch's default (core aten) decomposition table, so that unknown
composite ops have a chance to become supported ones.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch.export import ExportedProgram

from .errors import ExportError


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


def export_model(
    model: torch.nn.Module, example_inputs: tuple, keep: Iterable[str]
) -> ExportedProgram:
    """``torch.export`` the model in eval mode and decompose what is not in ``keep``."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            program = torch.export.export(model, tuple(example_inputs), strict=False)
            return program.run_decompositions(decomposition_table(keep))
    except Exception as exc:  # torch.export raises many unrelated exception types
        raise ExportError(
            f"torch.export could not capture {type(model).__name__}: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}\n"
            "Hint: models must return tensors (or tuples/dicts/dataclasses of tensors); "
            "disable caches such as `use_cache=True` that return custom objects."
        ) from exc
    finally:
        model.train(was_training)
