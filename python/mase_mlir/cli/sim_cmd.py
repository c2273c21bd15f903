"""`mase sim out/`: simulate a compiled design in Verilator against the golden models.

Exits 0 only when the RTL outputs equal both golden models bit for bit
(mase_mlir.numerics op by op, and the interpreter mase_mlir.interp, run on the same
MX inputs); prints the first mismatch otherwise. Records the cycle count in
``out/report.json``. ``--model SPEC`` drives the design with the real activations of
the model it was compiled from: SPEC's example inputs run through the host part.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .options import non_negative_int, positive_int


def _percent(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 95:
        raise argparse.ArgumentTypeError(f"must be a percentage in 0..95, got {value}")
    return value


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sim", help="simulate a compiled design (Verilator) bit-exactly against the numerics",
        description="Build (once, cached) and run a Verilator testbench of a design from "
        "mase compile on seeded random MX inputs (or, with --model, the model's own "
        "activations); compare every output code and scale with mase_mlir.numerics and "
        "the interpreter.")
    p.add_argument("design", type=Path, help="output directory of mase compile")
    p.add_argument("--model", metavar="SPEC", default=None,
                   help="drive the design with the activations of this model's example "
                        "inputs (the bundled name or path/to/file.py:factory given to mase "
                        "import): the host part computes the design's arguments, every call "
                        "of a --no-loop design included")
    p.add_argument("--seed", type=non_negative_int, default=0,
                   help="seed of the random inputs (default 0)")
    p.add_argument("--stall-in", type=_percent, default=0,
                   help="percent of cycles the testbench withholds input beats (flow control)")
    p.add_argument("--stall-out", type=_percent, default=0,
                   help="percent of cycles the testbench refuses output beats (back-pressure)")
    p.add_argument("--max-cycles", type=positive_int, default=None, help="simulation time limit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs: `mase --help` must not load torch and MLIR.
    import numpy as np

    from mase_mlir import sim
    from mase_mlir.errors import MaseError

    try:
        arguments = None
        if args.model is not None:
            # Only --model needs torch: an installed package simulates without it.
            from mase_mlir.frontend.models import load_model

            sim.read_manifest(args.design)  # a bad design directory first, before torch
            _, inputs = load_model(args.model)
            arguments = sim.model_calls(args.design, [np.asarray(i) for i in inputs])
            if len(arguments) == 1:
                arguments = arguments[0]
        res = sim.run(args.design, arguments, seed=args.seed, stall_in=args.stall_in,
                      stall_out=args.stall_out, max_cycles=args.max_cycles)
    except MaseError as err:
        print(f"mase sim: error: {err}", file=sys.stderr)
        return 1
    ratio = f"{res.ideal_cycles / res.cycles:.1%}" if res.cycles else "-"
    print(f"mase sim: {res.cycles} cycles (bound {res.ideal_cycles}: the slowest unit; "
          f"{ratio} of it); interpreter: {res.interpreter}")
    report = sim.read_report(args.design)
    if "baseline" in report:
        base = report["baseline"]
        totals = ", ".join(f"{v} at {k.removeprefix('sync_')} cycles of synchronization"
                           for k, v in base["total_cycles"].items())
        print(f"mase sim: baseline of {base['calls']} calls: {totals} (with "
              f"{base['load_cycles']} cycles of weight loading per call)")
    if not res.ok:
        print(f"mase sim: MISMATCH ({len(res.mismatches)}+): {res.first_mismatch}")
        return 1
    print("mase sim: RTL == numerics == interpreter, bit for bit")
    return 0
