"""Plain torch.nn modules: import, interpret, compare with PyTorch, names, round trip."""

from __future__ import annotations

import pytest
from helpers import assert_close, mx_ops, round_trip, torch_outputs
from nn_modules import plain_modules

from mase_mlir import interp
from mase_mlir.context import parse_module
from mase_mlir.frontend import import_model, import_to_text

MODULES = plain_modules()


@pytest.mark.parametrize("name", sorted(MODULES))
def test_matches_pytorch(name):
    model, inputs = MODULES[name]
    module = import_model(model, inputs)
    out = interp.run(module, [x.numpy() for x in inputs])
    assert_close(torch_outputs(model, inputs), out)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_op_is_named(name):
    model, inputs = MODULES[name]
    module = import_model(model, inputs)  # keep the module alive while its ops are used
    ops = mx_ops(module)
    names = [str(op.attributes["name"]).strip('"') for op in ops]
    assert ops and all(names)
    assert len(set(names)) == len(names)


def test_linear_is_named_after_its_module():
    model, inputs = MODULES["mlp"]
    text = import_to_text(model, inputs)
    assert 'name = "fc1"' in text and 'name = "fc2"' in text and 'name = "norm"' in text
    assert 'name = "act"' in text


@pytest.mark.parametrize("name", sorted(MODULES))
def test_round_trip_through_mase_opt(name, tmp_path):
    model, inputs = MODULES[name]
    text = import_to_text(model, inputs)
    printed = round_trip(text, tmp_path)
    out = interp.run(parse_module(printed), [x.numpy() for x in inputs])
    assert_close(torch_outputs(model, inputs), out)


def test_output_is_deterministic():
    model, inputs = MODULES["transformer_encoder_layer"]
    assert import_to_text(model, inputs) == import_to_text(model, inputs)
