"""Hypothesis property tests of quantize/dequantize (deterministic profile in conftest)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mase_mlir import numerics as mxn

FORMATS = [
    "mxfp8_e5m2",
    "mxfp8_e4m3",
    "mxfp6_e3m2",
    "mxfp6_e2m3",
    "mxfp4_e2m1",
    "mxint8",
    "mxint<4,8,16>",
    "mxint<3,4,8>",
    "mxfp<e2m1,5,8>",
    "mxint<12,8,4>",
]

finite_f32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@st.composite
def blocks(draw):
    fmt = mxn.Format.parse(draw(st.sampled_from(FORMATS)))
    nblk = draw(st.integers(1, 4))
    x = draw(hnp.arrays(np.float32, (nblk * fmt.block_size,), elements=finite_f32))
    return fmt, x


@given(blocks(), st.sampled_from(["even", "nearest"]))
def test_idempotent(case, rounding) -> None:
    fmt, x = case
    q = mxn.quantize(x, fmt, rounding=rounding)
    y = mxn.dequantize(q)
    q2 = mxn.quantize(y, fmt, rounding=rounding)
    np.testing.assert_array_equal(q2.scales, q.scales)
    np.testing.assert_array_equal(mxn.dequantize(q2), y)


@given(blocks())
def test_sign_symmetry(case) -> None:
    fmt, x = case
    y = mxn.quantize_dequantize(x, fmt)
    z = mxn.quantize_dequantize(-x, fmt)
    np.testing.assert_array_equal(z, -y)


@given(blocks(), st.integers(0, 31), st.integers(0, 31))
def test_monotone_within_block(case, i, j) -> None:
    fmt, x = case
    b = fmt.block_size
    i, j = i % b, j % b
    y = mxn.quantize_dequantize(x, fmt)
    if x[i] <= x[j]:
        assert y[i] <= y[j]


@given(blocks(), st.floats(0.5, 1.0))
def test_monotone_when_scaling_block_magnitudes_keep_order(case, f) -> None:
    """Shrinking a whole block by a factor <= 1 never increases its largest magnitude."""
    fmt, x = case
    y = np.abs(mxn.quantize_dequantize(x, fmt))
    z = np.abs(mxn.quantize_dequantize((x * np.float32(f)).astype(np.float32), fmt))
    assert (z.reshape(-1, fmt.block_size).max(1) <= y.reshape(-1, fmt.block_size).max(1)).all()


@given(blocks())
def test_scale_bounds_and_error(case) -> None:
    fmt, x = case
    q = mxn.quantize(x, fmt)
    s = q.scale_exponents()
    assert (s >= fmt.scale_min).all() and (s <= fmt.scale_max).all()
    xb = x.reshape(-1, fmt.block_size).astype(np.float64)
    y = mxn.dequantize(q).reshape(-1, fmt.block_size).astype(np.float64)
    amax = np.abs(xb).max(1)
    sc = 2.0 ** s.reshape(-1).astype(np.float64)
    nz = amax > 0
    # OCP scale: 2^s <= amax / 2^emax_elem < 2^(s+1) unless clamped
    unclamped = nz & (s.reshape(-1) > fmt.scale_min) & (s.reshape(-1) < fmt.scale_max)
    lo = sc * 2.0**fmt.emax_elem
    assert (lo[unclamped] <= amax[unclamped]).all() and (amax[unclamped] < 2 * lo[unclamped]).all()
    # elements within half a quantum (below the saturation point)
    bound = np.maximum(np.abs(xb), fmt.element_step * 2.0**fmt.emin * sc[:, None])
    quantum = (
        2.0 ** (np.floor(np.log2(bound / sc[:, None])).clip(fmt.emin, None) - fmt.fraction_bits)
        * sc[:, None]
    )
    inside = np.abs(xb) <= fmt.max_element * sc[:, None]
    if fmt.is_int:
        quantum = np.broadcast_to(fmt.element_step * sc[:, None], xb.shape)
    err = np.abs(y - xb)
    assert (err[inside] <= quantum[inside] / 2 * (1 + 1e-12)).all()


@given(st.sampled_from(FORMATS), st.data(), st.sampled_from(["even", "nearest"]))
def test_short_block_is_the_zero_padded_block(name, data, rounding) -> None:
    """A dimension shorter than the block (mx-assign-precision gives it one block of its
    length) quantizes exactly like the OCP block padded with zeros."""
    fmt = mxn.Format.parse(name)
    if fmt.block_size < 3:
        return
    n = data.draw(st.integers(2, fmt.block_size - 1))
    x = data.draw(hnp.arrays(np.float32, (n,), elements=finite_f32))
    short = mxn.quantize(x, mxn.Format(fmt.element, fmt.scale_bits, n), rounding=rounding)
    padded = mxn.quantize(np.concatenate([x, np.zeros(fmt.block_size - n, np.float32)]), fmt,
                          rounding=rounding)
    np.testing.assert_array_equal(short.scales, padded.scales)
    np.testing.assert_array_equal(short.codes, padded.codes[:n])
