"""A searched config end to end: `mase search` on a PyTorch model from a file writes
best.json; `mase run --config` reproduces the quality the search reported for it, and
`mase compile --config` builds it as hardware from `mase import`'s module."""

from __future__ import annotations

import json

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
        self.layers = torch.nn.ModuleList([Block(32, 64), Block(32, 64)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def make():
    torch.manual_seed(0)
    return Net().eval(), (torch.randn(4, 8, 32),)
'''

# Formats the hardware units implement (docs/hardware.md): MXInt with B = 16.
SPACE = {"default": {"input": ["mxint<8,8,16>", "mxint<6,8,16>", "mxint<4,8,16>"],
                     "weight": ["mxint<8,8,16>", "mxint<6,8,16>", "mxint<4,8,16>",
                                "mxint<3,8,16>"],
                     "bias": "mxint<8,8,16>", "output": "mxint<8,8,16>"}}


def test_best_config_runs_and_compiles(tmp_path, capsys):
    (tmp_path / "net.py").write_text(FACTORY)
    model = f"{tmp_path / 'net.py'}:make"
    space = tmp_path / "space.json"
    space.write_text(json.dumps(SPACE))
    out = tmp_path / "search"
    assert mase_main(["search", model, "--space", str(space), "--trials", "8", "--data",
                      "example", "--evaluation", "0", "--max-bits", "7", "-o", str(out),
                      "--no-progress"]) == 0, capsys.readouterr().err
    result = json.loads((out / "front.json").read_text())
    best = result["best"]
    assert result["metric"]["name"] == "cosine" and best["bits"] <= 7
    config = out / "best.json"

    # mase run on the same inputs (the model's example) gives the quality and bits the
    # search reported for the best config.
    assert mase_main(["run", model, "--config", str(config), "-o", str(tmp_path / "run")]) == 0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["quality"]["embedding_cosine_mean"] == best["quality"]
    assert summary["quality"]["nearest_neighbour_agreement"] == \
        best["scores"]["nearest_neighbour_agreement"]
    assert summary["report"]["summary"]["bits_per_value"] == best["bits"]

    # mase compile builds it from mase import's module.
    mlir = tmp_path / "net.mlir"
    assert mase_main(["import", model, "-o", str(mlir), "-q"]) == 0
    hw = tmp_path / "hw"
    assert mase_main(["compile", str(mlir), "--config", str(config), "--no-area", "-o",
                      str(hw), "-q"]) == 0, capsys.readouterr().err
    report = json.loads((hw / "report.json").read_text())
    units = [u["op"] for u in report["units"]]
    assert units.count("mxhw.linear") == 4 and units.count("mxhw.relu") == 2
    # Each linear unit's weight memory holds the format the search chose for its op.
    op_of = {u["unit"]: u["name"] for u in report["units"]}
    manifest = json.loads((hw / "manifest.json").read_text())
    built = {op_of[m["unit"]]: m["format"] for m in manifest["memories"]
             if m["name"].endswith("_w")}
    chosen = {row["name"]: row["weight"] for row in summary["report"]["ops"]
              if row["weight"] is not None}
    assert len(built) == 4 and built == chosen
