"""Fixed-point nonlinear functions, defined exactly (integers in, integers out).

Every function takes int64 arrays holding two's-complement fixed-point numbers
(value = q * 2^-frac) and returns int64 fixed-point results.  They use only
integer add, multiply, compare, shifts and table look-ups (no division); the
tables are computed from their parameters, so a hardware generator can emit
the same constants.  All rounding shifts round half up: ``(v + 2^(n-1)) >> n``.

Float convenience wrappers (``*_float``) go float -> fixed point -> function
-> float32, for the reference interpreter.  NaN inputs give NaN (element-wise
functions at that element; softmax and the norms for the whole row, and a NaN
weight or bias at its position); +/-Inf saturate to the fixed-point range like
any other out-of-range input.  Error tables: docs/numerics.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .quantize import real_array

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "activation",
    "activation_fixed",
    "activation_table",
    "exp_fixed",
    "exp_float",
    "from_fixed",
    "function_table",
    "gelu_fixed",
    "gelu_float",
    "layer_norm_fixed",
    "layer_norm_float",
    "reciprocal_fixed",
    "reciprocal_float",
    "rms_norm_fixed",
    "rms_norm_float",
    "rshift_round",
    "rsqrt_fixed",
    "rsqrt_float",
    "sigmoid_fixed",
    "sigmoid_float",
    "silu_fixed",
    "silu_float",
    "softmax_fixed",
    "softmax_float",
    "table_interp",
    "tanh_fixed",
    "tanh_float",
    "to_fixed",
]

G = 30  # internal fraction bits of normalized mantissas and tables
_LOG2E_Q = round(math.log2(math.e) * 2**G)


# --------------------------------------------------------------------------- helpers
def rshift_round(v: np.ndarray, n: np.ndarray | int) -> np.ndarray:
    """``v / 2^n`` rounded half up for n > 0; ``v << -n`` for n <= 0 (int64)."""
    v = np.asarray(v, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    right = np.clip(n, 0, 62)
    left = np.clip(-n, 0, 62)
    half = np.where(right > 0, np.int64(1) << np.maximum(right - 1, 0), 0)
    return np.where(n > 0, (v + half) >> right, v << left)


def _bit_length(v: np.ndarray) -> np.ndarray:
    _, e = np.frexp(v.astype(np.float64))
    e = e.astype(np.int64)
    return e - ((e > 0) & ((v >> np.clip(e - 1, 0, 63)) == 0))


def to_fixed(x: np.ndarray, frac: int, bits: int = 32) -> np.ndarray:
    """Round floats to ``bits``-bit fixed point, ``frac`` fraction bits (RNE, saturating;
    +/-Inf saturate, NaN gives 0: the float wrappers put NaN back)."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    q = np.rint(np.ldexp(real_array(x).astype(np.float64), frac))
    return np.clip(np.nan_to_num(q, nan=0.0, posinf=hi, neginf=lo), lo, hi).astype(np.int64)


def from_fixed(q: np.ndarray, frac: int) -> np.ndarray:
    return np.ldexp(np.asarray(q, dtype=np.float64), -frac).astype(np.float32)


def _interp(table: np.ndarray, idx: np.ndarray, rem: np.ndarray, rem_bits: int) -> np.ndarray:
    lo = table[idx]
    hi = table[np.minimum(idx + 1, len(table) - 1)]
    return lo + rshift_round((hi - lo) * rem, rem_bits)


# --------------------------------------------------------------------------- tables
#: Functions the row units read from tables: name -> (f, domain start, domain length).
#: The domain [start, start + length) is cut into segments of 2^-lut_bits.
TABLE_FUNCTIONS = {
    "exp2": (np.exp2, 0, 1),
    "reciprocal": (lambda m: 1.0 / m, 1, 1),
    "rsqrt": (lambda m: 1.0 / np.sqrt(m), 1, 3),
}


@lru_cache(maxsize=32)
def function_table(name: str, lut_bits: int, out_frac: int) -> np.ndarray:
    """``round(f(p) * 2^out_frac)`` at every segment end ``p`` of f's domain (both ends
    included: ``length * 2^lut_bits + 1`` entries). Read-only; hardware tables hold
    the same integers."""
    f, lo, span = TABLE_FUNCTIONS[name]
    pts = lo + np.arange(span * (1 << lut_bits) + 1) / float(1 << lut_bits)
    table = np.floor(f(pts) * 2.0**out_frac + 0.5).astype(np.int64)
    table.setflags(write=False)
    return table


