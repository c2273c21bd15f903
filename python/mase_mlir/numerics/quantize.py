"""Quantization to and from MX formats (the readable numpy definition).

Semantics (OCP MX v1.0 section 6.3, extended to the MXInt<M,E,B> family):

1. ``e = floor(log2(amax))`` of each block, exact from the float bits.
2. ``s = clip(e - emax_elem, scale_min, scale_max)``; scale code ``s + bias``.
3. each element ``V / 2^s`` is rounded onto the element grid (subnormals
   included) with the chosen rounding, then saturated to the largest finite
   element, keeping the sign.

Special values (project decisions, see docs/numerics.md):

* a block holding any NaN or +/-Inf gets the NaN scale code (all ones) and
  element codes 0; it dequantizes to all NaN;
* an all-zero block gets the smallest scale (code 0) and zero codes;
* float elements keep the sign of zero (-0.0 and negative values that round to
  zero give the -0 code); MXInt has no -0 and gives code 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import _backend  # the optional compiled kernel (numpy when absent)
from .dyadic import bit_length, check_rounding, from_float, round_shift
from .formats import Format, whole_number

__all__ = [
    "MXTensor",
    "as_float32",
    "block_view",
    "decode_elements",
    "dequantize",
    "element_table",
    "encode_dyadic",
    "quantize",
    "quantize_dequantize",
    "real_array",
]

_NO_EXP = np.int64(-(1 << 40))  # exponent sentinel for zero magnitudes


def _code_array(values: object, bits: int, dtype: str, what: str, fmt: Format) -> np.ndarray:
    """Integer codes of ``bits`` bits as a ``dtype`` array; anything else raises."""
    a = np.asarray(values)
    if a.dtype.kind not in "ui":
        raise TypeError(f"{what} of {fmt} must be an integer array, got dtype {a.dtype}")
    if a.size and (a.dtype.kind == "i" or a.dtype.itemsize * 8 > bits):
        low, high = int(a.min()), int(a.max())
        if low < 0 or high >= 1 << bits:
            bad = low if low < 0 else high
            raise ValueError(f"{what} of {fmt} are {bits}-bit codes 0..{(1 << bits) - 1}, "
                             f"got {bad}")
    return a if a.dtype == dtype else a.astype(dtype)


@dataclass(frozen=True, eq=False)
class MXTensor:
    """A tensor in an MX format: element codes plus one scale code per block.

    ``codes`` has the logical shape; ``scales`` has the same shape with
    ``shape[axis]`` divided by the block size.  ``axis`` is non-negative.
    Construction checks every code: integer arrays whose values fit the format's element
    and scale widths (stored as ``fmt.element_dtype`` and uint8), so that every consumer
    (the numpy definition, the compiled kernel, block arithmetic) sees valid codes.
    """

    fmt: Format
    scales: np.ndarray
    codes: np.ndarray
    axis: int

    def __post_init__(self) -> None:
        if not isinstance(self.fmt, Format):
            raise TypeError(f"MXTensor format must be a Format, got {type(self.fmt).__name__}")
        axis = whole_number(self.axis, "MXTensor axis")
        codes = _code_array(self.codes, self.fmt.element_bits, self.fmt.element_dtype,
                            "element codes", self.fmt)
        scales = _code_array(self.scales, self.fmt.scale_bits, "uint8", "scale codes", self.fmt)
        object.__setattr__(self, "axis", axis)
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "scales", scales)
        nd = codes.ndim
        if not 0 <= axis < max(nd, 1):
            raise ValueError(f"axis {axis} out of range for a {nd}-d tensor")
        want = list(codes.shape)
        want[axis] //= self.fmt.block_size
        if codes.shape[axis] % self.fmt.block_size or list(scales.shape) != want:
            raise ValueError(
                f"scales shape {scales.shape} does not match codes shape "
                f"{codes.shape} blocked along axis {axis} with B={self.fmt.block_size}"
            )

    @classmethod
    def _encoded(cls, fmt: Format, scales: np.ndarray, codes: np.ndarray, axis: int) -> MXTensor:
        """A tensor this package encoded itself (codes valid by construction): no checks,
        which would cost as much as a fast quantization."""
        tensor = object.__new__(cls)
        for name, value in (("fmt", fmt), ("scales", scales), ("codes", codes), ("axis", axis)):
            object.__setattr__(tensor, name, value)
        return tensor

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.codes.shape)

    @property
    def ndim(self) -> int:
        return self.codes.ndim

    def dequantize(self) -> np.ndarray:
        return dequantize(self)

    def take(self, index: int) -> MXTensor:
        """Slice ``index`` of the leading axis (``mx.take``: one layer of stacked
        weights); the blocks are unchanged, so the leading axis cannot be the blocked one."""
        if self.axis == 0:
            raise ValueError("cannot take a slice of the blocked axis")
        if not 0 <= index < self.codes.shape[0]:
            raise IndexError(f"slice {index} of a tensor of {self.codes.shape[0]}")
        return MXTensor._encoded(self.fmt, self.scales[index], self.codes[index], self.axis - 1)

    def scale_exponents(self) -> np.ndarray:
        """Unbiased scale exponents s as int64 (NaN scale codes give 0; see :meth:`nan_blocks`)."""
        s = self.scales.astype(np.int64) - self.fmt.scale_bias
        return np.where(self.nan_blocks(), 0, s)

    def nan_blocks(self) -> np.ndarray:
        return self.scales.astype(np.int64) == self.fmt.scale_nan_code


def _normalize_axis(axis: int, ndim: int) -> int:
    axis = whole_number(axis, "axis")
    if ndim == 0:
        raise ValueError("cannot quantize a 0-d array: MX blocks need an axis")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of range for an array with {ndim} dimensions")
    return axis % ndim


def block_view(a: np.ndarray, axis: int, block: int) -> np.ndarray:
    """Move ``axis`` last and split it into ``(n_blocks, block)``."""
    moved = np.moveaxis(a, axis, -1)
    return moved.reshape(*moved.shape[:-1], moved.shape[-1] // block, block)


def _unblock(b: np.ndarray, axis: int) -> np.ndarray:
    flat = b.reshape(*b.shape[:-2], b.shape[-2] * b.shape[-1])
    return np.ascontiguousarray(np.moveaxis(flat, -1, axis))


def check_blocked_axis(shape: tuple[int, ...], axis: int, fmt: Format) -> int:
    """Normalize ``axis`` and check that B divides its length (ValueError otherwise)."""
    ax = _normalize_axis(axis, len(shape))
    n, b = shape[ax], fmt.block_size
    if n % b:
        raise ValueError(
            f"cannot quantize to {fmt}: axis {ax} has length {n}, "
            f"which is not a multiple of the block size B={b}"
        )
    return ax


def encode_dyadic(
    neg: np.ndarray,
    mag: np.ndarray,
    exp: np.ndarray,
    bad: np.ndarray,
    fmt: Format,
    rounding: str = "even",
) -> tuple[np.ndarray, np.ndarray]:
    """Quantize exact values ``(-1)^neg * mag * 2^exp`` given in blocks ``(..., n, B)``.

    ``bad`` marks NaN/Inf inputs.  Returns ``(scale_codes (..., n), codes (..., n, B))``.
    This is the single definition of MX rounding, used for float32 inputs and
    for the exact results of block arithmetic alike.
    """
    nz = mag != 0
    e = np.where(nz, bit_length(mag) - 1 + exp, _NO_EXP)  # floor(log2 |v|), exact
    e_blk = e.max(axis=-1)
    s = np.clip(e_blk - fmt.emax_elem, fmt.scale_min, fmt.scale_max)
    s = np.where(e_blk == _NO_EXP, fmt.scale_min, s)  # all-zero block
    bad_blk = bad.any(axis=-1)
    scales = np.where(bad_blk, fmt.scale_nan_code, s + fmt.scale_bias).astype(np.uint8)

    sb = s[..., None]
    ee = e - sb  # element exponent, in units of the scale
    eq = np.clip(ee, fmt.emin, fmt.emax_elem)  # binade of the element grid used
    shift = (eq - fmt.fraction_bits + sb) - exp  # quantum exponent minus the value's LSB exponent
    # shift < 0: the value is on the grid already (exact left shift), unless it is
    # so large that it saturates anyway.
    left = np.where(nz & (shift < 0), -shift, 0)
    huge = (ee > fmt.emax_elem) | ((left > 0) & (bit_length(mag) + left > 60))
    safe_mag = np.where(huge, 0, mag)
    q = round_shift(safe_mag << left, np.maximum(shift, 0), rounding)
    code_mag = ((eq - fmt.emin) << fmt.fraction_bits) + q
    code_mag = np.where(huge | (code_mag > fmt.max_code), fmt.max_code, code_mag)
    code_mag = np.asarray(code_mag, dtype=np.int64)

    nbits = fmt.element_bits
    if fmt.is_int:
        codes = np.where(neg, -code_mag, code_mag) & ((1 << nbits) - 1)
    else:
        codes = code_mag | (neg.astype(np.int64) << (nbits - 1))
    codes = np.where(bad_blk[..., None], 0, codes).astype(fmt.element_dtype)
    return scales, codes


def real_array(x: object, what: str = "input") -> np.ndarray:
    """``x`` as a numpy array of real numbers (bool, integer or floating dtype); complex
    numbers, strings, None and other objects raise TypeError instead of being converted."""
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold real numbers, got dtype {a.dtype}")
    return a


_F32_MAX = np.float32(np.finfo(np.float32).max)


def as_float32(x: object, what: str = "input") -> np.ndarray:
    """The float32 values :func:`quantize` works on: real numbers converted with round to
    nearest even, except that finite values beyond the float32 range saturate to +/-float32
    max (the conversion would make them infinite, and an infinite value makes a NaN block:
    the saturation rule of the format applies instead)."""
    a = real_array(x, what)
    if a.dtype == np.float32:
        return a
    with np.errstate(over="ignore"):
        out = a.astype(np.float32)
    if a.dtype.kind == "f" and a.dtype.itemsize > 4:
        over = np.isinf(out) & np.isfinite(a)
        if over.any():
            out = np.where(over, np.copysign(_F32_MAX, a).astype(np.float32), out)
    return out


def quantize(x: np.ndarray, fmt: Format | str, axis: int = -1, rounding: str = "even") -> MXTensor:
    """Quantize ``x`` to ``fmt``: float32 values, other real dtypes converted by
    :func:`as_float32` (finite values beyond float32 saturate); complex, string or object
    input raises TypeError.

    Blocks of ``fmt.block_size`` consecutive values run along ``axis``.
    ``rounding`` is ``"even"`` (round half to even, OCP default) or ``"nearest"``
    (round half away from zero).
    """
    fmt = Format.parse(fmt)
    check_rounding(rounding)
    x = as_float32(x)
    ax = check_blocked_axis(x.shape, axis, fmt)
    if fmt.is_fixed:
        x = _fixed_input(x, fmt)
    fast = _backend.quantize(x, fmt, ax, rounding)
    if fast is not None:
        scales, codes = fast
        return MXTensor._encoded(fmt, scales, codes, ax)
    return quantize_reference(x, fmt, ax, rounding)


def _fixed_input(x: np.ndarray, fmt: Format) -> np.ndarray:
    """A fixed-point format has no NaN (an error) and saturates infinities."""
    if np.isnan(x).any():
        raise ValueError(f"{fmt} cannot represent NaN (fixed point has no NaN code)")
    if np.isinf(x).any():
        big = np.finfo(np.float32).max
        x = np.clip(x, -big, big)
    return x


def quantize_reference(x: np.ndarray, fmt: Format, axis: int, rounding: str) -> MXTensor:
    """The numpy definition of :func:`quantize` (never uses the compiled kernel)."""
    x = as_float32(x)
    ax = check_blocked_axis(x.shape, axis, fmt)
    if fmt.is_fixed:
        x = _fixed_input(x, fmt)
    neg, mag, exp, bad = from_float(block_view(x, ax, fmt.block_size))
    scales, codes = encode_dyadic(neg, mag, exp, bad, fmt, rounding)
    return MXTensor._encoded(fmt, _unblock(scales[..., None], ax), _unblock(codes, ax), ax)


@lru_cache(maxsize=64)
def element_table(fmt: Format) -> np.ndarray:
    """Value of every element code (unscaled), float64, indexed by code."""
    n = 1 << fmt.element_bits
    codes = np.arange(n, dtype=np.int64)
    fbits = fmt.fraction_bits
    if fmt.is_int:
        signed = np.where(codes >= n // 2, codes - n, codes)
        return np.ldexp(signed.astype(np.float64), -fbits)
    ebits = fmt.exponent_bits
    sign = codes >> (ebits + fbits)
    ef = (codes >> fbits) & ((1 << ebits) - 1)
    mf = codes & ((1 << fbits) - 1)
    mant = np.where(ef == 0, mf, mf + (1 << fbits)).astype(np.float64)
    val = np.ldexp(mant, np.maximum(ef, 1) - fmt.element_bias - fbits)
    mag_code = codes & ((1 << (ebits + fbits)) - 1)
    specials = str(fmt.specials)
    if specials == "ieee":
        top = ef == (1 << ebits) - 1
        val = np.where(top & (mf == 0), np.inf, np.where(top, np.nan, val))
    elif specials == "fn":
        val = np.where(mag_code == (1 << (ebits + fbits)) - 1, np.nan, val)
    val = np.where(sign == 1, -val, val)
    val.setflags(write=False)
    return val


def decode_elements(q: MXTensor) -> np.ndarray:
    """Element values without the scale (float64, exact)."""
    return element_table(q.fmt)[q.codes]


def dequantize(q: MXTensor) -> np.ndarray:
    """Exact values ``element * 2^s`` as float32 (NaN for NaN-scale blocks).

    Dequantizing anything produced by :func:`quantize` of float32 data is exact;
    codes from elsewhere whose value exceeds float32 give +/-inf.
    """
    fast = _backend.dequantize(q)
    if fast is not None:
        return fast
    return dequantize_reference(q)


def dequantize_reference(q: MXTensor) -> np.ndarray:
    b = q.fmt.block_size
    elems = block_view(decode_elements(q), q.axis, b)
    scales = np.moveaxis(q.scales, q.axis, -1)[..., None]
    s = scales.astype(np.int64) - q.fmt.scale_bias
    vals = np.ldexp(elems, s)
    vals = np.where(scales == q.fmt.scale_nan_code, np.nan, vals)
    with np.errstate(over="ignore"):
        return _unblock(vals.astype(np.float32), q.axis)


def quantize_dequantize(
    x: np.ndarray, fmt: Format | str, axis: int = -1, rounding: str = "even"
) -> np.ndarray:
    """``dequantize(quantize(x, ...))``: the float32 values the format can hold."""
    return dequantize(quantize(x, fmt, axis, rounding))
