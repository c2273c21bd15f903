"""Which ops a precision config formats and the role of each operand, as the dialect declares
them (``QuantizableOpInterface``, the ``OperandRole`` enum)."""

from __future__ import annotations

from typing import Any

from ..dialects import mx

#: The roles a precision config formats: input, weight, bias, output.
ROLES = tuple(str(role) for role in mx.OperandRole)


def is_compute(op: Any) -> bool:
    """A compute op: its operands and result take MX formats."""
    return mx.is_quantizable(op)


def operand_roles(op: Any) -> list[str]:
    """The role of each operand of a compute op ("" for operands never quantized)."""
    return ["" if role is None else str(role) for role in mx.operand_roles(op)]
