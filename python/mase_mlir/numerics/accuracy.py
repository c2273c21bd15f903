"""Error of the fixed-point nonlinear functions against float64 (docs/numerics.md table).

Each function is evaluated on every (or a dense sample of) fixed-point input
of its range and compared with float64 evaluated at the same fixed-point input,
so the numbers measure the function unit alone, not input quantization.
"""

from __future__ import annotations

import math

import numpy as np

from . import fixedpoint as fp

__all__ = ["measure_all"]


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
    x = np.arange(-(12 << 12), 12 << 12)
    xf = x / 2.0**12
    y = fp.gelu_fixed(x, 12, 16) / 2.0**16
    rows.append(
        _row(
            "gelu",
            "[-12, 12], 12 frac bits (all codes)",
            "out 16 frac bits, 1025-entry table on [-8, 8]",
            np.abs(y - fp._gelu64(xf)),
            2.0**-16,
        )
    )
    y = fp.silu_fixed(x, 12, 16) / 2.0**16
    rows.append(
        _row(
            "silu",
            "[-12, 12], 12 frac bits (all codes)",
            "out 16 frac bits, 1025-entry table on [-16, 16]",
            np.abs(y - fp._silu64(xf)),
            2.0**-16,
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
