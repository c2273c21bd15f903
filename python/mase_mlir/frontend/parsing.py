"""Parse mx text into the project's own MLIR context (``mase_mlir.ir``)."""

from __future__ import annotations

from typing import Any


def new_context() -> Any:
    """A ``mase_mlir.ir.Context`` with the mx dialect and the upstream dialects loaded."""
    from .. import ir
    from ..dialects import mx

    context = ir.Context()
    register = getattr(mx, "register_dialect", None)
    if register is not None:
        register(context)
    return context


def parse_module(text: str, context: Any = None) -> Any:
    from .. import ir

    return ir.Module.parse(text, context or new_context())
