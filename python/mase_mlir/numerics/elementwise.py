"""Elementwise MX operators, defined exactly: the numbers the hardware units produce.

Every operand element is an exact dyadic number ``I * 2^t``: an MX element is its
element integer and ``t = s + lsb`` (:func:`~.blockmath.element_integers`), a real
scalar (an f32 constant) is its exact float value. Each operator computes an exact
(or, for the nonlinear functions, a fixed-point) result per element and rounds it
ONCE into the result format with :func:`~.quantize.encode_dyadic` (round half to
even unless ``rounding`` says otherwise, saturation, blocks along ``axis``):

* ``add``, ``sub``, ``mul``: the exact sum, difference or product (numpy
  broadcasting of the operands); ``neg``: ``-x``; ``cast``: ``x`` itself (a
  re-quantization into another format or block size).
* ``gelu`` (erf or tanh form), ``silu``, ``tanh``, ``sigmoid``: each element becomes
  a fixed-point number with ``frac`` fraction bits (its magnitude rounded half up:
  half away from zero), and :func:`~.fixedpoint.activation_fixed` gives the result
  with ``frac`` fraction bits. Beyond the table's range (``|x| >= 2^range_log2``
  after that rounding) the result is the function's asymptote, exactly: ``x`` itself
  or 0 (gelu, silu), ``+-1`` (tanh), 1 or 0 (sigmoid).

A NaN scale (or a non-finite element of a float format) in an operand gives a NaN
block where it lands. Errors against float64: docs/numerics.md.
"""

from __future__ import annotations

import numpy as np

from . import fixedpoint as fp
from .blockmath import element_integers
from .dyadic import bit_length, check_rounding, from_float
from .formats import Format
from .quantize import MXTensor, _unblock, block_view, check_blocked_axis, encode_dyadic, real_array

__all__ = [
    "ACTIVATION_OPS",
    "activation",
    "activation_of",
    "add",
    "cast",
    "exact_values",
    "mul",
    "neg",
    "sub",
]

Operand = MXTensor | float | np.ndarray
#: The int64 paths keep every intermediate below 2^62; wider values use Python ints.
_INT64_BITS = 62


