"""Issue 6: mx -> integer IR -> CIRCT -> Verilog, simulated bit-exactly in Verilator.

These tests run Verilator and CIRCT for real (no skips): small designs for the edge
cases, the full 4x64x64 mxint<4,8,16> linear through the command line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from mase_mlir import sim
from mase_mlir.backend import CompileError, compile_model
from mase_mlir.backend.circt import CirctError, run_circt
from mase_mlir.backend.layout import pack, unpack
from mase_mlir.cli.main import main as mase_main
from mase_mlir.numerics import MXTensor, quantize

ROOT = Path(__file__).resolve().parents[3]
MODELS = ROOT / "bench" / "hardware" / "models"


def _linear(name: str, fmt_x: str, fmt_w: str, fmt_o: str, m: int, k: int, n: int) -> str:
    tx, tw, to = (f"!mx.tensor<{m}x{k}x{fmt_x}>", f"!mx.tensor<{n}x{k}x{fmt_w}>",
                  f"!mx.tensor<{m}x{n}x{fmt_o}>")
    return (f"func.func @{name}(%x: {tx}, %w: {tw}) -> {to} {{\n"
            f"  %y = mx.linear %x, %w : ({tx}, {tw}) -> {to}\n  return %y : {to}\n}}\n")


def _compile(tmp: Path, text: str, name: str, **cfg) -> Path:
    src = tmp / f"{name}.mlir"
    src.write_text(text)
    out = tmp / name
    compile_model(src, out, {"area": False, **cfg})
    return out


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    assert shutil.which("verilator"), "verilator must be installed (make setup installs it)"
    return tmp_path_factory.mktemp("hw")


def test_layout_roundtrip():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 32)).astype(np.float32)
    for fmt in ("mxint<4,8,16>", "mxint8", "mxint<6,8,32>", "mxint<8,1,16>"):
        q = quantize(x, fmt)
        u = unpack(pack(q), q.fmt, q.shape)
        assert (u.codes == q.codes).all()
        assert (u.scales == q.scales).all()


def test_linear_mxint4_cli_end_to_end(work):
    """Priority 1: tokens 4, in 64, out 64, mxint<4,8,16>, mase compile + mase sim."""
    out = work / "cli4"
    assert mase_main(["compile", str(MODELS / "linear_mxint4.mlir"), "-o", str(out),
                      "--no-area"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["top"] == "linear_mxint4"
    assert (out / "linear_mxint4.sv").is_file()
    assert [m["role"] for m in manifest["memories"]] == ["input", "input", "output"]
    assert all(m["word_bits"] == 16 * 4 + 8 for m in manifest["memories"])
    assert mase_main(["sim", str(out)]) == 0
    report = json.loads((out / "report.json").read_text())
    for key in ("cycles", "ideal_cycles", "cells", "flip_flops", "memory_bits", "formats"):
        assert key in report
    assert report["ideal_cycles"] == 4 * 64 * 4
    assert report["sim"]["ok"]
    # Throughput: one block of 16 MACs per cycle in steady state (>= 90% of ideal).
    steady = report["sim"]["steady_state"]
    assert min(v["per_cycle"] for v in steady.values()) >= 0.9
    assert report["ideal_cycles"] / report["cycles"] >= 0.9
    # Lint-clean Verilog.
    lint = subprocess.run(["verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME",
                           "-Wno-UNUSEDSIGNAL", "-Wno-UNUSEDPARAM", "-Wno-PINCONNECTEMPTY",
                           str(out / "linear_mxint4.sv"), "--top-module", "linear_mxint4"],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stderr[-3000:]


def _edge_inputs(fmt: str, shape_x, shape_w, seed: int) -> dict[str, MXTensor]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape_x).astype(np.float32)
    w = rng.normal(size=shape_w).astype(np.float32)
    b = int(fmt.split(",")[-1].rstrip(">")) if "<" in fmt else 32
    x[0, :b] = 0.0  # an all-zero block (scale code 0)
    w[1, :] = 0.0  # a zero weight row: all-zero outputs
    x[1, :b] *= 2.0 ** 6  # a block with a much larger scale (alignment, saturation)
    x[-1, -b:] *= 2.0 ** -7  # a much smaller one
    w[0, :b] = 1.0  # exact powers of two: ties in the output rounding
    x[0, b:2 * b] = 0.75
    return {"arg0": quantize(x, fmt), "arg1": quantize(w, fmt)}


@pytest.mark.parametrize("fmt", ["mxint<4,8,2>", "mxint<4,3,2>", "mxint<8,1,2>"])
def test_small_linear_edge_cases(work, fmt):
    """Zero blocks, large scale spreads, saturation at a small scale range, ties;
    fixed point (one-bit scale) as the baseline."""
    m, k, n = 3, 8, 6
    name = "edge_" + "".join(c for c in fmt if c.isalnum())
    out = _compile(work, _linear(name, fmt, fmt, fmt, m, k, n), name)
    for seed in range(6):
        res = sim.run(out, _edge_inputs(fmt, (m, k), (n, k), seed), seed=seed)
        assert res.ok, res.first_mismatch
    assert res.stats["ports"]["0"]["count"] == m * n * (k // 2)


def test_small_mlp_relu_mixed_formats(work):
    t1, t2 = "mxint<4,8,4>", "mxint<6,8,4>"
    text = (
        f"func.func @mlp(%x: !mx.tensor<2x8x{t1}>, %w1: !mx.tensor<8x8x{t1}>,"
        f" %w2: !mx.tensor<4x8x{t2}>) -> !mx.tensor<2x4x{t1}> {{\n"
        f"  %h = mx.linear %x, %w1 : (!mx.tensor<2x8x{t1}>, !mx.tensor<8x8x{t1}>)"
        f" -> !mx.tensor<2x8x{t2}>\n"
        f"  %r = mx.relu %h : !mx.tensor<2x8x{t2}> -> !mx.tensor<2x8x{t2}>\n"
        f"  %y = mx.linear %r, %w2 : (!mx.tensor<2x8x{t2}>, !mx.tensor<4x8x{t2}>)"
        f" -> !mx.tensor<2x4x{t1}>\n"
        f"  return %y : !mx.tensor<2x4x{t1}>\n}}\n")
    out = _compile(work, text, "mlp_small")
    for seed in range(4):
        res = sim.run(out, seed=seed)
        assert res.ok, res.first_mismatch


def test_mismatch_is_reported(work, monkeypatch, capsys):
    out = work / "edge_mxint482"
    if not out.is_dir():
        out = _compile(work, _linear("edge_mxint482", "mxint<4,8,2>", "mxint<4,8,2>",
                                     "mxint<4,8,2>", 3, 8, 6), "edge_mxint482")
    real = sim.golden.evaluate

    def wrong(*args, **kwargs):
        res = real(*args, **kwargs)
        r = res[0]
        codes = r.codes.copy()
        codes[0, 1] ^= 1
        return [MXTensor(r.fmt, r.scales, codes, r.axis)]

    monkeypatch.setattr(sim.golden, "evaluate", wrong)
    assert mase_main(["sim", str(out)]) == 1
    text = capsys.readouterr().out
    assert "MISMATCH" in text and "result0[0, 1]" in text


def test_deterministic_verilog(work):
    text = _linear("det", "mxint<4,8,2>", "mxint<4,8,2>", "mxint<4,8,2>", 1, 4, 4)
    a = _compile(work, text, "det_a")
    b = _compile(work, text, "det_b")
    assert (a / "det.sv").read_bytes() == (b / "det.sv").read_bytes()


def test_lowering_error_is_clear(work):
    src = work / "bad.mlir"
    src.write_text("func.func @bad(%x: !mx.tensor<4x32xmxint8>) -> !mx.tensor<4x32xmxint8> {\n"
                   "  %r = mx.neg %x : !mx.tensor<4x32xmxint8> -> !mx.tensor<4x32xmxint8>\n"
                   "  return %r : !mx.tensor<4x32xmxint8>\n}\n")
    with pytest.raises(CompileError, match=r"bad.mlir:2:8: error: 'mx.neg' is not supported"):
        compile_model(src, work / "bad", {"area": False})
    assert not (work / "bad").exists()
    assert not list(work.glob(".bad.tmp-*"))


def test_circt_crash_becomes_error(work):
    """An f32 op segfaults CIRCT's lower-handshake-to-hw: a clear error, nothing written."""
    ir = work / "float.mlir"
    ir.write_text("func.func @f(%a: f32, %b: f32) -> f32 {\n"
                  "  %c = arith.addf %a, %b : f32\n  return %c : f32\n}\n")
    out = work / "float_out"
    with pytest.raises(CirctError, match="CIRCT (crashed|failed)"):
        run_circt(ir, out, "f")
    assert not any(p.suffix == ".sv" for p in out.rglob("*"))
