"""The mx dialect: generated op builders and enums, the MX block type and format attribute."""

import numpy as _np

from .._mlir_libs._maseDialects.mx import *  # noqa: F403
from .._mlir_libs._maseDialects.mx import _uint16_elements
from ..ir import DenseIntElementsAttr as _DenseIntElementsAttr
from ..ir import ShapedType as _ShapedType
from ._mx_enum_gen import *  # noqa: F403
from ._mx_ops_gen import *  # noqa: F403


def unsigned_codes(attr) -> _np.ndarray:
    """The scale or element codes of an ``mx.constant`` (its ``scales`` or
    ``codes`` attribute) as a uint16 numpy array of the attribute's shape."""
    dense = _DenseIntElementsAttr(attr)
    shape = _ShapedType(dense.type).shape
    return _np.frombuffer(_uint16_elements(dense), dtype="<u2").reshape(shape).copy()
