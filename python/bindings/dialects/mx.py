"""The mx dialect: generated op builders and enums, the MX block type and format attribute,
and the dialect's facts about ops (operand roles, quantizable ops) and attribute values."""

from __future__ import annotations

from typing import Any

import numpy as _np

from .._mlir_libs._maseDialects.mx import *  # noqa: F403
from .._mlir_libs._maseDialects.mx import (
    _attribute_spelling,
    _is_quantizable,
    _operand_roles,
    _quantizable_op_names,
    _uint16_elements,
)
from ..ir import DenseIntElementsAttr as _DenseIntElementsAttr
from ..ir import ShapedType as _ShapedType
from ._mx_enum_gen import *  # noqa: F403
from ._mx_enum_gen import OperandRole
from ._mx_ops_gen import *  # noqa: F403


def unsigned_codes(attr) -> _np.ndarray:
    """The scale or element codes of an ``mx.constant`` (its ``scales`` or
    ``codes`` attribute) as a uint16 numpy array of the attribute's shape."""
    dense = _DenseIntElementsAttr(attr)
    shape = _ShapedType(dense.type).shape
    return _np.frombuffer(_uint16_elements(dense), dtype="<u2").reshape(shape).copy()


def is_quantizable(op: Any) -> bool:
    """Whether ``op``'s operands and result take MX formats (QuantizableOpInterface)."""
    return _is_quantizable(op)


def operand_roles(op: Any) -> list[OperandRole | None]:
    """The role of each operand of a quantizable op (None: the operand is never quantized),
    as the op declares it in ODS. ``str(role)`` is the spelling configs use."""
    if not _is_quantizable(op):
        raise ValueError(f"{op.operation.name} is not a quantizable mx op")
    return [None if role < 0 else OperandRole(role) for role in _operand_roles(op)]


def quantizable_ops(context: Any = None) -> frozenset[str]:
    """The names of the mx ops whose operands take MX formats."""
    return frozenset(_quantizable_op_names(context))


def attribute_spelling(attr: Any) -> str | None:
    """The spelling of an mx attribute's value: an enum case (``"even"``, ``"lt"``,
    ``"tanh"``), a format (``"mxint8"``) or an accumulation (``"bounded<4>"``); None for
    any other attribute."""
    return _attribute_spelling(attr)
