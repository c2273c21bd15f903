"""Hardware benchmark: the dataflow back end against hand-written reference datapaths.

For each case (bench/hardware/models): mase compile + mase sim, bit-exactness against
numerics and the interpreter, lint, cycles against the bound (the slowest unit at one
block dot product or one element per cycle) and the sum over units, the weight port's
steady-state rate, Yosys cells and flip-flops (memories as macros), memory bits,
Verilog size, compile time and the first simulation's time (a cold simulator cache:
the Verilator build is in it). Next to them, in the same run and with the same Yosys,
two minimal hand-written 32-lane datapaths: 32 signed 8x8 multipliers + adder tree +
32-bit accumulator, and the same with MXInt shared exponents. And what the choice of
accumulation costs: the MXINT8 linear with exact and bounded<4> accumulators (cells),
and MiniLM's embedding cosine against FP32 under each (``--quality``, about 2 minutes).

    .venv/bin/python bench/hardware/run.py [--cases a,b] [--quality] [--warm]

Writes bench/hardware/results.json and results.md (after every case, so an interrupted
run keeps what it measured).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mase_mlir import sim
from mase_mlir.backend import compile_model
from mase_mlir.backend.area import yosys_area

HERE = Path(__file__).resolve().parent
CASES = {
    "linear_mxint8": "linear 4x64x64, MXINT8 (B = 32: 32 lanes), bounded<4>",
    "linear_int8_b32": "linear 4x64x64, 8-bit fixed point (int8 with a per-tensor scale), 32 lanes",
    "linear_mxint8_exact": "linear 4x64x64, MXINT8, exact accumulation",
    "linear_mxint4": "linear 4x64x64, mxint<4,8,16> (16 lanes), bounded<4>",
    "linear_int8": "linear 4x64x64, 8-bit fixed point, 16 lanes",
    "linear_mxint6": "linear 4x64x64, mxint<6,8,32>, bounded<4>",
    "mlp_relu": "MLP 4 tokens: linear mxint<4,8,16> -> relu -> linear mxint<6,8,16>",
    "mlp_relu_32": "MLP 32 tokens: linear mxint<4,8,16> -> relu -> linear mxint<6,8,16>",
    "linear_384": "linear 32x384x384 + bias, MXINT8 (MiniLM's width), bounded<4>",
    "attention_minilm": "attention without softmax, MiniLM: 12 heads, 32 tokens, head dim 32, "
                        "MXINT8 (head split/merge views, value reblock, Q.K^T and P.V)",
    "attention_gqa": "attention without softmax, GQA 6 query / 2 key-value heads, 16 tokens, "
                     "head dim 16, mxint<8,8,16>",
    "add_384": "residual add 32x384, MXINT8 + MXINT8 -> MXINT8 (two streams)",
    "mul_scale": "attention scale 12x32x32 MXINT8 times the f32 scalar 1/sqrt(32)",
    "mul_rope": "rotary x * cos: 1x4x16x16 mxint<8,8,16> times a 1x1x16x16 table in memory",
    "layer_norm_384": "layer_norm 32x384 + weight and bias, MXINT8 (MiniLM's)",
    "rms_norm_64": "rms_norm 16x64 + weight, mxint<8,8,16> (llama-tiny's)",
    "softmax_minilm": "masked softmax 12x32x32, MXINT8, the padding mask from a bit memory "
                      "(MiniLM's, one sequence)",
    "softmax_causal": "masked softmax 4x16x16, mxint<8,8,16>, a constant causal mask "
                      "(llama-tiny's)",
    "gelu_minilm": "GELU (erf) 8x32x1536, MXINT8 (MiniLM's FFN activation)",
    "swiglu_llama": "SwiGLU gate silu(g) * u, 1x16x128 MXINT8 (llama-tiny's)",
    "activations_384": "GELU (tanh form) -> tanh -> sigmoid, 32x384 MXINT8 (a chain)",
}
# MX design -> the fixed-point baseline with the same lanes (MACs per cycle).
BASELINE = {"linear_mxint8": "linear_int8_b32", "linear_mxint4": "linear_int8",
            "linear_mxint6": "linear_int8_b32"}

REFERENCES = {
    "ref_int8_32": """
