"""Exact MX block arithmetic: block dot products, matmul and linear.

Definition (what the hardware implements, see docs/numerics.md):

* every element is an exact integer ``I`` in units of its format's smallest
  step: value = ``I * 2^(s + lsb)`` with ``lsb = emin - fraction_bits``
  (MXInt<M>: ``I`` = the two's-complement code, lsb = -(M-2));
* operands blocked with different block sizes along K (one dividing the
  other) are aligned on the smaller block ``g``: each sub-block of ``g``
  elements keeps its block's scale;
* block product: ``P = sum_i IA_i * IB_i``, an exact integer of at most
  ``wA + wB + ceil(log2 B)`` bits, with exponent ``t = sA + sB + lsbA + lsbB``;
* accumulation across the K/B blocks, then the bias, is exact by default (a
  fixed-point accumulator whose LSB is the smallest exponent of a non-zero term
  of that output; :func:`accumulator_width` gives the width this takes), or
  bounded (``acc="bounded<G>"``: aligned to the running maximum exponent with
  G guard bits, see :mod:`.accumulate`);
* the one and only rounding is the final one: round-to-nearest-even (or
  half-away with ``rounding="nearest"``) into float32 (``out_fmt=None``; IEEE
  overflow to +/-inf) or into the MX output format with the quantization rules
  of :func:`mase_mlir.numerics.quantize` (blocks along the last axis).

A NaN scale or a non-finite element anywhere in a reduction gives NaN.
"""

from __future__ import annotations

import numpy as np

from .accumulate import Accumulation, bounded_accumulate
from .dyadic import bit_length, check_rounding, from_float, round_shift
from .formats import Format
from .quantize import MXTensor, block_view, element_table, encode_dyadic, real_array

__all__ = [
    "Accumulation",
    "accumulator_width",
    "element_integers",
    "linear",
    "matmul",
    "round_to_float32",
]

_BIG = np.int64(1 << 40)
_INT64_ACC_LIMIT = 60  # int64 accumulators stay below 2^60; wider ones use Python ints


def _lsb(fmt: Format) -> int:
    return fmt.emin - fmt.fraction_bits


def _integer_table(fmt: Format) -> tuple[np.ndarray, np.ndarray]:
    vals = element_table(fmt)
    finite = np.isfinite(vals)
    ints = np.where(finite, np.ldexp(np.where(finite, vals, 0.0), -_lsb(fmt)), 0.0)
    return ints.astype(np.int64), ~finite


def element_integers(q: MXTensor) -> tuple[np.ndarray, np.ndarray]:
    """Exact element integers ``I`` (value = ``I * 2^(s + lsb)``) and a non-finite mask."""
    ints, bad = _integer_table(q.fmt)
    return ints[q.codes], bad[q.codes]


