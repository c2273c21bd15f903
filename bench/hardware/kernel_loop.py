"""Kernel-looped hardware against the non-looped baseline (issue 11).

Models at several depths: ``residual``, a stack of pre-norm residual MLP layers
(bench/hardware/models/residual_stack.py: hidden 64, FFN 128, MXINT8, bounded<4>),
prefill (8 tokens) and one-token decode; ``llama-tiny`` (the bundled Llama's decoder
stack and final norm, without the LM head: GQA, RoPE, SwiGLU; blocks of 8) prefill of 16
tokens; ``minilm``, MiniLM-L6's first 2 and all 6
encoder layers with their real weights, one sentence of 32 tokens (a decode step of
these needs a KV cache, which the models do not carry). ``mx-kernel-loop`` folds the
layers; ``mase compile`` builds the looped hardware
and, with ``--no-loop``, the baseline (the layer circuit the host calls once per layer,
loading that layer's weights first); ``mase sim`` runs both on the model's activations,
bit-exact against the numerics and the interpreter (looped and unrolled IR).

Figures per depth: looped cycles; the layer's steady-state cycles (the growth of the
looped cycles per added layer, between the two deepest runs); looped cycles against N x
steady state; the baseline's cycles at 0 and 1,000 cycles of synchronization per call and
the speedups; Verilog size (and Yosys cells at the smallest and largest depth); weight
bits per layer and the bandwidth they need at the measured cycles.

    .venv/bin/python bench/hardware/kernel_loop.py [--models residual,llama-tiny,minilm]
                                                   [--no-area]

Writes bench/hardware/kernel_loop.json and kernel_loop.md (rows of the models not run
are kept from the previous JSON).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from mase_mlir import ir, passes, sim
from mase_mlir.backend import compile_model
from mase_mlir.frontend import import_model
from mase_mlir.frontend.models import load_model

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "models"))
from residual_stack import make  # noqa: E402 - the model lives beside the cases


def _mx(fmt: str) -> dict:
    return {"default": {"input": fmt, "weight": fmt, "bias": fmt, "output": fmt,
                        "accumulator": "bounded<4>"}}


def _minilm(depth: int, tokens: int):
    """MiniLM-L6 with its first ``depth`` encoder layers (real weights), one sentence."""
    model, inputs = load_model("minilm", batch=1, seq=tokens)
    model.encoder.layer = model.encoder.layer[:depth]
    return model, inputs


def _llama(depth: int, tokens: int):
    """llama-tiny's decoder stack without the LM head (LlamaModel: the layers and the
    final norm), so that the looped design and the N calls compare the same work (a
    32,768-cycle head after the loop would otherwise count against the loop only)."""
    model, inputs = load_model("llama-tiny", layers=depth, seq=tokens)
    return model.model, inputs


# name: (factory(depth, tokens), config, {shape: tokens}, depths)
MODELS = {
    "residual": (make, _mx("mxint8"), {"prefill": 8, "decode": 1}, (2, 6, 12)),
    "llama-tiny": (_llama, _mx("mxint<8,8,8>"), {"prefill": 16}, (2, 6, 12)),
    "minilm": (_minilm, _mx("mxint8"), {"prefill": 32}, (2, 6)),
}


def _looped(model_name: str, depth: int, tokens: int, work: Path) -> tuple[Path, list]:
    factory, config, _, _ = MODELS[model_name]
    model, inputs = factory(depth, tokens)
    module_text = str(import_model(model, tuple(inputs)))
    with ir.Context():
        module = ir.Module.parse(module_text)
        passes.assign_precision(module, config)
        passes.kernel_loop(module)
        path = work / f"{model_name}_d{depth}_t{tokens}.looped.mlir"
        path.write_text(str(module))
    return path, [i.numpy() for i in inputs]


def _case(model_name: str, depth: int, tokens: int, work: Path, area: bool) -> dict:
    looped, inputs = _looped(model_name, depth, tokens, work)
    tag = f"{model_name}_{depth}_{tokens}"
    loop_dir, base_dir = work / f"loop_{tag}", work / f"base_{tag}"
    rep = compile_model(looped, loop_dir, {"area": area})
    res = sim.run(loop_dir, sim.model_calls(loop_dir, inputs))
    brep = compile_model(looped, base_dir, {"area": False}, loop_body=True)
    bres = sim.run(base_dir, sim.model_calls(base_dir, inputs))
    base = json.loads((base_dir / "report.json").read_text())["baseline"]
    manifest = json.loads((loop_dir / "manifest.json").read_text())
    per_layer_bits = sum(m["words"] * m["data_bits"] // m["layers"]
                         for m in manifest["memories"] if m.get("layers"))
    return {
        "model": model_name, "depth": depth, "tokens": tokens,
        "bit_exact": res.ok and bres.ok, "interpreter": res.interpreter,
        "looped_cycles": res.cycles, "bound": rep["ideal_cycles"],
        "baseline_call_cycles": base["call_cycles"], "baseline_load_cycles": base["load_cycles"],
        "baseline_cycles": base["total_cycles"],
        "verilog_bytes": (loop_dir / f"{rep['top']}.sv").stat().st_size,
        "baseline_verilog_bytes": (base_dir / f"{brep['top']}.sv").stat().st_size,
        "cells": rep["cells"], "flip_flops": rep["flip_flops"],
        "weight_bits_per_layer": per_layer_bits,
    }


def _derive(rows: list[dict]) -> None:
    """Steady state per layer from the two deepest runs of a shape; ratios and speedups."""
    for key in sorted({(r["model"], r["tokens"]) for r in rows}):
        runs = sorted((r for r in rows if (r["model"], r["tokens"]) == key),
                      key=lambda r: r["depth"])
        a, b = runs[-2], runs[-1]
        steady = (b["looped_cycles"] - a["looped_cycles"]) / (b["depth"] - a["depth"])
        for r in runs:
            n = r["depth"]
            r["steady_state_cycles_per_layer"] = round(steady, 1)
            r["of_n_steady_state"] = round(n * steady / r["looped_cycles"], 4)
            r["speedup"] = {k: round(v / r["looped_cycles"], 3)
                            for k, v in r["baseline_cycles"].items()}
            r["weight_bits_per_cycle"] = round(r["weight_bits_per_layer"] / steady, 2)
        r0 = runs[0]
        for r in runs:
            r["verilog_vs_smallest"] = round(r["verilog_bytes"] / r0["verilog_bytes"] - 1, 5)


def _markdown(rows: list[dict]) -> str:
    lines = ["| model | shape | layers | bit-exact | looped cycles | steady/layer | "
             "of N x steady | baseline sync 0 | baseline sync 1000 | speedup 0 / 1000 | "
             "Verilog bytes | cells | weight bits/layer | bits/cycle |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        shape = "prefill" if r["tokens"] > 1 else "decode"
        lines.append(
            f"| {r['model']} | {shape} ({r['tokens']} tok) | {r['depth']} | {r['bit_exact']} | "
            f"{r['looped_cycles']} | {r['steady_state_cycles_per_layer']} | "
            f"{r['of_n_steady_state']:.1%} | {r['baseline_cycles']['sync_0']} | "
            f"{r['baseline_cycles']['sync_1000']} | {r['speedup']['sync_0']}x / "
            f"{r['speedup']['sync_1000']}x | {r['verilog_bytes']} | {r['cells'] or '-'} | "
            f"{r['weight_bits_per_layer']} | {r['weight_bits_per_cycle']} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS),
                    help=f"comma-separated, from {', '.join(MODELS)}")
    ap.add_argument("--no-area", action="store_true", help="skip Yosys")
    args = ap.parse_args()
    names = [m for m in args.models.split(",") if m]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}")
    results = HERE / "kernel_loop.json"
    rows = [r for r in (json.loads(results.read_text()) if results.is_file() else [])
            if r.get("model", "residual") not in names]
    for r in rows:
        r.setdefault("model", "residual")
    with tempfile.TemporaryDirectory(prefix="kloop-") as tmp:
        for model_name in names:
            _, _, shapes, depths = MODELS[model_name]
            for shape, tokens in shapes.items():
                for depth in depths:
                    area = (not args.no_area and shape == "prefill"
                            and depth in (depths[0], depths[-1]))
                    print(f"[kernel_loop] {model_name}, {shape}, {depth} layers", flush=True)
                    rows.append(_case(model_name, depth, tokens, Path(tmp), area))
    order = list(MODELS)
    rows.sort(key=lambda r: (order.index(r["model"]), -r["tokens"], r["depth"]))
    _derive(rows)
    results.write_text(json.dumps(rows, indent=1) + "\n")
    (HERE / "kernel_loop.md").write_text(_markdown(rows))
    print(_markdown(rows))
    return 0 if all(r["bit_exact"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
