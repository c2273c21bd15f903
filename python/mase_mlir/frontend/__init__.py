"""PyTorch frontend: import a ``torch.nn.Module`` into the ``mx`` dialect.

>>> module = import_model(model, (input_ids,))         # mase_mlir.ir.Module
>>> text = import_to_text(model, (input_ids,))         # the same module as MLIR text
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import ExportError, FrontendError, UnsupportedOp, UnsupportedOpError
from .pipeline import Progress, import_to_text

if TYPE_CHECKING:
    import torch


def import_model(
    model: torch.nn.Module,
    example_inputs: tuple,
    *,
    context: Any = None,
    progress: Progress | None = None,
) -> Any:
    """Import ``model`` into a ``mase_mlir.ir.Module`` (parsed in the project's context).

    Weights become constants; the function ``@forward`` returns the flattened outputs of
    ``torch.export`` in order. Raises :class:`UnsupportedOpError` listing every unsupported
    op with its PyTorch source location.
    """
    from .parsing import parse_module

    text = import_to_text(model, example_inputs, progress=progress)
    return parse_module(text, context)


__all__ = [
    "ExportError",
    "FrontendError",
    "UnsupportedOp",
    "UnsupportedOpError",
    "import_model",
    "import_to_text",
]
