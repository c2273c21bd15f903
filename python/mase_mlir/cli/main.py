"""`mase`: the command-line driver. Each subcommand lives in its own module
with `add_parser(subparsers)` and `run(args) -> int`."""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

# Subcommand modules, in the order `mase --help` lists them.
_SUBCOMMANDS = ("run_cmd", "import_cmd", "report_cmd", "compile_cmd", "sim_cmd", "search_cmd")


def _load_subcommands() -> list[ModuleType]:
    modules = []
    for name in _SUBCOMMANDS:
        try:
            modules.append(importlib.import_module(f"mase_mlir.cli.{name}"))
        except ModuleNotFoundError as err:
            if err.name != f"mase_mlir.cli.{name}":
                raise
    return modules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mase",
        description="mase-mlir: compile PyTorch transformers to MX dataflow hardware.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _load_subcommands():
        module.add_parser(subparsers)
    return parser


def _quiet_third_party() -> None:
    """Keep the command line's output ours: torch's pytree deprecation notices
    and transformers' weight-loading progress bars say nothing to a user."""
    import logging
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    logging.getLogger("torch.utils._pytree").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    _quiet_third_party()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("mase: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
