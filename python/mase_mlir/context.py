"""The project's MLIR context: every dialect the IR uses, and parsing into it."""

from __future__ import annotations

from typing import Any

from . import ir


def new_context() -> ir.Context:
    """A ``mase_mlir.ir.Context``: the mx dialect, the upstream dialects it lowers through and
    the project's passes are registered in every context the package creates."""
    return ir.Context()


def parse_module(text: str, context: Any = None) -> ir.Module:
    """Parse MLIR text into ``context`` (a new context when None)."""
    return ir.Module.parse(text, context or new_context())