module ref_int8_32(input clk, input rst, input en, input [255:0] x, input [255:0] w,
                   output reg [31:0] acc);
  integer i;
  reg signed [31:0] sum;
  always @* begin
    sum = 0;
    for (i = 0; i < 32; i = i + 1)
      sum = sum + $signed(x[i*8 +: 8]) * $signed(w[i*8 +: 8]);
  end
  always @(posedge clk) if (rst) acc <= 0; else if (en) acc <= acc + sum;
endmodule
""",
    "ref_mxint8_32": """
module ref_mxint8_32(input clk, input rst, input en, input [255:0] x, input [255:0] w,
                     input [7:0] xs, input [7:0] ws, output reg [31:0] acc,
                     output reg [8:0] e);
  integer i;
  reg signed [31:0] sum;
  wire [8:0] t = xs + ws;
  always @* begin
    sum = 0;
    for (i = 0; i < 32; i = i + 1)
      sum = sum + $signed(x[i*8 +: 8]) * $signed(w[i*8 +: 8]);
  end
  always @(posedge clk)
    if (rst) begin acc <= 0; e <= 0; end
    else if (en) begin
      if (t > e) begin acc <= ($signed(acc) >>> (t - e)) + sum; e <= t; end
      else acc <= acc + (sum >>> (e - t));
    end
endmodule
""",
}


def lint(sv: Path, top: str) -> bool:
    """``verilator --lint-only -Wall`` (naming/unused warnings of generated code off)."""
    proc = subprocess.run(["verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME",
                           "-Wno-UNUSEDSIGNAL", "-Wno-UNUSEDPARAM", "-Wno-PINCONNECTEMPTY",
                           str(sv), "--top-module", top],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(proc.stderr[-2000:])
    return proc.returncode == 0


def reference_cells(name: str, text: str) -> dict:
    """Cells and flip-flops of a hand-written reference with the design's Yosys flow."""
    with tempfile.TemporaryDirectory() as tmp:
        sv = Path(tmp) / f"{name}.v"
        sv.write_text(text)
        area = yosys_area(sv, name)
    return {"cells": area["cells"], "flip_flops": area["flip_flops"]}


def model_path(case: str, build: Path) -> Path:
    if case == "linear_mxint8_exact":
        text = (HERE / "models" / "linear_mxint8.mlir").read_text()
        path = build / "linear_mxint8_exact.mlir"
        path.write_text(text.replace("acc = #mx.acc<bounded<4>>, ", ""))
        return path
    return HERE / "models" / f"{case}.mlir"


def run_case(case: str, build: Path) -> dict:
    out = build / case
    t0 = time.perf_counter()
    compile_model(model_path(case, build), out, {})
    t1 = time.perf_counter()
    res = sim.run(out)
    t2 = time.perf_counter()
    rep = json.loads((out / "report.json").read_text())
    sv = out / f"{rep['top']}.sv"
    ports = rep["sim"]["ports"]
    weights = [v for k, v in ports.items() if k.endswith("_w") and v["count"] > 1]
    steady = min(((v["count"] - 1) / (v["last"] - v["first"]) for v in weights), default=None)
    lanes = max((u.get("lanes", 1) for u in rep["units"]), default=1)
    return {
        "case": case, "what": CASES.get(case, case), "formats": rep["formats"],
        "bit_exact": res.ok, "interpreter": res.interpreter, "lint_clean": lint(sv, rep["top"]),
        "cycles": res.cycles, "bound": rep["ideal_cycles"],
        "of_bound": round(rep["ideal_cycles"] / res.cycles, 4),
        "sum_of_unit_cycles": rep["sum_of_unit_cycles"],
        "weight_port_rate": round(steady, 4) if steady is not None else None,
        "lanes": lanes,
        "cells": rep["cells"], "flip_flops": rep["flip_flops"],
        "memory_bits": rep["memory_bits"], "external_memory_bits": rep["external_memory_bits"],
        "verilog_bytes": sv.stat().st_size,
        "verilog_lines": len(sv.read_text().splitlines()),
        "compile_s": round(t1 - t0, 1), "first_sim_s": round(t2 - t1, 1),
        "units": [{k: u.get(k) for k in ("unit", "op", "ideal_cycles", "cells", "flip_flops",
                                         "memory_bits", "accumulator_bits")}
                  for u in rep["units"]],
    }


