"""mx-assign-precision: the interpreter on the assigned IR gives exactly the numbers an
independent numpy emulation of the same configuration gives (bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from emulate import emulate, resolve
from rewrite_helpers import (
    MIXED,
    MXFP,
    UNIFORM_16,
    UNIFORM_MXINT8,
    assert_bitwise,
    assign,
    fresh,
    imported,
)
from torch import nn

from mase_mlir import interp, numerics, passes
from mase_mlir.frontend import import_to_text

CONFIGS = {"mxint8": UNIFORM_MXINT8, "mxint8-b16-out": UNIFORM_16, "mixed": MIXED,
           "mxfp": MXFP}


def _seeded(build, seed=0):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build().eval()


class MLP(nn.Module):
    def __init__(self, dim: int = 64, hidden: int = 128):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


# --- the MLP, emulated straight from the torch module ------------------------------


def _q(x: np.ndarray, fmt: str | None, axis: int):
    parsed = numerics.Format.parse_or_none(fmt)
    return numerics.quantize(x, parsed, axis) if parsed else x


def _torch_linear(layer: nn.Linear, x: np.ndarray, formats: dict) -> np.ndarray:
    w = layer.weight.detach().numpy()
    b = layer.bias.detach().numpy()
    qx, qw = _q(x, formats.get("input"), -1), _q(w, formats.get("weight"), 1)
    qb = _q(b, formats.get("bias"), 0)
    out = numerics.Format.parse_or_none(formats.get("output"))
    y = numerics.linear(qx, qw, qb, out)
    return numerics.dequantize(y) if out else y


def _torch_relu(x: np.ndarray, formats: dict) -> np.ndarray:
    qx = _q(x, formats.get("input"), -1)
    y = np.maximum(numerics.dequantize(qx) if qx is not x else x, np.float32(0))
    out = formats.get("output")
    return numerics.dequantize(_q(y, out, -1)) if numerics.Format.parse_or_none(out) else y


def mlp_emulation(model: MLP, x: np.ndarray, config: dict) -> np.ndarray:
    h = _torch_linear(model.fc1, x, resolve(config, "fc1"))
    h = _torch_relu(h, resolve(config, "act"))
    return _torch_linear(model.fc2, h, resolve(config, "fc2"))


MLP_CONFIGS = {
    "mxint8": {"default": {"input": "mxint8", "weight": "mxint8"}},
    "mixed": {"default": {"input": "mxint8", "weight": "mxint8"},
              "ops": {"fc*": {"weight": "mxint<4,8,16>"}, "fc2": {"bias": "mxint<6,8,16>"}}},
    "mxfp-out": {"default": {"input": "mxfp8_e4m3", "weight": "mxfp4_e2m1",
                             "output": "mxfp6_e2m3"},
                 "ops": {"act": {"output": "mxint<5,4,16>"}}},
    "later-overrides": {"default": {"input": "mxint<8,8,16>", "weight": "mxint<8,8,16>"},
                        "ops": {"*": {"weight": "mxint<3,8,16>"}, "fc1": {"weight": "mxint8"}}},
}


@pytest.mark.parametrize("name", MLP_CONFIGS)
def test_mlp_matches_torch_emulation(name):
    config = MLP_CONFIGS[name]
    model = _seeded(MLP)
    x = torch.randn(4, 64, generator=torch.Generator().manual_seed(1))
    module = fresh(import_to_text(model, (x,)))
    passes.assign_precision(module, config)
    got = interp.run(module, [x.numpy()])
    assert_bitwise([mlp_emulation(model, x.numpy(), config)], got)


def test_mlp_quantization_is_visible():
    """Sanity: the configs really change the numbers (not float in disguise)."""
    model = _seeded(MLP)
    x = torch.randn(4, 64, generator=torch.Generator().manual_seed(1))
    text = import_to_text(model, (x,))
    plain = interp.run(fresh(text), [x.numpy()])[0]
    quant = interp.run(assign(text, MLP_CONFIGS["mixed"]), [x.numpy()])[0]
    assert 0 < np.abs(plain - quant).max() < 0.1 * np.abs(plain).max()


# --- small attention blocks and the decoders, emulated on the float IR ------------------


def _plain(name: str):
    x = torch.randn(2, 8, 64, generator=torch.Generator().manual_seed(2))
    if name == "encoder-layer":
        model = _seeded(lambda: nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0,
                                                            batch_first=True))
    else:
        class Attention(nn.Module):
            def __init__(self):
                super().__init__()
                self.attn = nn.MultiheadAttention(64, 4, batch_first=True)

            def forward(self, h):
                return self.attn(h, h, h, need_weights=False)[0]

        model = _seeded(Attention)
    return import_to_text(model, (x,)), (x.numpy(),)


def _check(text: str, inputs: tuple, config: dict) -> None:
    module = assign(text, config)
    got = interp.run(module, list(inputs))
    want = emulate(fresh(text), config, list(inputs))
    assert_bitwise(want, got)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("model", ["encoder-layer", "attention"])
def test_attention_blocks_match_emulation(model, config):
    text, inputs = _plain(model)
    _check(text, inputs, CONFIGS[config])


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("model", ["llama-tiny", "opt-tiny"])
def test_decoders_match_emulation(model, config):
    text, inputs = imported(model)
    _check(text, inputs, CONFIGS[config])


@pytest.mark.slow
def test_gpt2_mixed_matches_emulation():
    text, inputs = imported("gpt2-tiny")
    _check(text, inputs, MIXED)