def exact_values(x: Operand) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(I, t, bad)``: per element the exact value ``I * 2^t`` (``I`` signed int64) and
    whether it is NaN (a NaN scale, a non-finite element or float)."""
    if isinstance(x, MXTensor):
        ints, bad = element_integers(x)
        fmt = x.fmt
        scales = np.repeat(x.scales.astype(np.int64), fmt.block_size, axis=x.axis)
        t = scales - fmt.scale_bias + fmt.emin - fmt.fraction_bits
        return ints, t, bad | (scales == fmt.scale_nan_code)
    neg, mag, exp, bad = from_float(real_array(x))
    # Drop trailing zero bits: f32 values keep at most 24 significant bits.
    low = bit_length(mag & -mag) - 1
    low = np.where(mag == 0, 0, low)
    mag, exp = mag >> low, exp + low
    return np.where(neg, -mag, mag), exp, bad


def _fits(*bits: np.ndarray) -> bool:
    return all(int(np.max(b, initial=0)) <= _INT64_BITS for b in bits)


def _objects(a: np.ndarray) -> np.ndarray:
    return np.asarray(a).astype(object)


def _sum(ia: np.ndarray, ta: np.ndarray, ib: np.ndarray, tb: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """The exact ``ia 2^ta + ib 2^tb`` as ``(I, t)``, ``t`` the smaller exponent of the
    non-zero terms."""
    ta = np.where(ia == 0, tb, ta)  # a zero term does not lower the exponent
    tb = np.where(ib == 0, ta, tb)
    t = np.minimum(ta, tb)
    da, db = ta - t, tb - t
    if _fits(bit_length(np.abs(ia)) + da + 1, bit_length(np.abs(ib)) + db + 1):
        return (ia << da) + (ib << db), t
    return (_objects(ia) << _objects(da)) + (_objects(ib) << _objects(db)), t


def _round(i: np.ndarray, t: np.ndarray, bad: np.ndarray, fmt: Format | str, axis: int,
           rounding: str) -> MXTensor:
    """``i * 2^t`` rounded once into ``fmt`` with blocks along ``axis``."""
    fmt = Format.parse(fmt)
    check_rounding(rounding)
    shape = np.shape(i)
    ax = check_blocked_axis(shape, axis, fmt)
    b = fmt.block_size
    neg = np.asarray(i < 0, dtype=bool)
    mag = np.abs(i)
    t = np.broadcast_to(t, shape)
    bad = np.broadcast_to(bad, shape)
    scales, codes = encode_dyadic(block_view(neg, ax, b), block_view(mag, ax, b),
                                  block_view(t, ax, b), block_view(bad, ax, b), fmt, rounding)
    return MXTensor._encoded(fmt, _unblock(scales[..., None], ax), _unblock(codes, ax), ax)


def _pair(a: Operand, b: Operand) -> tuple[np.ndarray, ...]:
    ia, ta, bada = exact_values(a)
    ib, tb, badb = exact_values(b)
    ia, ta, bada, ib, tb, badb = np.broadcast_arrays(ia, ta, bada, ib, tb, badb)
    return ia, ta, ib, tb, bada | badb


def add(a: Operand, b: Operand, out_fmt: Format | str, *, axis: int = -1,
        rounding: str = "even") -> MXTensor:
    """``a + b`` (exact), rounded once into ``out_fmt``."""
    ia, ta, ib, tb, bad = _pair(a, b)
    i, t = _sum(ia, ta, ib, tb)
    return _round(i, t, bad, out_fmt, axis, rounding)


def sub(a: Operand, b: Operand, out_fmt: Format | str, *, axis: int = -1,
        rounding: str = "even") -> MXTensor:
    """``a - b`` (exact), rounded once into ``out_fmt``."""
    ia, ta, ib, tb, bad = _pair(a, b)
    i, t = _sum(ia, ta, -ib, tb)
    return _round(i, t, bad, out_fmt, axis, rounding)


def mul(a: Operand, b: Operand, out_fmt: Format | str, *, axis: int = -1,
        rounding: str = "even") -> MXTensor:
    """``a * b`` (exact), rounded once into ``out_fmt``."""
    ia, ta, ib, tb, bad = _pair(a, b)
    if _fits(bit_length(np.abs(ia)) + bit_length(np.abs(ib))):
        i = ia * ib
    else:
        i = _objects(ia) * _objects(ib)
    return _round(i, ta + tb, bad, out_fmt, axis, rounding)


def neg(a: Operand, out_fmt: Format | str, *, axis: int = -1,
        rounding: str = "even") -> MXTensor:
    """``-a``, rounded into ``out_fmt``."""
    i, t, bad = exact_values(a)
    return _round(-i, t, bad, out_fmt, axis, rounding)


def cast(a: Operand, out_fmt: Format | str, *, axis: int = -1,
         rounding: str = "even") -> MXTensor:
    """``a`` re-quantized into ``out_fmt`` (blocks along ``axis``)."""
    i, t, bad = exact_values(a)
    return _round(i, t, bad, out_fmt, axis, rounding)


#: The mx (and mxhw) ops that compute an activation of :data:`~.fixedpoint.ACTIVATIONS`.
ACTIVATION_OPS = ("gelu", "silu", "tanh", "sigmoid")


def activation_of(op: str, approximate: str | None = None) -> str:
    """The :data:`~.fixedpoint.ACTIVATIONS` entry the op ``op`` (``mx.gelu``, ``silu``,
    ...) computes: gelu's tanh form (``approximate="tanh"``) is ``gelu_tanh``."""
    kind = op.split(".")[-1]
    if kind not in ACTIVATION_OPS:
        raise ValueError(f"{op} is not an activation; expected one of {', '.join(ACTIVATION_OPS)}")
    return "gelu_tanh" if kind == "gelu" and approximate == "tanh" else kind


def activation(name: str, a: Operand, out_fmt: Format | str, *, axis: int = -1,
               rounding: str = "even") -> MXTensor:
    """The activation ``name`` (``gelu``, ``gelu_tanh``, ``silu``, ``tanh``, ``sigmoid``)
    of ``a``: fixed point inside the table's range, the exact asymptote beyond it,
    rounded once into ``out_fmt``."""
    act = fp.activation(name)
    i, t, bad = exact_values(a)
    frac, r = act.frac, act.range_log2
    mag = np.abs(i)
    negative = i < 0
    # u = |x| * 2^frac, rounded half up; u >= 2^(r + frac) is beyond the range.
    k = t + frac
    lim = np.int64(1) << (r + frac)
    left = np.clip(k, 0, r + frac + 1)  # a larger shift is beyond the range anyway
    right = np.clip(-k, 0, 62)
    half = np.where(right > 0, np.int64(1) << np.maximum(right - 1, 0), 0)
    u = np.where(k >= 0, mag << left, (mag + half) >> right)
    big = u >= lim
    x_fixed = np.where(negative, -u, u)
    y = fp.activation_fixed(name, np.where(big, 0, x_fixed), frac, frac)
    one = np.ones_like(i)
    if act.kind == "linear":  # x or 0, exactly
        far_i, far_t = np.where(negative, 0, i), t
    elif act.kind == "odd":  # +-1
        far_i, far_t = np.where(negative, -one, one), np.zeros_like(t)
    else:  # 1 or 0
        far_i, far_t = np.where(negative, 0, one), np.zeros_like(t)
    out_i = np.where(big, far_i, y)
    out_t = np.where(big, far_t, -frac)
    return _round(out_i, out_t, bad, out_fmt, axis, rounding)
