"""The mxhw dialect: dataflow hardware units and the block stream type."""

from __future__ import annotations

from .._mlir_libs._maseDialects.mxhw import *  # noqa: F403
from ._mxhw_ops_gen import *  # noqa: F403