def table_interp(name: str, m: np.ndarray, m_frac: int, lut_bits: int,
                 out_frac: int) -> np.ndarray:
    """``f(m / 2^m_frac)`` with ``out_frac`` fraction bits for ``m`` in f's domain:
    the table entry at the segment start plus the linear interpolation
    ``rshift_round((T[i+1] - T[i]) * rem, m_frac - lut_bits)`` (``rem``: the bits of
    ``m`` below the segment index)."""
    _, lo, span = TABLE_FUNCTIONS[name]
    rem_bits = m_frac - lut_bits
    if rem_bits < 0:
        raise ValueError(f"table_interp: {m_frac} input fraction bits < {lut_bits} index bits")
    m = np.asarray(m, dtype=np.int64)
    idx = (m >> rem_bits) - (lo << lut_bits)
    if m.size and (idx.min() < 0 or idx.max() >= span << lut_bits):
        raise ValueError(f"table_interp: {name} input outside [{lo}, {lo + span})")
    rem = m & ((np.int64(1) << rem_bits) - 1)
    return _interp(function_table(name, lut_bits, out_frac), idx, rem, rem_bits)


# --------------------------------------------------------------------------- exp
@lru_cache(maxsize=16)
def _exp2_table(lut_bits: int) -> np.ndarray:
    i = np.arange((1 << lut_bits) + 1)
    return np.round(np.exp2(i / (1 << lut_bits)) * 2**G).astype(np.int64)


def exp_fixed(x: np.ndarray, in_frac: int, out_frac: int = 16, lut_bits: int = 8) -> np.ndarray:
    """``exp(x)`` for ``x <= 0`` (positive inputs are clamped to 0), for softmax.

    ``y = x * log2(e)`` (constant with 30 fraction bits), split into integer
    and fraction parts; ``2^frac`` from a ``2^lut_bits + 1`` entry table with
    linear interpolation; the integer part becomes a right shift.
    """
    x = np.minimum(np.asarray(x, dtype=np.int64), 0)
    x_min = -((out_frac + 2) << in_frac)  # exp(x) < 2^-(out_frac+2) below: result 0
    x = np.maximum(x, x_min)
    f_bits = G  # the log2-domain value keeps 30 fraction bits
    y = rshift_round(x * _LOG2E_Q, G + in_frac - f_bits)  # log2 domain, f_bits fraction bits
    n = -(y >> f_bits)  # y = -n + f / 2^f_bits, f in [0, 2^f_bits)
    f = y + (n << f_bits)
    rem_bits = f_bits - lut_bits
    val = _interp(_exp2_table(lut_bits), f >> rem_bits, f & ((1 << rem_bits) - 1), rem_bits)
    return rshift_round(val, G - out_frac + n)


# --------------------------------------------------------------------------- reciprocal / rsqrt
@lru_cache(maxsize=16)
def _recip_table(lut_bits: int) -> np.ndarray:
    mid = 1 + (np.arange(1 << lut_bits) + 0.5) / (1 << lut_bits)
    return np.round(2**G / mid).astype(np.int64)


def reciprocal_fixed(
    x: np.ndarray, in_frac: int, out_frac: int = 16, lut_bits: int = 6, iters: int = 2
) -> np.ndarray:
    """``1 / x`` for ``x > 0`` (non-positive x gives 0): normalize, table seed, Newton steps.

    ``x = m * 2^p`` with m in [1, 2) held with 30 fraction bits; the seed is
    ``1 / m`` at the middle of the table interval; each step is
    ``y <- y * (2 - m * y)``.  Results above 2^62 saturate.
    """
    x = np.asarray(x, dtype=np.int64)
    pos = x > 0
    xs = np.where(pos, x, 1)
    p = _bit_length(xs) - 1
    m = rshift_round(xs, p - G)  # in [2^G, 2^(G+1)]
    idx = np.clip((m >> (G - lut_bits)) - (1 << lut_bits), 0, (1 << lut_bits) - 1)
    y = _recip_table(lut_bits)[idx]
    for _ in range(iters):
        e = rshift_round(m * y, G)
        y = rshift_round(y * ((2 << G) - e), G)
    # 1/x = (y / 2^G) * 2^(in_frac - p)
    shift = G - out_frac - in_frac + p
    big = shift < -(62 - 31)
    out = rshift_round(y, np.where(big, 0, shift))
    return np.where(pos, np.where(big, np.int64(1) << 62, out), 0)


