"""`mase`: the command-line driver. Each subcommand lives in its own module
with `add_parser(subparsers)` and `run(args) -> int`.

Errors: a subcommand raises :class:`mase_mlir.errors.MaseError` (or a subclass: the
frontend's, the passes', the interpreter's errors) for bad input; `main` prints it as
``mase <command>: error: <message>`` and returns 1. Any other exception is a bug in mase:
`main` prints ``mase <command>: internal error: ...`` and returns 70 (EX_SOFTWARE); the
traceback is shown only with ``mase --debug`` or ``MASE_DEBUG=1``.

Signals: SIGINT (Ctrl-C) and SIGTERM both unwind the command as an exception, so that
every ``finally`` and ``except BaseException`` on the way runs: temporary outputs are
removed and child processes (CIRCT, Yosys, Verilator, the simulator) are killed with their
process groups (``mase_mlir.children``). The status is 128 + the signal's number.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from types import ModuleType

from mase_mlir.errors import MaseError

# Exit statuses: bad input, and a bug in mase (sysexits.h EX_SOFTWARE).
EXIT_ERROR = 1
EXIT_INTERNAL = 70

# Subcommand modules, in the order `mase --help` lists them.
_SUBCOMMANDS = ("run_cmd", "import_cmd", "report_cmd", "compile_cmd", "sim_cmd", "search_cmd")


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C (a BaseException, so no ``except Exception``
    swallows it), cleaning up on the way."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


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
    parser.add_argument(
        "--debug", action="store_true",
        help="show the Python traceback of an internal error (also: MASE_DEBUG=1)")
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


def _debug(args: argparse.Namespace) -> bool:
    return bool(args.debug) or os.environ.get("MASE_DEBUG", "") not in ("", "0")


def main(argv: list[str] | None = None) -> int:
    _quiet_third_party()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    prefix = f"mase {args.command}"
    # Signal handlers can only be set in the main thread (a library caller may run us in
    # another one; its own handling then applies).
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        return int(args.func(args) or 0)
    except MaseError as err:
        print(f"{prefix}: error: {err}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted; no file is left half-written", file=sys.stderr)
        return 128 + signal.SIGINT
    except Terminated as err:
        name = signal.Signals(err.signum).name
        print(f"{prefix}: terminated ({name}); no file is left half-written", file=sys.stderr)
        return 128 + err.signum
    except Exception as err:
        if _debug(args):
            raise
        message = str(err).strip().splitlines()
        print(f"{prefix}: internal error: {type(err).__name__}"
              f"{': ' + message[0] if message else ''}\n"
              "  This is a bug in mase, not a problem with the input; run again with "
              "`mase --debug` (or MASE_DEBUG=1) for the traceback, and report it.",
              file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
