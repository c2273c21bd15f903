"""Row operators (numerics.rows): bit-exact against a scalar reference written with Python
integers and Fractions from the definitions in docs/numerics.md, plus properties (shift
and scale invariance, masks) and error bounds against float64."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from mase_mlir.numerics import Format, MXTensor, dequantize, quantize, rows
from mase_mlir.numerics import fixedpoint as fp
from mase_mlir.numerics.quantize import element_table

SM, NP = rows.SOFTMAX, rows.NORM


# --------------------------------------------------------------------------- reference
def _floor_log2(v: Fraction) -> int:
    p = 0
    while Fraction(2) ** p > v:
        p -= 1
    while Fraction(2) ** (p + 1) <= v:
        p += 1
    return p


def _half_up(v: Fraction) -> int:
    return math.floor(v + Fraction(1, 2))


def _table(fn, lo: int, span: int, lut: int, frac: int) -> list[int]:
    return [math.floor(fn(lo + i / 2**lut) * 2**frac + 0.5) for i in range(span * 2**lut + 1)]


def _lookup(table: list[int], lo: int, m: int, m_frac: int, lut: int) -> int:
    rem_bits = m_frac - lut
    idx = (m >> rem_bits) - (lo << lut)
    rem = m - ((m >> rem_bits) << rem_bits)
    return table[idx] + _half_up(Fraction((table[idx + 1] - table[idx]) * rem, 2**rem_bits))


EXP2 = _table(lambda f: 2.0**f, 0, 1, SM.exp_lut, SM.exp_frac)
RECIP = _table(lambda m: 1.0 / m, 1, 1, SM.recip_lut, SM.recip_frac)
RSQRT = _table(lambda m: 1.0 / math.sqrt(m), 1, 3, NP.lut, NP.r_frac)


def _values(q: MXTensor) -> list[list[Fraction | None]]:
    """Exact element values per row (None for NaN)."""
    fmt = q.fmt
    b = fmt.block_size
    table = element_table(fmt)
    codes = q.codes.reshape(-1, q.shape[-1])
    scales = q.scales.reshape(-1, q.shape[-1] // b)
    out = []
    for crow, srow in zip(codes.tolist(), scales.tolist(), strict=True):
        row = []
        for j, c in enumerate(crow):
            sc = srow[j // b]
            el = float(table[c])
            if sc == fmt.scale_nan_code or not math.isfinite(el):
                row.append(None)
            else:
                row.append(Fraction(el) * Fraction(2) ** (sc - fmt.scale_bias))
        out.append(row)
    return out


def _block_exponents(q: MXTensor) -> list[list[int]]:
    fmt = q.fmt
    lsb = fmt.emin - fmt.fraction_bits
    scales = q.scales.reshape(-1, q.shape[-1] // fmt.block_size).astype(int)
    return [[s - fmt.scale_bias + lsb for s in row for _ in range(fmt.block_size)]
            for row in scales.tolist()]


def _round_mxint(vals: list[Fraction | None], fmt: Format) -> tuple[list[int], list[int]]:
    """MXInt rounding of exact values (round half to even, saturation), block by block."""
    b, m = fmt.block_size, fmt.element_bits
    codes, scales = [], []
    qmax = 2 ** (m - 1) - 1
    for k in range(0, len(vals), b):
        blk = vals[k:k + b]
        if any(v is None for v in blk):
            scales.append(fmt.scale_nan_code)
            codes += [0] * b
            continue
        amax = max(abs(v) for v in blk)
        s = fmt.scale_min if amax == 0 else min(max(_floor_log2(amax), fmt.scale_min),
                                                fmt.scale_max)
        scales.append(s + fmt.scale_bias)
        for v in blk:
            u = v / Fraction(2) ** (s - (m - 2))
            fl = math.floor(u)
            d = u - fl
            r = fl + (1 if d > Fraction(1, 2) or (d == Fraction(1, 2) and fl % 2) else 0)
            r = max(-qmax, min(qmax, r))
            codes.append(r % 2**m)
    return codes, scales


def ref_softmax(q: MXTensor, mask: np.ndarray | None) -> list[list[Fraction | None]]:
    keep = np.broadcast_to(True if mask is None else mask, q.shape).reshape(-1, q.shape[-1])
    out = []
    for row, kr in zip(_values(q), keep.tolist(), strict=True):
        kept = [v for v, k in zip(row, kr, strict=True) if k]
        if any(v is None for v in kept):
            out.append([None] * len(row))
            continue
        if not kept:
            out.append([Fraction(0)] * len(row))
            continue
        m = max(kept)
        g = -SM.frac if m == 0 else max(-SM.frac, _floor_log2(abs(m)) - SM.window)
        two_g = Fraction(2) ** g
        um = math.floor(m / two_g)
        log2e = math.floor(math.log2(math.e) * 2**SM.log2e_frac + 0.5)
        parts = []
        for v, k in zip(row, kr, strict=True):
            if not k:
                parts.append(None)
                continue
            x = (math.floor(v / two_g) - um) * 2 ** (g + SM.frac)
            x = max(x, -SM.x_limit)
            y = _half_up(Fraction(x * log2e, 2 ** (SM.frac + SM.log2e_frac - SM.y_frac)))
            n = -(y // 2**SM.y_frac)
            if n > SM.n_max:
                parts.append(None)
                continue
            a = _lookup(EXP2, 0, y + n * 2**SM.y_frac, SM.y_frac, SM.exp_lut)
            parts.append((a, n))
        total = sum(a * 2 ** (SM.n_max - n) for a, n in filter(None, parts))
        p = total.bit_length() - 1
        r = _lookup(RECIP, 1, total >> (p - SM.recip_in), SM.recip_in, SM.recip_lut)
        out.append([Fraction(0) if pn is None else
                    Fraction(pn[0] * r) * Fraction(2) ** (SM.n_max - pn[1] - SM.recip_frac - p)
                    for pn in parts])
    return out


def _param_values(p, n: int) -> list[Fraction | None] | None:
    if p is None:
        return None
    if isinstance(p, MXTensor):
        return _values(p)[0] if n else []
    return [None if not math.isfinite(float(v)) else Fraction(float(v)) for v in np.asarray(p)]


def ref_norm(q: MXTensor, weight, bias, eps: float, centered: bool
             ) -> list[list[Fraction | None]]:
    n = q.shape[-1]
    w = _param_values(weight, n)
    b = _param_values(bias, n)
    out = []
    codes = q.codes.reshape(-1, n)
    for row, texp, crow in zip(_values(q), _block_exponents(q), codes.tolist(), strict=True):
        if any(v is None for v in row):
            out.append([None] * n)
            continue
        tmax = max(texp)
        ints = [v / Fraction(2) ** t for v, t in zip(row, texp, strict=True)]
        assert all(i.denominator == 1 for i in ints) and crow is not None
        x = [math.floor(i * Fraction(2) ** (t - tmax + NP.guard))
             for i, t in zip(ints, texp, strict=True)]
        s1, s2 = sum(x), sum(v * v for v in x)
        quad = n * s2 - (s1 * s1 if centered else 0)
        d = [n * v - (s1 if centered else 0) for v in x]
        if quad == 0:
            normed = [0] * n
        else:
            z = quad + n * n * Fraction(eps) * Fraction(4) ** (NP.guard - tmax)
            k = _floor_log2(z) // 2
            y = _lookup(RSQRT, 1, math.floor(z / Fraction(4) ** k * 2**NP.z_frac), NP.z_frac,
                        NP.lut)
            normed = [_half_up(Fraction(dj * y, 2 ** (NP.r_frac + k - NP.n_frac))) for dj in d]
        res = []
        for j, nj in enumerate(normed):
            if (w is not None and w[j] is None) or (b is not None and b[j] is None):
                res.append(None)
                continue
            v = Fraction(nj, 2**NP.n_frac) * (w[j] if w is not None else 1)
            res.append(v + (b[j] if b is not None else 0))
        out.append(res)
    return out


def _check(got: MXTensor, want: list[list[Fraction | None]]) -> None:
    fmt = got.fmt
    codes = got.codes.reshape(len(want), -1).astype(int).tolist()
    scales = got.scales.reshape(len(want), -1).astype(int).tolist()
    for r, row in enumerate(want):
        c, s = _round_mxint(row, fmt)
        assert (codes[r], scales[r]) == (c, s), f"row {r}"


# --------------------------------------------------------------------------- data
def adversarial(rng: np.random.Generator, shape: tuple[int, ...], fmt: str) -> MXTensor:
    """Random codes and scale codes over the whole range (extreme scales, zero blocks,
    rows of one scale, the most negative code), row by row."""
    f = Format.parse(fmt)
    b = f.block_size
    codes = rng.integers(0, 2**f.element_bits, size=shape)
    sshape = (*shape[:-1], shape[-1] // b)
    scales = rng.integers(0, f.scale_nan_code, size=sshape)
    flat_c = codes.reshape(-1, shape[-1])
    flat_s = scales.reshape(-1, sshape[-1])
    for r in range(flat_c.shape[0]):
        kind = r % 6
        if kind == 1:
            flat_c[r] = 0  # a zero row
        elif kind == 2:
            flat_s[r] = flat_s[r, 0]  # one scale
        elif kind == 3:
            flat_s[r] = f.scale_bias + rng.integers(-3, 3, size=flat_s.shape[1])  # near 1
            flat_c[r, :b] = 0  # a zero block
        elif kind == 4:
            flat_s[r] = rng.choice([0, f.scale_nan_code - 1], size=flat_s.shape[1])  # extremes
    return MXTensor(f, scales.astype(np.uint8), codes.astype(f.element_dtype), len(shape) - 1)


def gaussian(rng: np.random.Generator, shape: tuple[int, ...], fmt: str, scale: float = 3.0,
             offset: float = 0.0) -> MXTensor:
    return quantize((rng.standard_normal(shape) * scale + offset).astype(np.float32), fmt)


# --------------------------------------------------------------------------- tests
def test_tables_match_the_definition() -> None:
    assert fp.function_table("exp2", SM.exp_lut, SM.exp_frac).tolist() == EXP2
    assert fp.function_table("reciprocal", SM.recip_lut, SM.recip_frac).tolist() == RECIP
    assert fp.function_table("rsqrt", NP.lut, NP.r_frac).tolist() == RSQRT
    assert EXP2[0] == 2**SM.exp_frac and EXP2[-1] == 2 ** (SM.exp_frac + 1)
    assert RECIP[0] == 2**SM.recip_frac and RSQRT[-1] == 2 ** (NP.r_frac - 1)


def test_x_limit_is_below_the_exp_underflow() -> None:
    """Clamping the differences at -x_limit changes nothing: there n > n_max already."""
    y = -((SM.x_limit * SM.log2e) >> (SM.frac + SM.log2e_frac - SM.y_frac))
    assert -(y >> SM.y_frac) > SM.n_max + 1


SOFTMAX_CASES = [
    ("mxint8", (6, 64), "none"),
    ("mxint8", (2, 3, 4, 32), "causal"),
    ("mxint<4,8,16>", (12, 48), "random"),
    ("mxint<6,5,8>", (12, 24), "random"),
    ("mxint<8,3,4>", (12, 12), "rows"),
    ("mxfp8_e4m3", (6, 64), "random"),
]


def _mask(kind: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray | None:
    if kind == "none":
        return None
    if kind == "causal":
        return np.tril(np.ones(shape[-2:], dtype=bool), k=shape[-1] - shape[-2])
    if kind == "rows":  # whole rows kept or masked, broadcast along the last axis
        return rng.random((*shape[:-1], 1)) < 0.7
    m = rng.random(shape) < 0.6
    m[0] = False  # a fully masked row
    return m


@pytest.mark.parametrize("fmt,shape,mask_kind", SOFTMAX_CASES)
@pytest.mark.parametrize("data", ["adversarial", "gaussian", "huge"])
def test_softmax_bit_exact(fmt, shape, mask_kind, data) -> None:
    rng = np.random.default_rng(len(shape) * 31 + shape[-1])
    if data == "adversarial":
        q = adversarial(rng, shape, fmt)
    elif data == "gaussian":
        q = gaussian(rng, shape, fmt)
    else:
        q = gaussian(rng, shape, fmt, scale=4.0, offset=-3e4)
    mask = _mask(mask_kind, shape, rng)
    for out in ("mxint8", "mxint<5,4,8>"):
        if shape[-1] % Format.parse(out).block_size:
            continue
        _check(rows.softmax(q, mask, out), ref_softmax(q, mask))


NORM_CASES = [
    ("mxint8", (6, 64), "mxint8", "mxint8"),
    ("mxint<4,8,16>", (8, 48), "mxint<6,8,16>", "f32"),
    ("mxint<6,5,8>", (12, 24), "mxint<5,5,4>", "mxint<8,8,2>"),
    ("mxint8", (2, 3, 96), None, None),
    ("mxfp8_e4m3", (6, 64), "f32", "mxint8"),
]


def _param(rng: np.random.Generator, n: int, fmt: str | None):
    if fmt is None:
        return None
    x = (rng.standard_normal(n) * 2.0 ** rng.integers(-6, 4, size=n)).astype(np.float32)
    return x if fmt == "f32" else quantize(x, fmt, axis=0)


@pytest.mark.parametrize("fmt,shape,wfmt,bfmt", NORM_CASES)
@pytest.mark.parametrize("data", ["adversarial", "gaussian"])
@pytest.mark.parametrize("eps", [1e-5, 0.0, 1e-12])
def test_norms_bit_exact(fmt, shape, wfmt, bfmt, data, eps) -> None:
    rng = np.random.default_rng(shape[-1] + len(shape))
    q = adversarial(rng, shape, fmt) if data == "adversarial" else gaussian(rng, shape, fmt, 2, 0.5)
    n = shape[-1]
    w, b = _param(rng, n, wfmt), _param(rng, n, bfmt)
    for out in ("mxint8", "mxint<5,4,8>"):
        if n % Format.parse(out).block_size:
            continue
        _check(rows.layer_norm(q, w, b, out, eps=eps), ref_norm(q, w, b, eps, True))
        _check(rows.rms_norm(q, w, out, eps=eps), ref_norm(q, w, None, eps, False))


def test_nan_rows_and_nan_parameters() -> None:
    rng = np.random.default_rng(3)
    q = gaussian(rng, (4, 32), "mxint<8,8,8>")
    scales = q.scales.copy()
    scales[1, 2] = q.fmt.scale_nan_code
    q = MXTensor(q.fmt, scales, q.codes, 1)
    nan_rows = np.isnan(dequantize(rows.softmax(q, None, "mxint8"))).all(axis=1)
    assert nan_rows.tolist() == [False, True, False, False]
    mask = np.ones((4, 32), dtype=bool)
    mask[1, 16:24] = False  # the NaN block is masked: the row is fine
    assert not np.isnan(dequantize(rows.softmax(q, mask, "mxint8"))).any()
    w = np.ones(32, dtype=np.float32)
    w[5] = np.nan
    y = dequantize(rows.layer_norm(q, w, None, "mxint<8,8,4>"))
    assert np.isnan(y[1]).all() and np.isnan(y[:, 4:8]).all()
    assert not np.isnan(np.delete(y[[0, 2, 3]], np.s_[4:8], axis=1)).any()


def test_softmax_shift_invariant() -> None:
    """Adding a constant on the 2^-frac grid to a row changes nothing."""
    rng = np.random.default_rng(5)
    f = Format.parse("mxint<12,8,16>")
    ints = rng.integers(-1500, 1500, size=(8, 64))
    scales = np.full((8, 4), f.scale_bias - 2, dtype=np.uint8)  # lsb 2^-12
    base = MXTensor(f, scales, (ints % 4096).astype(f.element_dtype), 1)
    shifted = MXTensor(f, scales, ((ints + 500) % 4096).astype(f.element_dtype), 1)
    a, b = rows.softmax(base, None, "mxint8"), rows.softmax(shifted, None, "mxint8")
    assert (a.codes == b.codes).all() and (a.scales == b.scales).all()


def test_norms_scale_invariant() -> None:
    """Scaling a row by 2^k (and eps by 4^k) changes nothing, at any scale."""
    rng = np.random.default_rng(6)
    q = gaussian(rng, (6, 64), "mxint8", 2, 0.5)
    w, b = _param(rng, 64, "mxint8"), _param(rng, 64, "mxint8")
    for k in (-100, -20, 30, 100):
        scaled = MXTensor(q.fmt, (q.scales.astype(int) + k).astype(np.uint8), q.codes, 1)
        for centered in (True, False):
            run = rows.layer_norm if centered else (lambda x, w_, b_, o, eps: rows.rms_norm(
                x, w_, o, eps=eps))
            want = run(q, w, b, "mxint8", eps=1e-5)
            got = run(scaled, w, b, "mxint8", eps=1e-5 * 4.0**k)
            assert (got.codes == want.codes).all() and (got.scales == want.scales).all()


def test_masks_broadcast_and_empty_rows() -> None:
    rng = np.random.default_rng(7)
    q = gaussian(rng, (2, 3, 4, 32), "mxint8")
    mask = rng.random((2, 1, 4, 32)) < 0.5
    mask[1, 0, 2] = False
    y = dequantize(rows.softmax(q, mask, "mxint8"))
    keep = np.broadcast_to(mask, q.shape)
    assert (y[~keep] == 0).all() and (y[1, :, 2] == 0).all()
    sums = y.sum(-1)[keep.any(-1)]
    assert np.abs(sums - 1).max() < 0.05
    with pytest.raises(ValueError, match="does not broadcast"):
        rows.softmax(q, np.ones((3, 32), dtype=bool), "mxint8")
    with pytest.raises(TypeError, match="booleans"):
        rows.softmax(q, np.ones(32), "mxint8")


def test_bad_inputs() -> None:
    x = quantize(np.ones((32, 2), np.float32), "mxint<8,8,2>", axis=0)
    with pytest.raises(ValueError, match="blocked along its last axis"):
        rows.layer_norm(x, None, None, "mxint8")
    with pytest.raises(TypeError, match="must be an MX tensor"):
        rows.softmax(np.ones((2, 32)), None, "mxint8")
    with pytest.raises(ValueError, match="eps"):
        rows.rms_norm(quantize(np.ones((2, 32), np.float32), "mxint8"), None, "mxint8", eps=-1)
    with pytest.raises(ValueError, match="MX output format"):
        rows.softmax(quantize(np.ones((2, 32), np.float32), "mxint8"), None, "f32")


# --------------------------------------------------------------------------- error bounds
def test_error_against_float64_within_documented_bounds() -> None:
    from mase_mlir.numerics.accuracy import measure_rows

    bounds = {"softmax (MX)": 5.0e-6, "layer_norm (MX)": 4.0e-5, "rms_norm (MX)": 5.0e-5}
    got = {r["function"]: r for r in measure_rows()}
    for name, bound in bounds.items():
        assert got[name]["max error"] <= bound, got[name]
        # the final rounding dominates: nearly every code is that of float64 rounded
        assert got[name]["mxint8 output: codes equal to float64 rounded"] > 0.999


ROW_MODULE = """
func.func @forward(%x: !mx.tensor<2x4x32xmxint8>, %m: tensor<2x1x32xi1>,
                   %w: !mx.tensor<32xmxint8>, %b: tensor<32xf32>)
    -> (!mx.tensor<2x4x32xmxint8>, !mx.tensor<2x4x32xmxint<6,8,16>>, !mx.tensor<2x4x32xmxint8>,
        tensor<2x4x32xf32>) {
  %s = mx.softmax %x, mask = %m {axis = 2 : i64} : !mx.tensor<2x4x32xmxint8>, tensor<2x1x32xi1> -> !mx.tensor<2x4x32xmxint8>
  %l = mx.layer_norm %s weight %w bias %b {eps = 1.0e-5 : f64} : (!mx.tensor<2x4x32xmxint8>, !mx.tensor<32xmxint8>, tensor<32xf32>) -> !mx.tensor<2x4x32xmxint<6,8,16>>
  %r = mx.rms_norm %x weight %w {eps = 1.0e-6 : f64} : (!mx.tensor<2x4x32xmxint8>, !mx.tensor<32xmxint8>) -> !mx.tensor<2x4x32xmxint8>
  %f = mx.rms_norm %x weight %w {eps = 1.0e-6 : f64} : (!mx.tensor<2x4x32xmxint8>, !mx.tensor<32xmxint8>) -> tensor<2x4x32xf32>
  func.return %s, %l, %r, %f : !mx.tensor<2x4x32xmxint8>, !mx.tensor<2x4x32xmxint<6,8,16>>, !mx.tensor<2x4x32xmxint8>, tensor<2x4x32xf32>
}
"""


def test_interpreter_uses_the_mx_definitions() -> None:
    """MX-typed results follow numerics.rows; an f32 result stays on the float path."""
    from mase_mlir import interp

    rng = np.random.default_rng(8)
    x = gaussian(rng, (2, 4, 32), "mxint8")
    mask = rng.random((2, 1, 32)) < 0.7
    w = quantize(rng.standard_normal(32).astype(np.float32), "mxint8")
    b = rng.standard_normal(32).astype(np.float32)
    s, ln, rm, fl = interp.run(ROW_MODULE, [x, mask, w, b])
    want_s = rows.softmax(x, mask, "mxint8")
    want_l = rows.layer_norm(want_s, w, b, "mxint<6,8,16>", eps=1e-5)
    want_r = rows.rms_norm(x, w, "mxint8", eps=1e-6)
    for got, want in ((s, want_s), (ln, want_l), (rm, want_r)):
        assert (got.codes == want.codes).all() and (got.scales == want.scales).all()
    xf = dequantize(x).astype(np.float64)
    ref = xf / np.sqrt((xf * xf).mean(-1, keepdims=True) + 1e-6) * dequantize(w)
    np.testing.assert_allclose(fl, ref, rtol=1e-5, atol=1e-6)
