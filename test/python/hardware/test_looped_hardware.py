"""Kernel-looped hardware (issue 11): a model's repeated layers, folded by mx-kernel-loop,
run on one layer's circuit; the baseline (--no-loop) calls that circuit once per layer.
Both simulate bit-exactly on the model's real activations, against the numerics and the
interpreter on the looped and the unrolled IR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from mase_mlir import ir, passes, sim
from mase_mlir.backend import CompileError, compile_model
from mase_mlir.cli.main import main as mase_main

FACTORY = '''
import torch


class Layer(torch.nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = torch.nn.Linear(width, width)
        self.act = torch.nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x))


class Net(torch.nn.Module):
    def __init__(self, depth):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 48)
        self.layers = torch.nn.ModuleList(Layer(48) for _ in range(depth))

    def forward(self, ids):
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x)
        return x


def make(depth=3):
    torch.manual_seed(0)
    return Net(depth).eval(), (torch.randint(0, 50, (5, 6)),)


def make2():
    return make(2)


def make5():
    return make(5)
'''

CONFIG = {"default": {"input": "mxint<8,8,16>", "weight": "mxint<6,8,16>",
                      "bias": "mxint<8,8,16>", "output": "mxint<8,8,16>",
                      "accumulator": "bounded<4>"}}


def _looped(work: Path, factory: str) -> tuple[Path, list]:
    """mase import + the config + mx-kernel-loop: what mase run writes as model.looped.mlir."""
    model = work / f"{factory}.mlir"
    assert mase_main(["import", f"{work / 'net.py'}:{factory}", "-o", str(model), "-q"]) == 0
    with ir.Context():
        module = ir.Module.parseFile(str(model))
        passes.assign_precision(module, CONFIG)
        passes.kernel_loop(module)
        text = str(module)
    assert "mx.kernel_loop" in text
    looped = work / f"{factory}.looped.mlir"
    looped.write_text(text)
    torch.manual_seed(0)
    ids = torch.randint(0, 50, (5, 6))
    return looped, [ids.numpy()]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("kloop")
    (work / "net.py").write_text(FACTORY)
    return work


def test_looped_and_baseline_hardware_are_bit_exact_on_real_activations(work: Path) -> None:
    looped, inputs = _looped(work, "make")
    loop_dir, base_dir = work / "loop", work / "base"
    report = compile_model(looped, loop_dir, {"area": False})
    assert report["loops"] == [{"layers": 3, "carried": 1}]
    ops = [u["op"] for u in report["units"]]
    assert ops.count("mxhw.linear") == 1 and "loop_entry" in ops and "loop_exit" in ops
    assert ops.count("layer_reader") == 3  # weights, their row scales, biases
    stacked = [m for m in json.loads((loop_dir / "manifest.json").read_text())["memories"]
               if m.get("layers") == 3]
    assert len(stacked) == 3
    res = sim.run(loop_dir, sim.model_calls(loop_dir, inputs))
    assert res.ok, res.mismatches
    assert "unrolled" in res.interpreter
    stalled = sim.run(loop_dir, sim.model_calls(loop_dir, inputs), seed=5, stall_in=40,
                      stall_out=40, update_report=False)
    assert stalled.ok, stalled.mismatches

    base = compile_model(looped, base_dir, {"area": False}, loop_body=True)
    assert base["calls"] == 3 and base["top"] == "forward_layer"
    calls = sim.model_calls(base_dir, inputs)
    assert len(calls) == 3
    bres = sim.run(base_dir, calls)
    assert bres.ok, bres.mismatches
    # The last call's result is the looped hardware's result.
    assert (bres.outputs[0].codes == res.outputs[0].codes).all()
    assert (bres.outputs[0].scales == res.outputs[0].scales).all()
    totals = json.loads((base_dir / "report.json").read_text())["baseline"]["total_cycles"]
    assert res.cycles < totals["sync_0"] < totals["sync_1000"]


def test_looped_verilog_does_not_grow_with_depth(work: Path) -> None:
    sizes = {}
    for factory in ("make2", "make5"):
        looped, _ = _looped(work, factory)
        out = work / f"v_{factory}"
        report = compile_model(looped, out, {"area": False})
        sizes[factory] = (out / f"{report['top']}.sv").stat().st_size
    # Only the memory address width changes with the depth.
    assert abs(sizes["make5"] - sizes["make2"]) <= 0.01 * sizes["make2"]


def test_no_loop_on_a_model_without_kernel_loop_is_an_error(work: Path) -> None:
    model = work / "plain.mlir"
    assert mase_main(["import", f"{work / 'net.py'}:make", "-o", str(model), "-q"]) == 0
    with pytest.raises(CompileError, match="loop-body needs one kernel loop"):
        compile_model(model, work / "nope", {**CONFIG, "area": False}, loop_body=True)
    assert not (work / "nope").exists()