def quality() -> dict:
    """MiniLM's embedding cosine against FP32 under each accumulation (8 sentences x 32
    tokens, MXINT8 activations and outputs, MXInt6 weights, MXINT8 biases)."""
    # Imported here: only --quality loads torch and the frontend.
    import numpy as np

    from mase_mlir import interp, passes
    from mase_mlir import numerics as mxn
    from mase_mlir.context import parse_module
    from mase_mlir.frontend import import_model
    from mase_mlir.frontend.models import load_model
    from mase_mlir.quality import compare_outputs

    model, inputs = load_model("minilm")
    arrays = [i.numpy() for i in inputs]
    text = str(import_model(model, tuple(inputs)))
    ref = [np.asarray(o) for o in interp.run(parse_module(text), arrays)]
    out = {}
    for acc in ("exact", "bounded<0>", "bounded<2>", "bounded<4>", "bounded<8>"):
        module = parse_module(text)
        passes.assign_precision(module, {"default": {
            "input": "mxint8", "weight": "mxint<6,8,32>", "bias": "mxint8",
            "output": "mxint8", "accumulator": acc}})
        got = [mxn.dequantize(o) if isinstance(o, mxn.MXTensor) else np.asarray(o)
               for o in interp.run(module, arrays)]
        q = compare_outputs(ref, got, attention_mask=arrays[1])
        out[acc] = {"embedding_cosine_mean": round(q["embedding_cosine_mean"], 5),
                    "nearest_neighbour_agreement": q["nearest_neighbour_agreement"]}
        print(f"quality {acc}: {out[acc]}", flush=True)
    return out


def _ratio(a, b) -> str:
    return f"{a / b:.2f}x" if a is not None and b else "-"


def _over(a, b) -> str:
    return f"{a / b - 1:+.1%}" if a is not None and b else "-"


