"""The dataflow back end: mx -> mxhw units -> CIRCT -> Verilog, simulated bit-exactly.

Everything runs for real (CIRCT, Verilator, Yosys; no skips). Full-size bench models
go through the command line; small designs with adversarial data (zero blocks, wide
scale spreads, saturation at narrow scales, ties, mixed block sizes, biases, both
accumulations) and random flow control check RTL == numerics == interpreter. Each
design is compiled once per module; simulators are cached by design hash.
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
from mase_mlir.numerics import Format, quantize

ROOT = Path(__file__).resolve().parents[3]
MODELS = ROOT / "bench" / "hardware" / "models"


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    assert shutil.which("verilator"), "verilator must be installed (make setup installs it)"
    return tmp_path_factory.mktemp("hw")


def _lint(sv: Path, top: str) -> None:
    lint = subprocess.run(["verilator", "--lint-only", "-Wall", "-Wno-DECLFILENAME",
                           "-Wno-UNUSEDSIGNAL", "-Wno-UNUSEDPARAM", "-Wno-PINCONNECTEMPTY",
                           str(sv), "--top-module", top],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stderr[-3000:]


def _linear_text(fx: str, fw: str, fo: str, rows: int, k: int, n: int, acc: str | None,
                 bias: str | None = None) -> str:
    tx, tw, to = (f"!mx.tensor<{rows}x{k}x{fx}>", f"!mx.tensor<{n}x{k}x{fw}>",
                  f"!mx.tensor<{rows}x{n}x{fo}>")
    attrs = f"{{acc = #mx.acc<{acc}>}}" if acc else ""
    if bias:
        tb = f"!mx.tensor<{n}x{bias}>"
        return (f"func.func @lin(%x: {tx}, %w: {tw}, %b: {tb}) -> {to} {{\n"
                f"  %y = mx.linear %x, %w, %b {attrs} : ({tx}, {tw}, {tb}) -> {to}\n"
                f"  return %y : {to}\n}}\n")
    return (f"func.func @lin(%x: {tx}, %w: {tw}) -> {to} {{\n"
            f"  %y = mx.linear %x, %w {attrs} : ({tx}, {tw}) -> {to}\n  return %y : {to}\n}}\n")


def _compile(work: Path, name: str, text: str, config: dict | None = None) -> Path:
    src = work / f"{name}.mlir"
    src.write_text(text)
    out = work / name
    compile_model(src, out, {"hardware": {"area": False}, **(config or {})})
    return out


def adversarial(rng: np.random.Generator, shape: tuple[int, ...], fmt: str, axis: int = -1,
                spread: int = 12):
    """Values that hit the corners: zero blocks, tiny and huge blocks, exact powers of two,
    alternating signs, and Gaussians over a wide range of scales."""
    x = rng.standard_normal(shape) * 2.0 ** rng.integers(-spread, spread + 1, size=shape)
    flat = x.reshape(-1, x.shape[-1])
    for r in range(flat.shape[0]):
        kind = r % 5
        if kind == 1:
            flat[r, : flat.shape[1] // 2] = 0.0  # zero blocks
        elif kind == 2:
            flat[r] = np.ldexp(1.0, rng.integers(-20, 20)) * rng.choice([-1.0, 1.0], flat.shape[1])
        elif kind == 3:
            flat[r] *= 2.0 ** 40  # saturates narrow scales
    return quantize(x.astype(np.float32), fmt, axis=axis)


def _sim_many(out: Path, make_args, seeds=range(3), stalls=((0, 0), (30, 40))):
    for seed in seeds:
        args = make_args(np.random.default_rng(seed))
        for stall_in, stall_out in stalls:
            res = sim.run(out, args, seed=seed, stall_in=stall_in, stall_out=stall_out)
            assert res.ok, res.first_mismatch
            assert res.interpreter == "compared"


def test_layout_roundtrip():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 32)).astype(np.float32)
    for fmt in ("mxint<4,8,16>", "mxint8", "mxint<6,8,32>", "mxint<8,1,16>"):
        q = quantize(x, fmt)
        u = unpack(pack(q), q.fmt, q.shape)
        assert (u.codes == q.codes).all()
        assert (u.scales == q.scales).all()


@pytest.mark.parametrize("case,block_macs", [("linear_mxint4", 4 * 64 * 4),
                                             ("linear_int8", 4 * 64 * 4)])
def test_full_size_linear_cli(work, capsys, case, block_macs):
    """mase compile + mase sim of a full-size bench model: bit-exact, lint-clean, one block
    dot product per cycle in steady state."""
    out = work / case
    assert mase_main(["compile", str(MODELS / f"{case}.mlir"), "-o", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["top"] == case and (out / f"{case}.sv").is_file()
    assert {m["argument"] for m in manifest["memories"]} == {1}  # the weights
    capsys.readouterr()
    assert mase_main(["sim", str(out)]) == 0
    assert "RTL == numerics == interpreter" in capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    assert report["ideal_cycles"] == block_macs
    assert report["cells"] > 0 and report["flip_flops"] > 0
    assert report["sim"]["ok"] and report["sim"]["interpreter"] == "compared"
    weights = report["sim"]["ports"]["u0_linear_w"]
    # Steady state: one weight block (one block dot product) per cycle.
    assert weights["count"] == block_macs
    assert weights["last"] - weights["first"] + 1 == block_macs
    assert block_macs / report["cycles"] >= 0.9
    _lint(out / f"{case}.sv", case)


LINEARS = {
    # name: (x, w, out, rows, K, N, acc, bias)
    "narrow_scales_bias": ("mxint<4,3,2>", "mxint<4,3,2>", "mxint<4,3,2>", 6, 8, 4,
                           "bounded<1>", "mxint<4,3,2>"),
    "exact_bias": ("mxint<6,5,4>", "mxint<5,5,4>", "mxint<4,4,4>", 5, 12, 8, "exact",
                   "mxint<6,5,4>"),
    "fixed_point": ("mxint<8,1,2>", "mxint<8,1,2>", "mxint<8,1,2>", 4, 6, 4, "bounded<2>",
                    "mxint<8,1,2>"),
    "mixed_blocks": ("mxint<8,8,8>", "mxint<4,8,4>", "mxint<6,8,8>", 3, 16, 16, "bounded<4>",
                     None),
}


@pytest.mark.parametrize("name", sorted(LINEARS))
def test_small_linears_adversarial(work, name):
    fx, fw, fo, rows, k, n, acc, bias = LINEARS[name]
    out = _compile(work, name, _linear_text(fx, fw, fo, rows, k, n, acc, bias))
    _lint(out / "lin.sv", "lin")

    def make(rng):
        args = {0: adversarial(rng, (rows, k), fx), 1: adversarial(rng, (n, k), fw)}
        if bias:
            args[2] = adversarial(rng, (n,), bias)
        return args

    _sim_many(out, make)


def test_mlp_with_relu_runs_operators_concurrently(work):
    out = work / "mlp"
    compile_model(MODELS / "mlp_relu.mlir", out, {"hardware": {"area": False}})
    report = json.loads((out / "report.json").read_text())
    res = sim.run(out, seed=5, stall_out=20)
    assert res.ok, res.first_mismatch
    # The units overlap: far fewer cycles than running them one after another.
    assert res.cycles < 0.7 * report["sum_of_unit_cycles"]
    _sim_many(out, lambda rng: {0: adversarial(rng, (4, 64), "mxint<4,8,16>"),
                                1: adversarial(rng, (64, 64), "mxint<4,8,16>", spread=4),
                                2: adversarial(rng, (64, 64), "mxint<6,8,16>", spread=4)},
              seeds=range(2))



FORK = """
func.func @fork(%x: !mx.tensor<3x64xmxint<8,8,16>>, %w: !mx.tensor<32x64xmxint<8,8,16>>)
    -> (!mx.tensor<3x64xmxint<8,8,16>>, !mx.tensor<3x32xmxint<8,8,16>>,
        !mx.tensor<3x64xmxint<8,8,16>>) {
  %r = mx.relu %x : !mx.tensor<3x64xmxint<8,8,16>> -> !mx.tensor<3x64xmxint<8,8,16>>
  %y = mx.linear %x, %w {acc = #mx.acc<bounded<4>>} : (!mx.tensor<3x64xmxint<8,8,16>>,
      !mx.tensor<32x64xmxint<8,8,16>>) -> !mx.tensor<3x32xmxint<8,8,16>>
  return %r, %y, %r : !mx.tensor<3x64xmxint<8,8,16>>, !mx.tensor<3x32xmxint<8,8,16>>,
      !mx.tensor<3x64xmxint<8,8,16>>
}
"""


def test_a_stream_feeding_several_consumers_is_buffered_per_branch(work):
    """An input feeding two units: each branch of the fork gets a FIFO holding the whole
    tensor, and the values stay exact under stalls. (The result returned twice leaves
    the hardware once: the host part repeats it.)"""
    out = _compile(work, "fork", FORK)
    report = json.loads((out / "report.json").read_text())
    assert report["top"] == "m_fork"  # `fork` is a SystemVerilog keyword
    fifos = [u for u in report["units"] if u["op"] == "fifo"]
    assert [f["depth"] for f in fifos] == [12, 12]  # 3x64 in blocks of 16
    _sim_many(out, lambda rng: {0: adversarial(rng, (3, 64), "mxint<8,8,16>"),
                                1: adversarial(rng, (32, 64), "mxint<8,8,16>", spread=4)},
              seeds=range(2), stalls=((0, 0), (30, 40), (0, 70)))

FLOAT_MLP = """
func.func @mlp(%x: tensor<2x32xf32>) -> tensor<2x32xf32> {
  %w1 = arith.constant dense<0.5> : tensor<16x32xf32>
  %b1 = arith.constant dense<-0.25> : tensor<16xf32>
  %w2 = arith.constant dense<[[1.0, -2.0, 0.75, 3.0, -0.125, 0.5, 1.5, -1.0, 0.25, 2.0, -0.5, 1.0, 0.0, -3.0, 0.5, 1.0]]> : tensor<1x16xf32>
  %w2b = mx.broadcast %w2 : tensor<1x16xf32> -> tensor<32x16xf32>
  %h = mx.linear %x, %w1, %b1 {name = "up"} : (tensor<2x32xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x16xf32>
  %r = mx.relu %h {name = "act"} : tensor<2x16xf32> -> tensor<2x16xf32>
  %y = mx.linear %r, %w2b {name = "down"} : (tensor<2x16xf32>, tensor<32x16xf32>) -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
"""


def test_float_model_through_a_precision_config(work):
    """A float model: the config assigns formats, the boundary moves (de)quantization to
    the host, constants become memories with their images written by the compile."""
    src = work / "float_mlp.mlir"
    src.write_text(FLOAT_MLP)
    cfg = {"default": {"input": "mxint<8,8,16>", "weight": "mxint<6,8,16>",
                       "bias": "mxint<8,8,16>", "output": "mxint<8,8,16>",
                       "accumulator": "bounded<4>"}}
    out = work / "float_mlp"
    # A broadcast weight constant folds into a constant (a memory image).
    compile_model(src, out, {**cfg, "hardware": {"area": False}})
    assert "broadcast" not in (out / "hw.mlir").read_text()
    res = sim.run(out, seed=1)
    assert res.ok, res.first_mismatch
    src.write_text(FLOAT_MLP.replace(
        "%w2b = mx.broadcast %w2 : tensor<1x16xf32> -> tensor<32x16xf32>",
        "%w2b = arith.constant dense<0.375> : tensor<32x16xf32>"))
    compile_model(src, out, {**cfg, "hardware": {"area": False}})
    manifest = json.loads((out / "manifest.json").read_text())
    assert (out / "source.mlir").is_file()
    assert all("constant" in m for m in manifest["memories"])
    for m in manifest["memories"]:
        assert len((out / m["constant"]).read_text().split()) == m["words"]
    res = sim.run(out, seed=1)
    assert res.ok, res.first_mismatch


def test_unknown_config_keys_and_bad_options_are_errors(work):
    src = MODELS / "linear_mxint8.mlir"
    for cfg, msg in (({"buffers": "mase"}, "unknown key 'buffers'"),
                     ({"hardware": {"area": "yes"}}, "'area' must be a bool"),
                     ({"hardware": {"lanes": 2}}, "unknown hardware option 'lanes'"),
                     ({"hardware": 3}, "'hardware' must be an object")):
        with pytest.raises(CompileError, match=msg):
            compile_model(src, work / "bad_cfg", cfg)
    assert not (work / "bad_cfg").exists()


def test_unsupported_op_is_a_located_error_and_nothing_is_written(work):
    src = work / "log.mlir"
    src.write_text("func.func @g(%x: !mx.tensor<2x32xmxint8>) -> !mx.tensor<2x32xmxint8> {\n"
                   "  %y = mx.log %x {name = \"mlp.act\"} : !mx.tensor<2x32xmxint8> -> "
                   "!mx.tensor<2x32xmxint8>\n  return %y : !mx.tensor<2x32xmxint8>\n}\n")
    with pytest.raises(CompileError) as err:
        compile_model(src, work / "log", {})
    text = str(err.value)
    assert "log.mlir:2:" in text and "'mx.log' has no hardware unit (op 'mlp.act')" in text
    assert "mx.linear" in text and "mx.gelu" in text
    assert not (work / "log").exists()
    assert not list(work.glob(".log.tmp-*"))


def test_output_that_is_a_file_is_refused(work):
    target = work / "a_file"
    target.write_text("keep me")
    with pytest.raises(CompileError, match="exists and is not a directory"):
        compile_model(MODELS / "linear_mxint8.mlir", target, {})
    assert target.read_text() == "keep me"


def test_verilog_and_manifest_are_deterministic(work):
    a, b = work / "det_a", work / "det_b"
    for out in (a, b):
        compile_model(MODELS / "mlp_relu.mlir", out, {"hardware": {"area": False}})
    assert (a / "mlp_relu.sv").read_bytes() == (b / "mlp_relu.sv").read_bytes()
    assert (a / "manifest.json").read_bytes() == (b / "manifest.json").read_bytes()


def test_circt_crash_is_an_error_and_writes_nothing(tmp_path):
    crash = ("-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    with pytest.raises(CirctError, match="CIRCT crashed \\(SIGSEGV\\)"):
        run_circt("module {}", "module {}", "t", tmp_path, stage=crash)
    assert list(tmp_path.iterdir()) == []


def test_sim_reports_the_first_mismatch(work):
    """A corrupted weight image: the RTL no longer matches, and the message says where."""
    out = work / "corrupt"
    t = "!mx.tensor<2x16xmxint<8,8,16>>"
    tw = "!mx.tensor<16x16xmxint<8,8,16>>"
    src = work / "corrupt.mlir"
    src.write_text(
        f"func.func @lin(%x: {t}) -> {t} {{\n"
        f"  %w = mx.constant scales(dense<127> : tensor<16x1xui8>) "
        f"codes(dense<5> : tensor<16x16xui8>) : {tw}\n"
        f"  %y = mx.linear %x, %w {{acc = #mx.acc<bounded<4>>}} : ({t}, {tw}) -> {t}\n"
        f"  return %y : {t}\n}}\n")
    compile_model(src, out, {"hardware": {"area": False}})
    assert sim.run(out, seed=0).ok
    mem = next(m for m in json.loads((out / "manifest.json").read_text())["memories"]
               if m["contents"] == "blocks")
    image = out / mem["constant"]
    words = image.read_text().split()
    words[3] = "0" * len(words[3])
    image.write_text("\n".join(words) + "\n")
    res = sim.run(out, seed=0)
    assert not res.ok
    assert "RTL code" in res.first_mismatch and "numerics code" in res.first_mismatch


def test_sim_errors_name_the_problem(work, tmp_path):
    with pytest.raises(sim.SimError, match="no manifest.json"):
        sim.run(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(sim.SimError, match="not a manifest written by mase compile"):
        sim.run(tmp_path)
    out = work / "linear_mxint4"
    if not out.is_dir():
        compile_model(MODELS / "linear_mxint4.mlir", out, {"hardware": {"area": False}})
    bad = {0: quantize(np.ones((4, 64), np.float32), "mxint8")}
    with pytest.raises(sim.SimError, match="argument #0: expected mxint<4,8,16>"):
        sim.run(out, bad)


def test_interpreter_takes_mx_inputs():
    """The interpreter runs MX-typed functions on MX tensors, exactly as numerics."""
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
    assert got.fmt == want.fmt == Format.parse("mxint<4,8,16>")
    assert (got.codes == want.codes).all() and (got.scales == want.scales).all()
    with pytest.raises(InterpreterError, match="expected format mxint<6,8,16>"):
        interp.run(text, [args[0], args[1], args[1]], func_name="mlp_relu")
