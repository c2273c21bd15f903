"""`mase run` ends with one layer in hardware: Verilog, cells, a bit-exact simulation on
the model's own activations. A small real PyTorch model (an embedding and two identical
blocks, so a kernel loop) goes through the whole command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mase_mlir import passes
from mase_mlir.cli.main import main as mase_main
from mase_mlir.errors import InputError
from mase_mlir.flow import DEFAULT_CONFIG
from mase_mlir.frontend import import_model
from mase_mlir.frontend.models import load_model
from mase_mlir.hardware_stage import default_layer, hardware_config, layer_path
from mase_mlir.report import build_report

FACTORY = '''
import torch


class Block(torch.nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.up = torch.nn.Linear(width, hidden)
        self.act = torch.nn.ReLU()
        self.down = torch.nn.Linear(hidden, width)

    def forward(self, x):
        return x + self.down(self.act(self.up(x)))


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(40, 16)
        self.layers = torch.nn.ModuleList([Block(16, 48), Block(16, 48)])

    def forward(self, ids):
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x)
        return x


def make():
    torch.manual_seed(0)
    return Net().eval(), (torch.randint(0, 40, (2, 5)),)
'''

# Float outputs and biases: the stage gives them the input format.
CONFIG = {"default": {"input": "mxint<8,8,16>", "weight": "mxint<6,8,16>",
                      "accumulator": "bounded<4>"}}


@pytest.fixture(scope="module")
def factory(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("run_hw")
    (work / "net.py").write_text(FACTORY)
    (work / "cfg.json").write_text(json.dumps(CONFIG))
    return work, work / "net.py"


def test_run_builds_and_simulates_the_first_layer(factory, capsys):
    work, net = factory
    out = work / "out"
    assert mase_main(["run", f"{net}:make", "--config", str(work / "cfg.json"),
                      "-o", str(out)]) == 0
    printed = capsys.readouterr()
    assert "hardware: layers.0 ->" in printed.out
    assert "RTL == numerics == interpreter" in printed.out
    assert "[mase] hardware: simulating layers.0" in printed.err
    hw = json.loads((out / "summary.json").read_text())["hardware"]
    assert hw["layer"] == "layers.0" and hw["bit_exact"]
    assert hw["compared_with"] == ["numerics", "interpreter"]
    assert hw["cycles"] >= hw["dataflow_bound_cycles"] > 0
    assert hw["cells"] > 0 and hw["units"] >= 4  # two linears, relu, add
    report = json.loads((out / "hardware" / "report.json").read_text())
    assert report["layer"] == "layers.0" and report["sim"]["ok"]
    assert (out / "hardware" / "manifest.json").is_file()
    # The embedding and the other layer stay on the host.
    assert {"op": "mx.embedding", "name": "embed"} in report["host_ops"]


def test_run_builds_the_layer_named(factory, capsys):
    work, net = factory
    out = work / "out1"
    assert mase_main(["run", f"{net}:make", "--config", str(work / "cfg.json"),
                      "--layer", "layers.1", "-o", str(out)]) == 0
    assert "hardware: layers.1 ->" in capsys.readouterr().out
    assert json.loads((out / "summary.json").read_text())["hardware"]["bit_exact"]


def test_no_hardware_stops_after_the_interpreter(factory):
    work, net = factory
    out = work / "out2"
    assert mase_main(["run", f"{net}:make", "--config", str(work / "cfg.json"),
                      "--no-hardware", "-o", str(out)]) == 0
    assert "hardware" not in json.loads((out / "summary.json").read_text())
    assert not (out / "hardware").exists()


def test_a_layer_without_units_is_a_clear_error(factory, capsys):
    work, net = factory
    out = work / "out3"
    assert mase_main(["run", f"{net}:make", "--config", str(work / "cfg.json"),
                      "--layer", "embed", "-o", str(out)]) == 1  # a gather: host only
    err = capsys.readouterr().err
    assert "hardware stage:" in err and "--no-hardware" in err
    assert "Traceback" not in err
    assert not (out / "hardware").exists()


def test_hardware_config_gives_floats_the_input_format():
    cfg = {"default": {"input": "mxint8", "weight": "mxint4", "output": "f32"},
           "ops": {"*.mlp.*": {"input": "mxint<6,8,32>", "output": "f32"},
                   "*.attn.*": {"weight": "mxint8"}}}
    hw = hardware_config(cfg)
    assert hw["default"] == {"input": "mxint8", "weight": "mxint4", "output": "mxint8",
                             "bias": "mxint8"}
    assert hw["ops"]["*.mlp.*"]["output"] == "mxint<6,8,32>"
    assert "output" not in hw["ops"]["*.attn.*"]  # inherits the default's MX output
    assert cfg["default"]["output"] == "f32"  # the caller's config is untouched
    for bad in ({}, {"default": {"weight": "mxint4"}}, {"default": {"input": "f32"}}):
        with pytest.raises(InputError, match="MX 'input' format"):
            hardware_config(bad)


def test_layer_path_is_the_prefix_up_to_the_layer_index():
    assert layer_path(["encoder.layer.0.attention.self.query",
                       "encoder.layer.1.attention.self.query"]) == "encoder.layer.0"
    assert layer_path(["model.layers.10.input_layernorm",
                       "model.layers.11.input_layernorm"]) == "model.layers.10"
    with pytest.raises(InputError):
        layer_path(["a.b"])


def test_the_default_layer_is_the_largest_loops():
    """MiniLM at 20 tokens folds its two embedding sums into a loop of its own, before the
    encoder's: mase run builds the encoder layer, not the repeated sum."""
    model, inputs = load_model("minilm", batch=1, seq=20)
    module = import_model(model, tuple(inputs))
    passes.assign_precision(module, str(DEFAULT_CONFIG))
    passes.kernel_loop(module)
    loops = build_report(module)["loops"]
    assert [loop["ops_per_layer"] for loop in loops] == [2, 39]
    assert default_layer(loops) == "encoder.layer.0"
    assert default_layer([]) is None
