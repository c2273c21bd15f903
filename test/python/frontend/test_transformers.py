"""Bundled transformer models: interpreter output matches PyTorch; names; round trip."""

from __future__ import annotations

import functools

import pytest
from helpers import assert_close, mx_ops, round_trip, torch_outputs

from mase_mlir import interp
from mase_mlir.context import parse_module
from mase_mlir.frontend import import_to_text
from mase_mlir.frontend.models import load_model

pytestmark = pytest.mark.slow

MODELS = ["minilm", "llama-tiny", "opt-tiny", "gpt2-tiny"]


@functools.cache
def imported(name: str):
    model, inputs = load_model(name)
    return model, inputs, import_to_text(model, inputs)


@pytest.mark.parametrize("name", MODELS)
def test_matches_pytorch(name):
    model, inputs, text = imported(name)
    out = interp.run(parse_module(text), [x.numpy() for x in inputs])
    assert_close(torch_outputs(model, inputs), out)


@pytest.mark.parametrize("name", MODELS)
def test_names_on_every_op(name):
    _, _, text = imported(name)
    module = parse_module(text)  # keep the module alive while its ops are used
    ops = mx_ops(module)
    names = [str(op.attributes["name"]).strip('"') for op in ops]
    assert all(names) and len(set(names)) == len(names)


def test_module_path_names():
    _, _, text = imported("minilm")
    for name in ("encoder.layer.3.attention.self.query", "encoder.layer.5.output.dense",
                 "encoder.layer.0.attention.self.attention.softmax", "embeddings.LayerNorm",
                 "encoder.layer.2.intermediate.intermediate_act_fn", "pooler.activation"):
        assert f'name = "{name}"' in text, name


@pytest.mark.parametrize("name", ["llama-tiny", "gpt2-tiny"])
def test_round_trip_through_mase_opt(name, tmp_path):
    model, inputs, text = imported(name)
    out = interp.run(parse_module(round_trip(text, tmp_path)), [x.numpy() for x in inputs])
    assert_close(torch_outputs(model, inputs), out)


@pytest.mark.parametrize("layers", [1, 3])
def test_llama_layer_counts_and_odd_shapes(layers):
    model, inputs = load_model("llama-tiny", layers=layers, hidden=96, seq=7)
    out = interp.run(parse_module(import_to_text(model, inputs)), [x.numpy() for x in inputs])
    assert_close(torch_outputs(model, inputs), out)