def markdown(res: dict) -> str:
    rows, refs = res["cases"], res["references"]
    lines = [
        "# Hardware benchmark", "",
        "One unit per op (a statically scheduled pipeline), units connected by streams of "
        "MX blocks through a CIRCT handshake netlist. Cycles: Verilator, from reset to the "
        "last output block; bound: the slowest unit at one block dot product (linear) or "
        "one element (relu) per cycle (units run concurrently); Yosys 0.23 `synth; stat`, "
        "generic cells with memories as macros (their bits under memory); first sim: "
        "Verilator build + run with a cold simulator cache.", "",
        "| case | bit-exact | lint | cycles | bound | of bound | sum of units | weight port "
        "rate | cells | flip-flops | memory bits (on chip / external) | Verilog | compile s "
        "| first sim s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['bit_exact']} | {r['lint_clean']} | {r['cycles']} "
            f"| {r['bound']} | {r['of_bound']:.1%} | {r['sum_of_unit_cycles']} "
            f"| {r['weight_port_rate']} | {r['cells']} | {r['flip_flops']} "
            f"| {r['memory_bits']} / {r['external_memory_bits']} "
            f"| {r['verilog_bytes'] / 1024:.0f} KiB, {r['verilog_lines']} lines "
            f"| {r['compile_s']} | {r['first_sim_s']} |")
    by = {r["case"]: r for r in rows}
    lines += ["", "## Against the hand-written 32-lane datapaths (same Yosys)", "",
              "| reference | cells | flip-flops |", "|---|---|---|"]
    for name, r in refs.items():
        lines.append(f"| {name} | {r['cells']} | {r['flip_flops']} |")
    if "linear_mxint8" in by:
        mx = by["linear_mxint8"]
        lines.append("")
        lines.append(f"* MXINT8 linear (32 lanes) / int8 reference datapath: "
                     f"{_ratio(mx['cells'], refs['ref_int8_32']['cells'])} cells "
                     f"(target <= 1.5x); / the MXInt reference: "
                     f"{_ratio(mx['cells'], refs['ref_mxint8_32']['cells'])}.")
    pairs = [(a, b) for a, b in BASELINE.items() if a in by and b in by]
    if pairs:
        lines += ["", "## MXInt over the 8-bit fixed-point baseline, same lanes", "",
                  "| MX design | baseline | cells | flip-flops | memory bits (external) |",
                  "|---|---|---|---|---|"]
        for a, b in pairs:
            x, y = by[a], by[b]
            lines.append(f"| {a} | {b} | {x['cells']} / {y['cells']} "
                         f"({_over(x['cells'], y['cells'])}) | {x['flip_flops']} / "
                         f"{y['flip_flops']} ({_over(x['flip_flops'], y['flip_flops'])}) "
                         f"| {x['external_memory_bits']} / {y['external_memory_bits']} "
                         f"({_over(x['external_memory_bits'], y['external_memory_bits'])}) |")
    if "linear_mxint8_exact" in by and "linear_mxint8" in by:
        e, b = by["linear_mxint8_exact"], by["linear_mxint8"]
        lines += ["", "## Exact vs bounded<4> accumulation (MXINT8 linear, 32 lanes)", "",
                  f"* cells: exact {e['cells']}, bounded<4> {b['cells']} "
                  f"(exact {_over(e['cells'], b['cells'])}); accumulator bits: exact "
                  f"{e['units'][0]['accumulator_bits']}, bounded<4> "
                  f"{b['units'][0]['accumulator_bits']}."]
    if res.get("quality"):
        lines += ["", "## Accumulation and MiniLM quality (embedding cosine vs FP32)", "",
                  "| accumulation | mean cosine | nearest-neighbour agreement |", "|---|---|---|"]
        for acc, q in res["quality"].items():
            lines.append(f"| {acc} | {q['embedding_cosine_mean']} "
                         f"| {q['nearest_neighbour_agreement']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--out", type=Path, default=HERE / "build")
    ap.add_argument("--quality", action="store_true", help="also measure MiniLM's quality")
    ap.add_argument("--warm", action="store_true",
                    help="reuse the shared simulator cache (first-sim times then exclude "
                    "the Verilator build)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    cold = None
    if not args.warm:
        cold = tempfile.mkdtemp(prefix="mase-bench-sim-")
        os.environ["MASE_SIM_CACHE"] = cold
    result = {"cases": [], "references": {}, "quality": None}
    try:
        for name, text in REFERENCES.items():
            result["references"][name] = reference_cells(name, text)
        for case in args.cases.split(","):
            result["cases"].append(run_case(case, args.out))
            print(json.dumps({k: v for k, v in result["cases"][-1].items() if k != "units"}),
                  flush=True)
            (HERE / "results.json").write_text(json.dumps(result, indent=1) + "\n")
            (HERE / "results.md").write_text(markdown(result))
        if args.quality:
            result["quality"] = quality()
            (HERE / "results.json").write_text(json.dumps(result, indent=1) + "\n")
            (HERE / "results.md").write_text(markdown(result))
    finally:
        if cold:
            shutil.rmtree(cold, ignore_errors=True)
    ok = all(r["bit_exact"] and r["lint_clean"] for r in result["cases"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
