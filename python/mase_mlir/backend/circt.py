"""Run the CIRCT stage (:mod:`.circt_stage`) in a child process.

A CIRCT crash (a signal) or error becomes a :class:`CirctError` with its diagnostics;
the child works in a temporary directory and is killed with its process group if
the caller is interrupted, so that nothing of it survives a failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import children

__all__ = ["CirctError", "run_circt"]


class CirctError(RuntimeError):
    """CIRCT failed or crashed; the message carries its diagnostics."""


STAGE = ("-m", "mase_mlir.backend.circt_stage")


def run_circt(handshake: str, units: str, top: str, out_dir: Path,
              timeout: float = 1800, stage: tuple[str, ...] = STAGE) -> dict:
    """Lower the handshake netlist and the units' modules to ``out_dir/<top>.sv``;
    returns the top module's ports ``{"inputs": [...], "outputs": [...]}``.
    ``stage``: the Python arguments that run the stage (a test swaps in a crash)."""
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix=".circt-", dir=out_dir) as tmp:
        tmp_p = Path(tmp)
        (tmp_p / "top.mlir").write_text(handshake)
        (tmp_p / "units.mlir").write_text(units)
        req = {"handshake": str(tmp_p / "top.mlir"), "units": str(tmp_p / "units.mlir"),
               "top": top, "out_dir": tmp}
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        try:
            proc = children.run([sys.executable, *stage], input=json.dumps(req), env=env,
                                timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CirctError(f"CIRCT did not finish within {timeout:.0f} s") from None
        stdout, stderr = proc.stdout, proc.stderr
        if proc.returncode != 0:
            diag = (stderr or stdout).strip()
            if proc.returncode < 0:
                name = signal.Signals(-proc.returncode).name
                raise CirctError(f"CIRCT crashed ({name}):\n{diag[-4000:]}")
            raise CirctError(f"CIRCT failed:\n{diag[-4000:]}")
        ports = json.loads((tmp_p / "ports.json").read_text())
        (tmp_p / f"{top}.sv").replace(out_dir / f"{top}.sv")
    return ports

