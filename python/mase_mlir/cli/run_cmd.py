"""`mase run`: the main job on the bundled default.

Until the end-to-end flow lands it parses, verifies and prints the bundled
sample (an MX MLP layer) through the project's own MLIR context.
"""

from __future__ import annotations

import argparse
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "linear.mlir"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="run the main job on the bundled default")
    parser.add_argument("input", nargs="?", type=Path, default=SAMPLE,
                        help="an mx-dialect .mlir file (default: the bundled sample)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mase_mlir import ir
    from mase_mlir.dialects import mx

    if not args.input.is_file():
        print(f"mase run: error: no such file: {args.input}")
        return 1
    with ir.Context():
        try:
            module = ir.Module.parse(args.input.read_text())
        except ir.MLIRError as err:
            print(f"mase run: error: {args.input}: {err}")
            return 1
        print(f"// {args.input.name}: parsed and verified by the mx dialect")
        print(module)
        for op in module.body.operations[0].regions[0].blocks[0].operations:
            for result in op.results:
                if mx.TensorType.isinstance(result.type):
                    t = mx.TensorType(result.type)
                    fmt = mx.FormatAttr(t.format)
                    print(f"// {op.operation.name:14s} -> {fmt.spelling:16s} "
                          f"{fmt.element_bits + fmt.scale_bits / fmt.block_size:.3f} bits/value")
    return 0
