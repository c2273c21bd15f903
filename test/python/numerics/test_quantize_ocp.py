"""Quantization of the OCP formats: bit-exact against gfloat, hand vectors, specials."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from conftest import OCP_FORMATS, gfloat_quantize

from mase_mlir import numerics as mxn

F32 = np.float32


def adversarial_values() -> np.ndarray:
    """Powers of two and their float32 neighbours, ties, subnormals, huge values, zeros."""
    pows = np.ldexp(np.float32(1), np.arange(-149, 128)).astype(F32)
    up = np.nextafter(pows, F32(np.inf))
    down = np.nextafter(pows, F32(0))
    # ties of every element grid: odd multiples of half a quantum, at many binades
    ties = np.concatenate(
        [np.ldexp((2 * np.arange(1, 64) + 1).astype(F32), k) for k in range(-12, 4)]
    ).astype(F32)
    sub = np.array([1e-45, 2e-45, 1e-40, 1.1754942e-38, 1.1754944e-38], F32)
    huge = np.array(
        [3.4028235e38, 3.0e38, 1.7e38, 65504.0, 57344.0, 61440.0, 448.0, 464.0, 480.0], F32
    )
    vals = np.concatenate([pows, up, down, ties, sub, huge, [0.0, -0.0]]).astype(F32)
    return np.concatenate([vals, -vals])


def make_blocks(
    rng: np.random.Generator, values: np.ndarray, n_blocks: int, b: int = 32
) -> np.ndarray:
    """Blocks mixing adversarial values with random values at the same scale."""
    out = np.empty((n_blocks, b), F32)
    for i in range(n_blocks):
        anchor = values[rng.integers(len(values))]
        k = rng.integers(1, b + 1)
        picks = values[rng.integers(len(values), size=k)]
        rel = rng.standard_normal(b - k) * abs(float(anchor)) * rng.choice([1e-3, 0.1, 1, 2])
        rel = np.clip(rel, -3.4e38, 3.4e38).astype(F32)
        blk = np.concatenate([picks, rel])
        blk[0] = anchor
        out[i] = rng.permutation(blk)
    return out


def random_blocks(rng: np.random.Generator, n_blocks: int) -> np.ndarray:
    scales = 2.0 ** rng.uniform(-140, 120, size=(n_blocks, 1))
    dist = rng.standard_normal((n_blocks, 32)) * scales
    heavy = rng.standard_cauchy((n_blocks, 32)) * scales
    pick = rng.random((n_blocks, 1)) < 0.5
    return np.clip(np.where(pick, dist, heavy), -3.4e38, 3.4e38).astype(F32)


def check_against_gfloat(x: np.ndarray, name: str, rounding: str) -> None:
    q = mxn.quantize(x, name, rounding=rounding)
    g_scales, g_codes = gfloat_quantize(x, name, rounding)
    np.testing.assert_array_equal(q.scales.reshape(-1).astype(np.int64), g_scales)
    np.testing.assert_array_equal(q.codes.reshape(-1, 32).astype(np.int64), g_codes)


@pytest.mark.parametrize("rounding", ["even", "nearest"])
@pytest.mark.parametrize("name", OCP_FORMATS)
def test_random_data_matches_gfloat(name: str, rounding: str) -> None:
    rng = np.random.default_rng(zlib.crc32(f"{name}/{rounding}".encode()))
    check_against_gfloat(random_blocks(rng, 400), name, rounding)


@pytest.mark.parametrize("rounding", ["even", "nearest"])
@pytest.mark.parametrize("name", OCP_FORMATS)
def test_adversarial_matches_gfloat(name: str, rounding: str) -> None:
    rng = np.random.default_rng(7)
    x = make_blocks(rng, adversarial_values(), 600)
    check_against_gfloat(x, name, rounding)


@pytest.mark.parametrize("name", OCP_FORMATS)
def test_every_element_value_is_a_fixed_point(name: str) -> None:
    """Each finite element value times a few scales quantizes back to itself."""
    fmt = mxn.Format.parse(name)
    table = mxn.element_table(fmt)
    finite = table[np.isfinite(table)]
    if fmt.is_int:
        finite = finite[finite != -2.0]
    for s in (-120, -3, 0, 5, 100):
        vals = np.ldexp(finite, s).astype(F32)
        vals = np.resize(vals, (len(vals) + 31) // 32 * 32).reshape(-1, 32)
        vals[:, 0] = np.ldexp(fmt.max_element, s)  # pin the scale
        y = mxn.quantize_dequantize(vals, fmt)
        np.testing.assert_array_equal(y, vals)


HAND = np.arange(32, dtype=F32) / 2 - 5
HAND2 = np.array([7, 3, 0.3, -7.9] + [0] * 28, F32)


@pytest.mark.parametrize(
    ("x", "name", "scale", "codes"),
    [
        (HAND, "mxfp8_e4m3", 0x7A, [0xF2, 0xF1, 0xF0, 0xEE]),
        (HAND, "mxfp4_e2m1", 0x80, [0x0C, 0x0C, 0x0C, 0x0C, 0x0B]),
        (HAND, "mxint8", 0x82, [0xD8]),
        (HAND2, "mxfp4_e2m1", 0x7F, [0x07, 0x05, 0x01, 0x0F]),
        (HAND2, "mxint8", 0x81, [0x70, 0x30, 0x05, 0x82]),
    ],
)
def test_hand_checked_vectors(x: np.ndarray, name: str, scale: int, codes: list[int]) -> None:
    q = mxn.quantize(x, name)
    assert int(q.scales[0]) == scale
    assert q.codes[: len(codes)].tolist() == codes


def test_hand_checked_values_and_ties() -> None:
    np.testing.assert_array_equal(mxn.quantize_dequantize(HAND2, "mxfp4_e2m1")[:4], [6, 3, 0.5, -6])
    assert mxn.quantize_dequantize(np.full(32, 2.5, F32), "mxfp4_e2m1")[0] == 2.0
    assert (
        mxn.quantize_dequantize(np.full(32, 2.5, F32), "mxfp4_e2m1", rounding="nearest")[0] == 3.0
    )
    x = np.zeros(32, F32)
    x[:2] = [1.0, 1 / 128]
    assert mxn.quantize_dequantize(x, "mxint8")[1] == 0.0
    assert mxn.quantize_dequantize(x, "mxint8", rounding="nearest")[1] == 1 / 64


def test_floor_log2_just_below_power_of_two() -> None:
    """The microxcaling trap: amax 63.999996 as MXFP4 must give 48, not 64."""
    x = np.zeros(32, F32)
    x[0] = np.nextafter(F32(64), F32(0))
    q = mxn.quantize(x, "mxfp4_e2m1")
    assert int(q.scales[0]) == 127 + 5 - 2
    assert mxn.dequantize(q)[0] == 48.0


@pytest.mark.parametrize("name", OCP_FORMATS)
@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_poison_their_block_only(name: str, special: float) -> None:
    x = np.ones((2, 32), F32)
    x[0, 5] = special
    q = mxn.quantize(x, name)
    assert int(q.scales[0, 0]) == 0xFF
    assert int(q.scales[1, 0]) == int(mxn.quantize(np.ones(32, F32), name).scales[0])
    assert not q.codes[0].any()
    y = mxn.dequantize(q)
    assert np.isnan(y[0]).all() and (y[1] == 1).all()


@pytest.mark.parametrize("name", OCP_FORMATS)
def test_zero_blocks_and_negative_zero(name: str) -> None:
    fmt = mxn.Format.parse(name)
    x = np.zeros((3, 32), F32)
    x[1] = -0.0
    x[2, 0] = 1.0
    x[2, 1] = -1e-30  # rounds to zero
    q = mxn.quantize(x, fmt)
    assert q.scales[:2].tolist() == [[0], [0]]
    sign = 1 << (fmt.element_bits - 1)
    neg_zero = 0 if fmt.is_int else sign
    assert (q.codes[0] == 0).all()
    assert (q.codes[1] == neg_zero).all()
    assert q.codes[2, 1] == neg_zero
    y = mxn.dequantize(q)
    assert (y[:2] == 0).all()
    assert bool(np.signbit(y[1, 0])) == (not fmt.is_int)


def test_saturation() -> None:
    x = np.zeros(32, F32)
    x[:2] = [500.0, -500.0]  # exponent 8 = emax of e4m3; rounds to 512 > 448 -> saturates
    np.testing.assert_array_equal(mxn.quantize_dequantize(x, "mxfp8_e4m3")[:2], [448, -448])
    x[:2] = [1.0, -1.995]  # MXINT8: would round to -2.0; symmetric saturation gives -127/64
    q = mxn.quantize(x, "mxint8")
    assert q.codes[1] == 0x81
    # a narrow scale (E=2: s in -1..1) saturates huge values at the largest element x 2^1
    fmt = mxn.Format.parse("mxint<8,2,32>")
    assert (fmt.scale_min, fmt.scale_max) == (-1, 1)
    y = mxn.quantize_dequantize(np.full(32, -1e6, F32), fmt)
    assert (y == -127 / 64 * 2.0).all()


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"axis 1 has length 30.*B=32"):
        mxn.quantize(np.zeros((2, 30), F32), "mxint8")
    with pytest.raises(ValueError, match="unknown MX format"):
        mxn.quantize(np.zeros(32, F32), "mxfp9")
    with pytest.raises(ValueError, match="rounding"):
        mxn.quantize(np.zeros(32, F32), "mxint8", rounding="up")
    with pytest.raises(ValueError, match="out of range"):
        mxn.quantize(np.zeros(32, F32), "mxint8", axis=2)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_axis_layout(axis: int) -> None:
    rng = np.random.default_rng(axis + 5)
    x = rng.standard_normal((32, 64, 32)).astype(F32)
    q = mxn.quantize(x, "mxfp8_e4m3", axis=axis)
    assert q.codes.shape == x.shape
    want = list(x.shape)
    want[axis] //= 32
    assert list(q.scales.shape) == want
    ref = mxn.quantize(np.moveaxis(x, axis, -1), "mxfp8_e4m3")
    np.testing.assert_array_equal(np.moveaxis(q.codes, axis, -1), ref.codes)
    np.testing.assert_array_equal(np.moveaxis(q.scales, axis, -1), ref.scales)
    np.testing.assert_array_equal(mxn.dequantize(q), np.moveaxis(mxn.dequantize(ref), -1, axis))


def test_dequantize_decodes_special_element_codes() -> None:
    t = mxn.element_table(mxn.Format.parse("mxfp8_e4m3"))
    assert np.isnan(t[0x7F]) and np.isnan(t[0xFF]) and t[0x7E] == 448
    t = mxn.element_table(mxn.Format.parse("mxfp8_e5m2"))
    assert t[0x7C] == np.inf and t[0xFC] == -np.inf and np.isnan(t[0x7D]) and t[0x7B] == 57344
