"""Identical units share one module; Yosys synthesizes each module once, several at a time.

A chain of two same-shape linears (different weights, read from external memories)
generates two identical unit bodies: the Verilog must define the module once and
instantiate it twice, simulate bit-exactly, and count its cells twice. The
per-module synthesis must give the cells and flip-flops of one ``synth -top`` run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from mase_mlir import children, sim
from mase_mlir.backend import compile_model
from mase_mlir.backend.area import AreaError, yosys_area
from mase_mlir.numerics import Format, quantize

T_X = "!mx.tensor<3x16xmxint<8,8,8>>"
T_W = "!mx.tensor<16x16xmxint<8,8,8>>"
TWO_LINEARS = f"""
func.func @two(%x: {T_X}, %w1: {T_W}, %w2: {T_W}) -> {T_X} {{
  %h = mx.linear %x, %w1 : ({T_X}, {T_W}) -> {T_X}
  %y = mx.linear %h, %w2 : ({T_X}, {T_W}) -> {T_X}
  return %y : {T_X}
}}
"""


@pytest.fixture(scope="module")
def design(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("shared")
    src = work / "two.mlir"
    src.write_text(TWO_LINEARS)
    out = work / "out"
    compile_model(src, out, {"hardware": {"area": True}})
    return out


def test_identical_units_share_one_module(design):
    sv = (design / "two.sv").read_text()
    assert len(re.findall(r"^module u\d+_linear\b", sv, re.M)) == 1
    assert len(re.findall(r"^\s*u0_linear\s+\w+\s*\(", sv, re.M)) == 2  # two instances
    report = json.loads((design / "report.json").read_text())
    linears = [u for u in report["units"] if u["op"] == "mxhw.linear"]
    assert [u["module"] for u in linears] == ["u0_linear", "u0_linear"]
    assert linears[0]["cells"] == linears[1]["cells"] > 0
    assert report["cells"] >= 2 * linears[0]["cells"]
    # Each instance keeps its own weight memory.
    manifest = json.loads((design / "manifest.json").read_text())
    assert sorted(m["argument"] for m in manifest["memories"]) == [1, 2]


def test_shared_module_simulates_bit_exactly(design):
    rng = np.random.default_rng(3)
    fmt = Format.parse("mxint<8,8,8>")
    args = {k: quantize(rng.standard_normal(s) * 2.0 ** rng.integers(-6, 6, size=s), fmt)
            for k, s in enumerate([(3, 16), (16, 16), (16, 16)])}
    result = sim.run(design, args, seed=5, stall_in=30, stall_out=40)
    assert result.ok, result.first_mismatch
    assert result.interpreter == "compared"


def test_per_module_synthesis_equals_one_run(design, tmp_path):
    """Hierarchical ``synth`` keeps modules apart: one run per module, the others black
    boxes, gives the same per-module cells and flip-flops as one run from the top."""
    sv = design / "two.sv"
    report = json.loads((design / "report.json").read_text())  # from yosys_area
    out = tmp_path / "stat.json"
    subprocess.run(["yosys", "-q", "-p", f"read_verilog -sv {sv}; blackbox mase_ram_*; "
                    f"synth -top two; tee -q -o {out} stat -json"], check=True)
    whole = {n.lstrip("\\"): m for n, m in json.loads(out.read_text())["modules"].items()}
    for unit in report["units"]:
        types = whole[unit["module"]]["num_cells_by_type"]
        assert unit["cells"] == sum(n for t, n in types.items() if t.startswith("$")), unit
    instances = whole["two"]["num_cells_by_type"]
    assert report["cells"] == sum(
        n * (sum(m for t, m in whole[c]["num_cells_by_type"].items() if t.startswith("$"))
             if c in whole else 1)
        for c, n in instances.items() if not c.startswith(("mase_ram_", "\\mase_ram_")))


def test_area_names_a_missing_top(design):
    with pytest.raises(AreaError, match="no module nowhere"):
        yosys_area(design / "two.sv", "nowhere")


def test_run_all_keeps_order_and_limits_concurrency():
    py = sys.executable
    cmds = [[py, "-c", f"import time; time.sleep({d}); print({k})"]
            for k, d in enumerate([0.3, 0.0, 0.1])]
    results = children.run_all(cmds, jobs=2)
    assert [r.stdout.strip() for r in results] == ["0", "1", "2"]
    assert all(r.returncode == 0 for r in results)
    failing = children.run_all([[py, "-c", "import sys; sys.exit('boom')"]], jobs=1)
    assert failing[0].returncode == 1 and "boom" in failing[0].stderr


def test_run_all_kills_everything_on_timeout(tmp_path):
    marker = tmp_path / "late"
    cmd = [sys.executable, "-c",
           f"import time, pathlib; time.sleep(3); pathlib.Path({str(marker)!r}).touch()"]
    start = time.monotonic()
    with pytest.raises(subprocess.TimeoutExpired):
        children.run_all([cmd, cmd, cmd], jobs=2, timeout=0.5)
    assert time.monotonic() - start < 2.5
    time.sleep(3.5)
    assert not marker.exists()  # the killed children never finished


def test_yosys_is_installed():
    assert shutil.which("yosys"), "yosys must be installed (make setup installs it)"
