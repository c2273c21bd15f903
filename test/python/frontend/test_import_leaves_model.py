"""import_model leaves the user's model exactly as it found it: the training flag of every
submodule, parameters (values, identity, requires_grad), buffers, attributes and config."""

from __future__ import annotations

import copy

import torch
from torch import nn

from mase_mlir.frontend import import_to_text
from mase_mlir.frontend.models import gpt2_tiny


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(16, 16)
        self.norm = nn.LayerNorm(16)
        self.drop = nn.Dropout(0.5)
        self.register_buffer("scale", torch.linspace(0.5, 1.5, 16))

    def forward(self, x):
        return self.drop(torch.relu(self.norm(self.fc(x)) * self.scale))


class Wrapper(nn.Module):
    """A new nn.Module is in training mode; its children were put in eval mode."""

    def __init__(self) -> None:
        super().__init__()
        self.body = Block().eval()
        self.head = nn.Linear(16, 4)
        self.head.train()  # one child stays in training mode on purpose

    def forward(self, x):
        return self.head(self.body(x))


def snapshot(model: nn.Module) -> dict:
    return {
        "modes": {name: m.training for name, m in model.named_modules()},
        "params": {n: (id(p), p.requires_grad, p.detach().clone(), p.grad)
                   for n, p in model.named_parameters()},
        "buffers": {n: b.clone() for n, b in model.named_buffers()},
        "attrs": {name: sorted(vars(m)) for name, m in model.named_modules()},
        "hooks": {name: (len(m._forward_hooks), len(m._forward_pre_hooks))
                  for name, m in model.named_modules()},
    }


def assert_same(before: dict, after: dict) -> None:
    assert after["modes"] == before["modes"]
    assert after["attrs"] == before["attrs"]
    assert after["hooks"] == before["hooks"]
    assert after["params"].keys() == before["params"].keys()
    for name, (ident, grad_flag, value, grad) in before["params"].items():
        a_ident, a_flag, a_value, a_grad = after["params"][name]
        assert (a_ident, a_flag, a_grad) == (ident, grad_flag, grad), name
        assert torch.equal(a_value, value), name
    assert after["buffers"].keys() == before["buffers"].keys()
    for name, value in before["buffers"].items():
        assert torch.equal(after["buffers"][name], value), name


def test_training_wrapper_around_eval_children_keeps_every_mode():
    torch.manual_seed(0)
    model = Wrapper()
    x = torch.randn(4, 16)
    assert model.training and not model.body.training and model.head.training
    before = snapshot(model)
    torch.manual_seed(1)
    out_before = model(x)  # dropout off in the eval-mode body: deterministic
    import_to_text(model, (x,))
    assert_same(before, snapshot(model))
    torch.manual_seed(1)
    assert torch.equal(model(x), out_before)


def test_training_model_with_dropout_stays_in_training_mode():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.Dropout(0.5), nn.Linear(8, 2))
    assert model.training
    before = snapshot(model)
    import_to_text(model, (torch.randn(2, 8),))
    assert_same(before, snapshot(model))
    assert all(m.training for m in model.modules())


def test_transformers_model_and_config_unchanged():
    model, inputs = gpt2_tiny(layers=1)
    model.transformer.h[0].train()  # a mixed state the import must not "fix"
    config = copy.deepcopy(model.config.to_dict())
    before = snapshot(model)
    import_to_text(model, inputs)
    assert_same(before, snapshot(model))
    assert model.config.to_dict() == config