@lru_cache(maxsize=16)
def _rsqrt_table(lut_bits: int) -> np.ndarray:
    mid = 1 + (np.arange(3 << lut_bits) + 0.5) / (1 << lut_bits)  # covers [1, 4)
    return np.round(2**G / np.sqrt(mid)).astype(np.int64)


def rsqrt_fixed(
    x: np.ndarray, in_frac: int, out_frac: int = 16, lut_bits: int = 6, iters: int = 2
) -> np.ndarray:
    """``1 / sqrt(x)`` for ``x > 0`` (non-positive x gives 0).

    ``x = M * 4^k`` with M in [1, 4); seed from a ``3 * 2^lut_bits`` entry
    table; Newton steps ``y <- y * (3 - M * y^2) / 2``.
    """
    x = np.asarray(x, dtype=np.int64)
    pos = x > 0
    xs = np.where(pos, x, 1)
    p = _bit_length(xs) - 1
    k = (p - in_frac) >> 1  # floor((p - in_frac) / 2)
    big_m = rshift_round(xs, in_frac + 2 * k - G)  # M with G fraction bits, in [2^G, 2^(G+2))
    idx = np.clip((big_m >> (G - lut_bits)) - (1 << lut_bits), 0, (3 << lut_bits) - 1)
    y = _rsqrt_table(lut_bits)[idx]
    for _ in range(iters):
        y2 = rshift_round(y * y, G)
        t = rshift_round(big_m * y2, G)
        y = rshift_round(y * ((3 << G) - t), G + 1)
    shift = G + k - out_frac
    big = shift < -(62 - 31)
    out = rshift_round(y, np.where(big, 0, shift))
    return np.where(pos, np.where(big, np.int64(1) << 62, out), 0)


# --------------------------------------------------------------------------- softmax
def softmax_fixed(
    x: np.ndarray,
    in_frac: int,
    axis: int = -1,
    out_frac: int = 16,
    exp_frac: int = 16,
    lut_bits: int = 8,
    recip_lut_bits: int = 6,
    recip_iters: int = 2,
) -> np.ndarray:
    """Softmax along ``axis``: ``exp(x - max)`` (``exp_frac`` bits), exact integer sum,
    one reciprocal of the sum (30 fraction bits), one multiply and rounding shift per value."""
    x = np.asarray(x, dtype=np.int64)
    e = exp_fixed(x - x.max(axis=axis, keepdims=True), in_frac, exp_frac, lut_bits)
    s = e.sum(axis=axis, keepdims=True)
    r = reciprocal_fixed(s, exp_frac, G, recip_lut_bits, recip_iters)  # 1/s <= 1
    return rshift_round(e * r, exp_frac + G - out_frac)


# --------------------------------------------------------------------------- activations
# gelu (erf and tanh forms), silu, tanh and sigmoid share one scheme: a table of a
# function g on [0, 2^range_log2] (2^lut_bits segments, linear interpolation between
# its 2^lut_bits + 1 points) read at u = |x|, and the function's symmetry for x < 0, so
# that no table entry is spent on the sign:
#   "linear" (f(x) = x S(x) with S(-x) = 1 - S(x): gelu, gelu_tanh, silu): g(u) = f(-u)
#            and f(x) = x + g(x) for x >= 0, g(-x) for x < 0;
#   "odd" (tanh): g = f on [0, R], f(x) = -g(-x) for x < 0;
#   "complement" (sigmoid): g = f on [0, R], f(x) = 1 - g(-x) for x < 0.
# Beyond the range (|x| >= R) the function is its asymptote exactly: x or 0, +-1, 1 or 0.
def _gelu64(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def _gelu_tanh64(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def _silu64(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x))


def _sigmoid64(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class Activation:
    """The fixed-point definition of one activation function (see the scheme above).

    ``frac``: fraction bits of the fixed-point input and output the MX operators use
    (``numerics.elementwise``); the hardware tables are :func:`activation_table`.
    """

    name: str
    kind: str  # "linear", "odd" or "complement"
    reference: Callable[[np.ndarray], np.ndarray]  # float64
    range_log2: int
    lut_bits: int
    frac: int = 16


#: The functions and the parameters the MX operators use (errors: docs/numerics.md).
ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("gelu", "linear", _gelu64, range_log2=3, lut_bits=8),
        Activation("gelu_tanh", "linear", _gelu_tanh64, range_log2=3, lut_bits=8),
        Activation("silu", "linear", _silu64, range_log2=4, lut_bits=8),
        Activation("tanh", "odd", np.tanh, range_log2=3, lut_bits=8),
        Activation("sigmoid", "complement", _sigmoid64, range_log2=4, lut_bits=8),
    )
}


