"""`mase sim out/`: simulate a compiled design in Verilator against the golden model.

Exits 0 only when the RTL outputs equal both golden models bit for bit
(mase_mlir.numerics and the interpreter mase_mlir.interp, run on the same MX
inputs); prints the first mismatch otherwise. Records the cycle count in ``out/report.json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sim", help="simulate a compiled design (Verilator) bit-exactly")
    p.add_argument("design", type=Path, help="output directory of mase compile")
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default 0)")
    p.add_argument("--max-cycles", type=int, default=None, help="simulation time limit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mase_mlir import sim

    try:
        res = sim.run(args.design, seed=args.seed, max_cycles=args.max_cycles)
    except sim.SimError as err:
        print(f"mase sim: error: {err}", file=sys.stderr)
        return 1
    ratio = f"{res.ideal_cycles / res.cycles:.1%}" if res.cycles else "-"
    print(f"mase sim: {res.cycles} cycles (ideal {res.ideal_cycles}, {ratio} of ideal); "
          f"interpreter: {res.interpreter}")
    if not res.ok:
        print(f"mase sim: MISMATCH ({len(res.mismatches)}+): {res.first_mismatch}")
        return 1
    print("mase sim: RTL == numerics == interpreter, bit for bit")
    return 0
