"""fixed<W,F>: static fixed point, bit-exact against an independent definition."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from mase_mlir import numerics as mxn
from mase_mlir.numerics.quantize import quantize_reference


def reference_codes(x: np.ndarray, width: int, frac: int) -> np.ndarray:
    """round-half-even(x * 2^F), saturated to +-(2^(W-1)-1): exact in float64."""
    top = (1 << (width - 1)) - 1
    scaled = np.ldexp(x.astype(np.float64), frac)
    return np.clip(np.rint(scaled), -top, top).astype(np.int64)


@pytest.mark.parametrize(("width", "frac"), [(8, 5), (8, -3), (4, 0), (2, 1), (16, 20),
                                             (12, -64), (6, 64)])
def test_quantize_matches_the_definition(width, frac):
    rng = np.random.default_rng(width * 100 + frac)
    scale = 2.0 ** (width - 1 - frac)
    x = (rng.standard_normal((6, 40)) * scale * rng.choice([0.01, 0.3, 1, 3], (6, 40)))
    ties = np.ldexp(np.arange(-20, 20) + 0.5, -frac)  # exactly half-way between codes
    x = np.concatenate([x, ties[None, :]]).astype(np.float32)
    fmt = mxn.Format.parse(f"fixed<{width},{frac}>")
    q = mxn.quantize(x, fmt)
    want = reference_codes(x, width, frac)
    signed = np.where(q.codes >= 1 << (width - 1), q.codes.astype(np.int64) - (1 << width),
                      q.codes)
    np.testing.assert_array_equal(signed, want)
    assert (q.scales == 0).all()
    np.testing.assert_array_equal(mxn.dequantize(q), np.ldexp(want, -frac).astype(np.float32))
    ref = quantize_reference(x, fmt, 1, "even")  # the numpy definition agrees with the kernel
    np.testing.assert_array_equal(ref.codes, q.codes)


def test_facts_and_spelling():
    fmt = mxn.Format.parse("fixed< 8 , -3 >")
    assert str(fmt) == "fixed<8,-3>" and fmt.is_fixed and fmt.is_int
    assert (fmt.element_bits, fmt.scale_bits, fmt.block_size) == (8, 0, 1)
    assert fmt.bits_per_value == 8 and fmt.fixed_fraction == -3
    assert fmt == mxn.Format("fixed<8,-3>", 0, 1)
    assert not mxn.Format.parse("mxint8").is_fixed
    with pytest.raises(ValueError, match="fixed-point width must be in 2..16, got 17"):
        mxn.Format.parse("fixed<17,0>")
    with pytest.raises(ValueError, match="fraction bits must be in -64..64"):
        mxn.Format.parse("fixed<8,65>")
    with pytest.raises(ValueError, match="no scale and blocks of one value"):
        mxn.Format("fixed<8,3>", 8, 32)


def test_no_nan_and_saturated_infinities():
    with pytest.raises(ValueError, match="fixed<8,2> cannot represent NaN"):
        mxn.quantize(np.array([1.0, np.nan], np.float32), "fixed<8,2>")
    q = mxn.quantize(np.array([np.inf, -np.inf, 1.0], np.float32), "fixed<8,2>")
    np.testing.assert_array_equal(mxn.dequantize(q), [31.75, -31.75, 1.0])


@pytest.mark.parametrize("other", ["fixed<6,7>", "mxint<4,8,32>", "mxfp8_e4m3"])
def test_linear_is_exact(other):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 64)).astype(np.float32)
    w = (rng.standard_normal((5, 64)) * 0.2).astype(np.float32)
    qx, qw = mxn.quantize(x, "fixed<8,5>"), mxn.quantize(w, other)
    y = mxn.linear(qx, qw, None, None)
    a = [[Fraction(float(v)) for v in row] for row in mxn.dequantize(qx)]
    b = [[Fraction(float(v)) for v in row] for row in mxn.dequantize(qw)]
    for i, row in enumerate(a):
        for j, col in enumerate(b):
            assert y[i, j] == np.float32(float(sum(p * q for p, q in zip(row, col,
                                                                          strict=True))))
