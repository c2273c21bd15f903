"""``mase report model.mlir [--json out.json]``: formats, bits per value, memory, loops."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report",
        help="per-op formats, average bits and weight memory of an mx module",
        description="Report each compute op's input/weight/bias/output formats, the average "
        "bits per weight and per activation value (shared exponents included), the weight "
        "memory and the kernel loops of an mx-dialect module, read from its types.",
    )
    parser.add_argument("input", type=Path, help="an mx-dialect .mlir file")
    parser.add_argument("--json", metavar="FILE", default=None,
                        help="also write the report as JSON ('-' = stdout, no text table)")
    parser.add_argument("--config", metavar="FILE", type=Path, default=None,
                        help="apply this precision config (mx-assign-precision) first")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs: `mase --help` must not load torch and MLIR.
    from .. import ir
    from ..context import parse_module
    from ..passes import PassError, assign_precision
    from ..report import build_report, format_report, report_json

    if not args.input.is_file():
        print(f"mase report: error: no such file: {args.input}", file=sys.stderr)
        return 1
    try:
        module = parse_module(args.input.read_text())
    except ir.MLIRError as err:
        print(f"mase report: error: {args.input}: {err}", file=sys.stderr)
        return 1
    if args.config is not None:
        try:
            assign_precision(module, args.config)
        except (PassError, FileNotFoundError) as err:
            print(f"mase report: error: {err}", file=sys.stderr)
            return 1
    report = build_report(module)
    if args.json == "-":
        sys.stdout.write(report_json(report))
        return 0
    sys.stdout.write(format_report(report))
    if args.json is not None:
        Path(args.json).write_text(report_json(report))
    return 0
