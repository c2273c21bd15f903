"""Run the CIRCT pipeline (circt wheel) in a child process.

``run_circt(hw_ir, out_dir, top)`` writes ``<top>.sv`` and ``handshake.mlir``
into ``out_dir``. The child is ``python -m mase_mlir.backend._circt_child``: a
CIRCT crash (segfault, abort) or error becomes a :class:`CirctError` carrying
its diagnostics, and nothing is written to ``out_dir`` unless the whole stage
succeeds (the child works in a temporary directory).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path


class CirctError(RuntimeError):
    """CIRCT failed or crashed; the message carries its diagnostics."""


def run_circt(hw_ir: Path, out_dir: Path, top: str, buffers: str = "mase",
              buffer_size: int | None = None, timeout: float = 900) -> dict:
    """Lower cf-level hardware IR to Verilog. Returns the child's stats."""
    req = {"input": str(Path(hw_ir).resolve()), "top": top, "buffers": buffers}
    if buffer_size is not None:
        req["buffer_size"] = buffer_size
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".circt-", dir=out_dir) as tmp:
        req["out_dir"] = tmp
        env = dict(os.environ)
        src = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "mase_mlir.backend._circt_child"],
                input=json.dumps(req), capture_output=True, text=True, env=env,
                timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired:
            raise CirctError(f"CIRCT did not finish within {timeout:.0f} s on {hw_ir}") from None
        if proc.returncode != 0:
            diag = proc.stderr.strip() or proc.stdout.strip()
            if proc.returncode < 0:
                sig = signal.Signals(-proc.returncode).name
                raise CirctError(f"CIRCT crashed ({sig}) while compiling {hw_ir}:\n{diag[-4000:]}")
            raise CirctError(f"CIRCT failed on {hw_ir}:\n{diag[-4000:]}")
        tmp_p = Path(tmp)
        stats = json.loads((tmp_p / "ports.json").read_text()).get("buffers", {})
        for name in (f"{top}.sv", "handshake.mlir"):
            shutil.move(str(tmp_p / name), str(out_dir / name))
    return stats


_PORT = re.compile(r"^\s*(?://\s*)?(input|output)\s*(?:\[(\d+):0\]|/\*Zero Width\*/)?\s*(.*)$")


def verilog_ports(sv: str, top: str) -> list[dict]:
    """Ports of module ``top`` in CIRCT's Verilog: name, direction, width."""
    m = re.search(rf"^module {re.escape(top)}\((.*?)\);", sv, re.S | re.M)
    if not m:
        raise CirctError(f"module {top} not found in the generated Verilog")
    ports = []
    direction, width = None, 1
    for raw in m.group(1).splitlines():
        line = raw.split("//", 1)[0] if not raw.strip().startswith("//") else raw
        if not line.strip():
            continue
        pm = _PORT.match(line)
        if pm:
            zero = raw.strip().startswith("//")
            direction = pm.group(1)
            width = 0 if zero else (int(pm.group(2)) + 1 if pm.group(2) else 1)
            rest = pm.group(3)
        else:
            rest = line
        for name in rest.replace(",", " ").split():
            ports.append({"name": name, "dir": direction, "width": width})
    return ports
