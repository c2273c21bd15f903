"""Hardware benchmark: every issue-6 case through mase compile + mase sim.

For each case: cycles vs ideal (one block of B MACs per cycle), steady-state block MACs
per cycle, Yosys cells and flip-flops, memory bits, and whether the RTL matched both
golden models (numerics and the interpreter) bit for bit. Then the MXInt designs next to
the 8-bit fixed-point baseline with the same MACs per cycle (cells, flip-flops, memory
bits and their ratios). Writes bench/hardware/results.json and results.md.

    .venv/bin/python bench/hardware/run.py [--no-area] [--cases linear_mxint4,...]

Output directories live under bench/hardware/build/<case>/ and are reused: Verilator
simulators are cached by design hash (``.sim/``), and Yosys runs once per design (a
recompile that gives byte-identical Verilog reuses the previous cells / flip-flops).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = {
    "linear_mxint4": "MX linear 4x64x64, mxint<4,8,16>",
    "linear_mxint8": "MX linear 4x64x64, mxint8 (OCP MXINT8, B=32)",
    "linear_mxint6": "MX linear 4x64x64, mxint<6,8,32>",
    "linear_int8": "8-bit fixed point 4x64x64, 16 lanes (int8, per-tensor scale)",
    "linear_int8_b32": "8-bit fixed point 4x64x64, 32 lanes (int8, per-tensor scale)",
    "mlp_relu": "MLP 64-64-64: linear mxint<4,8,16> -> relu -> linear mxint<6,8,16>",
}
# MX design -> the fixed-point baseline with the same lanes (MACs per cycle).
BASELINE = {"linear_mxint4": "linear_int8", "linear_mxint8": "linear_int8_b32",
            "linear_mxint6": "linear_int8_b32"}


def lint(sv: Path, top: str) -> bool:
    """``verilator --lint-only -Wall`` (naming/unused warnings of generated code off)."""
    proc = subprocess.run(["verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME",
                           "-Wno-UNUSEDSIGNAL", "-Wno-UNUSEDPARAM", "-Wno-PINCONNECTEMPTY",
                           str(sv), "--top-module", top],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
    return proc.returncode == 0


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b - 1:+.1%}" if a is not None and b else "-"


def markdown(rows: list[dict]) -> str:
    lines = ["# Hardware benchmark (issue 6)", "",
             "Verilator cycles from the start token to the last store; ideal = one block of B "
             "MACs per cycle; Yosys 0.23 `synth -top; stat` (generic cells, flattened); "
             "memory bits = external memories (inputs, weights, outputs) + internal buffers.",
             "",
             "| case | formats | bit-exact (numerics = interp = RTL) | lint-clean | cycles "
             "| ideal | of ideal | steady state (block MACs/cycle) | cells | flip-flops "
             "| memory bits |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['case']} | {', '.join(r['formats'])} | {r['bit_exact']} "
                     f"| {r['lint_clean']} | {r['cycles']} | {r['ideal_cycles']} "
                     f"| {r['of_ideal']:.1%} "
                     f"| {r['steady_state_block_macs_per_cycle']} | {r['cells']} "
                     f"| {r['flip_flops']} | {r['memory_bits']} |")
    by = {r["case"]: r for r in rows}
    pairs = [(mx, base) for mx, base in BASELINE.items() if mx in by and base in by]
    if pairs:
        lines += ["", "## MXInt vs the 8-bit fixed-point baseline (same MACs per cycle)", "",
                  "| MX design | baseline | lanes | cells MX / int8 (overhead) "
                  "| flip-flops MX / int8 (overhead) | memory bits MX / int8 (overhead) |",
                  "|---|---|---|---|---|---|"]
        for mx, base in pairs:
            a, b = by[mx], by[base]
            lanes = a["block_size"]
            lines.append(
                f"| {mx} ({', '.join(a['formats'])}) | {base} | {lanes} "
                f"| {a['cells']} / {b['cells']} ({_ratio(a['cells'], b['cells'])}) "
                f"| {a['flip_flops']} / {b['flip_flops']} "
                f"({_ratio(a['flip_flops'], b['flip_flops'])}) "
                f"| {a['memory_bits']} / {b['memory_bits']} "
                f"({_ratio(a['memory_bits'], b['memory_bits'])}) |")
    return "\n".join(lines) + "\n"


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
        compile_model(HERE / "models" / f"{case}.mlir", out, {"area": not args.no_area})
        t1 = time.time()
        res = sim.run(out)
        t2 = time.time()
        rep = json.loads((out / "report.json").read_text())
        clean = lint(out / f"{rep['top']}.sv", rep["top"])
        steady = rep["sim"]["steady_state"]
        lin = [o for o in rep["ops"] if o["op"] == "mx.linear"]
        rows.append({
            "case": case, "what": CASES.get(case, case), "formats": rep["formats"],
            "bit_exact": res.ok, "interpreter": res.interpreter, "lint_clean": clean,
            "cycles": res.cycles, "ideal_cycles": res.ideal_cycles,
            "of_ideal": round(res.ideal_cycles / res.cycles, 4),
            "steady_state_block_macs_per_cycle": min(
                (v["per_cycle"] for v in steady.values() if v["per_cycle"]), default=None),
            "block_size": lin[0]["k"] // (lin[0]["block_macs"] // (lin[0]["rows"] * lin[0]["n"]))
            if lin else None,
            "cells": rep["cells"], "flip_flops": rep["flip_flops"],
            "memory_bits": rep["memory_bits"],
            "compile_s": round(t1 - t0, 1), "sim_s": round(t2 - t1, 1),
        })
        print(json.dumps(rows[-1]), flush=True)
        # Written after every case: an interrupted run keeps what it measured.
        (HERE / "results.json").write_text(json.dumps(rows, indent=1) + "\n")
        (HERE / "results.md").write_text(markdown(rows))
    return 0 if all(r["bit_exact"] and r["lint_clean"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
