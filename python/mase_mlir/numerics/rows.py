"""Row operators on MX tensors, defined exactly: softmax (optionally masked), layer_norm
and rms_norm over the last axis.

These are the MX semantics of ``mx.softmax``, ``mx.layer_norm`` and ``mx.rms_norm`` (the
interpreter, the golden model of a simulation and the hardware row units compute exactly
this). The input is an MX tensor blocked along its last axis: element ``j`` of a row is
the exact dyadic ``I_j * 2^t_j`` (``I_j`` its element integer, ``t_j`` its block's scale
exponent plus the element LSB, as in :mod:`.blockmath`). Every step is integer
arithmetic (shifts, adds, multiplies, comparisons, table look-ups with linear
interpolation from :func:`.fixedpoint.table_interp`); the result is ONE rounding of an
exact dyadic value into the output format (:func:`.quantize.encode_dyadic`).

Both definitions are robust to the input's scale:

* **softmax** works on differences to the row maximum ``m`` on the grid ``2^g``,
  ``g = max(-frac, floor(log2|m|) - window)``: absolute ``frac`` fraction bits for
  ordinary scores, ``window`` bits below the maximum for huge ones; adding a constant on
  the grid to a row does not change its result.
* **the norms** first scale the row by a power of two from its largest block exponent
  (``x_j = floor(I_j * 2^(t_j - tmax + guard))``), so that any scale works without
  saturation; ``eps`` is scaled by the same power of two exactly (a rational), and the
  argument of the reciprocal square root is floored to a mantissa once, from the exact
  sum.

See docs/numerics.md for the definitions step by step and their error against float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .blockmath import _accumulate, _bias_terms, _finish, element_integers
from .dyadic import bit_length, check_rounding
from .fixedpoint import rshift_round, table_interp
from .formats import Format
from .quantize import MXTensor

__all__ = ["NORM", "SOFTMAX", "NormParams", "SoftmaxParams", "layer_norm", "norm_exact",
           "rms_norm", "softmax", "softmax_exact"]


@dataclass(frozen=True)
class SoftmaxParams:
    """Bit widths and table sizes of the softmax definition (the hardware's too)."""

    frac: int = 16  # fraction bits of the differences x_j (absolute grid for |m| < 2^(window-frac))
    window: int = 24  # bits below the row maximum kept when the maximum is large
    log2e_frac: int = 24  # fraction bits of the constant log2(e)
    y_frac: int = 20  # fraction bits of y = x log2(e)
    exp_lut: int = 8  # 2^f table: 2^exp_lut segments on [0, 1)
    exp_frac: int = 18  # fraction bits of the 2^f mantissa a_j in [1, 2]
    n_max: int = 24  # exp(x) below 2^-n_max gives 0 (exp underflow)
    recip_in: int = 20  # fraction bits of the sum's mantissa fed to the reciprocal table
    recip_lut: int = 8  # 1/m table: 2^recip_lut segments on [1, 2)
    recip_frac: int = 20  # fraction bits of the reciprocal mantissa r in (1/2, 1]

    @property
    def log2e(self) -> int:
        return math.floor(math.log2(math.e) * 2**self.log2e_frac + 0.5)

    @property
    def x_limit(self) -> int:
        """Differences below ``-x_limit`` (in units of 2^-frac) give 0: there,
        ``x log2(e) < -(n_max + 1)`` whatever the rounding of y."""
        return math.ceil((self.n_max + 2) * math.log(2)) << self.frac


@dataclass(frozen=True)
class NormParams:
    """Bit widths and table sizes of the layer_norm / rms_norm definition."""

    guard: int = 8  # bits kept below the largest block exponent of the row
    z_frac: int = 22  # fraction bits of the rsqrt argument's mantissa in [1, 4)
    lut: int = 8  # 1/sqrt(m) table: 2^lut segments per unit of [1, 4)
    r_frac: int = 22  # fraction bits of the rsqrt mantissa in (1/2, 1]
    n_frac: int = 16  # fraction bits of the normalized values (x - mean) / std


SOFTMAX = SoftmaxParams()
NORM = NormParams()


# --------------------------------------------------------------------------- operands
def _row_operand(q: MXTensor, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Element integers ``I``, exponents ``t`` (per element) and the NaN mask of an MX
    tensor blocked along its last axis."""
    if not isinstance(q, MXTensor):
        raise TypeError(f"{what}: the input must be an MX tensor, got {type(q).__name__}")
    if q.ndim == 0 or q.axis != q.ndim - 1:
        raise ValueError(f"{what}: the input must be blocked along its last axis "
                         f"(axis {q.ndim - 1}), not axis {q.axis}")
    ints, bad = element_integers(q)
    b = q.fmt.block_size
    scales = q.scales.astype(np.int64)
    lsb = q.fmt.emin - q.fmt.fraction_bits
    t = np.repeat(scales - q.fmt.scale_bias + lsb, b, axis=-1)
    bad = bad | np.repeat(scales == q.fmt.scale_nan_code, b, axis=-1)
    return np.where(bad, 0, ints), np.where(bad, 0, t), bad


def _out_format(out_fmt: Format | str) -> Format:
    fmt = Format.parse_or_none(out_fmt)
    if fmt is None:
        raise ValueError("the MX definition of a row operator needs an MX output format")
    return fmt


def _wide(a: np.ndarray, bits: int) -> np.ndarray:
    """``a`` as int64 when values of ``bits`` bits fit, else as Python integers."""
    return a.astype(np.int64) if bits <= 62 else a.astype(object)


# --------------------------------------------------------------------------- softmax
def softmax(q: MXTensor, mask: np.ndarray | None = None, out_fmt: Format | str = "mxint8",
            *, rounding: str = "even", params: SoftmaxParams = SOFTMAX) -> MXTensor:
    """Softmax over the last axis of ``q`` (blocked along it), over the positions where
    ``mask`` (booleans broadcast to ``q.shape``) is true; the others, and every
    position of a row the mask empties, give 0.

    Per row (kept positions only): ``m = max v_j`` exactly; ``g = max(-frac,
    floor(log2|m|) - window)`` (``-frac`` when ``m = 0``); ``d_j = floor(v_j 2^-g) -
    floor(m 2^-g)``; ``x_j = d_j 2^(g+frac)`` (``frac`` fraction bits, <= 0); below
    ``-x_limit`` the position gives 0. ``y_j = rshift_round(x_j * LOG2E, frac +
    log2e_frac - y_frac)``, ``y_j = -n_j + f_j 2^-y_frac``; ``n_j > n_max`` gives 0, else
    ``a_j = 2^f`` (table, ``exp_frac`` bits): ``exp(x_j) ~ a_j 2^(-exp_frac - n_j)``.
    ``S = sum a_j 2^(n_max - n_j)`` exactly; ``S = ms 2^(p - recip_in)`` with ``ms`` its
    top ``recip_in + 1`` bits (floor); ``r = 1/ms`` (table, ``recip_frac`` bits). The
    result ``a_j r 2^(n_max - n_j - recip_frac - p)`` is rounded once into ``out_fmt``.
    A NaN at a kept position makes the whole row NaN.
    """
    check_rounding(rounding)
    fmt = _out_format(out_fmt)
    return _finish(*softmax_exact(q, mask, params), fmt, rounding)


def softmax_exact(q: MXTensor, mask: np.ndarray | None = None,
                  params: SoftmaxParams = SOFTMAX) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact value :func:`softmax` rounds: ``(mag, exp, nan)`` per element, value
    ``mag * 2^exp`` (``mag`` signed)."""
    ints, t, bad = _row_operand(q, "softmax")
    keep = np.ones(q.shape, dtype=bool) if mask is None else _mask(mask, q.shape)
    P = params
    v = np.ldexp(ints.astype(np.float64), t)  # exact: |I| < 2^53 and |t| < 300
    kept_any = keep.any(axis=-1, keepdims=True)
    m = np.where(kept_any, np.where(keep, v, -np.inf).max(axis=-1, keepdims=True), 0.0)
    _, e = np.frexp(m)
    e_m = np.where(m != 0, e.astype(np.int64) - 1, -(1 << 20))
    g = np.maximum(-P.frac, e_m - P.window)
    d = np.floor(np.ldexp(v, -g)) - np.floor(np.ldexp(m, -g))  # exact (or far below -x_limit)
    x = np.ldexp(np.minimum(d, 0.0), g + P.frac)
    x = np.maximum(x, -float(P.x_limit)).astype(np.int64)
    y = rshift_round(x * P.log2e, P.frac + P.log2e_frac - P.y_frac)
    n = -(y >> P.y_frac)
    f = y + (n << P.y_frac)
    live = keep & (n <= P.n_max)
    a = table_interp("exp2", np.where(live, f, 0), P.y_frac, P.exp_lut, P.exp_frac)
    a = np.where(live, a, 0)
    shift = np.where(live, P.n_max - n, 0)
    total = (a << shift).sum(axis=-1, keepdims=True)  # < 2^(exp_frac + 1 + n_max) * N
    total = np.where(total > 0, total, 1 << P.recip_in)  # an emptied row: every a_j is 0
    p = bit_length(total) - 1
    ms = total >> (p - P.recip_in)
    r = table_interp("reciprocal", ms, P.recip_in, P.recip_lut, P.recip_frac)
    mag = a * r
    exp = np.where(live, P.n_max - n - P.recip_frac - p, 0)
    row_bad = (bad & keep).any(axis=-1, keepdims=True)
    return mag, exp, np.broadcast_to(row_bad, mag.shape)


def _mask(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    arr = np.asarray(mask)
    if arr.dtype != np.bool_:
        raise TypeError(f"softmax: the mask must hold booleans, got dtype {arr.dtype}")
    try:
        return np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(f"softmax: a mask of shape {arr.shape} does not broadcast to the "
                         f"input's shape {shape}") from None


# --------------------------------------------------------------------------- norms
def layer_norm(q: MXTensor, weight: MXTensor | np.ndarray | None = None,
               bias: MXTensor | np.ndarray | None = None, out_fmt: Format | str = "mxint8",
               *, eps: float = 1e-5, rounding: str = "even",
               params: NormParams = NORM) -> MXTensor:
    """LayerNorm over the last axis: ``(x - mean) / sqrt(var + eps) * weight + bias``.

    Per row: ``tmax`` = the largest block exponent; ``x_j = floor(I_j 2^(t_j - tmax +
    guard))``; ``S1 = sum x_j``, ``S2 = sum x_j^2``; ``Q = N S2 - S1^2`` (= N^2 var, in
    units of x) and ``D_j = N x_j - S1`` exactly; ``z = Q + N^2 eps 4^(guard - tmax)``
    (exact); ``z = m 4^k`` with ``m`` in [1, 4) floored to ``z_frac`` fraction bits;
    ``y = 1/sqrt(m)`` (table, ``r_frac`` bits); ``n_j = rshift_round(D_j y, r_frac + k -
    n_frac)`` (``(x_j - mean) / std`` with ``n_frac`` fraction bits, 0 when Q = 0);
    then ``n_j 2^-n_frac * weight_j + bias_j`` exactly (MX or float weight and bias), rounded
    once into ``out_fmt``. NaN anywhere in a row makes the row NaN; a NaN weight or
    bias makes its position NaN.
    """
    return _norm(q, weight, bias, out_fmt, eps, rounding, params, centered=True)


def rms_norm(q: MXTensor, weight: MXTensor | np.ndarray | None = None,
             out_fmt: Format | str = "mxint8", *, eps: float = 1e-6, rounding: str = "even",
             params: NormParams = NORM) -> MXTensor:
    """RMSNorm over the last axis: ``x / sqrt(mean(x^2) + eps) * weight``: the layer_norm
    definition with ``Q = N S2`` and ``D_j = N x_j`` (no mean)."""
    return _norm(q, weight, None, out_fmt, eps, rounding, params, centered=False)


def _norm(q: MXTensor, weight, bias, out_fmt, eps: float, rounding: str, P: NormParams, *,
          centered: bool) -> MXTensor:
    check_rounding(rounding)
    fmt = _out_format(out_fmt)
    return _finish(*norm_exact(q, weight, bias, eps, P, centered=centered), fmt, rounding)


def norm_exact(q: MXTensor, weight, bias, eps: float, P: NormParams = NORM, *,
               centered: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact value :func:`layer_norm` (``centered``) or :func:`rms_norm` rounds:
    ``(mag, exp, nan)`` per element, value ``mag * 2^exp``."""
    what = "layer_norm" if centered else "rms_norm"
    eps = float(eps)
    if not (eps >= 0 and math.isfinite(eps)):
        raise ValueError(f"{what}: eps must be a finite non-negative number, got {eps}")
    ints, t, bad = _row_operand(q, what)
    n = q.shape[-1]
    tmax = t.max(axis=-1, keepdims=True)
    k = tmax - t - P.guard  # right shift of I_j onto the row's grid 2^(tmax - guard)
    in_bits = int(bit_length(np.abs(ints)).max(initial=0)) + 1
    x = np.where(k >= 0, ints >> np.minimum(k, 62), ints << np.maximum(-k, 0))
    x_bits = in_bits + P.guard
    xw = _wide(x, 2 * x_bits + n.bit_length() + 1)
    s1 = xw.sum(axis=-1, keepdims=True)
    s2 = (xw * xw).sum(axis=-1, keepdims=True)
    rows = s1.shape
    quad = np.empty(rows, dtype=object)
    y = np.zeros(rows, dtype=np.int64)
    kz = np.zeros(rows, dtype=np.int64)
    n_sq_eps = Fraction(eps) * n * n
    for idx in np.ndindex(rows):
        s1_i, s2_i = int(s1[idx]), int(s2[idx])
        qv = n * s2_i - (s1_i * s1_i if centered else 0)
        quad[idx] = qv
        z = qv + n_sq_eps * Fraction(2) ** (2 * (P.guard - int(tmax[idx])))
        if qv == 0:  # a constant row (layer_norm) or a zero row: every D_j is 0
            continue
        p = _floor_log2(z)
        kk = p >> 1
        y_in = math.floor(z * Fraction(2) ** (P.z_frac - 2 * kk))
        y[idx] = int(table_interp("rsqrt", np.array([y_in]), P.z_frac, P.lut, P.r_frac)[0])
        kz[idx] = kk
    d = n * xw - s1 if centered else n * xw
    d_bits = x_bits + n.bit_length() + 1
    prod = _wide(d, d_bits + P.r_frac + 1) * y
    normed = _rshift_round_any(prod, P.r_frac + kz - P.n_frac)
    normed = np.where(np.asarray(quad == 0, dtype=bool), 0, normed)
    terms_p, terms_t = normed, np.full(normed.shape, -P.n_frac, dtype=np.int64)
    bad = np.broadcast_to(bad.any(axis=-1, keepdims=True), q.shape)
    if weight is not None:
        (w_int, w_exp), w_bad = _vector(weight, n, f"{what}: weight")
        w_bits = int(bit_length(np.abs(w_int.astype(object))).max(initial=0))
        n_bits = P.n_frac + (n.bit_length() + 1) // 2 + 2  # |n_j| <= sqrt(N) (1 + tiny)
        terms_p = _wide(terms_p, n_bits + w_bits + 1) * _wide(w_int, n_bits + w_bits + 1)
        terms_t = terms_t + w_exp
        bad = bad | w_bad
    extra = []
    if bias is not None:
        (b_int, b_exp), b_bad = _vector(bias, n, f"{what}: bias")
        extra.append((np.broadcast_to(b_int, q.shape), np.broadcast_to(b_exp, q.shape)))
        bad = bad | b_bad
    acc, lsb = _accumulate(np.asarray(terms_p)[None], np.broadcast_to(terms_t, q.shape)[None],
                           extra)
    return np.where(bad, 0, acc), lsb, bad


def _vector(v, n: int, what: str):
    terms, bad = _bias_terms(v, n, what)
    return terms[0], bad


def _floor_log2(z: Fraction) -> int:
    """``floor(log2 z)`` of a positive rational, exactly."""
    p = z.numerator.bit_length() - z.denominator.bit_length()
    if Fraction(2) ** p > z:
        p -= 1
    return p


def _rshift_round_any(v: np.ndarray, n: np.ndarray) -> np.ndarray:
    """:func:`.fixedpoint.rshift_round` (half up, ``n >= 0``) for int64 or Python ints."""
    if v.dtype != object:
        return rshift_round(v, n)
    n = np.broadcast_to(n, v.shape).astype(object)
    half = np.where(n > 0, np.left_shift(1, np.maximum(n - 1, 0)), 0)
    return (v + half) >> n
