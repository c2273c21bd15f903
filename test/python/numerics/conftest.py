"""Shared test configuration: deterministic hypothesis profile and oracles."""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT / "python") not in sys.path:
    sys.path.insert(0, str(ROOT / "python"))

settings.register_profile(
    "mase",
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("mase")

OCP_FORMATS = ["mxfp8_e5m2", "mxfp8_e4m3", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8"]


def gfloat_quantize(x: np.ndarray, name: str, rounding: str = "even"):
    """OCP section 6.3 with gfloat, block by block along the last axis.

    Returns (scale codes, element codes) per block.  The scale is
    gfloat.compute_scale_amax on float64 (exact for float32 inputs).
    """
    import gfloat
    from gfloat import formats as gf

    bfi = getattr(gf, f"format_info_{name}")
    mode = gfloat.RoundMode.TiesToEven if rounding == "even" else gfloat.RoundMode.TiesToAway
    blocks = np.asarray(x, np.float64).reshape(-1, bfi.k)
    scale_codes, codes = [], []
    for blk in blocks:
        scale = float(gfloat.compute_scale_amax(bfi.etype.emax, blk))
        scale_codes.append(int(gfloat.encode_float(bfi.stype, scale)))
        r = gfloat.round_ndarray(bfi.etype, blk / scale, mode, sat=True)
        if name == "mxint8":  # OCP MXINT8 is symmetric: -2.0 (0x80) is never produced
            r = np.maximum(r, -127 / 64)
        codes.append(gfloat.encode_ndarray(bfi.etype, r).astype(np.int64))
    return np.array(scale_codes), np.array(codes)


def fraction_mxint(block: list[float], m: int, e: int, rounding: str = "even"):
    """Independent exact MXInt<M,E,B> reference on Python Fractions (one block)."""
    vals = [Fraction(v) for v in block]
    amax = max(abs(v) for v in vals)
    bias = 2 ** (e - 1) - 1
    if amax == 0:
        s = -bias
    else:
        k = 0
        while Fraction(2) ** (k + 1) <= amax:
            k += 1
        while Fraction(2) ** k > amax:
            k -= 1
        s = min(max(k, -bias), 2**e - 2 - bias)
    qmax = 2 ** (m - 1) - 1
    codes = []
    for v in vals:
        t = v / Fraction(2) ** s * 2 ** (m - 2)
        if rounding == "even":
            r = round(t)
        else:
            r = int(abs(t) + Fraction(1, 2)) * (1 if t >= 0 else -1)
        r = max(-qmax, min(qmax, r))
        codes.append(r % (2**m))
    return s + bias, codes
