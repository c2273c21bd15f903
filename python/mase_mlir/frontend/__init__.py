"""PyTorch frontend: import a ``torch.nn.Module`` into the ``mx`` dialect.

>>> module = import_model(model, (input_ids,))         # mase_mlir.ir.Module
>>> text = import_to_text(model, (input_ids,))         # the same module as MLIR text
"""

from .errors import ExportError, FrontendError, UnsupportedOp, UnsupportedOpError
from .pipeline import Progress, import_model, import_to_text

__all__ = [
    "ExportError",
    "FrontendError",
    "Progress",
    "UnsupportedOp",
    "UnsupportedOpError",
    "import_model",
    "import_to_text",
]
