"""``mase import MODEL -o model.mlir``: import a PyTorch model into the mx dialect."""

from __future__ import annotations

import argparse
import sys

from .options import positive_int


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "import",
        help="import a PyTorch model into mx-dialect MLIR",
        description="Import a bundled model (minilm, llama-tiny, opt-tiny, gpt2-tiny) or "
        "path/to/file.py:factory (returning (module, example_inputs)) into mx-dialect MLIR.",
    )
    parser.add_argument("model", metavar="MODEL", help="bundled name or path/to/file.py:factory")
    parser.add_argument("-o", "--output", required=True, help="output .mlir file ('-' = stdout)")
    parser.add_argument("--layers", type=positive_int, default=None,
                        help="number of layers, at least 1 (bundled decoder models)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    # Imported when the command runs: `mase --help` must not load torch and MLIR.
    from ..files import check_output_file, write_text_atomic
    from ..frontend import import_to_text
    from ..frontend.models import load_model

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"mase import: {message}", file=sys.stderr, flush=True)

    to_stdout = args.output == "-"
    if not to_stdout:  # before the slow import
        check_output_file(args.output, "output file")
    kwargs = {"layers": args.layers} if args.layers is not None else {}
    progress(f"loading model {args.model}")
    model, inputs = load_model(args.model, **kwargs)
    text = import_to_text(model, inputs, progress=progress)
    if to_stdout:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.output, text, "output file")
        progress(f"wrote {args.output} ({len(text) / 1e6:.1f} MB)")
    return 0
