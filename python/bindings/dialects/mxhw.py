"""The mxhw dialect: dataflow hardware units and the block stream type."""

from __future__ import annotations

from .._mlir_libs._maseDialects.mxhw import *  # noqa: F403
from ._mxhw_ops_gen import *  # noqa: F403


def stream_table(op):
    """The element map of an ``mxhw.view`` or ``mxhw.reblock`` in the output's stream
    order: per output element its source, source block (in that source's stream),
    position in the block and negation, as numpy arrays."""
    import numpy as np

    from .._mlir_libs._maseDialects.mxhw import _stream_table

    source, block, position, negate = _stream_table(op)
    return (np.frombuffer(source, "<i4"), np.frombuffer(block, "<i8"),
            np.frombuffer(position, "<i4"), np.frombuffer(negate, np.uint8).astype(bool))
