"""Fixed-point nonlinear functions: integer in/out, documented error bounds."""

from __future__ import annotations

import numpy as np
import pytest

from mase_mlir.numerics import fixedpoint as fp
from mase_mlir.numerics.accuracy import measure_all

# Documented bounds (docs/numerics.md): measured value with a small margin.
BOUNDS = {
    "exp": 0.56 * 2.0**-16,
    "reciprocal": 8e-6,
    "rsqrt": 4e-9,
    "gelu": 7.2 * 2.0**-16,
    "gelu_tanh": 7.2 * 2.0**-16,
    "silu": 16.7 * 2.0**-16,
    "tanh": 6.7 * 2.0**-16,
    "sigmoid": 3.9 * 2.0**-16,
    "softmax": 8.5 * 2.0**-16,
    "layer_norm": 0.96 * 2.0**-12,
    "rms_norm": 0.91 * 2.0**-12,
}


def test_measured_errors_within_documented_bounds() -> None:
    rows = {r["function"]: r for r in measure_all()}
    assert set(rows) == set(BOUNDS)
    for name, bound in BOUNDS.items():
        assert rows[name]["max error"] <= bound, (name, rows[name])


@pytest.mark.parametrize(
    "call",
    [
        lambda x: fp.exp_fixed(-np.abs(x), 12),
        lambda x: fp.reciprocal_fixed(np.abs(x) + 1, 12),
        lambda x: fp.rsqrt_fixed(np.abs(x) + 1, 12),
        lambda x: fp.gelu_fixed(x, 12),
        lambda x: fp.silu_fixed(x, 12),
        lambda x: fp.softmax_fixed(x.reshape(4, -1), 12),
        lambda x: fp.layer_norm_fixed(x.reshape(4, -1), 8),
        lambda x: fp.rms_norm_fixed(x.reshape(4, -1), 8),
    ],
)
def test_integers_in_integers_out(call) -> None:
    x = np.random.default_rng(0).integers(-30000, 30000, 256)
    y = call(x)
    assert y.dtype == np.int64


def test_exp_monotone_and_edges() -> None:
    x = np.arange(-(20 << 12), 1)
    y = fp.exp_fixed(x, 12, 16)
    assert (np.diff(y) >= 0).all()
    assert y[-1] == 1 << 16 and y[0] == 0
    assert fp.exp_fixed(np.array([5000]), 12, 16)[0] == 1 << 16  # positive inputs clamp to 0


def test_reciprocal_rsqrt_exact_powers_and_nonpositive() -> None:
    x = np.array([1 << 12, 1 << 14, 1 << 10, 0, -5])
    assert fp.reciprocal_fixed(x, 12, 16).tolist() == [1 << 16, 1 << 14, 1 << 18, 0, 0]
    assert fp.rsqrt_fixed(x, 12, 16).tolist() == [1 << 16, 1 << 15, 1 << 17, 0, 0]


def test_softmax_rows_sum_to_one() -> None:
    rng = np.random.default_rng(3)
    p = fp.softmax_float(rng.standard_normal((8, 64)) * 4)
    np.testing.assert_allclose(p.sum(-1), 1.0, atol=64 * 2.0**-16)
    assert (p >= 0).all()


def test_float_wrappers_close_to_float64() -> None:
    x = np.linspace(-6, 6, 1001)
    # 12 input fraction bits: the table's error plus the input's rounding.
    np.testing.assert_allclose(fp.gelu_float(x), fp._gelu64(x), atol=4e-4)
    np.testing.assert_allclose(fp.silu_float(x), fp._silu64(x), atol=4e-4)
    np.testing.assert_allclose(fp.tanh_float(x), np.tanh(x), atol=4e-4)
    np.testing.assert_allclose(fp.sigmoid_float(x), fp._sigmoid64(x), atol=4e-4)
    np.testing.assert_allclose(fp.exp_float(-np.abs(x)), np.exp(-np.abs(x)), atol=2e-4)
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 96))
    ref = (z - z.mean(-1, keepdims=True)) / np.sqrt(z.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(fp.layer_norm_float(z), ref, atol=0.01)
    ref = z / np.sqrt((z * z).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(fp.rms_norm_float(z), ref, atol=0.01)


def test_norm_rejects_too_wide_inputs() -> None:
    with pytest.raises(ValueError, match="int64"):
        fp.layer_norm_fixed(np.zeros((2, 8), np.int64), 8, in_bits=24)
