"""One transformer layer of real models in hardware (issue 10's targets).

Each case imports a bundled model with its real (or seeded) weights and example inputs,
compiles one layer with ``mase compile --layer`` (the rest stays on the host), simulates
it with Verilator on the model's own activations (RTL == numerics == interpreter, bit
for bit), lints the Verilog (``verilator --lint-only -Wall``) and reports: cycles
against the dataflow bound (the slowest unit's cycles at its lanes) and the sum of the
units' cycles (sequential execution); cells, flip-flops and memory bits per op; compile
and simulation seconds.

    .venv/bin/python bench/hardware/layer.py [--cases minilm-b1,llama-tiny] [--no-area]

Writes bench/hardware/layer.json and layer.md (rows of the cases not run are kept).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

from mase_mlir import sim
from mase_mlir.backend import compile_model
from mase_mlir.frontend import import_model
from mase_mlir.frontend.models import load_model

HERE = Path(__file__).resolve().parent


def _mx(fmt: str) -> dict:
    return {"default": {"input": fmt, "weight": fmt, "bias": fmt, "output": fmt,
                        "accumulator": "bounded<4>"}}


# name: (bundled model, its keyword arguments, layer, precision config)
CASES = {
    "minilm-b1": ("minilm", {"batch": 1}, "encoder.layer.0", _mx("mxint8")),
    "minilm-b8": ("minilm", {}, "encoder.layer.0", _mx("mxint8")),
    # head_dim 16 and rotate-half slices of 8: blocks of 8 keep every tensor in MX.
    "llama-tiny": ("llama-tiny", {}, "model.layers.0", _mx("mxint<8,8,8>")),
    "opt-tiny": ("opt-tiny", {}, "model.decoder.layers.0", _mx("mxint<8,8,8>")),
    "gpt2-tiny": ("gpt2-tiny", {}, "transformer.h.0", _mx("mxint<8,8,8>")),
}


def _lint_clean(sv: Path, top: str) -> bool:
    """``verilator --lint-only -Wall`` passes (the waivers the hardware tests use)."""
    lint = subprocess.run(["verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME",
                           "-Wno-UNUSEDSIGNAL", "-Wno-UNUSEDPARAM", "-Wno-PINCONNECTEMPTY",
                           str(sv), "--top-module", top],
                          capture_output=True, text=True, check=False)
    return lint.returncode == 0


def _case(name: str, work: Path, area: bool) -> dict:
    model_name, kwargs, layer, config = CASES[name]
    model, inputs = load_model(model_name, **kwargs)
    src = work / f"{name}.mlir"
    src.write_text(str(import_model(model, tuple(inputs))))
    out = work / name
    t = time.perf_counter()
    report = compile_model(src, out, {**config, "hardware": {"area": area}}, layer=layer)
    compile_s = time.perf_counter() - t
    t = time.perf_counter()
    res = sim.run(out, sim.model_arguments(out, [i.numpy() for i in inputs]))
    sim_s = time.perf_counter() - t
    report = json.loads((out / "report.json").read_text())
    ops = [{k: u.get(k) for k in ("op", "name", "module", "ideal_cycles", "cells",
                                  "flip_flops", "memory_bits", "external_memory_bits")}
           for u in report["units"]]
    return {
        "case": name, "model": model_name, "layer": layer, "config": config["default"],
        "bit_exact": res.ok, "interpreter": res.interpreter, "first_mismatch":
            res.first_mismatch, "cycles": res.cycles, "bound": report["ideal_cycles"],
        "of_bound": round(report["ideal_cycles"] / res.cycles, 4) if res.cycles else None,
        "sum_of_unit_cycles": report["sum_of_unit_cycles"], "units": len(ops),
        "cells": report["cells"], "flip_flops": report["flip_flops"],
        "memory_bits": report["memory_bits"],
        "external_memory_bits": report["external_memory_bits"],
        "verilog_bytes": (out / f"{report['top']}.sv").stat().st_size,
        "lint_clean": _lint_clean(out / f"{report['top']}.sv", report["top"]),
        "compile_seconds": round(compile_s, 1), "simulation_seconds": round(sim_s, 1),
        "host_ops": sorted({h["op"] for h in report.get("host_ops", [])}), "ops": ops,
    }


def _markdown(rows: list[dict]) -> str:
    lines = ["| case | layer | bit-exact | lint | cycles | dataflow bound | of bound | "
             "sum of units | units | cells | flip-flops | memory bits (on chip / external) | "
             "Verilog | compile s | sim s |", "|---" * 15 + "|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['case']} | {r['layer']} | error: {r['error']} |" + " |" * 12)
            continue
        lines.append(
            f"| {r['case']} | {r['layer']} | {r['bit_exact']} | "
            f"{ {True: 'clean', False: 'warnings', None: '-'}[r.get('lint_clean')] } | "
            f"{r['cycles']:,} | "
            f"{r['bound']:,} | {r['of_bound']:.1%} | {r['sum_of_unit_cycles']:,} | {r['units']} | "
            f"{r['cells'] or '-'} | {r['flip_flops'] or '-'} | {r['memory_bits']:,} / "
            f"{r['external_memory_bits']:,} | {r['verilog_bytes']:,} B | {r['compile_seconds']} | "
            f"{r['simulation_seconds']} |")
    for r in rows:
        if "ops" not in r:
            continue
        lines += ["", f"### {r['case']}: per op", "",
                  "| op | name | module | cycles | cells | flip-flops | memory bits | external |",
                  "|---|---|---|---|---|---|---|---|"]
        for o in r["ops"]:
            lines.append(f"| {o['op']} | {o['name']} | {o['module']} | {o['ideal_cycles']:,} | "
                         f"{o['cells'] if o['cells'] is not None else '-'} | "
                         f"{o['flip_flops'] if o['flip_flops'] is not None else '-'} | "
                         f"{o['memory_bits']:,} | {o['external_memory_bits']:,} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(CASES),
                    help=f"comma-separated, from {', '.join(CASES)}")
    ap.add_argument("--no-area", action="store_true", help="skip Yosys")
    args = ap.parse_args()
    names = [c for c in args.cases.split(",") if c]
    unknown = [c for c in names if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {', '.join(unknown)}")
    results = HERE / "layer.json"
    rows = [r for r in (json.loads(results.read_text()) if results.is_file() else [])
            if r["case"] not in names]
    with tempfile.TemporaryDirectory(prefix="layer-") as tmp:
        for name in names:
            print(f"[layer] {name}", flush=True)
            try:
                rows.append(_case(name, Path(tmp), not args.no_area))
            except Exception as err:  # a case that fails is a figure too: say why
                rows.append({"case": name, "layer": CASES[name][2],
                             "error": f"{type(err).__name__}: {str(err).splitlines()[0]}"})
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "ops"}), flush=True)
    rows.sort(key=lambda r: list(CASES).index(r["case"]))
    results.write_text(json.dumps(rows, indent=1) + "\n")
    (HERE / "layer.md").write_text(_markdown(rows))
    print(_markdown(rows))
    return 0 if all(r.get("bit_exact") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
