"""A long-lived process that runs the Python entry points that read user files, one request
at a time, for the fuzzer.

Requests are JSON lines on stdin (``{"entry": "report", "file": ..., "config": ...}``);
responses are JSON lines on the original stdout (``{"status": 0|1|70, "message": ...}``);
everything else the entry points print goes to /dev/null or is captured. If an entry point
kills the process, the fuzzer sees the pipe close and restarts the worker.

Entry points: ``report`` (``mase report FILE``), ``report-config`` (``mase report FILE
--config CONFIG``: the precision pass runs in this process), ``interp`` (``parse_file``
then ``interp.load``) and ``compile`` (``mase compile FILE --config CONFIG`` up to CIRCT:
the config split and checked, ``mx-hw-outline``, ``mx-hw-boundary``,
``convert-mx-to-mxhw`` and the netlist of generated units; CIRCT itself runs in a child
process of its own and takes seconds, too slow to fuzz here), with ``compile-no-loop``
(``--no-loop``: a kernel loop's body as the hardware) and ``compile-layer`` (``--layer
NAME``, the request's ``layer``: a module path the fuzzer picks from the input's op names,
or one that names nothing).
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import os
import sys
from pathlib import Path

ENTRIES = ("report", "report-config", "interp", "compile", "compile-no-loop", "compile-layer")


def _interp(path: str) -> int:
    from mase_mlir import interp
    from mase_mlir.mlirfile import parse_file

    interp.load(parse_file(path))
    return 0


def _compile(path: str, config: str, layer: str | None = None, loop_body: bool = False) -> int:
    """What ``mase compile FILE --config CONFIG [--layer NAME | --no-loop]`` does before
    CIRCT."""
    from mase_mlir.backend import compile as hw
    from mase_mlir.backend.netlister import NetlistError
    from mase_mlir.backend.rtl import RtlError
    from mase_mlir.errors import InputError
    from mase_mlir.files import load_json
    from mase_mlir.mlirfile import parse_file

    cfg = load_json(config, "config")
    if not isinstance(cfg, dict):
        raise InputError(f"config {config} must hold a JSON object")
    module = parse_file(path)
    if "!mx.tensor" in str(module):  # an MX model: a precision config is for float ones
        cfg = {k: v for k, v in cfg.items() if k not in hw.PRECISION_KEYS}
    try:
        precision, _ = hw.split_config(cfg)
        lowered = hw._lower(Path(path), precision, layer, loop_body)
        hw._netlist(lowered.mxhw)
    except (hw.CompileError, NetlistError, RtlError) as error:
        raise InputError(str(error)) from None
    return 0


def run_entry(entry: str, path: str, config: str | None,
              layer: str | None = None) -> tuple[int, str]:
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
                if entry == "interp":
                    status = _interp(path)
                else:
                    status = _compile(path, config, layer if entry == "compile-layer" else None,
                                      entry == "compile-no-loop")
            except MaseError as error:
                print(f"mase {entry}: error: {error}", file=sys.stderr)
                status = 1
            except Exception as error:  # a bug: reported like the CLI's internal errors
                print(f"mase {entry}: internal error: {type(error).__name__}: {error}",
                      file=sys.stderr)
                status = EXIT_INTERNAL
    return status, _head_and_tail(err.getvalue())


def _head_and_tail(text: str, keep: int = 2000) -> str:
    """A long message's start (the located error) and end (the last notes): a verifier's
    op dump can run to megabytes."""
    return text if len(text) <= 2 * keep else f"{text[:keep]}\n[...]\n{text[-keep:]}"


def once(argv: list[str]) -> int:
    """``worker.py --once ENTRY FILE CONFIG [LAYER]``: one request, for reproducing a
    crash."""
    entry, path, config, *layer = argv
    status, message = run_entry(entry, path, config, *layer)
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
        status, message = run_entry(request["entry"], request["file"], request.get("config"),
                                    request.get("layer"))
        protocol.write(json.dumps({"status": status, "message": message}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
