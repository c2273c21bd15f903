"""Issue 6: mx -> integer IR -> CIRCT -> Verilog, simulated bit-exactly in Verilator.

These tests run Verilator and CIRCT for real (no skips): small designs for the edge
cases, one full-size 4x64x64 linear per format family through the command line
(mxint<4,8,16> and the int8 fixed-point baseline); the other full-size cases run in
bench/hardware/run.py. Every design is compiled once (module-scoped work directory).
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


def _lint(sv: Path, top: str) -> None:
    lint = subprocess.run(["verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME",
                           "-Wno-UNUSEDSIGNAL", "-Wno-UNUSEDPARAM", "-Wno-PINCONNECTEMPTY",
                           str(sv), "--top-module", top],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stderr[-3000:]


def _full_size_cli(work: Path, case: str, word_bits: int, ideal: int, capsys) -> dict:
    """mase compile + mase sim of a full-size bench model; checks the report."""
    out = work / case
    assert mase_main(["compile", str(MODELS / f"{case}.mlir"), "-o", str(out),
                      "--no-area"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["top"] == case
    assert (out / f"{case}.sv").is_file()
    assert [m["role"] for m in manifest["memories"]] == ["input", "input", "output"]
    assert all(m["word_bits"] == word_bits for m in manifest["memories"])
    capsys.readouterr()
    assert mase_main(["sim", str(out)]) == 0
    assert "RTL == numerics == interpreter" in capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    for key in ("cycles", "ideal_cycles", "cells", "flip_flops", "memory_bits", "formats"):
        assert key in report
    assert report["ideal_cycles"] == ideal
    assert report["sim"]["ok"] and report["sim"]["interpreter"] == "compared"
    # Throughput: one block per cycle in steady state (>= 90% of ideal).
    steady = report["sim"]["steady_state"]
    assert min(v["per_cycle"] for v in steady.values()) >= 0.9
    assert report["ideal_cycles"] / report["cycles"] >= 0.9
    _lint(out / f"{case}.sv", case)
    return report


def test_linear_mxint4_cli_end_to_end(work, capsys):
    """Priority 1: tokens 4, in 64, out 64, mxint<4,8,16>, mase compile + mase sim."""
    _full_size_cli(work, "linear_mxint4", 16 * 4 + 8, 4 * 64 * 4, capsys)


def test_linear_int8_baseline_cli_end_to_end(work, capsys):
    """The 8-bit fixed-point baseline at full size, with our buffer placement too."""
    _full_size_cli(work, "linear_int8", 16 * 8, 4 * 64 * 4, capsys)


def test_interpreter_takes_mx_inputs():
    """The interpreter runs MX-typed functions on MXTensor arguments, exactly as numerics."""
    from mase_mlir import interp
    from mase_mlir.interp import InterpreterError
    from mase_mlir.sim import golden

    text = (MODELS / "mlp_relu.mlir").read_text()
    rng = np.random.default_rng(3)
    args = [quantize(rng.normal(size=s).astype(np.float32), f) for s, f in
            (((4, 64), "mxint<4,8,16>"), ((64, 64), "mxint<4,8,16>"),
             ((64, 64), "mxint<6,8,16>"))]
    got = interp.run(text, args, func_name="mlp_relu")[0]
    want = golden.evaluate(text, "mlp_relu", args)[0]
    assert got.fmt == want.fmt
    assert (got.codes == want.codes).all() and (got.scales == want.scales).all()
    with pytest.raises(InterpreterError, match="expected format mxint<6,8,16>"):
        interp.run(text, [args[0], args[1], args[1]], func_name="mlp_relu")


def test_precision_config_on_float_mlp(work, capsys):
    """--config: a precision config turns a float MLP into MX hardware (one format per layer).

    The result is the design of test_small_mlp_relu_mixed_formats (same Verilog, so the
    simulator is built once)."""
    src = work / "mlp_f32.mlir"
    src.write_text(
        "func.func @mlp(%x: tensor<2x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<4x8xf32>)"
        " -> tensor<2x4xf32> {\n"
        "  %h = mx.linear %x, %w1 {name = \"fc1\"} : (tensor<2x8xf32>, tensor<8x8xf32>)"
        " -> tensor<2x8xf32>\n"
        "  %r = mx.relu %h {name = \"act\"} : tensor<2x8xf32> -> tensor<2x8xf32>\n"
        "  %y = mx.linear %r, %w2 {name = \"fc2\"} : (tensor<2x8xf32>, tensor<4x8xf32>)"
        " -> tensor<2x4xf32>\n"
        "  return %y : tensor<2x4xf32>\n}\n")
    cfg = work / "cfg.json"
    cfg.write_text(json.dumps({
        "default": {"input": "mxint<4,8,2>", "weight": "mxint<4,8,2>", "output": "mxint<6,8,2>"},
        "ops": {"act": {"input": "mxint<6,8,2>"},
                "fc2": {"input": "mxint<6,8,2>", "weight": "mxint<6,8,2>",
                        "output": "mxint<4,8,2>"}},
        "hardware": {"area": False}}))
    out = work / "mlp_f32"
    assert mase_main(["compile", str(src), "--config", str(cfg), "-o", str(out)]) == 0
    model = (out / "model.mlir").read_text()
    assert "tensor<2x8xf32>" not in model and "mx.quantize" not in model
    assert (out / "source.mlir").read_text() == src.read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [m["format"] for m in manifest["memories"]] == [
        "mxint<4,8,2>", "mxint<4,8,2>", "mxint<6,8,2>", "mxint<4,8,2>"]
    small = work / "mlp_small" / "mlp.sv"
    if small.is_file():
        assert (out / "mlp.sv").read_bytes() == small.read_bytes()
    for seed in range(3):
        assert mase_main(["sim", str(out), "--seed", str(seed)]) == 0
    bad = work / "bad_cfg.json"
    bad.write_text(json.dumps({"defualt": {}}))
    assert mase_main(["compile", str(src), "--config", str(bad), "-o", str(work / "x")]) == 1
    assert "unknown config key 'defualt'" in capsys.readouterr().err


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
        assert res.interpreter == "compared"
    assert res.stats["ports"]["0"]["count"] == m * n * (k // 2)


def test_small_mlp_relu_mixed_formats(work):
    t1, t2 = "mxint<4,8,2>", "mxint<6,8,2>"
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
