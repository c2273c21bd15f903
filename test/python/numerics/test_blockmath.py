"""Exact block arithmetic: matmul/linear against exact Fraction references and float64."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from conftest import fraction_mxint

from mase_mlir import numerics as mxn
from mase_mlir.numerics import blockmath
from mase_mlir.numerics.blockmath import accumulator_width, linear, matmul

F32 = np.float32


def f32_round(r: Fraction) -> float:
    """Independent float32 round-to-nearest-even of an exact rational."""
    if r == 0:
        return 0.0
    a = abs(r)
    e = 0
    while Fraction(2) ** (e + 1) <= a:
        e += 1
    while Fraction(2) ** e > a:
        e -= 1
    quantum = Fraction(2) ** (max(e, -126) - 23)
    v = round(a / quantum) * quantum
    out = float(v) if v < Fraction(2) ** 128 else float("inf")
    return -out if r < 0 else out


def exact_matmul(a: np.ndarray, b: np.ndarray) -> list[list[Fraction]]:
    fa = [[Fraction(float(v)) for v in row] for row in a]
    fb = [[Fraction(float(v)) for v in row] for row in b.T]
    return [[sum((x * y for x, y in zip(r, c, strict=True)), Fraction(0)) for c in fb] for r in fa]


def spread_data(rng: np.random.Generator, shape: tuple[int, int], spread: int) -> np.ndarray:
    x = rng.standard_normal(shape) * 2.0 ** rng.integers(-spread, spread + 1, size=shape)
    return x.astype(F32)


PAIRS = [
    ("mxint8", "mxint8"),
    ("mxfp4_e2m1", "mxint8"),
    ("mxfp8_e4m3", "mxfp6_e2m3"),
    ("mxfp8_e5m2", "mxfp8_e5m2"),
    ("mxfp8_e5m2", "mxfp8_e4m3"),
    ("mxint<16,8,32>", "mxint<16,8,32>"),
    ("mxfp6_e3m2", "mxint<4,8,32>"),
    # Different block sizes along K line up on the smaller block.
    ("mxint8", "mxint<4,8,16>"),
    ("mxint<4,8,16>", "mxfp4_e2m1"),
    ("mxint<6,8,8>", "mxint<8,8,32>"),
]


@pytest.mark.parametrize(("fa", "fb"), PAIRS)
@pytest.mark.parametrize("spread", [0, 6, 60])
def test_matmul_float32_out_is_exact_sum_rounded_once(fa: str, fb: str, spread: int) -> None:
    rng = np.random.default_rng(spread * 7 + len(fa + fb))
    a = spread_data(rng, (3, 96), spread)
    b = spread_data(rng, (96, 4), spread)
    qa, qb = mxn.quantize(a, fa), mxn.quantize(b, fb, axis=0)
    y = matmul(qa, qb)
    assert y.dtype == np.float32 and y.shape == (3, 4)
    exact = exact_matmul(mxn.dequantize(qa), mxn.dequantize(qb))
    want = np.array([[f32_round(v) for v in row] for row in exact], F32)
    np.testing.assert_array_equal(y, want)


@pytest.mark.parametrize("out", ["mxint8", "mxint<4,8,16>", "mxint<6,3,8>"])
@pytest.mark.parametrize("spread", [0, 30])
def test_matmul_mxint_out_matches_fraction_reference(out: str, spread: int) -> None:
    rng = np.random.default_rng(3 + spread)
    fmt = mxn.Format.parse(out)
    a = spread_data(rng, (2, 64), spread)
    b = spread_data(rng, (64, 32), spread)
    qa, qb = mxn.quantize(a, "mxfp8_e4m3"), mxn.quantize(b, "mxint8", axis=0)
    q = matmul(qa, qb, out)
    assert isinstance(q, mxn.MXTensor) and q.axis == 1 and q.fmt == fmt
    exact = exact_matmul(mxn.dequantize(qa), mxn.dequantize(qb))
    b_out = fmt.block_size
    for i, row in enumerate(exact):
        for j in range(0, len(row), b_out):
            scale, codes = fraction_mxint(row[j : j + b_out], fmt.element_bits, fmt.scale_bits)
            assert int(q.scales[i, j // b_out]) == scale
            assert q.codes[i, j : j + b_out].tolist() == codes


@pytest.mark.parametrize("out", ["mxfp8_e4m3", "mxfp4_e2m1", "mxint8"])
def test_matmul_mx_out_equals_quantize_when_result_is_float32_exact(out: str) -> None:
    rng = np.random.default_rng(5)
    a = rng.integers(-8, 8, (4, 64)).astype(F32) / 4
    b = rng.integers(-8, 8, (64, 64)).astype(F32) / 8
    qa, qb = mxn.quantize(a, "mxint<5,8,32>"), mxn.quantize(b, "mxint<5,8,32>", axis=0)
    y32 = matmul(qa, qb)
    q = matmul(qa, qb, out)
    ref = mxn.quantize(y32, out)
    np.testing.assert_array_equal(q.codes, ref.codes)
    np.testing.assert_array_equal(q.scales, ref.scales)


@pytest.mark.parametrize(
    ("fx", "fw"),
    [("mxint8", "mxint<4,8,32>"), ("mxfp8_e4m3", "mxfp4_e2m1"), ("mxint8", "mxint<4,8,16>")],
)
def test_linear_model_shapes_against_float64(fx: str, fw: str) -> None:
    """The MiniLM FFN shape: float32 result within half a float32 ulp of the float64 sum."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 64, 384)).astype(F32)
    w = (rng.standard_normal((1536, 384)) * 0.05).astype(F32)
    bias = (rng.standard_normal(1536) * 0.1).astype(F32)
    qx, qw = mxn.quantize(x, fx), mxn.quantize(w, fw)
    y = linear(qx, qw, bias)
    assert y.shape == (2, 64, 1536)
    ref = mxn.dequantize(qx).astype(np.float64) @ mxn.dequantize(qw).astype(np.float64).T + bias
    ulp = np.spacing(np.abs(ref).astype(F32)).astype(np.float64)
    # float64 reference error is far below 2^-29 relative; allow half an ulp plus that
    assert (np.abs(y - ref) <= 0.5 * ulp + np.abs(ref) * 2.0**-40).all()