def activation(name: str) -> Activation:
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of "
                         f"{', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


@lru_cache(maxsize=64)
def activation_table(name: str, out_frac: int, lut_bits: int, range_log2: int) -> np.ndarray:
    """The 2^lut_bits + 1 points ``round(g(i * 2^(range_log2 - lut_bits)) * 2^out_frac)``
    (round half to even) of the activation's table function ``g``."""
    act = activation(name)
    pts = np.arange((1 << lut_bits) + 1) * 2.0 ** (range_log2 - lut_bits)
    g = act.reference(-pts if act.kind == "linear" else pts)
    table = np.rint(g * 2.0**out_frac).astype(np.int64)
    table.setflags(write=False)
    return table


def activation_fixed(
    name: str,
    x: np.ndarray,
    in_frac: int,
    out_frac: int = 16,
    lut_bits: int | None = None,
    range_log2: int | None = None,
) -> np.ndarray:
    """The activation ``name`` of fixed-point ``x`` (``in_frac`` fraction bits) with
    ``out_frac`` fraction bits: table + linear interpolation at ``u = |x|`` (rounding
    half up), the symmetry for ``x < 0``, the asymptote for ``|x| >= 2^range_log2``.
    ``lut_bits``/``range_log2`` default to :data:`ACTIVATIONS`' parameters."""
    act = activation(name)
    lut_bits = act.lut_bits if lut_bits is None else lut_bits
    range_log2 = act.range_log2 if range_log2 is None else range_log2
    x = np.asarray(x, dtype=np.int64)
    neg = x < 0
    u = np.abs(x)
    lim = np.int64(1) << (range_log2 + in_frac)
    big = u >= lim
    uc = np.minimum(u, lim - 1)
    seg_bits = in_frac + range_log2 - lut_bits  # input bits per table segment
    if seg_bits >= 0:
        idx, rem = uc >> seg_bits, uc & ((np.int64(1) << seg_bits) - 1)
    else:  # more table points than input codes: exact points
        idx, rem = uc << -seg_bits, np.zeros_like(uc)
        seg_bits = 0
    g = _interp(activation_table(name, out_frac, lut_bits, range_log2), idx, rem, seg_bits)
    one = np.int64(1) << out_frac
    x_out = rshift_round(x, in_frac - out_frac)  # x in the output's fraction bits
    if act.kind == "linear":
        y = np.where(neg, g, x_out + g)
        far = np.where(neg, 0, x_out)
    elif act.kind == "odd":
        y = np.where(neg, -g, g)
        far = np.where(neg, -one, one)
    else:
        y = np.where(neg, one - g, g)
        far = np.where(neg, 0, one)
    return np.where(big, far, y)


def gelu_fixed(x: np.ndarray, in_frac: int, out_frac: int = 16, approximate: str = "none",
               **kw) -> np.ndarray:
    """GELU: the erf form, or the tanh form (``approximate="tanh"``)."""
    return activation_fixed("gelu_tanh" if approximate == "tanh" else "gelu", x, in_frac,
                            out_frac, **kw)


def silu_fixed(x: np.ndarray, in_frac: int, out_frac: int = 16, **kw) -> np.ndarray:
    """SiLU ``x * sigmoid(x)``."""
    return activation_fixed("silu", x, in_frac, out_frac, **kw)


def tanh_fixed(x: np.ndarray, in_frac: int, out_frac: int = 16, **kw) -> np.ndarray:
    return activation_fixed("tanh", x, in_frac, out_frac, **kw)


