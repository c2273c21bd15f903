"""Row units (layer_norm, rms_norm) in simulation: RTL == numerics.rows == interpreter,
bit for bit, on rows that hit the corners (zero rows, constant rows, one spike, huge
scale spreads, values so small that eps dominates, saturating weights), odd block
counts, narrow and fixed-point formats and random flow control."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from mase_mlir import sim
from mase_mlir.backend import compile_model
from mase_mlir.numerics import quantize


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    assert shutil.which("verilator"), "verilator must be installed (make setup installs it)"
    return tmp_path_factory.mktemp("rows")


def rows_data(rng: np.random.Generator, shape: tuple[int, ...], fmt: str):
    """One kind of row per row index: Gaussians over 2^-12..2^12 per element, a zero row,
    a constant row, one spike, tiny values (eps dominates), huge values, zero blocks next
    to a huge block, alternating signs."""
    n = shape[-1]
    flat = rng.standard_normal((int(np.prod(shape[:-1])), n))
    for r in range(flat.shape[0]):
        kind = r % 8
        if kind == 0:
            flat[r] *= 2.0 ** rng.integers(-12, 13, size=n)
        elif kind == 1:
            flat[r] = 0.0
        elif kind == 2:
            flat[r] = rng.standard_normal() * 2.0 ** rng.integers(-8, 8)
        elif kind == 3:
            flat[r] = 0.0
            flat[r, rng.integers(n)] = rng.standard_normal() * 100
        elif kind == 4:
            flat[r] *= 2.0 ** -60
        elif kind == 5:
            flat[r] *= 2.0 ** 60
        elif kind == 6:
            flat[r, : n // 2] = 0.0
            flat[r, n // 2:] *= 2.0 ** 30
        else:
            flat[r] = np.where(np.arange(n) % 2, 1.0, -1.0) * 2.0 ** rng.integers(-20, 20)
    return quantize(flat.reshape(shape).astype(np.float32), fmt)


def _vector(rng, n: int, fmt: str, spread: int = 6):
    return quantize((rng.standard_normal(n) * 2.0 ** rng.integers(-spread, spread + 1, n))
                    .astype(np.float32), fmt)


#: name: (op, shape, input, weight, bias, output, eps)
NORMS = {
    "layer_norm_affine": ("layer_norm", (8, 48), "mxint<8,8,16>", "mxint<8,8,16>",
                          "mxint<8,8,16>", "mxint<8,8,16>", 1e-5),
    "layer_norm_mixed": ("layer_norm", (8, 24), "mxint<6,8,8>", "mxint<4,8,4>", "mxint<8,8,8>",
                         "mxint<5,6,4>", 1e-12),
    "layer_norm_bias_only": ("layer_norm", (2, 8, 12), "mxint<8,8,4>", None, "mxint<6,8,2>",
                             "mxint<8,8,6>", 0.25),
    "layer_norm_plain": ("layer_norm", (8, 32), "mxint8", None, None, "mxint<4,8,16>", 0.0),
    "rms_norm_weight": ("rms_norm", (8, 40), "mxint<8,8,8>", "mxint<8,8,8>", None,
                        "mxint<8,8,8>", 1e-6),
    "rms_norm_fixed_point": ("rms_norm", (8, 16), "mxint<8,1,4>", "mxint<8,1,4>", None,
                             "mxint<8,1,4>", 1e-3),
    # One block per row: a one-word row buffer.
    "rms_norm_one_block": ("rms_norm", (8, 16), "mxint<8,8,16>", "mxint<8,8,16>", None,
                           "mxint<8,8,16>", 1e-6),
}


def _norm_text(op, shape, fx, fw, fb, fo, eps) -> str:
    n = shape[-1]
    dims = "x".join(map(str, shape))
    tx, to = f"!mx.tensor<{dims}x{fx}>", f"!mx.tensor<{dims}x{fo}>"
    args, operands, types = [f"%x: {tx}"], "", [tx]
    for key, fmt in (("weight", fw), ("bias", fb)):
        if fmt:
            t = f"!mx.tensor<{n}x{fmt}>"
            args.append(f"%{key[0]}: {t}")
            operands += f" {key} %{key[0]}"
            types.append(t)
    return (f"func.func @{op}({', '.join(args)}) -> {to} {{\n"
            f"  %y = mx.{op} %x{operands} {{eps = {eps:.17e} : f64}} : ({', '.join(types)}) -> {to}\n"
            f"  return %y : {to}\n}}\n")


@pytest.mark.parametrize("name", sorted(NORMS))
def test_norms_bit_exact(work, name):
    op, shape, fx, fw, fb, fo, eps = NORMS[name]
    src = work / f"{name}.mlir"
    src.write_text(_norm_text(*NORMS[name]))
    out = work / name
    compile_model(src, out, {"hardware": {"area": False}})
    n = shape[-1]
    for seed in range(2):
        rng = np.random.default_rng(seed)
        args = {0: rows_data(rng, shape, fx)}
        k = 1
        for fmt in (fw, fb):
            if fmt:
                args[k] = _vector(rng, n, fmt, spread=0 if seed == 0 else 30)
                k += 1
        for stall_in, stall_out in ((0, 0), (30, 40), (0, 70)):
            res = sim.run(out, args, seed=seed, stall_in=stall_in, stall_out=stall_out)
            assert res.ok, res.first_mismatch
            assert res.interpreter == "compared"


FACTORY = '''
import torch


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 48)
        self.ln = torch.nn.LayerNorm(48)
        self.fc = torch.nn.Linear(48, 48)
        self.norm = torch.nn.RMSNorm(48, eps=1e-6)

    def forward(self, ids):
        return self.norm(self.fc(self.ln(self.embed(ids))))


def make():
    torch.manual_seed(0)
    net = Net().eval()
    with torch.no_grad():  # not the identity: weights and biases of every sign
        net.ln.weight.uniform_(-2, 2)
        net.ln.bias.uniform_(-1, 1)
        net.norm.weight.uniform_(-2, 2)
    return net, (torch.randint(0, 50, (2, 5)),)
'''


def test_torch_norms_through_the_cli(work):
    """mase import of a PyTorch LayerNorm / RMSNorm model + a config with MX outputs +
    mase compile --config + mase sim on the model's own activations."""
    import json

    import torch

    from mase_mlir.cli.main import main as mase_main

    (work / "net.py").write_text(FACTORY)
    model = work / "net.mlir"
    assert mase_main(["import", f"{work / 'net.py'}:make", "-o", str(model), "-q"]) == 0
    cfg = work / "cfg.json"
    cfg.write_text(json.dumps({"default": {"input": "mxint<8,8,16>", "weight": "mxint<8,8,16>",
                                           "bias": "mxint<8,8,16>", "output": "mxint<8,8,16>",
                                           "accumulator": "bounded<4>"},
                               "hardware": {"area": False}}))
    out = work / "net"
    assert mase_main(["compile", str(model), "--config", str(cfg), "-o", str(out), "-q"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert [u["op"] for u in report["units"]] == ["mxhw.layer_norm", "mxhw.linear",
                                                  "mxhw.rms_norm"]
    torch.manual_seed(0)
    ids = torch.randint(0, 50, (2, 5))
    res = sim.run(out, sim.model_arguments(out, [ids.numpy()]), stall_in=20, stall_out=30)
    assert res.ok, res.first_mismatch
    assert res.interpreter == "compared"
    assert mase_main(["sim", str(out)]) == 0
