"""Exact integer helpers for dyadic numbers ``(-1)^neg * mag * 2^exp``.

``mag`` is a non-negative integer array: int64 (the fast, common case; callers
keep it below 2^60) or an object array of Python ints (unbounded width).
Exponents are int64 arrays.  Nothing here ever rounds except
:func:`round_shift`, whose rounding is exactly specified.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ROUNDING_MODES", "bit_length", "check_rounding", "from_float", "round_shift"]

#: "even": round half to even (RNE, the OCP default); "nearest": round half away from zero.
ROUNDING_MODES = ("even", "nearest")

_bit_length_obj = np.frompyfunc(int.bit_length, 1, 1)


def check_rounding(rounding: str) -> str:
    if rounding not in ROUNDING_MODES:
        raise ValueError(
            f"unknown rounding mode {rounding!r}; expected 'even' (round half to even) "
            "or 'nearest' (round half away from zero)"
        )
    return rounding


def bit_length(mag: np.ndarray) -> np.ndarray:
    """Exact ``int.bit_length`` of every element (0 for 0), as int64."""
    if mag.dtype == object:
        return _bit_length_obj(mag).astype(np.int64)
    m = mag.astype(np.int64)
    # frexp of the float64 conversion is exact except when the conversion rounds
    # up to the next power of two; that overshoot is detected and corrected.
    _, e = np.frexp(m.astype(np.float64))
    e = e.astype(np.int64)
    over = (e > 0) & ((m >> np.clip(e - 1, 0, 63)) == 0)
    return e - over


def from_float(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split float32/float64 values exactly into ``(neg, mag, exp, nonfinite)``.

    ``|x| = mag * 2^exp`` with ``mag < 2^53`` (int64); NaN/Inf give mag 0 and
    nonfinite True.  ``neg`` is the sign bit (True for -0.0).
    """
    x64 = np.asarray(x, dtype=np.float64)
    nonfinite = ~np.isfinite(x64)
    neg = np.signbit(x64)
    m, e = np.frexp(np.where(nonfinite, 0.0, np.abs(x64)))  # |x| = m 2^e, m in [0.5, 1)
    mag = np.ldexp(m, 53).astype(np.int64)
    exp = e.astype(np.int64) - 53
    return neg, mag, exp, nonfinite


def round_shift(mag: np.ndarray, shift: np.ndarray, rounding: str) -> np.ndarray:
    """``mag / 2^shift`` rounded to an integer (``shift >= 0`` everywhere).

    int64 ``mag`` must be below 2^61; then shifts beyond 62 are equivalent to 62.
    """
    if mag.dtype == object:
        sh = np.asarray(shift).astype(object)
    else:
        sh = np.minimum(shift, 62).astype(np.int64)
    q = mag >> sh
    rem = mag - (q << sh)
    half = (np.ones_like(mag) << sh) >> 1  # 0 when shift == 0
    pos = np.asarray(shift) > 0
    if rounding == "even":
        up = (rem > half) | ((rem == half) & ((q & 1) == 1))
    else:
        up = rem >= half
    up = np.asarray(up, dtype=bool) & pos
    return q + up.astype(np.int64)
