"""Bounded accumulation: an independent Python-int reference, exactness where it must
hold, and the width bound the hardware relies on."""

from __future__ import annotations

import numpy as np
import pytest

from mase_mlir import numerics as mxn
from mase_mlir.numerics.accumulate import (
    EXACT,
    Accumulation,
    bounded_accumulate,
    bounded_width,
)
from mase_mlir.numerics.blockmath import element_integers, linear, matmul


def reference_bounded(terms: list[tuple[int, int]], bound: int, g: int) -> tuple[int, int]:
    """The definition, one output, Python ints: every term floor-shifted onto 2^(bound-g)."""
    assert all(t <= bound for _, t in terms)
    return sum((p << g) >> (bound - t) for p, t in terms), bound - g


def test_parse_and_spelling():
    assert Accumulation.parse("exact") is EXACT
    assert Accumulation.parse(None) is EXACT
    b = Accumulation.parse(" bounded< 8 >")
    assert (b.kind, b.guard_bits, str(b)) == ("bounded", 8, "bounded<8>")
    for bad in ("bounded", "bounded<-1>", "bounded<65>", "floor<3>", "", 3):
        with pytest.raises(ValueError):
            Accumulation.parse(bad)
    with pytest.raises(ValueError):
        Accumulation("bounded", True)


@pytest.mark.parametrize("g", [0, 1, 4, 8, 16])
def test_bounded_accumulate_matches_reference(g):
    rng = np.random.default_rng(g)
    n_terms, outs = 9, 400
    p = rng.integers(-(1 << 20), 1 << 20, size=(n_terms, outs))
    p[rng.random(p.shape) < 0.2] = 0
    t = rng.integers(-40, 40, size=(n_terms, outs))
    bound = t.max(axis=0) + rng.integers(0, 5, size=outs)
    a, e = bounded_accumulate([(p[k], t[k]) for k in range(n_terms)], bound, g)
    for j in range(outs):
        ra, re_ = reference_bounded([(int(p[k, j]), int(t[k, j])) for k in range(n_terms)],
                                    int(bound[j]), g)
        assert (int(a[j]), int(e[j])) == (ra, re_)


def test_a_term_above_its_bound_is_an_error():
    with pytest.raises(ValueError, match="exceeds its bound"):
        bounded_accumulate([(np.array([1]), np.array([5]))], np.array([4]), 0)


def test_wide_terms_use_python_ints():
    p = np.array([[1 << 60], [-(1 << 59)]], dtype=object)
    t = np.array([[0], [3]])
    a, e = bounded_accumulate([(p[0], t[0]), (p[1], t[1])], np.array([3]), 8)
    assert (int(a[0]), int(e[0])) == reference_bounded([(1 << 60, 0), (-(1 << 59), 3)], 3, 8)


def _mx(rng, shape, fmt, spread):
    x = rng.standard_normal(shape) * 2.0 ** rng.integers(-spread, spread + 1, size=shape)
    return mxn.quantize(x.astype(np.float32), fmt, axis=-1)


