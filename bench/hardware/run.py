"""Hardware benchmark: every slice-1 case through mase compile + mase sim.

For each case: cycles vs ideal (one block of B MACs per cycle), steady-state block MACs
per cycle, Yosys cells and flip-flops, memory bits, and whether the RTL matched the
golden model bit for bit. MXInt designs next to the 8-bit fixed-point baseline.
Writes bench/hardware/results.json and results.md.

    .venv/bin/python bench/hardware/run.py [--no-area] [--cases linear_mxint4,...]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {
    "linear_mxint4": "MX linear 4x64x64, mxint<4,8,16>",
    "linear_mxint8": "MX linear 4x64x64, mxint8 (OCP MXINT8, B=32)",
    "linear_mxint6": "MX linear 4x64x64, mxint<6,8,32>",
    "linear_int8": "8-bit fixed point baseline 4x64x64 (int8, per-tensor scale)",
    "mlp_relu": "MLP 64-64-64: linear mxint<4,8,16> -> relu -> linear mxint<6,8,16>",
}


def main() -> int:
    from mase_mlir import sim
    from mase_mlir.backend import compile_model

    ap = argparse.ArgumentParser()
    ap.add_argument("--no-area", action="store_true")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--out", type=Path, default=HERE / "build")
    args = ap.parse_args()
    rows = []
    for case in args.cases.split(","):
        t0 = time.time()
        out = args.out / case
        rep = compile_model(HERE / "models" / f"{case}.mlir", out, {"area": not args.no_area})
        t1 = time.time()
        res = sim.run(out)
        t2 = time.time()
        rep = json.loads((out / "report.json").read_text())
        steady = rep["sim"]["steady_state"]
        rows.append({
            "case": case, "what": CASES.get(case, case), "formats": rep["formats"],
            "bit_exact": res.ok, "cycles": res.cycles, "ideal_cycles": res.ideal_cycles,
            "of_ideal": round(res.ideal_cycles / res.cycles, 4),
            "steady_state_block_macs_per_cycle": min(
                (v["per_cycle"] for v in steady.values() if v["per_cycle"]), default=None),
            "cells": rep["cells"], "flip_flops": rep["flip_flops"],
            "memory_bits": rep["memory_bits"],
            "compile_s": round(t1 - t0, 1), "sim_s": round(t2 - t1, 1),
        })
        print(json.dumps(rows[-1]), flush=True)
    (HERE / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
    lines = ["# Hardware benchmark (slice 1)", "",
             "| case | formats | bit-exact | cycles | ideal | of ideal "
             "| steady state (block MACs/cycle) | cells | flip-flops | memory bits |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {', '.join(r['formats'])} | {r['bit_exact']} "
                     f"| {r['cycles']} "
                     f"| {r['ideal_cycles']} | {r['of_ideal']:.1%} | "
                     f"{r['steady_state_block_macs_per_cycle']} | {r['cells']} | {r['flip_flops']} "
                     f"| {r['memory_bits']} |")
    (HERE / "results.md").write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
