"""`mase compile model.mlir [--config cfg.json] -o out/`: an mx model -> dataflow hardware.

Every MX compute op becomes a generated pipelined unit, the units stream MX blocks to
each other through a CIRCT handshake netlist, and CIRCT writes SystemVerilog. Writes
``out/<top>.sv``, ``out/manifest.json`` (ports, streams, memories, units) and
``out/report.json`` (ideal cycles, cells, flip-flops, memory bits, per unit); see
docs/hardware.md. ``--config`` may hold a precision config, applied to a float model
(``mase_mlir.passes.assign_precision``) before lowering.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .options import module_path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compile", help="compile an mx model to dataflow hardware (SystemVerilog, CIRCT)",
        description="Lower an mx model to one pipelined unit per op, connected by "
        "streams of MX blocks (CIRCT handshake), and write SystemVerilog, a manifest and "
        "a report. A float model needs --config with a precision config.")
    p.add_argument("model", type=Path, help="an mx-dialect .mlir file (mase import writes one)")
    p.add_argument("-o", "--output", type=Path, required=True,
                   help="output directory (created or replaced; not an existing file)")
    p.add_argument("--config", type=Path,
                   help="JSON: a precision config (default/ops, see docs/rewrites.md) applied "
                   "before lowering, and/or hardware options (top level or under 'hardware': "
                   "area (true|false))")
    p.add_argument("--layer", metavar="NAME", type=module_path,
                   help="build only the ops named after this module path (e.g. "
                   "encoder.layer.0, model.layers.3); the rest stays on the host")
    p.add_argument("--no-loop", action="store_true",
                   help="a kernel loop (mase run's model.looped.mlir) is built as looped "
                   "hardware: one layer's circuit runs every layer, weights streamed per "
                   "layer. This builds the non-looped baseline instead: the loop's body as "
                   "a layer circuit the host calls once per layer, loading that layer's "
                   "weights before each call (mase sim runs every call)")
    p.add_argument("--no-area", action="store_true", help="skip the Yosys synthesis")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    p.set_defaults(func=run)


def _log(quiet: bool):
    def say(message: str) -> None:
        if not quiet:
            print(f"mase compile: {message}", file=sys.stderr, flush=True)
    return say


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs: `mase --help` must not load torch and MLIR.
    from mase_mlir.backend import CompileError, compile_model
    from mase_mlir.errors import InputError
    from mase_mlir.files import load_json
    from mase_mlir.mlirfile import parse_file

    cfg = {}
    if args.config:
        cfg = load_json(args.config, "config")  # InputError: unreadable, not UTF-8, repeated keys
        if not isinstance(cfg, dict):
            raise InputError(f"config {args.config} must hold a JSON object")
    parse_file(args.model)  # InputError: unreadable, does not parse, crashes the parser
    if args.no_area:
        cfg = {**cfg, "hardware": {**cfg.get("hardware", {}), "area": False}}
    try:
        report = compile_model(args.model, args.output, cfg, layer=args.layer,
                               loop_body=args.no_loop, log=_log(args.quiet))
    except CompileError as err:
        print(f"mase compile: error: {err}", file=sys.stderr)
        return 1
    print(f"mase compile: wrote {args.output}/{report['top']}.sv, manifest.json, report.json")
    for loop in report.get("loops", []):
        print(f"  kernel loop: {loop['layers']} layers on one layer's circuit, "
              f"{loop['carried']} value(s) carried on chip")
    if report.get("calls"):
        print(f"  baseline: the host calls this layer circuit {report['calls']} times, "
              f"loading {report['calls_load_cycles']} words per memory before each call")
    if report["host_ops"]:
        ops = ", ".join(o["name"] or o["op"] for o in report["host_ops"][:8])
        more = len(report["host_ops"]) - 8
        print(f"  on the host: {ops}" + (f" and {more} more" if more > 0 else ""))
    cells = report["cells"] if report["cells"] is not None else "-"
    print(f"  {len(report['units'])} units; cycles bound {report['ideal_cycles']} "
          f"(sum over units {report['sum_of_unit_cycles']}); memory {report['memory_bits']} "
          f"bits on chip, {report['external_memory_bits']} external; cells {cells}, "
          f"flip-flops {report['flip_flops'] if report['flip_flops'] is not None else '-'}")
    return 0
