"""Error of the fixed-point nonlinear functions against float64 (docs/numerics.md table).

Each function is evaluated on every (or a dense sample of) fixed-point input
of its range and compared with float64 evaluated at the same fixed-point input,
so the numbers measure the function unit alone, not input quantization.
"""

from __future__ import annotations

import math

import numpy as np

from . import fixedpoint as fp
from . import rows as mx_rows
from .quantize import dequantize, quantize

__all__ = ["measure_all", "measure_rows"]


def _row(name: str, rng: str, params: str, err: np.ndarray, lsb: float, rel: bool = False) -> dict:
    return {
        "function": name,
        "input range": rng,
        "parameters": params,
        "max error": float(np.max(err)),
        "mean error": float(np.mean(err)),
        "max error (output LSB)": float(np.max(err) / lsb) if not rel else float("nan"),
        "error kind": "relative" if rel else "absolute",
    }


def measure_all(seed: int = 0) -> list[dict]:
    rows = []
    x = np.arange(-(18 << 12), 1)
    y = fp.exp_fixed(x, 12, 16) / 2.0**16
    rows.append(
        _row(
            "exp",
            "[-18, 0], 12 frac bits (all codes)",
            "out 16 frac bits, 257-entry table",
            np.abs(y - np.exp(x / 2.0**12)),
            2.0**-16,
        )
    )
    q = np.unique(np.round(np.geomspace(1, 2**40, 300000)).astype(np.int64))
    y = fp.reciprocal_fixed(q, 16, 40) / 2.0**40
    ref = 2.0**16 / q
    rows.append(
        _row(
            "reciprocal",
            "[2^-16, 2^24], 16 frac bits",
            "64-entry seed, 2 Newton steps, out 40 frac bits",
            np.abs(y - ref) / ref,
            0,
            rel=True,
        )
    )
    y = fp.rsqrt_fixed(q, 16, 40) / 2.0**40
    ref = 1 / np.sqrt(q / 2.0**16)
    rows.append(
        _row(
            "rsqrt",
            "[2^-16, 2^24], 16 frac bits",
            "192-entry seed, 2 Newton steps, out 40 frac bits",
            np.abs(y - ref) / ref,
            0,
            rel=True,
        )
    )
    # The activations as the MX operators use them: 16 fraction bits in and out.
    for act in fp.ACTIVATIONS.values():
        frac, r = act.frac, act.range_log2
        x = np.arange(-(12 << frac), 12 << frac, 7)
        y = fp.activation_fixed(act.name, x, frac, frac) / 2.0**frac
        rows.append(
            _row(
                act.name,
                f"[-12, 12], {frac} frac bits (every 7th code)",
                f"out {frac} frac bits, {(1 << act.lut_bits) + 1}-entry table on [0, {1 << r}]",
                np.abs(y - act.reference(x / 2.0**frac)),
                2.0**-frac,
            )
        )
    rng = np.random.default_rng(seed)
    z = np.round(rng.standard_normal((512, 128)) * 3 * 2**12)
    y = fp.softmax_fixed(z.astype(np.int64), 12) / 2.0**16
    zf = z / 2.0**12
    e = np.exp(zf - zf.max(-1, keepdims=True))
    rows.append(
        _row(
            "softmax",
            "rows of 128, N(0, 3^2), 12 frac bits",
            "exp as above, out 16 frac bits",
            np.abs(y - e / e.sum(-1, keepdims=True)),
            2.0**-16,
        )
    )
    z = np.round((rng.standard_normal((256, 384)) * 2 + 0.5) * 2**8).astype(np.int64)
    w = np.round(rng.standard_normal(384) * 2**12).astype(np.int64)
    b = np.round(rng.standard_normal(384) * 2**12).astype(np.int64)
    zf, wf, bf = z / 2.0**8, w / 2.0**12, b / 2.0**12
    y = fp.layer_norm_fixed(z, 8, w, b) / 2.0**12
    m = zf.mean(-1, keepdims=True)
    ref = (zf - m) / np.sqrt(zf.var(-1, keepdims=True) + 1e-5) * wf + bf
    rows.append(
        _row(
            "layer_norm",
            "rows of 384, N(0.5, 2^2), 16-bit input with 8 frac bits",
            "weight/bias/out 12 frac bits",
            np.abs(y - ref),
            2.0**-12,
        )
    )
    y = fp.rms_norm_fixed(z, 8, w) / 2.0**12
    ref = zf / np.sqrt((zf * zf).mean(-1, keepdims=True) + 1e-6) * wf
    rows.append(
        _row(
            "rms_norm",
            "rows of 384, N(0.5, 2^2), 16-bit input with 8 frac bits",
            "weight/out 12 frac bits",
            np.abs(y - ref),
            2.0**-12,
        )
    )
    assert all(math.isfinite(r["max error"]) for r in rows)
    return rows


