"""MXInt<M,E,B> against an independent exact (Fraction) reference; MXInt<8,8,32> == MXINT8."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import fraction_mxint, gfloat_quantize
from test_quantize_ocp import adversarial_values, make_blocks, random_blocks

from mase_mlir import numerics as mxn


def test_mxint8_is_exactly_ocp_mxint8() -> None:
    assert mxn.Format.parse("mxint<8,8,32>") == mxn.Format.parse("mxint8")
    assert str(mxn.Format.parse("mxint<8,8,32>")) == "mxint8"
    rng = np.random.default_rng(11)
    x = np.concatenate([random_blocks(rng, 300), make_blocks(rng, adversarial_values(), 300)])
    q = mxn.quantize(x, "mxint<8, 8, 32>")
    g_scales, g_codes = gfloat_quantize(x, "mxint8")
    np.testing.assert_array_equal(q.scales.reshape(-1), g_scales)
    np.testing.assert_array_equal(q.codes.reshape(-1, 32), g_codes)
    assert not (q.codes == 0x80).any()


@pytest.mark.parametrize(
    "spec",
    [
        "mxint<4,8,16>",
        "mxint<2,8,8>",
        "mxint<3,5,4>",
        "mxint<6,8,32>",
        "mxint<12,8,16>",
        "mxint<16,8,8>",
        "mxint<5,3,8>",
        "mxint<4,1,4>",
    ],
)
@pytest.mark.parametrize("rounding", ["even", "nearest"])
def test_mxint_matches_fraction_reference(spec: str, rounding: str) -> None:
    fmt = mxn.Format.parse(spec)
    b = fmt.block_size
    rng = np.random.default_rng(fmt.element_bits * 100 + fmt.scale_bits)
    adv = adversarial_values()
    n = 40
    x = np.concatenate(
        [
            make_blocks(rng, adv, n, b).reshape(-1),
            random_blocks(rng, n).reshape(-1)[: n * b],
            (rng.integers(-40, 40, n * b) / 2.0 ** rng.integers(0, 6)).astype(np.float32),  # ties
        ]
    ).reshape(-1, b)
    q = mxn.quantize(x, fmt, rounding=rounding)
    for i, blk in enumerate(x):
        scale, codes = fraction_mxint(
            [float(v) for v in blk], fmt.element_bits, fmt.scale_bits, rounding
        )
        assert int(q.scales[i, 0]) == scale, (i, blk)
        assert q.codes[i].tolist() == codes, (i, blk)


def test_mxint_codes_are_twos_complement() -> None:
    fmt = mxn.Format.parse("mxint<4,8,16>")
    x = np.zeros(16, np.float32)
    x[:4] = [1.75, -1.75, -0.25, -1e-9]
    q = mxn.quantize(x, fmt)
    assert q.codes.dtype == np.uint8
    assert q.codes[:4].tolist() == [0b0111, 0b1001, 0b1111, 0]
    assert mxn.quantize(np.ones(8, np.float32), "mxint<12,8,8>").codes.dtype == np.uint16
