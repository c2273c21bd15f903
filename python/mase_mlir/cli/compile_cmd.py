"""`mase compile model.mlir [--config cfg.json] -o out/`: MX model -> Verilog.

Writes ``out/<top>.sv``, ``out/manifest.json`` (top module, ports, memories and
their layouts) and ``out/report.json`` (cycles, ideal_cycles, cells, flip_flops,
memory_bits, formats); see docs/hardware.md. ``--config`` may hold a precision
config, applied to a float model (``mase_mlir.passes.assign_precision``) before lowering.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("compile", help="compile an MX-typed model to Verilog (CIRCT)")
    p.add_argument("model", type=Path, help="an mx-dialect .mlir file with MX-typed functions")
    p.add_argument("-o", "--output", type=Path, required=True, help="output directory")
    p.add_argument("--config", type=Path,
                   help="JSON: a precision config (default/ops, applied with "
                   "mx-assign-precision to a float model before lowering) and/or hardware "
                   "options (top level or under 'hardware': buffers (mase|cycles|all), "
                   "buffer_size, acc_guard_bits, area (true|false))")
    p.add_argument("--no-area", action="store_true", help="skip Yosys synthesis")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mase_mlir.backend import CompileError, compile_model

    cfg = {}
    if args.config:
        try:
            cfg = json.loads(args.config.read_text())
        except (OSError, json.JSONDecodeError) as err:
            print(f"mase compile: error: cannot read config {args.config}: {err}", file=sys.stderr)
            return 1
        if not isinstance(cfg, dict):
            print(f"mase compile: error: {args.config} must hold a JSON object", file=sys.stderr)
            return 1
    if args.no_area:
        cfg["area"] = False
    try:
        report = compile_model(args.model, args.output, cfg)
    except CompileError as err:
        print(f"mase compile: error: {err}", file=sys.stderr)
        return 1
    print(f"mase compile: wrote {args.output}/{report['top']}.sv, manifest.json, report.json")
    print(f"  formats {', '.join(report['formats'])}; ideal cycles {report['ideal_cycles']}; "
          f"memory {report['memory_bits']} bits; cells {report['cells']}, "
          f"flip-flops {report['flip_flops']}")
    return 0