def _dyadic(mag: np.ndarray, exp: np.ndarray) -> np.ndarray:
    return np.ldexp(np.asarray(mag, dtype=np.float64), np.asarray(exp, dtype=np.int64))


def _row_entry(name: str, rng: str, params: str, exact: np.ndarray, rounded: np.ndarray,
               ref: np.ndarray, ref_rounded: np.ndarray) -> dict:
    err = np.abs(exact - ref)
    big = np.abs(ref) > 1e-3
    return {
        "function": name,
        "input range": rng,
        "parameters": params,
        "max error": float(err.max()),
        "mean error": float(err.mean()),
        "max relative error": float((err[big] / np.abs(ref[big])).max()),
        "mxint8 output: max error": float(np.abs(rounded - ref).max()),
        "float64 rounded to mxint8: max error": float(np.abs(ref_rounded - ref).max()),
        "mxint8 output: codes equal to float64 rounded": float((rounded == ref_rounded).mean()),
    }


def measure_rows(seed: int = 0) -> list[dict]:
    """Errors of the MX row operators (``numerics.rows``) against float64 evaluated on the
    same (dequantized) MX inputs, before and after the final MXINT8 rounding."""
    rng = np.random.default_rng(seed)
    out = []
    x = quantize((rng.standard_normal((512, 128)) * 3).astype(np.float32), "mxint8")
    mask = rng.random((512, 128)) < 0.8
    xf = dequantize(x).astype(np.float64)
    top = np.where(mask, xf, -np.inf).max(-1, keepdims=True)
    e = np.where(mask, np.exp(xf - top), 0)
    ref = e / e.sum(-1, keepdims=True)
    mag, ex, _ = mx_rows.softmax_exact(x, mask)
    sm = mx_rows.SOFTMAX
    out.append(_row_entry(
        "softmax (MX)", "rows of 128, N(0, 3^2) in MXINT8, 80% kept by a random mask",
        f"differences with {sm.frac} frac bits; 2^f table {2**sm.exp_lut + 1} x "
        f"{sm.exp_frac + 2} bits; 1/m table {2**sm.recip_lut + 1} x {sm.recip_frac + 2} bits",
        _dyadic(mag, ex), dequantize(mx_rows.softmax(x, mask, "mxint8")), ref,
        dequantize(quantize(ref.astype(np.float32), "mxint8"))))
    x = quantize((rng.standard_normal((256, 384)) * 2 + 0.5).astype(np.float32), "mxint8")
    x_out = np.where(rng.random((256, 384)) < 0.01, 40.0, 1.0)  # outlier dimensions
    x = quantize((dequantize(x) * x_out).astype(np.float32), "mxint8")
    w = quantize(rng.standard_normal(384).astype(np.float32), "mxint8", axis=0)
    b = quantize(rng.standard_normal(384).astype(np.float32), "mxint8", axis=0)
    xf, wf, bf = (dequantize(t).astype(np.float64) for t in (x, w, b))
    nm = mx_rows.NORM
    params = (f"{nm.guard} guard bits, rsqrt table {3 * 2**nm.lut + 1} x {nm.r_frac + 1} bits, "
              f"normalized values with {nm.n_frac} frac bits")
    m = xf.mean(-1, keepdims=True)
    ref = (xf - m) / np.sqrt(xf.var(-1, keepdims=True) + 1e-5) * wf + bf
    mag, ex, _ = mx_rows.norm_exact(x, w, b, 1e-5, centered=True)
    out.append(_row_entry(
        "layer_norm (MX)", "rows of 384, N(0.5, 2^2) with 1% outliers x40, MXINT8",
        params + "; MXINT8 weight and bias", _dyadic(mag, ex),
        dequantize(mx_rows.layer_norm(x, w, b, "mxint8", eps=1e-5)), ref,
        dequantize(quantize(ref.astype(np.float32), "mxint8"))))
    ref = xf / np.sqrt((xf * xf).mean(-1, keepdims=True) + 1e-6) * wf
    mag, ex, _ = mx_rows.norm_exact(x, w, None, 1e-6, centered=False)
    out.append(_row_entry(
        "rms_norm (MX)", "rows of 384, N(0.5, 2^2) with 1% outliers x40, MXINT8",
        params + "; MXINT8 weight", _dyadic(mag, ex),
        dequantize(mx_rows.rms_norm(x, w, "mxint8", eps=1e-6)), ref,
        dequantize(quantize(ref.astype(np.float32), "mxint8"))))
    return out