def test_linear_bias_forms() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 64)).astype(F32)
    w = rng.standard_normal((32, 64)).astype(F32)
    b = rng.standard_normal(32).astype(F32)
    qx, qw, qb = mxn.quantize(x, "mxint8"), mxn.quantize(w, "mxint8"), mxn.quantize(b, "mxint8")
    exact = exact_matmul(mxn.dequantize(qx), mxn.dequantize(qw).T)
    for bias, bvals in [(None, np.zeros(32)), (b, b), (qb, mxn.dequantize(qb))]:
        y = linear(qx, qw, bias)
        want = [
            [f32_round(v + Fraction(float(bv))) for v, bv in zip(row, bvals, strict=True)]
            for row in exact
        ]
        np.testing.assert_array_equal(y, np.array(want, F32))
    qy = linear(qx, qw, qb, "mxfp8_e4m3")
    assert qy.codes.shape == (5, 32) and qy.scales.shape == (5, 1)


def test_linear_float_bias_any_magnitude() -> None:
    """A float32 bias far above, at, and far below the products (subnormals, zeros, -0)
    is added exactly; its terms carry float32 significands of at most 24 bits (so that the
    exact accumulator of bias plus products usually fits int64)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 64)).astype(F32)
    w = rng.standard_normal((16, 64)).astype(F32)
    qx, qw = mxn.quantize(x, "mxint8"), mxn.quantize(w, "mxint<4,8,32>")
    exact = exact_matmul(mxn.dequantize(qx), mxn.dequantize(qw).T)
    b = np.array([1e30, -3e-38, 1e-45, 0.0, -0.0, 0.1, -7.25, 2.0**-20, 1.5, 1e6, -1e-6,
                  3.0, -2.0**-130, 65504.0, 1e-3, -0.3], F32)
    y = linear(qx, qw, b)
    want = [[f32_round(v + Fraction(float(bv))) for v, bv in zip(row, b, strict=True)]
            for row in exact]
    np.testing.assert_array_equal(y, np.array(want, F32))
    (mag, exp), = [(abs(t[0]), t[1]) for t in blockmath._bias_terms(b[5:9], 4)[0]]
    assert mag.max() < 2**24


def test_batched_matmul_broadcasts() -> None:
    rng = np.random.default_rng(4)
    a = rng.standard_normal((2, 3, 4, 32)).astype(F32)
    b = rng.standard_normal((3, 32, 5)).astype(F32)
    qa, qb = mxn.quantize(a, "mxfp8_e4m3"), mxn.quantize(b, "mxfp8_e4m3", axis=-2)
    y = matmul(qa, qb)
    assert y.shape == (2, 3, 4, 5)
    ref = (mxn.dequantize(qa).astype(np.float64) @ mxn.dequantize(qb).astype(np.float64)).astype(
        F32
    )
    np.testing.assert_array_equal(y, ref)  # exact sums here are float64-exact


def test_nan_propagates_and_zero_blocks() -> None:
    a = np.ones((2, 64), F32)
    a[0, 40] = np.nan
    a[1, :32] = 0
    qa = mxn.quantize(a, "mxint8")
    qb = mxn.quantize(np.ones((64, 32), F32), "mxint8", axis=0)
    y = matmul(qa, qb)
    assert np.isnan(y[0]).all() and (y[1] == 32).all()
    q = matmul(qa, qb, "mxint8")
    assert int(q.scales[0, 0]) == 255 and int(q.scales[1, 0]) != 255


def test_accumulator_width_and_errors() -> None:
    qa = mxn.quantize(np.ones((2, 64), F32), "mxint8")
    qb = mxn.quantize(np.ones((64, 3), F32), "mxint8", axis=0)
    assert accumulator_width(qa, qb) <= 7 + 7 + 6 + 2 + 2
    with pytest.raises(ValueError, match="block sizes along K must divide one another"):
        matmul(
            mxn.quantize(np.ones((2, 96), F32), "mxint8"),
            mxn.quantize(np.ones((96, 3), F32), "mxint<8,8,12>", axis=0),
        )
    with pytest.raises(ValueError, match="axis -2"):
        matmul(qa, mxn.quantize(np.ones((3, 64), F32), "mxint8"))
    with pytest.raises(ValueError, match="block size B=32"):
        matmul(qa, qb, "mxint8")
    with pytest.raises(ValueError, match="bias must have shape"):
        linear(qa, mxn.quantize(np.ones((3, 64), F32), "mxint8"), np.ones(4, F32))


@pytest.mark.parametrize("spread", [0, 7, 14, 15, 30])
def test_single_gemm_path_equals_block_by_block(spread: int) -> None:
    """The one-GEMM fast path (taken when it provably fits 53 bits) and the
    block-by-block exact path give identical results, at the limit too."""
    rng = np.random.default_rng(100 + spread)
    k = 1024  # 32 blocks; block j of every row scaled by 2^(j * spread // 31)
    block_exp = (np.arange(k) // 32) * spread // 31
    x = (rng.standard_normal((6, k)) * 2.0**block_exp).astype(F32)
    w = (rng.standard_normal((64, k)) * 2.0**block_exp).astype(F32)
    qx, qw = mxn.quantize(x, "mxint8"), mxn.quantize(w, "mxint<6,8,32>")
    ix, tx, _ = blockmath._operand(qx)
    iw, tw, _ = blockmath._operand(qw)
    # 7 + 5 bits of elements, 11 bits of K terms: fits while the realised
    # spread of both operands is at most 30 bits (block maxima may add one).
    took_fast = blockmath._gemm_exact(ix, tx, iw, tw, 127, 31) is not None
    if spread <= 7:
        assert took_fast
    if spread >= 30:
        assert not took_fast
    fast, fast_f32 = linear(qx, qw, None, "mxint8"), linear(qx, qw)
    original = blockmath._gemm_exact
    try:
        blockmath._gemm_exact = lambda *args: None
        slow, slow_f32 = linear(qx, qw, None, "mxint8"), linear(qx, qw)
    finally:
        blockmath._gemm_exact = original
    np.testing.assert_array_equal(fast.codes, slow.codes)
    np.testing.assert_array_equal(fast.scales, slow.scales)
    np.testing.assert_array_equal(fast_f32, slow_f32)
