"""The mx dialect: generated op builders, the MX block type and format attribute."""

from ._mx_ops_gen import *  # noqa: F403
from .._mlir_libs._maseDialects.mx import *  # noqa: F403
