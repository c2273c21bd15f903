"""`mase run`: the main job on the bundled default (MiniLM-L6 with real weights).

Imports the model, assigns MX precision (the bundled default config unless
--config is given), folds its repeated layers into a kernel loop, executes
the MX model with the project numerics and reports quality against FP32,
average bits and memory; then builds one layer of the model in hardware (the
first layer of the largest kernel loop, or --layer): Verilog through CIRCT, cells from
Yosys, and a Verilator simulation on the model's own activations, bit-exact
against the numerics and the interpreter. Artefacts go to --out (the hardware
in --out/hardware). On MiniLM the whole job takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run", help="run the whole flow on a model (default: minilm)", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", nargs="?", default="minilm",
                        help="bundled model (minilm, llama-tiny, opt-tiny, gpt2-tiny) "
                             "or path/to/file.py:factory (default: minilm)")
    parser.add_argument("--config", type=Path, default=None,
                        help="precision config JSON (default: the bundled configs/default.json)")
    parser.add_argument("--policy", choices=("split", "unify"), default="split",
                        help="kernel-loop policy (default: split)")
    parser.add_argument("--layer", default=None, metavar="NAME",
                        help="the layer to build in hardware (a module path, e.g. "
                             "encoder.layer.0; default: the first layer of the largest "
                             "kernel loop)")
    parser.add_argument("--no-hardware", action="store_true",
                        help="stop after the interpreter: no Verilog, synthesis or simulation")
    parser.add_argument("-o", "--out", type=Path, default=Path("out"),
                        help="output directory (default: out/)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs: `mase --help` must not load torch and MLIR.
    from mase_mlir.files import check_output_dir
    from mase_mlir.flow import run_flow
    from mase_mlir.hardware_stage import format_hardware
    from mase_mlir.report import format_report

    check_output_dir(args.out)  # before the slow import
    result = run_flow(args.model, args.config, args.out, policy=args.policy,
                      hardware=not args.no_hardware, layer=args.layer,
                      log=lambda m: print(m, file=sys.stderr, flush=True))
    summary = result.summary
    print(format_report(summary["report"]))
    print()
    print("quality against FP32:")
    print(json.dumps(summary["quality"], indent=2))
    if "hardware" in summary:
        print()
        print(format_hardware(summary["hardware"]))
    print(f"\nwrote {', '.join(str(p) for p in result.files)}")
    return 0
