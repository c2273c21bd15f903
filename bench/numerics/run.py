"""Benchmark: MX quantize + dequantize throughput (MB/s of float32 input), one core.

Compares mase_mlir.numerics (compiled kernel when built, and the numpy
definition), torchao's MX implementation (CPU; float formats only) and gfloat,
in the same run.  Writes results.json and results.md next to this script.

    python bench/numerics/run.py [--values 16777216] [--gfloat-values 1048576]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "python"))

os.environ.setdefault("OMP_NUM_THREADS", "1")

from mase_mlir import numerics as mxn  # noqa: E402
from mase_mlir.numerics import _backend  # noqa: E402
from mase_mlir.numerics.quantize import dequantize_reference, quantize_reference  # noqa: E402

FORMATS = ["mxfp4_e2m1", "mxfp8_e4m3", "mxint8", "mxint<4,8,16>"]


def best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_ours(x: np.ndarray, fmt: str, repeats: int) -> dict:
    q = mxn.quantize(x, fmt)
    tq = best_time(lambda: mxn.quantize(x, fmt), repeats)
    td = best_time(lambda: mxn.dequantize(q), repeats)
    return {"quantize_s": tq, "dequantize_s": td}


def bench_numpy(x: np.ndarray, fmt: str) -> dict:
    f = mxn.Format.parse(fmt)
    q = quantize_reference(x, f, 0, "even")
    tq = best_time(lambda: quantize_reference(x, f, 0, "even"), 1)
    td = best_time(lambda: dequantize_reference(q), 1)
    return {"quantize_s": tq, "dequantize_s": td}


def bench_torchao(x: np.ndarray, fmt: str, repeats: int) -> dict | None:
    import torch
    from torchao.prototype.mx_formats.mx_tensor import to_dtype, to_mx

    elem = {"mxfp4_e2m1": torch.float4_e2m1fn_x2, "mxfp8_e4m3": torch.float8_e4m3fn}.get(fmt)
    if elem is None:
        return None
    torch.set_num_threads(1)
    t = torch.from_numpy(x).reshape(-1, 1024)
    scale, data = to_mx(t, elem, 32)
    tq = best_time(lambda: to_mx(t, elem, 32), repeats)
    td = best_time(lambda: to_dtype(data, scale, elem, 32, torch.float32), repeats)
    return {"quantize_s": tq, "dequantize_s": td}


def bench_gfloat(x: np.ndarray, fmt: str) -> dict | None:
    import gfloat
    from gfloat import formats as gf

    name = {"mxfp4_e2m1": "mxfp4_e2m1", "mxfp8_e4m3": "mxfp8_e4m3", "mxint8": "mxint8"}.get(fmt)
    if name is None:
        return None
    bfi = getattr(gf, f"format_info_{name}")

    def quantize():
        blocks = x.astype(np.float64).reshape(-1, 32)
        amax = np.abs(blocks).max(1, keepdims=True)
        with np.errstate(divide="ignore"):
            e = np.where(amax > 0, np.floor(np.log2(amax)) - bfi.etype.emax, -127)
        scale = 2.0 ** np.clip(e, -127, 127)
        r = gfloat.round_ndarray(bfi.etype, blocks / scale, sat=True)
        return gfloat.encode_ndarray(bfi.etype, r), scale

    codes, scale = quantize()

    def dequantize():
        return (gfloat.decode_ndarray(bfi.etype, codes) * scale).astype(np.float32)

    return {"quantize_s": best_time(quantize, 1), "dequantize_s": best_time(dequantize, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--values", type=int, default=1 << 24)
    ap.add_argument("--gfloat-values", type=int, default=1 << 20)
    ap.add_argument("--numpy-values", type=int, default=1 << 22)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(args.values) * np.exp2(rng.integers(-8, 8, args.values))).astype(
        np.float32
    )
    rows = []
    for fmt in FORMATS:
        impls = {
            "mase_mlir" + (" (compiled)" if _backend.fast_module() else " (numpy)"): (
                bench_ours(x, fmt, args.repeats),
                args.values,
            ),
            "mase_mlir numpy definition": (
                bench_numpy(x[: args.numpy_values], fmt),
                args.numpy_values,
            ),
            "torchao (CPU)": (bench_torchao(x, fmt, args.repeats), args.values),
            "gfloat": (bench_gfloat(x[: args.gfloat_values], fmt), args.gfloat_values),
        }
        for impl, (res, n) in impls.items():
            if res is None:
                rows.append({"format": fmt, "impl": impl, "supported": False})
                continue
            mb = n * 4 / 1e6
            rows.append(
                {
                    "format": fmt,
                    "impl": impl,
                    "supported": True,
                    "values": n,
                    "quantize_MBps": mb / res["quantize_s"],
                    "dequantize_MBps": mb / res["dequantize_s"],
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    meta = {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "numpy": np.__version__,
        "threads": 1,
        "kernel": getattr(_backend.fast_module(), "isa", "numpy"),
        "input": "float32 N(0,1) * 2^U{-8..7}",
    }
    (HERE / "results.json").write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    lines = [
        "# MX quantize/dequantize throughput (MB/s of float32 input, one core)",
        "",
        (
            f"Python {meta['python']}, numpy {meta['numpy']}, compiled kernel: "
            f"{meta['kernel']}; best of {args.repeats} "
            "(numpy definition and gfloat: one run on a prefix, see `values`)."
        ),
        "",
        "| format | implementation | values | quantize MB/s | dequantize MB/s |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        if r["supported"]:
            lines.append(
                f"| {r['format']} | {r['impl']} | {r['values']} | "
                f"{r['quantize_MBps']:.0f} | {r['dequantize_MBps']:.0f} |"
            )
        else:
            lines.append(f"| {r['format']} | {r['impl']} | - | not supported | not supported |")
    (HERE / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
