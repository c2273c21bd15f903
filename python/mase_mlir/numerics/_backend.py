"""Dispatch to the optional compiled kernel ``mase_mlir.numerics._fast``.

Every function returns None when the extension is absent or does not handle
the case; callers then use the numpy definition.  Set the environment variable
``MASE_NUMERICS_NO_FAST=1`` to force the numpy path.  On CPUs with AVX2 the
compiled quantize runs an AVX2 copy of the kernel (``_fast.isa``);
``MASE_NUMERICS_NO_AVX2=1`` (read at import) forces the portable one.
"""

from __future__ import annotations

import math
import os
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .formats import Format
    from .quantize import MXTensor

try:  # pragma: no cover - depends on the build
    from . import _fast as _fast_module
except ImportError:  # pragma: no cover
    _fast_module = None


def fast_module() -> ModuleType | None:
    """The compiled kernel module, or None if absent or disabled."""
    if os.environ.get("MASE_NUMERICS_NO_FAST"):
        return None
    return _fast_module


def _outer_inner(shape: tuple[int, ...], axis: int) -> tuple[int, int, int]:
    # math.prod on Python ints: np.prod costs microseconds per call.
    return math.prod(shape[:axis]), shape[axis], math.prod(shape[axis + 1 :])


def quantize(
    x: np.ndarray, fmt: Format, axis: int, rounding: str
) -> tuple[np.ndarray, np.ndarray] | None:
    mod = fast_module()
    if mod is None or x.size == 0:
        return None
    x = np.ascontiguousarray(x, dtype=np.float32)  # no copy in the usual case
    shape = x.shape
    outer, n, inner = _outer_inner(shape, axis)
    scales = np.empty(shape[:axis] + (n // fmt.block_size,) + shape[axis + 1 :], np.uint8)
    codes = np.empty(shape, fmt.element_dtype)
    mod.quantize(
        x.reshape(-1),
        scales.reshape(-1),
        codes.reshape(-1),
        outer,
        n,
        inner,
        fmt.kernel_params,
        rounding == "even",
    )
    return scales, codes


def dequantize(q: MXTensor) -> np.ndarray | None:
    mod = fast_module()
    if mod is None or q.codes.size == 0:
        return None
    shape = q.codes.shape
    outer, n, inner = _outer_inner(shape, q.axis)
    out = np.empty(shape, np.float32)
    mod.dequantize(
        np.ascontiguousarray(q.scales).reshape(-1),
        np.ascontiguousarray(q.codes).reshape(-1),
        out.reshape(-1),
        outer,
        n,
        inner,
        q.fmt.kernel_params,
    )
    return out
