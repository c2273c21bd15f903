"""Bad input to the numerics: one clear error on every path, never a silent change.

Codes out of range, non-real data, bools where integers are expected; finite float64 values
beyond float32 saturate (as the format's saturation does) instead of becoming a NaN block;
the fixed-point float wrappers propagate NaN.
"""

from __future__ import annotations

import numpy as np
import pytest

from mase_mlir import numerics as mxn
from mase_mlir.numerics import fixedpoint as fp

F32 = np.float32
F32_MAX = np.finfo(F32).max


@pytest.fixture(params=["compiled", "numpy"])
def path(request, monkeypatch):
    """Both implementations: the compiled kernel and the numpy definition."""
    if request.param == "numpy":
        monkeypatch.setenv("MASE_NUMERICS_NO_FAST", "1")
    return request.param


def test_numpy_integers_are_integers() -> None:
    fmt = mxn.Format("int8", np.int64(8), np.int32(32))
    assert fmt == mxn.Format.parse("mxint8")
    assert type(fmt.scale_bits) is int and type(fmt.block_size) is int
    x = np.arange(64, dtype=F32).reshape(2, 32)
    q = mxn.quantize(x, fmt, axis=np.int64(1))
    assert q.axis == 1


@pytest.mark.parametrize("field", ["scale_bits", "block_size"])
@pytest.mark.parametrize("value", [True, np.bool_(True), 8.0, "8", None])
def test_format_parameters_must_be_integers(field: str, value: object) -> None:
    kwargs = {"scale_bits": 8, "block_size": 32, field: value}
    with pytest.raises(TypeError, match="must be an integer"):
        mxn.Format("int8", **kwargs)


def test_format_element_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="element must be a string"):
        mxn.Format(8)


@pytest.mark.parametrize("axis", [True, False, 1.0, "1"])
def test_axis_must_be_an_integer(axis: object) -> None:
    with pytest.raises(TypeError, match="axis must be an integer"):
        mxn.quantize(np.zeros((2, 32), F32), "mxint8", axis=axis)


@pytest.mark.parametrize("data", [
    np.zeros(32, np.complex64) + 1j,
    [None] * 32,
    ["1.5"] * 32,
    np.array([object()] * 32),
])
def test_quantize_rejects_non_real_input(data: object) -> None:
    with pytest.raises(TypeError, match="must hold real numbers"):
        mxn.quantize(data, "mxint8")


def test_linear_rejects_a_complex_bias() -> None:
    x = mxn.quantize(np.ones((1, 32), F32), "mxint8")
    with pytest.raises(TypeError, match="must hold real numbers"):
        mxn.linear(x, x, np.ones(1, np.complex64))


@pytest.mark.parametrize("fmt", ["mxfp8_e4m3", "mxint8", "mxfp4_e2m1"])
def test_float64_beyond_float32_saturates(path: str, fmt: str) -> None:
    x = np.zeros(32)
    x[:3] = [1e39, -1e300, 1.0]
    q = mxn.quantize(x, fmt)
    assert not q.nan_blocks().any()
    want = mxn.quantize(np.array([F32_MAX, -F32_MAX, 1.0] + [0.0] * 29, F32), fmt)
    np.testing.assert_array_equal(q.codes, want.codes)
    np.testing.assert_array_equal(q.scales, want.scales)
    # Infinity itself is still an overflow of the data: a NaN block.
    assert mxn.quantize(np.full(32, np.inf), fmt).nan_blocks().all()


def test_element_codes_out_of_range_are_an_error_for_both_paths(path: str) -> None:
    fmt = mxn.Format.parse("mxfp4_e2m1")
    codes = np.zeros(32, np.uint8)
    codes[3] = 255
    with pytest.raises(ValueError, match=r"element codes of mxfp4_e2m1 are 4-bit codes 0\.\.15, "
                                         "got 255"):
        mxn.MXTensor(fmt, np.array([127], np.uint8), codes, 0)


@pytest.mark.parametrize(("fmt", "scale", "message"), [
    ("mxint8", 400, r"8-bit codes 0\.\.255, got 400"),
    ("mxint<8,4,32>", 16, r"4-bit codes 0\.\.15, got 16"),
    ("mxint8", -1, r"got -1"),
])
def test_scale_codes_out_of_range_are_an_error(path: str, fmt: str, scale: int,
                                               message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mxn.MXTensor(mxn.Format.parse(fmt), np.array([scale]), np.zeros(32, np.int64), 0)


def test_codes_must_be_integers() -> None:
    fmt = mxn.Format.parse("mxint8")
    with pytest.raises(TypeError, match="element codes of mxint8 must be an integer array"):
        mxn.MXTensor(fmt, np.array([127], np.uint8), np.zeros(32, F32), 0)
    with pytest.raises(TypeError, match="axis must be an integer"):
        mxn.MXTensor(fmt, np.array([127], np.uint8), np.zeros(32, np.uint8), True)


def test_valid_codes_of_any_integer_dtype_are_stored_canonically(path: str) -> None:
    fmt = mxn.Format.parse("mxint<4,8,16>")
    codes = np.arange(16, dtype=np.int64) % 16
    q = mxn.MXTensor(fmt, np.array([127], np.int32), codes, 0)
    assert q.codes.dtype == np.uint8 and q.scales.dtype == np.uint8
    ref = mxn.MXTensor(fmt, np.array([127], np.uint8), codes.astype(np.uint8), 0)
    np.testing.assert_array_equal(mxn.dequantize(q), mxn.dequantize(ref))


@pytest.mark.parametrize("fn", [fp.exp_float, fp.reciprocal_float, fp.rsqrt_float,
                                fp.gelu_float, fp.silu_float])
def test_elementwise_wrappers_propagate_nan(fn) -> None:
    x = np.array([-1.0, np.nan, 0.5], F32)
    y = fn(x)
    assert np.isnan(y[1]) and np.isfinite(y[[0, 2]]).all()
    np.testing.assert_array_equal(y[[0, 2]], fn(x[[0, 2]]))


def test_row_wrappers_propagate_nan_to_their_row() -> None:
    x = np.ones((3, 8), F32)
    x[1, 2] = np.nan
    for y in (fp.softmax_float(x), fp.layer_norm_float(x), fp.rms_norm_float(x)):
        assert np.isnan(y[1]).all() and np.isfinite(y[[0, 2]]).all()
    w = np.ones(8, F32)
    w[5] = np.nan
    y = fp.layer_norm_float(np.ones((2, 8), F32), weight=w)
    assert np.isnan(y[:, 5]).all() and np.isfinite(np.delete(y, 5, axis=1)).all()


def test_infinities_saturate_in_the_wrappers() -> None:
    assert fp.exp_float(np.array([-np.inf], F32))[0] == 0
    assert fp.gelu_float(np.array([-np.inf], F32))[0] == 0
    big = fp.gelu_float(np.array([np.inf], F32))[0]
    assert np.isfinite(big) and big == fp.gelu_float(np.array([1e30], F32))[0]
