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
    from ..files import check_output_file, write_text_atomic
    from ..mlirfile import parse_file
    from ..passes import assign_precision
    from ..report import build_report, format_report, report_json

    if args.json not in (None, "-"):
        check_output_file(args.json, "JSON report")
    module = parse_file(args.input)
    if args.config is not None:
        assign_precision(module, args.config)
    report = build_report(module)
    if args.json == "-":
        sys.stdout.write(report_json(report))
        return 0
    sys.stdout.write(format_report(report))
    if args.json is not None:
        write_text_atomic(args.json, report_json(report), "JSON report")
    return 0
