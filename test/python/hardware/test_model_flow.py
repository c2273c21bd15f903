"""Real PyTorch models through mase import + mase compile --config: the host/hardware split
(mx-hw-outline), layer selection, and simulation driven by the model's own activations."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from mase_mlir import sim
from mase_mlir.backend import CompileError, compile_model
from mase_mlir.cli.main import main as mase_main

FACTORY = '''
import torch


class Block(torch.nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.up = torch.nn.Linear(width, hidden)
        self.act = torch.nn.ReLU()
        self.down = torch.nn.Linear(hidden, width)

    def forward(self, x):
        return self.down(self.act(self.up(x)))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 32)
        self.layers = torch.nn.ModuleList([Block(32, 64), Block(32, 64)])

    def forward(self, ids):
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x)
        return x


def make():
    torch.manual_seed(0)
    return Net().eval(), (torch.randint(0, 50, (3, 8)),)
'''

CONFIG = {"default": {"input": "mxint<8,8,16>", "weight": "mxint<6,8,16>",
                      "bias": "mxint<8,8,16>", "output": "mxint<8,8,16>",
                      "accumulator": "bounded<4>"}}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, Path, list]:
    work = tmp_path_factory.mktemp("flow")
    (work / "net.py").write_text(FACTORY)
    model = work / "net.mlir"
    assert mase_main(["import", f"{work / 'net.py'}:make", "-o", str(model), "-q"]) == 0
    cfg = work / "cfg.json"
    cfg.write_text(json.dumps({**CONFIG, "hardware": {"area": False}}))
    torch.manual_seed(0)
    ids = torch.randint(0, 50, (3, 8))
    return work, cfg, [ids.numpy()]


def test_whole_model_keeps_the_embedding_on_the_host(imported):
    work, cfg, inputs = imported
    out = work / "whole"
    assert mase_main(["compile", str(work / "net.mlir"), "--config", str(cfg), "-o", str(out),
                      "-q"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert [o["op"] for o in report["host_ops"]] == ["mx.embedding", "mx.dequantize"]
    assert [u["op"] for u in report["units"]] == ["mxhw.linear", "mxhw.relu", "mxhw.linear"] * 2
    # The hardware runs on the model's own activations (the embedding of real ids).
    args = sim.model_arguments(out, inputs)
    res = sim.run(out, args, stall_out=20)
    assert res.ok, res.first_mismatch


def test_one_layer_by_name(imported):
    work, cfg, inputs = imported
    out = work / "layer1"
    report = compile_model(work / "net.mlir", out, json.loads(cfg.read_text()),
                           layer="layers.1")
    assert report["top"] == "layers_1"
    assert len(report["units"]) == 3
    names = {o["name"] for o in report["host_ops"]}
    assert "layers.0.up" in names and "embed" in names
    res = sim.run(out, sim.model_arguments(out, inputs))
    assert res.ok, res.first_mismatch


def test_selection_errors(imported):
    work, cfg, _ = imported
    config = json.loads(cfg.read_text())
    with pytest.raises(CompileError, match="no op of 'forward' is named 'layers.7'"):
        compile_model(work / "net.mlir", work / "none", config, layer="layers.7")
    with pytest.raises(CompileError, match="give the ops MX formats in the precision config"):
        compile_model(work / "net.mlir", work / "float", {"hardware": {"area": False}})
    assert not (work / "none").exists() and not (work / "float").exists()


def test_activations_match_the_interpreter(imported):
    """model_arguments gives what the interpreter computes before the hardware part."""
    from mase_mlir import interp
    from mase_mlir.context import parse_module

    work, _, inputs = imported
    out = work / "whole"
    args = sim.model_arguments(out, inputs)
    host = parse_module((out / "host.mlir").read_text())
    full = interp.run(host, inputs)
    res = sim.run(out, args)
    got = res.outputs[0]
    want = full[0]
    from mase_mlir import numerics as mxn

    np.testing.assert_array_equal(mxn.dequantize(got), np.asarray(want))


TWO_OUTPUTS = '''
import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(16, 16)
        self.b = torch.nn.Linear(16, 16)

    def forward(self, x):
        y = self.a(x)
        return y, self.b(torch.relu(y))


def make():
    torch.manual_seed(0)
    return Net().eval(), (torch.randn(4, 16),)
'''


def test_model_with_an_output_from_the_middle(tmp_path, capsys):
    """A model that returns an intermediate value too: the host's dequantize of it sits
    among the hardware ops and moves after the hardware call."""
    (tmp_path / "two.py").write_text(TWO_OUTPUTS)
    (tmp_path / "cfg.json").write_text(json.dumps(CONFIG))
    spec = f"{tmp_path / 'two.py'}:make"
    model, out = tmp_path / "two.mlir", tmp_path / "hw"
    assert mase_main(["import", spec, "-o", str(model), "-q"]) == 0
    assert mase_main(["compile", str(model), "--config", str(tmp_path / "cfg.json"),
                      "--no-area", "-o", str(out), "-q"]) == 0
    capsys.readouterr()
    assert mase_main(["sim", str(out), "--model", spec]) == 0
    assert "RTL == numerics == interpreter" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["outputs"]) == 2