def sigmoid_fixed(x: np.ndarray, in_frac: int, out_frac: int = 16, **kw) -> np.ndarray:
    return activation_fixed("sigmoid", x, in_frac, out_frac, **kw)


# --------------------------------------------------------------------------- norms
_RECIP_N_BITS = 24


def _mean(v: np.ndarray, axis: int, extra_frac: int) -> np.ndarray:
    """``sum(v) / N`` with ``extra_frac`` more fraction bits, via ``round(2^24 / N)``."""
    n = v.shape[axis]
    rn = round(2**_RECIP_N_BITS / n)
    s = v.sum(axis=axis, keepdims=True)
    return rshift_round(s * rn, _RECIP_N_BITS - extra_frac)


def _affine(y: np.ndarray, frac: int, weight, bias, param_frac: int, out_frac: int) -> np.ndarray:
    if weight is not None:
        y = rshift_round(y * np.asarray(weight, dtype=np.int64), param_frac)
    y = rshift_round(y, frac - out_frac)
    if bias is not None:
        y = y + rshift_round(np.asarray(bias, dtype=np.int64), param_frac - out_frac)
    return y


def _check_norm_input(x: np.ndarray, in_bits: int, axis: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.int64)
    if x.shape[axis] > 1 << 16 or in_bits > 20:
        raise ValueError("norm: at most 2^16 values of at most 20 bits per row keep int64 exact")
    lim = 1 << (in_bits - 1)
    return np.clip(x, -lim, lim - 1)


def layer_norm_fixed(
    x: np.ndarray,
    in_frac: int,
    weight: np.ndarray | None = None,
    bias: np.ndarray | None = None,
    *,
    param_frac: int = 12,
    out_frac: int = 12,
    eps: float = 1e-5,
    axis: int = -1,
    in_bits: int = 16,
    lut_bits: int = 6,
    iters: int = 2,
) -> np.ndarray:
    """LayerNorm: mean and variance with 8 extra fraction bits (``round(2^24/N)`` multiply),
    ``rsqrt(var + eps)`` (16 fraction bits), then ``weight``/``bias`` (``param_frac`` bits)."""
    x = _check_norm_input(x, in_bits, axis)
    xf = 8
    mean = _mean(x, axis, xf)  # in_frac + 8 fraction bits
    d = (x << xf) - mean
    d_r = rshift_round(d, xf)  # in_frac bits
    var = _mean(d_r * d_r, axis, 0)  # 2 in_frac bits
    eps_q = max(1, round(eps * 2.0 ** (2 * in_frac)))
    rstd = rsqrt_fixed(var + eps_q, 2 * in_frac, 16, lut_bits, iters)
    y = rshift_round(d * rstd, xf + in_frac)  # 16 fraction bits
    return _affine(y, 16, weight, bias, param_frac, out_frac)


def rms_norm_fixed(
    x: np.ndarray,
    in_frac: int,
    weight: np.ndarray | None = None,
    *,
    param_frac: int = 12,
    out_frac: int = 12,
    eps: float = 1e-6,
    axis: int = -1,
    in_bits: int = 16,
    lut_bits: int = 6,
    iters: int = 2,
) -> np.ndarray:
    """RMSNorm: ``x * rsqrt(mean(x^2) + eps) * weight``."""
    x = _check_norm_input(x, in_bits, axis)
    ms = _mean(x * x, axis, 0)  # 2 in_frac bits
    eps_q = max(1, round(eps * 2.0 ** (2 * in_frac)))
    rstd = rsqrt_fixed(ms + eps_q, 2 * in_frac, 16, lut_bits, iters)
    y = rshift_round(x * rstd, in_frac)  # 16 fraction bits
    return _affine(y, 16, weight, None, param_frac, out_frac)


# --------------------------------------------------------------------------- float wrappers
def _nan_where(y: np.ndarray, *masks: np.ndarray) -> np.ndarray:
    """``y`` with NaN wherever one of the (broadcast) masks is set."""
    nan = np.zeros(y.shape, dtype=bool)
    for mask in masks:
        nan |= np.broadcast_to(mask, y.shape)
    return np.where(nan, np.float32(np.nan), y) if nan.any() else y


