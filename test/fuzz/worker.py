"""A long-lived process that runs the Python entry points that read user files, one request
at a time, for the fuzzer.

Requests are JSON lines on stdin (``{"entry": "report", "file": ..., "config": ...}``);
responses are JSON lines on the original stdout (``{"status": 0|1|70, "message": ...}``);
everything else the entry points print goes to /dev/null or is captured. If an entry point
kills the process, the fuzzer sees the pipe close and restarts the worker.

Entry points: ``report`` (``mase report FILE``), ``report-config`` (``mase report FILE
--config CONFIG``: the precision pass runs in this process) and ``interp`` (``parse_file``
then ``interp.load``).
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import os
import sys

ENTRIES = ("report", "report-config", "interp")


def _interp(path: str) -> int:
    from mase_mlir import interp
    from mase_mlir.mlirfile import parse_file

    interp.load(parse_file(path))
    return 0


def run_entry(entry: str, path: str, config: str | None) -> tuple[int, str]:
    from mase_mlir.cli.main import EXIT_INTERNAL, main
    from mase_mlir.errors import MaseError

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        if entry == "report":
            status = main(["report", path])
        elif entry == "report-config":
            status = main(["report", path, "--config", config])
        else:
            try:
                status = _interp(path)
            except MaseError as error:
                print(f"mase interp: error: {error}", file=sys.stderr)
                status = 1
            except Exception as error:  # a bug: reported like the CLI's internal errors
                print(f"mase interp: internal error: {type(error).__name__}: {error}",
                      file=sys.stderr)
                status = EXIT_INTERNAL
    return status, err.getvalue()[-2000:]


def once(argv: list[str]) -> int:
    """``worker.py --once ENTRY FILE CONFIG``: one request, for reproducing a crash."""
    entry, path, config = argv
    status, message = run_entry(entry, path, config)
    sys.stderr.write(message)
    return status


def main() -> int:
    if sys.argv[1:2] == ["--once"]:
        return once(sys.argv[2:])
    faulthandler.enable()  # a crash shows the Python stack in the worker's stderr
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    from mase_mlir.cli.main import _quiet_third_party

    _quiet_third_party()
    protocol.write(json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        status, message = run_entry(request["entry"], request["file"], request.get("config"))
        protocol.write(json.dumps({"status": status, "message": message}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
