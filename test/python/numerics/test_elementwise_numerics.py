"""numerics.elementwise: exact arithmetic then one rounding, against Fractions."""

from __future__ import annotations

import zlib
from fractions import Fraction

import numpy as np
import pytest
from conftest import fraction_mxint

from mase_mlir.numerics import MXTensor, dequantize, quantize
from mase_mlir.numerics import elementwise as ew
from mase_mlir.numerics import fixedpoint as fp
from mase_mlir.numerics.accuracy import measure_all
from mase_mlir.numerics.formats import Format


def _values(q: MXTensor) -> np.ndarray:
    """Exact element values as Fractions (float64 holds every MX value exactly)."""
    return np.vectorize(Fraction, otypes=[object])(dequantize(q).astype(np.float64))


def _reference(vals: np.ndarray, fmt: str, rounding: str = "even") -> tuple[np.ndarray, ...]:
    """Round exact values (Fractions, last axis blocked) with the independent reference."""
    f = Format.parse(fmt)
    m, e, b = f.element_bits, f.scale_bits, f.block_size
    blocks = vals.reshape(-1, b)
    scales, codes = [], []
    for blk in blocks:
        s, c = fraction_mxint(list(blk), m, e, rounding)
        scales.append(s)
        codes.append(c)
    shape = vals.shape
    return (np.array(scales).reshape(*shape[:-1], shape[-1] // b),
            np.array(codes).reshape(shape))


def _data(rng: np.random.Generator, shape, fmt: str, spread: int = 30) -> MXTensor:
    x = rng.standard_normal(shape) * 2.0 ** rng.integers(-spread, spread + 1, size=shape)
    flat = x.reshape(-1, shape[-1])
    flat[0, : shape[-1] // 2] = 0.0
    flat[-1] = 2.0 ** rng.integers(-10, 10)
    return quantize(x.astype(np.float32), fmt)


def _check(got: MXTensor, vals: np.ndarray, fmt: str, rounding: str = "even") -> None:
    scales, codes = _reference(vals, fmt, rounding)
    assert got.fmt == Format.parse(fmt) and got.axis == got.ndim - 1
    np.testing.assert_array_equal(got.scales, scales)
    np.testing.assert_array_equal(got.codes, codes)


CASES = [
    # (format a, format b, output): block sizes, element widths and scale widths differ
    ("mxint8", "mxint<4,8,16>", "mxint<6,8,8>"),
    ("mxint<8,8,16>", "mxint<6,5,8>", "mxint<4,4,16>"),
    ("mxint<12,8,4>", "mxint<16,8,2>", "mxint<8,8,32>"),
    ("mxint<8,1,4>", "mxint<6,1,8>", "mxint<8,1,8>"),
]


@pytest.mark.parametrize("fa,fb,fo", CASES)
@pytest.mark.parametrize("op", ["add", "sub", "mul"])
def test_binary_matches_fraction_reference(fa, fb, fo, op):
    rng = np.random.default_rng(hash((fa, fb, fo, op)) % 2**32)
    a, b = _data(rng, (4, 32), fa), _data(rng, (4, 32), fb)
    va, vb = _values(a), _values(b)
    exact = {"add": va + vb, "sub": va - vb, "mul": va * vb}[op]
    _check(getattr(ew, op)(a, b, fo), exact, fo)


def test_broadcast_constants_and_scalars():
    rng = np.random.default_rng(3)
    x = _data(rng, (2, 3, 4, 32), "mxint8")
    c = _data(rng, (1, 1, 4, 32), "mxint<4,8,16>")
    vx, vc = _values(x), _values(c)
    _check(ew.mul(x, c, "mxint8"), vx * vc, "mxint8")
    _check(ew.sub(c, x, "mxint8"), vc - vx, "mxint8")
    for scalar in (np.float32(0.17677669), np.array(-3.0e-30, np.float32), 1.0,
                   np.full((1, 1), 2.0**100, np.float32)):
        s = Fraction(float(np.asarray(scalar).reshape(-1)[0]))
        _check(ew.mul(x, scalar, "mxint<6,8,8>"), vx * s, "mxint<6,8,8>")
        _check(ew.sub(scalar, x, "mxint<6,8,8>"), s - vx, "mxint<6,8,8>")
        _check(ew.add(x, scalar, "mxint<6,8,8>"), vx + s, "mxint<6,8,8>")


@pytest.mark.parametrize("rounding", ["even", "nearest"])
def test_neg_and_cast(rounding):
    rng = np.random.default_rng(5)
    x = _data(rng, (3, 48), "mxint<8,8,16>")
    vx = _values(x)
    _check(ew.neg(x, "mxint<4,8,24>", rounding=rounding), -vx, "mxint<4,8,24>", rounding)
    for fmt in ("mxint<4,8,8>", "mxint<8,4,48>", "mxint<5,8,1>", "mxint<8,1,16>"):
        _check(ew.cast(x, fmt, rounding=rounding), vx, fmt, rounding)


def test_ties_round_half_to_even():
    # 1 + 2^-7 is a tie on the MXINT8 grid of [1, 2): it rounds to 1; 1 + 3 * 2^-7 to 1 + 2^-5.
    a = quantize(np.array([[1.0] * 32], np.float32), "mxint<8,8,32>")
    b = quantize(np.array([[2.0**-7, 3 * 2.0**-7] * 16], np.float32), "mxint<16,8,32>")
    y = dequantize(ew.add(a, b, "mxint8"))
    assert y[0, 0] == 1.0 and y[0, 1] == 1.0 + 2.0**-5


def test_wide_scale_spread_uses_exact_integers():
    """Exponents 250 apart: the sum needs Python integers; the small term still decides
    the rounding of a tie."""
    a = quantize(np.array([[1.0 + 2.0**-7] * 8 + [2.0**-120] * 8], np.float32),
                 "mxint<16,8,8>")
    b = quantize(np.array([[2.0**-126] * 8 + [2.0**120] * 8], np.float32), "mxint<4,8,8>")
    va, vb = _values(a), _values(b)
    _check(ew.add(a, b, "mxint<8,8,8>"), va + vb, "mxint<8,8,8>")
    _check(ew.sub(a, b, "mxint<8,8,16>"), va - vb, "mxint<8,8,16>")


def test_nan_blocks_propagate():
    a = quantize(np.array([[np.nan] + [1.0] * 7, [1.0] * 8], np.float32), "mxint<8,8,8>")
    b = quantize(np.ones((2, 8), np.float32), "mxint<8,8,4>")
    y = ew.add(a, b, "mxint<8,8,4>")
    assert (y.scales[0] == y.fmt.scale_nan_code).all()
    assert (y.scales[1] != y.fmt.scale_nan_code).all()
    assert np.isnan(dequantize(ew.mul(b, np.float32(np.nan), "mxint<8,8,8>"))).all()


def test_other_axes_and_float_formats():
    rng = np.random.default_rng(9)
    x = quantize(rng.standard_normal((32, 4)).astype(np.float32), "mxfp8_e4m3", axis=0)
    y = quantize(rng.standard_normal((32, 4)).astype(np.float32), "mxfp4_e2m1", axis=0)
    got = ew.add(x, y, "mxfp8_e4m3", axis=0)
    want = quantize((dequantize(x).astype(np.float64) + dequantize(y)).astype(np.float32),
                    "mxfp8_e4m3", axis=0)  # the float32 sum is exact here
    np.testing.assert_array_equal(got.codes, want.codes)
    np.testing.assert_array_equal(got.scales, want.scales)


# ------------------------------------------------------------------ activations
def _activation_reference(name: str, v: Fraction) -> Fraction:
    """The activation's fixed-point definition with Python integers: ``u = |v| 2^frac``
    rounded half up, the table read at ``u`` and interpolated, the symmetry for
    ``v < 0``, the asymptote at or beyond ``2^range_log2``."""
    act = fp.activation(name)
    frac, r, lut = act.frac, act.range_log2, act.lut_bits
    table = [int(t) for t in fp.activation_table(name, frac, lut, r)]
    neg = v < 0
    scaled = abs(v) * 2**frac
    u = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    if u >= 2 ** (r + frac):
        if act.kind == "linear":
            return Fraction(0) if neg else v
        if act.kind == "odd":
            return Fraction(-1 if neg else 1)
        return Fraction(0 if neg else 1)
    seg = r + frac - lut
    idx, rem = u >> seg, u & ((1 << seg) - 1)
    g = table[idx] + (((table[idx + 1] - table[idx]) * rem + (1 << (seg - 1))) >> seg)
    one = 1 << frac
    if act.kind == "linear":
        y = g if neg else u + g
    elif act.kind == "odd":
        y = -g if neg else g
    else:
        y = one - g if neg else g
    return Fraction(y, one)


def _activation_data(rng: np.random.Generator, fmt: str) -> MXTensor:
    """Around the table's range ends, ties of the input rounding, huge and tiny values."""
    x = rng.standard_normal((6, 32)) * 3
    x[1] = np.ldexp(1.0, rng.integers(2, 6, 32)) * rng.choice([-1.0, 1.0], 32)  # 2^r exactly
    x[2] = (2 * rng.integers(-64, 64, 32) + 1) * 2.0**-17  # ties of u (odd multiples of 2^-17)
    x[3] *= 2.0 ** rng.choice([-40, 40], 32)
    x[4, :16] = 0.0
    x[5] = rng.uniform(-20, 20, 32)
    return quantize(x.astype(np.float32), fmt)


@pytest.mark.parametrize("name", list(fp.ACTIVATIONS))
@pytest.mark.parametrize("fin,fout", [("mxint8", "mxint8"), ("mxint<12,8,16>", "mxint<6,8,8>"),
                                      ("mxint<8,1,8>", "mxint<8,8,32>")])
def test_activation_matches_integer_reference(name, fin, fout):
    rng = np.random.default_rng(zlib.crc32(f"{name} {fin} {fout}".encode()))
    x = _activation_data(rng, fin)
    want = np.vectorize(lambda v: _activation_reference(name, v), otypes=[object])(_values(x))
    _check(ew.activation(name, x, fout), want, fout)


@pytest.mark.parametrize("name", list(fp.ACTIVATIONS))
def test_activation_error_against_float64(name):
    """Output rounding (one element step of the result block) + the table's documented
    error + the input's rounding to 2^-frac."""
    act = fp.activation(name)
    rng = np.random.default_rng(11)
    x = quantize((rng.standard_normal((64, 32)) * 4).astype(np.float32), "mxint<12,8,32>")
    y = ew.activation(name, x, "mxint<12,8,32>")
    _, t, _ = ew.exact_values(y)
    err = np.abs(dequantize(y).astype(np.float64) - act.reference(dequantize(x).astype(np.float64)))
    table_err = {r["function"]: r["max error"] for r in measure_all()}[name]
    assert (err <= 2.0**t + table_err + 2.0**-act.frac).all()


def test_activation_of():
    assert ew.activation_of("mx.gelu", "tanh") == "gelu_tanh"
    assert ew.activation_of("mxhw.gelu", "erf") == "gelu"
    assert ew.activation_of("mx.sigmoid") == "sigmoid"
    with pytest.raises(ValueError, match="not an activation"):
        ew.activation_of("mx.exp")