def _isnan(x: object) -> np.ndarray:
    return np.isnan(real_array(x).astype(np.float64))


def _row_isnan(x: object, axis: int) -> np.ndarray:
    return _isnan(x).any(axis=axis, keepdims=True)


def exp_float(x: np.ndarray, in_frac: int = 12, out_frac: int = 16, **kw) -> np.ndarray:
    y = from_fixed(exp_fixed(to_fixed(x, in_frac), in_frac, out_frac, **kw), out_frac)
    return _nan_where(y, _isnan(x))


def reciprocal_float(x: np.ndarray, in_frac: int = 16, out_frac: int = 16, **kw) -> np.ndarray:
    y = from_fixed(reciprocal_fixed(to_fixed(x, in_frac, 62), in_frac, out_frac, **kw), out_frac)
    return _nan_where(y, _isnan(x))


def rsqrt_float(x: np.ndarray, in_frac: int = 16, out_frac: int = 16, **kw) -> np.ndarray:
    y = from_fixed(rsqrt_fixed(to_fixed(x, in_frac, 62), in_frac, out_frac, **kw), out_frac)
    return _nan_where(y, _isnan(x))


def softmax_float(
    x: np.ndarray, axis: int = -1, in_frac: int = 12, out_frac: int = 16, **kw
) -> np.ndarray:
    q = softmax_fixed(to_fixed(x, in_frac), in_frac, axis, out_frac, **kw)
    return _nan_where(from_fixed(q, out_frac), _row_isnan(x, axis))


def gelu_float(x: np.ndarray, in_frac: int = 12, out_frac: int = 16, **kw) -> np.ndarray:
    y = from_fixed(gelu_fixed(to_fixed(x, in_frac), in_frac, out_frac, **kw), out_frac)
    return _nan_where(y, _isnan(x))


def silu_float(x: np.ndarray, in_frac: int = 12, out_frac: int = 16, **kw) -> np.ndarray:
    y = from_fixed(silu_fixed(to_fixed(x, in_frac), in_frac, out_frac, **kw), out_frac)
    return _nan_where(y, _isnan(x))


def tanh_float(x: np.ndarray, in_frac: int = 12, out_frac: int = 16, **kw) -> np.ndarray:
    y = from_fixed(tanh_fixed(to_fixed(x, in_frac), in_frac, out_frac, **kw), out_frac)
    return _nan_where(y, _isnan(x))


def sigmoid_float(x: np.ndarray, in_frac: int = 12, out_frac: int = 16, **kw) -> np.ndarray:
    y = from_fixed(sigmoid_fixed(to_fixed(x, in_frac), in_frac, out_frac, **kw), out_frac)
    return _nan_where(y, _isnan(x))


def layer_norm_float(
    x: np.ndarray,
    weight=None,
    bias=None,
    eps: float = 1e-5,
    in_frac: int = 8,
    in_bits: int = 16,
    param_frac: int = 12,
    out_frac: int = 12,
    axis: int = -1,
) -> np.ndarray:
    w = None if weight is None else to_fixed(weight, param_frac)
    b = None if bias is None else to_fixed(bias, param_frac)
    q = layer_norm_fixed(
        to_fixed(x, in_frac, in_bits),
        in_frac,
        w,
        b,
        param_frac=param_frac,
        out_frac=out_frac,
        eps=eps,
        axis=axis,
        in_bits=in_bits,
    )
    return _nan_where(from_fixed(q, out_frac), _row_isnan(x, axis),
                      *(_isnan(p) for p in (weight, bias) if p is not None))


def rms_norm_float(
    x: np.ndarray,
    weight=None,
    eps: float = 1e-6,
    in_frac: int = 8,
    in_bits: int = 16,
    param_frac: int = 12,
    out_frac: int = 12,
    axis: int = -1,
) -> np.ndarray:
    w = None if weight is None else to_fixed(weight, param_frac)
    q = rms_norm_fixed(
        to_fixed(x, in_frac, in_bits),
        in_frac,
        w,
        param_frac=param_frac,
        out_frac=out_frac,
        eps=eps,
        axis=axis,
        in_bits=in_bits,
    )
    return _nan_where(from_fixed(q, out_frac), _row_isnan(x, axis),
                      *(_isnan(w) for w in (weight,) if w is not None))
