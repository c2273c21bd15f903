"""Conversion of torch-dialect IR (torch-mlir) to the ``mx`` dialect."""

from .core import Converter, supported_packets

__all__ = ["Converter", "supported_packets"]
