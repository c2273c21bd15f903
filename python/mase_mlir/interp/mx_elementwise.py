"""MX semantics of the elementwise ops: ``mase_mlir.numerics.elementwise``.

``add``/``sub``/``mul`` with at least one MX operand (the other MX or a float array,
e.g. an f32 scalar constant, taken at its exact value), ``neg``, ``cast`` and the
activations (gelu, silu, tanh, sigmoid) of MX operands: exact (or fixed point inside
the tables' range), then one rounding into the result type. Registered into
``mx_values.MX_SEMANTICS``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..numerics import MXTensor, elementwise
from .program import Step

__all__ = ["SEMANTICS"]


def _is_mx(value: Any) -> bool:
    return isinstance(value, MXTensor)


def _real(value: Any) -> bool:
    return _is_mx(value) or (isinstance(value, np.ndarray | np.generic)
                             and np.asarray(value).dtype.kind == "f")


def _binary(name: str) -> Callable[[Step, list[Any]], Any]:
    def run(step: Step, args: list[Any]) -> Any:
        a, b = args
        if not (_is_mx(a) or _is_mx(b)) or not (_real(a) and _real(b)):
            return None
        return getattr(elementwise, name)(a, b, step.type.mx_format, axis=step.type.mx_axis)
    return run


def _neg(step: Step, args: list[Any]) -> Any:
    if not _is_mx(args[0]):
        return None
    return elementwise.neg(args[0], step.type.mx_format, axis=step.type.mx_axis)


def _cast(step: Step, args: list[Any]) -> Any:
    if not _is_mx(args[0]):
        return None
    return elementwise.cast(args[0], step.type.mx_format, axis=step.type.mx_axis,
                            rounding=step.attrs.get("rounding", "even"))


def _activation(step: Step, args: list[Any]) -> Any:
    if not _is_mx(args[0]):
        return None
    name = elementwise.activation_of(step.kind, step.attrs.get("approximate"))
    return elementwise.activation(name, args[0], step.type.mx_format, axis=step.type.mx_axis)


SEMANTICS: dict[str, Callable[[Step, list[Any]], Any]] = {
    "mx.add": _binary("add"),
    "mx.sub": _binary("sub"),
    "mx.mul": _binary("mul"),
    "mx.neg": _neg,
    "mx.cast": _cast,
    "mx.gelu": _activation,
    "mx.silu": _activation,
    "mx.tanh": _activation,
    "mx.sigmoid": _activation,
}
