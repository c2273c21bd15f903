"""Dispatch to the optional compiled kernel ``mase_mlir.numerics._fast``.

Every function returns None when the extension is absent or does not handle
the case; callers then use the numpy definition.  Set the environment variable
``MASE_NUMERICS_NO_FAST=1`` to force the numpy path.
"""

from __future__ import annotations

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
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1 :], dtype=np.int64))
    return outer, shape[axis], inner


def quantize(
    x: np.ndarray, fmt: Format, axis: int, rounding: str
) -> tuple[np.ndarray, np.ndarray] | None:
    mod = fast_module()
    if mod is None or x.size == 0:
        return None
    x = np.ascontiguousarray(x, dtype=np.float32)
    outer, n, inner = _outer_inner(x.shape, axis)
    sshape = list(x.shape)
    sshape[axis] //= fmt.block_size
    scales = np.empty(sshape, dtype=np.uint8)
    codes = np.empty(x.shape, dtype=fmt.element_dtype)
    mod.quantize(
        x.reshape(-1),
        scales.reshape(-1),
        codes.reshape(-1),
        outer,
        n,
        inner,
        *_params(fmt),
        rounding == "even",
    )
    return scales, codes


def dequantize(q: MXTensor) -> np.ndarray | None:
    mod = fast_module()
    if mod is None or q.codes.size == 0:
        return None
    fmt = q.fmt
    outer, n, inner = _outer_inner(q.codes.shape, q.axis)
    codes = np.ascontiguousarray(q.codes)
    scales = np.ascontiguousarray(q.scales)
    out = np.empty(q.codes.shape, dtype=np.float32)
    mod.dequantize(
        scales.reshape(-1), codes.reshape(-1), out.reshape(-1), outer, n, inner, *_params(fmt)
    )
    return out


def _params(fmt: Format) -> tuple[int, ...]:
    """(is_int, element_bits, mbits, emin, emax_elem, max_code, scale_bits, block_size, ebits)."""
    ebits = 0 if fmt.is_int else fmt.float_element.ebits
    specials = 0
    if not fmt.is_int:
        specials = {"finite": 0, "fn": 1, "ieee": 2}[fmt.float_element.specials]
    return (
        int(fmt.is_int),
        fmt.element_bits,
        fmt.mbits,
        fmt.emin,
        fmt.emax_elem,
        fmt.max_code,
        fmt.scale_bits,
        fmt.block_size,
        ebits,
        specials,
    )
