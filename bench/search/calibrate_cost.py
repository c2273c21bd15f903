"""Calibrate the precision search's hardware cost model on the project's own units.

Generates one small model per operator unit and format (an MX linear for the block
dot-product unit, a relu for the elementwise unit), compiles each with `mase compile`
(the hardware back end: CIRCT, then Yosys `synth; stat` for cells), fits the cost model's
coefficients (`mase_mlir.search.cost`) by non-negative least squares, and writes
python/mase_mlir/search/calibration.json with every measured point, its prediction, and the
calibration error (in-sample and leave-one-out, relative). Re-calibrating after a change of
the back end is this one command:

    .venv/bin/python bench/search/calibrate_cost.py [--jobs 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from scipy.optimize import nnls

from mase_mlir.search.cost import DEFAULT_CALIBRATION, OpInfo

ROOT = Path(__file__).resolve().parents[2]


def linear_model(m: int, b: int) -> tuple[str, OpInfo]:
    fmt = f"mxint<{m},8,{b}>"
    k, n, rows = 2 * b, 2 * b, 2
    t = lambda r, c: f"!mx.tensor<{r}x{c}x{fmt}>"  # noqa: E731
    text = (f"func.func @unit(%x: {t(rows, k)}, %w: {t(n, k)}) -> {t(rows, n)} {{\n"
            f"  %y = mx.linear %x, %w {{name = \"fc\"}} : ({t(rows, k)}, {t(n, k)}) -> "
            f"{t(rows, n)}\n  return %y : {t(rows, n)}\n}}\n")
    return text, OpInfo("fc", "mx.linear", (fmt, fmt), fmt, 0)


def relu_model(m: int, b: int) -> tuple[str, OpInfo]:
    fmt = f"mxint<{m},8,{b}>"
    t = f"!mx.tensor<2x{2 * b}x{fmt}>"
    text = (f"func.func @unit(%x: {t}) -> {t} {{\n"
            f"  %y = mx.relu %x {{name = \"act\"}} : {t} -> {t}\n  return %y : {t}\n}}\n")
    return text, OpInfo("act", "mx.relu", (fmt,), fmt, 0)


def points(quick: bool) -> list[tuple[str, str, OpInfo]]:
    widths = (4, 8) if quick else (4, 6, 8)
    blocks = (4, 8) if quick else (4, 8, 32)  # B = 32: the block size the spaces use most
    out = []
    for m in widths:
        for b in blocks:
            out.append(("dot", *linear_model(m, b)))
    for m in (4, 8):
        for b in blocks:
            out.append(("elementwise", *relu_model(m, b)))
    return out


def synthesize(text: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="mase-cost-") as tmp:
        model = Path(tmp) / "unit.mlir"
        model.write_text(text)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "mase_mlir.cli.main", "compile",
                               str(model), "-o", str(Path(tmp) / "hw")],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip().splitlines()[-1])
        report = json.loads((Path(tmp) / "hw" / "report.json").read_text())
        return {"cells": report["cells"], "flip_flops": report["flip_flops"],
                "seconds": round(time.perf_counter() - start, 1)}


def fit(rows: list[dict]) -> tuple[list[float], dict]:
    a = np.array([r["features"] for r in rows], dtype=float)
    y = np.array([r["cells"] for r in rows], dtype=float)
    coefficients, _ = nnls(a, y)
    predicted = a @ coefficients
    loo = []
    for i in range(len(rows)):
        keep = [j for j in range(len(rows)) if j != i]
        c, _ = nnls(a[keep], y[keep])
        loo.append(abs(a[i] @ c - y[i]) / y[i])
    rel = np.abs(predicted - y) / y
    for r, p in zip(rows, predicted, strict=True):
        r["predicted"] = round(float(p))
    error = {"mean_relative": round(float(rel.mean()), 4),
             "max_relative": round(float(rel.max()), 4),
             "leave_one_out_mean_relative": round(float(np.mean(loo)), 4),
             "leave_one_out_max_relative": round(float(np.max(loo)), 4)}
    return [round(float(c), 6) for c in coefficients], error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("-o", "--output", type=Path, default=Path(str(DEFAULT_CALIBRATION)))
    args = parser.parse_args()
    specs = points(args.quick)
    with ThreadPoolExecutor(args.jobs) as pool:
        measured = list(pool.map(lambda s: synthesize(s[1]), specs))
    units: dict[str, dict] = {}
    for (cls, text, op), m in zip(specs, measured, strict=True):
        _, features = op.features()
        units.setdefault(cls, {"points": []})["points"].append(
            {"formats": list(op.formats), "kind": op.kind, "features": features, **m})
    for cls, unit in units.items():
        unit["coefficients"], unit["error"] = fit(unit["points"])
        print(f"{cls}: coefficients {unit['coefficients']}, error {unit['error']}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()
    calibration = {
        "source": "mase compile (hardware back end of commit " + commit + "), Yosys synth; stat",
        "date": time.strftime("%Y-%m-%d"),
        "note": "function and reduce units (softmax, norms, gelu, ...) are not synthesizable "
                "yet and use the elementwise coefficients; MXFP formats are priced by the "
                "width of their exact element integers",
        "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
        "units": units,
    }
    args.output.write_text(json.dumps(calibration, indent=2) + "\n")
    print(f"wrote {args.output}")
    worst = max(u["error"]["leave_one_out_max_relative"] for u in units.values())
    print(f"calibration error (leave-one-out, worst unit): {100 * worst:.1f}%")
    assert math.isfinite(worst)


if __name__ == "__main__":
    main()
