"""Area figures of a generated design from Yosys: logic cells and flip-flops per unit.

``yosys_area`` runs ``read_verilog -sv; blackbox <memory modules>; synth -top M;
stat -json`` with the same Yosys the benchmark uses for its reference datapaths, once per
module of the design (the other modules black boxes), several modules at a time: ``synth``
keeps the hierarchy, so this is the same synthesis as one run from the top, in a fraction
of the time on several cores.
Memories (RAM macros, ``mase_ram_*``) are black boxes: their bits are reported as
memory, not as cells, as an SRAM compiler or FPGA block RAM would take them. Cells
are Yosys's generic gate-level cells after ``synth`` (no technology mapping): they
compare designs, they are not silicon area.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .. import children
from .units.common import RAM_PREFIX

__all__ = ["AreaError", "yosys_area"]


class AreaError(RuntimeError):
    pass


def _is_flop(cell_type: str) -> bool:
    return "DFF" in cell_type or "DLATCH" in cell_type


def yosys_area(sv: Path, top: str, *, timeout: float = 3600, jobs: int | None = None) -> dict:
    """``{"cells", "flip_flops", "units": {module: {"cells", "flip_flops"}}}`` of ``top``
    (cells exclude memory macros and the instances of submodules). ``jobs`` Yosys runs at
    a time (default: the CPUs this process may use)."""
    exe = shutil.which("yosys")
    if not exe:
        raise AreaError("yosys not found: install it (apt-get install -y yosys)")
    names = [n for n in re.findall(r"^module\s+(\w+)", sv.read_text(), re.M)
             if not n.startswith(RAM_PREFIX)]
    if top not in names:
        raise AreaError(f"{sv}: no module {top}")
    with tempfile.TemporaryDirectory(prefix="mase-yosys-") as tmp:
        outs = [Path(tmp) / f"{k}.json" for k in range(len(names))]
        cmds = []
        for name, out in zip(names, outs, strict=True):
            others = " ".join(n for n in names if n != name)
            boxes = f"blackbox {RAM_PREFIX}* {others}; " if others else f"blackbox {RAM_PREFIX}*; "
            cmds.append([exe, "-q", "-p", f"read_verilog -sv {sv}; {boxes}synth -top {name}; "
                                          f"tee -q -o {out} stat -json"])
        try:
            procs = children.run_all(cmds, jobs=jobs or os.process_cpu_count() or 1,
                                     timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AreaError(f"yosys took longer than {timeout:.0f} s") from None
        stat: dict = {"modules": {}}
        for name, out, proc in zip(names, outs, procs, strict=True):
            if proc.returncode != 0 or not out.is_file():
                raise AreaError(f"yosys failed on module {name}: "
                                f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
            mods = {n.lstrip("\\"): m for n, m in json.loads(out.read_text())["modules"].items()}
            stat["modules"][name] = mods[name]
    modules = stat["modules"]
    units = {}
    for name, mod in modules.items():
        by_type = mod.get("num_cells_by_type", {})
        gates = {t: n for t, n in by_type.items() if t.startswith("$")}
        units[name] = {"cells": sum(gates.values()),
                       "flip_flops": sum(n for t, n in gates.items() if _is_flop(t))}
    # The design's totals: every module times its instance count below the top.
    counts: dict[str, int] = {}

    def visit(name: str, times: int) -> None:
        counts[name] = counts.get(name, 0) + times
        for t, n in modules.get(name, {}).get("num_cells_by_type", {}).items():
            if not t.startswith("$") and t in modules:
                visit(t, times * n)

    visit(top, 1)
    cells = sum(units[m]["cells"] * k for m, k in counts.items())
    flops = sum(units[m]["flip_flops"] * k for m, k in counts.items())
    return {"cells": cells, "flip_flops": flops, "units": units}