def _operand(
    q: MXTensor, sub_block: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Blocked view (..., nsub, g) of the integers, exponents (..., nsub), bad (..., nsub).

    ``g`` = ``sub_block`` (default: the block size) divides the block size:
    each block is split into sub-blocks that share its scale, so operands with
    different block sizes line up on the smaller one.
    """
    ints, bad = element_integers(q)
    b = q.fmt.block_size
    g = b if sub_block is None else sub_block
    iv = block_view(ints, q.axis, g)
    badv = block_view(bad, q.axis, b).any(axis=-1)
    scales = np.moveaxis(q.scales, q.axis, -1)
    t = scales.astype(np.int64) - q.fmt.scale_bias + _lsb(q.fmt)
    badv = badv | (scales.astype(np.int64) == q.fmt.scale_nan_code)
    if g != b:
        t = np.repeat(t, b // g, axis=-1)
        badv = np.repeat(badv, b // g, axis=-1)
    return iv, t, badv


def _max_int(fmt: Format) -> int:
    ints, _ = _integer_table(fmt)
    return int(np.abs(ints).max())


def _block_products(ia: np.ndarray, ib: np.ndarray, max_a: int, max_b: int) -> np.ndarray:
    """Exact ``ia @ ib`` of integer arrays (..., M, B) @ (..., B, N).

    float64 matmul is exact while every partial sum stays below 2^53; wider
    operands are split into limbs of ``ia`` that keep each partial product exact.
    """
    b = ia.shape[-1]
    if max_a * max_b * b < 2**53:
        return np.matmul(ia.astype(np.float64), ib.astype(np.float64)).astype(np.int64)
    limb = max(1, 52 - (max_b * b).bit_length())
    wide = max_a.bit_length() + max_b.bit_length() + b.bit_length() > _INT64_ACC_LIMIT
    fb = ib.astype(np.float64)
    sign = np.where(ia < 0, -1, 1)
    mag = np.abs(ia.astype(np.int64))
    acc: np.ndarray = np.zeros((), dtype=object if wide else np.int64)
    for shift in range(0, max_a.bit_length(), limb):
        part = sign * ((mag >> shift) & ((1 << limb) - 1))
        p = np.matmul(part.astype(np.float64), fb).astype(np.int64)  # exact: < 2^52
        acc = acc + (p.astype(object) << shift if wide else p << shift)
    return acc


def _gemm_exact(
    ia: np.ndarray, ta: np.ndarray, ib: np.ndarray, tb: np.ndarray, max_a: int, max_b: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """``sum_k P_k 2^(ta+tb)`` as ONE float64 GEMM, when that is provably exact.

    ``ia`` (..., M, nblk, g), ``ta`` (..., M, nblk); ``ib`` (..., N, nblk, g),
    ``tb`` (..., N, nblk). Each row's blocks are shifted onto the row's smallest
    block exponent; when every shifted element times every other and the K-term
    sum fit in 53 bits, every partial sum of the GEMM is an exact integer in
    float64, whatever the summation order. Returns (integer sums, exponents)
    (..., M, N), or None when the spread of exponents is too wide (the caller
    then uses the block-by-block exact path).
    """

    def shifted(iv: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        live = (iv != 0).any(axis=-1)  # all-zero blocks contribute nothing
        big = np.iinfo(np.int64).max
        base = np.where(live, t, big).min(axis=-1)
        base = np.where(base == big, 0, base)
        shift = np.where(live, t - base[..., None], 0)
        spread = int(shift.max(initial=0))
        return shift, base, spread

    sa, base_a, spread_a = shifted(ia, ta)
    sb, base_b, spread_b = shifted(ib, tb)
    k = ia.shape[-2] * ia.shape[-1]
    bits = (max_a.bit_length() + spread_a) + (max_b.bit_length() + spread_b) + k.bit_length()
    if bits > 53:
        return None
    a = np.ldexp(ia.astype(np.float64), sa[..., None]).reshape(*ia.shape[:-2], k)
    b = np.ldexp(ib.astype(np.float64), sb[..., None]).reshape(*ib.shape[:-2], k)
    sums = np.matmul(a, np.swapaxes(b, -1, -2)).astype(np.int64)
    return sums, base_a[..., :, None] + base_b[..., None, :]


def _accumulate(
    p: np.ndarray, t: np.ndarray, extra: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """Exact sum over axis 0 of ``p * 2^t`` plus extra ``(int, exp)`` terms.

    Returns a signed integer accumulator (int64 or object) and its exponent.
    """
    terms_p = [p[k] for k in range(p.shape[0])] + [e[0] for e in extra]
    terms_t = [np.broadcast_to(t[k], p.shape[1:]) for k in range(p.shape[0])]
    terms_t += [np.broadcast_to(e[1], p.shape[1:]) for e in extra]
    lsb = np.full(p.shape[1:], _BIG, dtype=np.int64)
    top = np.full(p.shape[1:], -_BIG, dtype=np.int64)
    for pk, tk in zip(terms_p, terms_t, strict=True):
        nz = pk != 0
        lsb = np.where(nz, np.minimum(lsb, tk), lsb)
        top = np.where(nz, np.maximum(top, tk + bit_length(np.abs(pk))), top)
    lsb = np.where(lsb == _BIG, 0, lsb)
    width = int((top - lsb).max(initial=0)) + len(terms_p).bit_length()
    wide = width > _INT64_ACC_LIMIT or any(pk.dtype == object for pk in terms_p)
    acc = np.zeros(p.shape[1:], dtype=object if wide else np.int64)
    for pk, tk in zip(terms_p, terms_t, strict=True):
        sh = np.where(pk != 0, tk - lsb, 0)
        if wide:
            acc = acc + (pk.astype(object) << sh.astype(object))
        else:
            acc = acc + (pk << sh)
    return acc, lsb


def _sum_terms(
    p: np.ndarray,
    t: np.ndarray,
    extra: list[tuple[np.ndarray, np.ndarray]],
    accumulation: Accumulation,
    bound: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The terms ``p[k] * 2^t[k]`` (k along axis 0, in K order), then ``extra``,
    summed as ``accumulation`` prescribes: ``(integer, exponent)`` per output.

    ``bound`` is the bounded accumulation's ``E0`` of the block products alone
    (largest lhs block exponent plus largest rhs block exponent); the extra (bias)
    terms raise it where they are larger."""
    if accumulation.is_exact:
        return _accumulate(p, t, extra)
    shape = p.shape[1:]
    terms = [(p[k], np.broadcast_to(t[k], shape)) for k in range(p.shape[0])]
    bound = np.broadcast_to(bound, shape)
    for ip, ie in extra:
        ie = np.broadcast_to(ie, shape)
        terms.append((np.broadcast_to(ip, shape), ie))
        bound = np.maximum(bound, ie)
    return bounded_accumulate(terms, bound, accumulation.guard_bits)


def round_to_float32(
    neg: np.ndarray, mag: np.ndarray, exp: np.ndarray, rounding: str = "even"
) -> np.ndarray:
    """Round exact ``(-1)^neg * mag * 2^exp`` to float32 (subnormals; overflow gives inf)."""
    nz = mag != 0
    e = np.where(nz, bit_length(mag) - 1 + exp, -_BIG)
    qe = np.maximum(e, -126) - 23
    shift = qe - exp
    left = np.where(nz & (shift < 0), -shift, 0)  # exact: fewer than 24 significant bits
    q = round_shift(mag << left, np.maximum(shift, 0), rounding)
    with np.errstate(over="ignore"):
        val = np.ldexp(np.asarray(q, dtype=np.float64), np.minimum(qe, 1000)).astype(np.float32)
    return np.where(neg, -val, val)


def _finish(
    acc: np.ndarray, exp: np.ndarray, bad: np.ndarray, out_fmt: Format | None, rounding: str
) -> np.ndarray | MXTensor:
    neg = acc < 0
    mag = np.abs(acc)
    if out_fmt is None:
        out = round_to_float32(np.asarray(neg, bool), mag, exp, rounding)
        return np.where(bad, np.float32(np.nan), out)
    n = acc.shape[-1]
    b = out_fmt.block_size
    if n % b:
        raise ValueError(
            f"cannot produce {out_fmt}: output axis {acc.ndim - 1} has length {n}, "
            f"which is not a multiple of the block size B={b}"
        )
    ax = acc.ndim - 1
    scales, codes = encode_dyadic(
        block_view(np.asarray(neg, bool), ax, b),
        block_view(mag, ax, b),
        block_view(exp, ax, b),
        block_view(bad, ax, b),
        out_fmt,
        rounding,
    )
    shape = acc.shape
    return MXTensor._encoded(out_fmt, scales, codes.reshape(shape), ax)


def _out_format(out_fmt: Format | str | None) -> Format | None:
    return Format.parse_or_none(out_fmt)


def _check_pair(qa: MXTensor, qb: MXTensor, what: str) -> int:
    """The common sub-block along K: the smaller block size, which must divide the larger."""
    small, large = sorted((qa.fmt.block_size, qb.fmt.block_size))
    if large % small:
        raise ValueError(
            f"{what}: block sizes along K must divide one another ({qa.fmt} has "
            f"B={qa.fmt.block_size}, {qb.fmt} has B={qb.fmt.block_size})"
        )
    return small


def matmul(
    qa: MXTensor,
    qb: MXTensor,
    out_fmt: Format | str | None = None,
    *,
    rounding: str = "even",
    acc: Accumulation | str | None = None,
) -> np.ndarray | MXTensor:
    """``qa @ qb`` accumulated as ``acc`` (default exact), rounded once into ``out_fmt``
    (None / "f32": float32 array).

    ``qa`` is (..., M, K) blocked along its last axis, ``qb`` is (..., K, N)
    blocked along axis -2; batch dimensions broadcast as in ``numpy.matmul``.
    An MX result is blocked along its last axis (N).
    """
    check_rounding(rounding)
    fmt_out = _out_format(out_fmt)
    if qa.ndim < 2 or qb.ndim < 2:
        raise ValueError("matmul: both operands need at least 2 dimensions")
    if qa.axis != qa.ndim - 1:
        raise ValueError(f"matmul: lhs must be blocked along its last axis (K), not axis {qa.axis}")
    if qb.axis != qb.ndim - 2:
        raise ValueError(f"matmul: rhs must be blocked along axis -2 (K), not axis {qb.axis}")
    if qa.shape[-1] != qb.shape[-2]:
        raise ValueError(f"matmul: K mismatch, lhs {qa.shape} vs rhs {qb.shape}")
    accumulation = Accumulation.parse(acc)
    g = _check_pair(qa, qb, "matmul")
    ia, ta, bada = _operand(qa, g)  # (..., M, nblk, g), (..., M, nblk)
    ib, tb, badb = _operand(qb, g)  # (..., N, nblk, g), (..., N, nblk)
    bad = (np.moveaxis(bada, -1, -2)[..., :, None] | np.moveaxis(badb, -1, -2)[..., None, :]).any(
        -3
    )
    fast = None
    if accumulation.is_exact:
        fast = _gemm_exact(ia, ta, ib, tb, _max_int(qa.fmt), _max_int(qb.fmt))
    if fast is not None:
        acc, exp = fast
        # Exponents broadcast over batch dimensions like the sums.
        exp = np.broadcast_to(exp, acc.shape)
        return _finish(acc, exp, np.broadcast_to(bad, acc.shape), fmt_out, rounding)
    ia = np.moveaxis(ia, -2, -3)  # (..., nblk, M, B)
    ib = np.moveaxis(ib, -3, -1)  # (..., nblk, B, N)
    p = _block_products(ia, ib, _max_int(qa.fmt), _max_int(qb.fmt))  # (..., nblk, M, N)
    t = np.moveaxis(ta, -1, -2)[..., :, None] + np.moveaxis(tb, -1, -2)[..., None, :]
    p = np.moveaxis(p, -3, 0)
    t = np.moveaxis(np.broadcast_to(t, p.shape[1:-2] + t.shape[-3:]), -3, 0)
    bound = ta.max(axis=-1)[..., :, None] + tb.max(axis=-1)[..., None, :]
    total, exp = _sum_terms(p, t, [], accumulation, bound)
    return _finish(total, exp, np.broadcast_to(bad, total.shape), fmt_out, rounding)


def _bias_terms(
    qbias: MXTensor | np.ndarray | None, n: int, what: str = "linear: bias"
) -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The bias as one term ``(integer, exponent)`` per output, and its NaN mask.

    The representation matters to bounded accumulation, so it is canonical: an MX bias
    gives its element integers and block exponents (like a block product); a float bias
    gives the signed significand of its own dtype (24 bits for float32, 53 for float64)
    and the exponent of its last bit (subnormals at the format's smallest exponent).
    """
    if qbias is None:
        return [], np.zeros(n, dtype=bool)
    if isinstance(qbias, MXTensor):
        if qbias.shape != (n,):
            raise ValueError(f"{what} must have shape ({n},), got {qbias.shape}")
        ints, bad = element_integers(qbias)
        scales = qbias.scales.astype(np.int64)
        b = qbias.fmt.block_size
        t = np.repeat(scales - qbias.fmt.scale_bias + _lsb(qbias.fmt), b)
        bad = bad | np.repeat(scales == qbias.fmt.scale_nan_code, b)
        return [(np.where(bad, 0, ints), t)], bad
    vals = real_array(qbias, what)
    if not np.issubdtype(vals.dtype, np.floating):
        vals = vals.astype(np.float64)
    if vals.shape != (n,):
        raise ValueError(f"{what} must have shape ({n},), got {vals.shape}")
    info = np.finfo(vals.dtype if vals.dtype in (np.float32, np.float64) else np.float64)
    neg, mag, exp, bad = from_float(vals)
    # from_float gives 53-bit magnitudes: re-express on the dtype's own significand grid.
    last = np.maximum(np.where(mag != 0, bit_length(mag) - 1 + exp, info.minexp),
                      info.minexp) - info.nmant
    mag = mag >> np.clip(last - exp, 0, 63)  # exact: the dropped bits are zero
    return [(np.where(neg, -mag, mag), np.where(mag != 0, last, 0))], bad


def linear(
    qx: MXTensor,
    qw: MXTensor,
    qb: MXTensor | np.ndarray | None = None,
    out_fmt: Format | str | None = None,
    *,
    rounding: str = "even",
    acc: Accumulation | str | None = None,
) -> np.ndarray | MXTensor:
    """``x @ w.T + b`` accumulated as ``acc`` (default exact: the block products along K,
    then the bias), rounded once into ``out_fmt`` (like ``torch.nn.functional.linear``).

    ``qx`` is (..., K) and ``qw`` is (N, K), both blocked along K (their last
    axis).  ``qb`` is None, a float array of shape (N,) (its float values are
    added exactly) or an MX tensor of shape (N,).
    """
    check_rounding(rounding)
    accumulation = Accumulation.parse(acc)
    fmt_out = _out_format(out_fmt)
    if qw.ndim != 2:
        raise ValueError(f"linear: weight must be 2-d (N, K), got shape {qw.shape}")
    if qx.axis != qx.ndim - 1 or qw.axis != 1:
        raise ValueError("linear: input and weight must both be blocked along their last axis (K)")
    if qx.shape[-1] != qw.shape[1]:
        raise ValueError(f"linear: K mismatch, input {qx.shape} vs weight {qw.shape}")
    g = _check_pair(qx, qw, "linear")
    n = qw.shape[0]
    ix, tx, badx = _operand(qx, g)  # (..., nblk, g)
    lead = ix.shape[:-2]
    ix = ix.reshape(-1, *ix.shape[-2:])
    tx = tx.reshape(-1, tx.shape[-1])
    badx = badx.reshape(-1, badx.shape[-1])
    iw, tw, badw = _operand(qw, g)  # (N, nblk, g)
    max_x, max_w = _max_int(qx.fmt), _max_int(qw.fmt)
    fast = _gemm_exact(ix, tx, iw, tw, max_x, max_w) if accumulation.is_exact else None
    if fast is not None:
        p, t = fast[0][None], fast[1][None]  # one exact term per output
    else:
        p = _block_products(
            np.moveaxis(ix, 1, 0), np.transpose(iw, (1, 2, 0)), max_x, max_w
        )  # (nblk, M, N)
        t = tx.T[:, :, None] + tw.T[:, None, :]
    bad = (badx[:, :, None] | badw.T[None, :, :]).any(1)
    terms, bias_bad = _bias_terms(qb, n)
    terms = [(np.broadcast_to(ip, p.shape[1:]), np.broadcast_to(e, p.shape[1:])) for ip, e in terms]
    bound = tx.max(axis=1)[:, None] + tw.max(axis=1)[None, :]
    total, exp = _sum_terms(p, t, terms, accumulation, bound)
    bad = bad | bias_bad[None, :]
    out = _finish(
        total.reshape(*lead, n), exp.reshape(*lead, n), bad.reshape(*lead, n), fmt_out, rounding
    )
    return out


def accumulator_width(qa: MXTensor, qb: MXTensor, *, transpose_b: bool = False) -> int:
    """Bits (with sign) of the exact accumulator ``matmul``/``linear`` needs for these operands.

    ``transpose_b=True`` reads ``qb`` as a linear weight (N, K).  The width is
    the largest over outputs of ``msb - lsb + 1`` where lsb is the smallest
    exponent of a non-zero block product and msb bounds the sum.
    """
    g = _check_pair(qa, qb, "accumulator_width")
    ia, ta, _ = _operand(qa, g)
    ib, tb, _ = _operand(qb, g)
    if not transpose_b:
        ib = np.moveaxis(ib, -3, -1)
        tb = np.moveaxis(tb, -1, -2)
    else:
        ib = np.transpose(ib, (1, 2, 0))
        tb = tb.T
    ia = np.moveaxis(ia, -2, -3)
    ta = np.moveaxis(ta, -1, -2)
    p = _block_products(ia, ib, _max_int(qa.fmt), _max_int(qb.fmt))
    t = np.broadcast_to(ta[..., :, None] + tb[..., None, :], p.shape)
    p = np.moveaxis(p, -3, 0)
    t = np.moveaxis(t, -3, 0)
    _, lsb = _accumulate(p, t, [])
    nz = p != 0
    top = np.where(nz, t + bit_length(np.abs(p)), -_BIG).max(axis=0)
    widths = np.where(top == -_BIG, 0, top - lsb)
    return int(widths.max(initial=0)) + p.shape[0].bit_length() + 1