@pytest.mark.parametrize("fmt", ["mxint8", "mxint<4,8,16>", "mxint<6,5,8>"])
def test_linear_bounded_matches_reference(fmt):
    rng = np.random.default_rng(1)
    qx = _mx(rng, (3, 64), fmt, 6)
    qw = _mx(rng, (5, 64), fmt, 6)
    g = 4
    out = linear(qx, qw, None, None, acc=f"bounded<{g}>")
    ix, _ = element_integers(qx)
    iw, _ = element_integers(qw)
    b = qx.fmt.block_size
    lsb = -(qx.fmt.element_bits - 2)
    sx = qx.scales.astype(np.int64) - qx.fmt.scale_bias + lsb
    sw = qw.scales.astype(np.int64) - qw.fmt.scale_bias + lsb
    for r in range(3):
        for n in range(5):
            terms = []
            for k in range(64 // b):
                prod = int(np.dot(ix[r, k * b:(k + 1) * b], iw[n, k * b:(k + 1) * b]))
                terms.append((prod, int(sx[r, k] + sw[n, k])))
            a, e = reference_bounded(terms, int(sx[r].max() + sw[n].max()), g)
            assert np.float32(out[r, n]) == np.float32(np.ldexp(float(a), e))


def test_bounded_equals_exact_when_no_bits_drop():
    rng = np.random.default_rng(2)
    qx = _mx(rng, (4, 96), "mxint<6,8,32>", 2)
    qw = _mx(rng, (64, 96), "mxint<6,8,32>", 2)
    # Term exponents spread by at most ~2*4+1 < 30 guard bits: nothing is dropped.
    exact = linear(qx, qw, None, "mxint8")
    bounded = linear(qx, qw, None, "mxint8", acc="bounded<30>")
    np.testing.assert_array_equal(exact.codes, bounded.codes)
    np.testing.assert_array_equal(exact.scales, bounded.scales)


def test_fixed_point_operands_are_exact_at_any_guard():
    rng = np.random.default_rng(3)
    qa = _mx(rng, (2, 3, 48), "mxint<8,1,16>", 0)
    qb = mxn.quantize((rng.standard_normal((2, 48, 5))).astype(np.float32),
                      "mxint<8,1,16>", axis=-2)
    exact = matmul(qa, qb, None)
    for g in (0, 3):
        np.testing.assert_array_equal(exact, matmul(qa, qb, None, acc=f"bounded<{g}>"))


def test_bounded_drops_low_bits_against_exact():
    """A tiny block product below the bound's grid: bounded<0> drops it."""
    fmt = mxn.Format.parse("mxint<8,8,2>")
    x = np.array([[1.0, 0.0, 2.0**-40, 0.0]], dtype=np.float32)
    w = np.array([[1.0, 0.0, 1.0, 0.0]], dtype=np.float32)
    qx, qw = mxn.quantize(x, fmt), mxn.quantize(w, fmt)
    assert linear(qx, qw, None, None)[0, 0] == np.float32(1.0 + 2.0**-40)
    assert linear(qx, qw, None, None, acc="bounded<0>")[0, 0] == np.float32(1.0)


def test_width_bound_holds_for_worst_case_terms():
    g = 3
    worst = (1 << 20) - 1
    for sign in (1, -1):
        terms = [(sign * worst, 0)] * 12
        a, _ = reference_bounded(terms, 0, g)
        assert abs(a) < 1 << (bounded_width([21] * 12, g) - 1)
    # Floor shifts of negative values round away from zero: still inside the bound.
    terms = [(-1, 0)] * 6 + [(-(1 << 20), 30)] * 6
    a, _ = reference_bounded(terms, 30, g)
    assert abs(a) < 1 << (bounded_width([21] * 12, g) - 1)


@pytest.mark.parametrize("bias_kind", ["mx", "f32"])
def test_linear_bias_is_the_last_term(bias_kind):
    rng = np.random.default_rng(4)
    fmt = mxn.Format.parse("mxint<6,8,16>")
    qx = _mx(rng, (2, 32), fmt, 4)
    qw = _mx(rng, (16, 32), fmt, 4)
    bias_f = (rng.standard_normal(16) * 2.0 ** rng.integers(-12, 12, 16)).astype(np.float32)
    if bias_kind == "mx":
        bias = mxn.quantize(bias_f, fmt)
        bi, _ = element_integers(bias)
        bt = np.repeat(bias.scales.astype(np.int64) - fmt.scale_bias - 4, 16)
        bias_terms = [(int(bi[n]), int(bt[n])) for n in range(16)]
    else:
        bias = bias_f
        m, e = np.frexp(bias_f.astype(np.float64))
        bias_terms = [(int(np.ldexp(m[n], 24)), int(e[n]) - 24) for n in range(16)]
    g = 2
    out = linear(qx, qw, bias, None, acc=f"bounded<{g}>")
    ix, _ = element_integers(qx)
    iw, _ = element_integers(qw)
    sx = qx.scales.astype(np.int64) - fmt.scale_bias - 4
    sw = qw.scales.astype(np.int64) - fmt.scale_bias - 4
    for r in range(2):
        for n in range(16):
            terms = [(int(np.dot(ix[r, k * 16:(k + 1) * 16], iw[n, k * 16:(k + 1) * 16])),
                      int(sx[r, k] + sw[n, k])) for k in range(2)]
            bound = max(int(sx[r].max() + sw[n].max()), bias_terms[n][1])
            a, e = reference_bounded(terms + [bias_terms[n]], bound, g)
            assert np.float32(out[r, n]) == np.float32(np.ldexp(float(a), e))
