"""Conversion of torch-dialect IR (torch-mlir) to the ``mx`` dialect."""

from .converter import Converter, default_handlers
from .core import Handler, Handlers, OpContext, Unsupported
from .elementwise import populate_elementwise_handlers
from .nn import populate_nn_handlers
from .shape import populate_shape_handlers


def supported_packets() -> frozenset[str]:
    """The aten op packets the default converters handle."""
    return frozenset(default_handlers())


__all__ = [
    "Converter",
    "Handler",
    "Handlers",
    "OpContext",
    "Unsupported",
    "default_handlers",
    "populate_elementwise_handlers",
    "populate_nn_handlers",
    "populate_shape_handlers",
    "supported_packets",
]
