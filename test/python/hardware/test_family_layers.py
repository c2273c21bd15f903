"""A decoder layer of a family and shapes nobody bundled, through the command line, on its
own activations: Qwen2 (q/k/v biases, RoPE, SwiGLU, RMSNorm, causal softmax) with
hidden 48, 3 query heads sharing 1 KV head (grouped-query 3:1) and an FFN of 72.

``mase import`` -> ``mase compile --config --layer model.layers.0`` -> ``mase sim --model``
(the example inputs run through the host part: embedding on the host, the layer in RTL),
RTL == numerics == interpreter bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mase_mlir.cli.main import main as mase_main

FACTORY = '''
import torch
import transformers


def make():
    config = transformers.Qwen2Config(
        vocab_size=96, hidden_size=48, intermediate_size=72, num_hidden_layers=2,
        num_attention_heads=3, num_key_value_heads=1, max_position_embeddings=64,
        use_cache=False)
    torch.manual_seed(0)
    return transformers.Qwen2ForCausalLM(config).eval(), (torch.randint(0, 96, (1, 8)),)
'''

# Blocks of 8: the head dim is 16 and rotate-half takes halves of 8.
FMT = "mxint<8,8,8>"
CONFIG = {"default": {"input": FMT, "weight": FMT, "bias": FMT, "output": FMT,
                      "accumulator": "bounded<4>"}}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> tuple[Path, str]:
    work = tmp_path_factory.mktemp("family")
    (work / "qwen.py").write_text(FACTORY)
    (work / "cfg.json").write_text(json.dumps(CONFIG))
    spec = f"{work / 'qwen.py'}:make"
    model = work / "qwen.mlir"
    assert mase_main(["import", spec, "-o", str(model), "-q"]) == 0
    out = work / "hw"
    assert mase_main(["compile", str(model), "--config", str(work / "cfg.json"),
                      "--layer", "model.layers.0", "--no-area", "-o", str(out), "-q"]) == 0
    return out, spec


def test_qwen2_layer_units(compiled):
    out, _ = compiled
    report = json.loads((out / "report.json").read_text())
    ops = {u["op"] for u in report["units"]}
    assert {"mxhw.linear", "mxhw.rms_norm", "mxhw.batch_matmul", "mxhw.softmax",
            "mxhw.silu", "mxhw.mul", "mxhw.add"} <= ops, ops
    assert report["layer"] == "model.layers.0"
    hosted = {h["name"] for h in report["host_ops"]}
    assert "model.embed_tokens" in hosted
    assert not any(n.startswith("model.layers.0.") for n in hosted)


def test_qwen2_layer_is_bit_exact_on_its_activations(compiled, capsys):
    out, spec = compiled
    capsys.readouterr()
    assert mase_main(["sim", str(out), "--model", spec]) == 0
    printed = capsys.readouterr().out
    assert "RTL == numerics == interpreter, bit for bit" in printed
    assert "interpreter: compared" in printed


def test_sim_model_errors_are_clear(compiled, tmp_path, capsys):
    out, _ = compiled
    assert mase_main(["sim", str(out), "--model", "no-such-model"]) == 1
    err = capsys.readouterr().err
    assert "no-such-model" in err and "Traceback" not in err
    assert mase_main(["sim", str(tmp_path), "--model", "minilm"]) == 1
    assert "no compiled design" in capsys.readouterr().err


TORCH_ENCODER = '''
import torch


def make():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                             dropout=0.0, batch_first=True)
    model = torch.nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
    return model.eval(), (torch.randn(2, 10, 64),)
'''


def test_torch_transformer_encoder_through_mase_run(tmp_path, capsys):
    """PyTorch's own encoder layer (packed q/k/v projection, the batch_first transpose of
    the layer's input, post-norm) at 10 tokens, with the bundled config (MXINT8: the
    scores are rows of one block of 10): `mase run` ends with its layer bit-exact."""
    (tmp_path / "enc.py").write_text(TORCH_ENCODER)
    out = tmp_path / "out"
    assert mase_main(["run", f"{tmp_path / 'enc.py'}:make", "-o", str(out)]) == 0
    hardware = json.loads((out / "summary.json").read_text())["hardware"]
    assert hardware["layer"] == "layers.0"
    assert hardware["bit_exact"] is True
    assert "layers.0.self_attn.transpose" in (out / "hardware" / "report.json").read_text()
