"""The mx dialect: generated op builders, the MX block type and format attribute."""

import numpy as _np

from .._mlir_libs._maseDialects.mx import *  # noqa: F403
from .._mlir_libs._maseDialects.mx import _uint16_elements
from ._mx_ops_gen import *  # noqa: F403


def unsigned_codes(attr) -> _np.ndarray:
    """The scale or element codes of an ``mx.constant`` (its ``scales`` or
    ``codes`` attribute) as a uint16 numpy array of the attribute's shape."""
    from ..ir import DenseIntElementsAttr, ShapedType

    dense = DenseIntElementsAttr(attr)
    shape = ShapedType(dense.type).shape
    return _np.frombuffer(_uint16_elements(dense), dtype="<u2").reshape(shape).copy()
