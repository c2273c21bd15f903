"""Hardware unit generators, one per ``mxhw`` op.

Each family module (``linear``, ``elementwise``, ...) has a ``populate(registry)``
that registers its builders; :func:`builders` collects them explicitly, so that
the set of units is what this module lists (as torch-mlir registers converters).
A builder takes an :class:`~.base.OpView` (the op's operand and result types,
formats and attributes, read through the bindings) and the design's shared
:class:`~.common.SubModules`, and returns a :class:`~.base.Unit`.
"""

from __future__ import annotations

from collections.abc import Callable

from . import elementwise, linear, matmul, rows, softmax, view
from .base import OpView, Unit
from .common import SubModules

__all__ = ["Builder", "builders"]

Builder = Callable[[OpView, SubModules], Unit]


def builders() -> dict[str, Builder]:
    """Every unit builder, by the ``mxhw`` op name it implements."""
    registry: dict[str, Builder] = {}
    for family in (linear, elementwise, matmul, view, rows, softmax):
        family.populate(registry)
    return registry
