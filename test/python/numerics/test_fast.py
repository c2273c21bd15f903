"""The compiled kernel (when built) is bit-exact with the numpy definition."""

from __future__ import annotations

import numpy as np
import pytest
from test_quantize_ocp import adversarial_values, make_blocks, random_blocks

from mase_mlir import numerics as mxn
from mase_mlir.numerics import _backend
from mase_mlir.numerics.quantize import dequantize_reference, quantize_reference

pytestmark = pytest.mark.skipif(_backend.fast_module() is None, reason="_fast extension not built")

FORMATS = [
    "mxfp8_e5m2",
    "mxfp8_e4m3",
    "mxfp6_e3m2",
    "mxfp6_e2m3",
    "mxfp4_e2m1",
    "mxint8",
    "mxint<4,8,16>",
    "mxint<2,8,8>",
    "mxint<16,8,32>",
    "mxint<5,3,4>",
    "mxfp<e4m3,4,8>",
]


@pytest.mark.parametrize("rounding", ["even", "nearest"])
@pytest.mark.parametrize("name", FORMATS)
def test_fast_equals_numpy(name: str, rounding: str) -> None:
    fmt = mxn.Format.parse(name)
    rng = np.random.default_rng(len(name))
    x = np.concatenate(
        [random_blocks(rng, 64).reshape(-1), make_blocks(rng, adversarial_values(), 64).reshape(-1)]
    )
    x[5] = np.nan
    x[300] = -np.inf
    x = x[: len(x) // (4 * fmt.block_size) * 4 * fmt.block_size].reshape(4, -1)
    for axis, arr in [(1, x), (0, np.ascontiguousarray(x.T.reshape(-1, 4 * fmt.block_size).T))]:
        if arr.shape[axis] % fmt.block_size:
            continue
        q = mxn.quantize(arr, fmt, axis=axis, rounding=rounding)
        r = quantize_reference(arr, fmt, axis, rounding)
        np.testing.assert_array_equal(q.scales, r.scales)
        np.testing.assert_array_equal(q.codes, r.codes)
        assert q.codes.dtype == r.codes.dtype
        np.testing.assert_array_equal(mxn.dequantize(q), dequantize_reference(r))


def test_fast_refuses_parameters_of_another_build() -> None:
    """The kernel takes its parameters whole from the format attribute (one definition,
    mase::mx::kernelParams); bytes of another size are refused, not read."""
    fmt = mxn.Format.parse("mxint8")
    mod = _backend.fast_module()
    args = (np.ones(32, np.float32), np.empty(1, np.uint8), np.empty(32, np.uint8), 1, 32, 1)
    mod.quantize(*args, fmt.kernel_params, True)
    with pytest.raises(ValueError, match="another build"):
        mod.quantize(*args, fmt.kernel_params[:-4], True)
