"""mx-kernel-loop on plain torch modules with the structures real models have: several carried
values, values escaping from the middle of a chain, shared weights, two chains, a prologue
between layers."""

from __future__ import annotations

import pytest
import torch
from rewrite_helpers import assert_bitwise, assign, kernel_loop_available
from torch import nn

from mase_mlir import interp, passes
from mase_mlir.frontend import import_to_text
from mase_mlir.report import build_report, count_ops

pytestmark = pytest.mark.skipif(not kernel_loop_available(),
                                reason="mx-kernel-loop is not registered in this build")

DIM = 32
MX = {"default": {"input": "mxint<8,8,16>", "weight": "mxint<6,8,16>", "output": "f32"}}


def _seeded(build, seed=0):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build().eval()


class Block(nn.Module):
    def __init__(self, dim: int = DIM):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        return self.norm(x + torch.relu(self.fc(x)))


class TwoStream(nn.Module):
    """Each layer reads and updates two values (hidden state and a running residual)."""

    def __init__(self, layers: int = 4):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(layers))
        self.gates = nn.ModuleList(nn.Linear(DIM, DIM) for _ in range(layers))

    def forward(self, x):
        h, r = x, 0.5 * x
        for block, gate in zip(self.blocks, self.gates, strict=True):
            h, r = block(h + r), r + torch.sigmoid(gate(h))
        return h * r


class AllHidden(nn.Module):
    """Returns every layer's output (values escape from the middle of the chain)."""

    def __init__(self, layers: int = 4):
        super().__init__()
        self.blocks = nn.ModuleList(Block() for _ in range(layers))

    def forward(self, x):
        outs = []
        for block in self.blocks:
            x = block(x)
            outs.append(x)
        return tuple(outs)


class Shared(nn.Module):
    """One block applied four times (ALBERT-style shared weights)."""

    def __init__(self):
        super().__init__()
        self.block = Block()

    def forward(self, x):
        for _ in range(4):
            x = self.block(x)
        return x


class TwoChains(nn.Module):
    """Three blocks of width 32, a projection, three blocks of width 64."""

    def __init__(self):
        super().__init__()
        self.first = nn.ModuleList(Block(DIM) for _ in range(3))
        self.proj = nn.Linear(DIM, 2 * DIM)
        self.second = nn.ModuleList(Block(2 * DIM) for _ in range(3))

    def forward(self, x):
        for block in self.first:
            x = block(x)
        x = self.proj(x)
        for block in self.second:
            x = block(x)
        return x


MODELS = {"two-stream": TwoStream, "all-hidden": AllHidden, "shared": Shared,
          "two-chains": TwoChains}


def _text(name: str) -> tuple[str, list]:
    x = torch.randn(2, 4, DIM, generator=torch.Generator().manual_seed(3))
    return import_to_text(_seeded(MODELS[name]), (x,)), [x.numpy()]


@pytest.mark.parametrize("config", ["float", "mx"])
@pytest.mark.parametrize("name", MODELS)
def test_structures_are_bit_identical(name, config):
    text, inputs = _text(name)
    cfg = MX if config == "mx" else None
    module = assign(text, cfg)
    want = interp.run(module, inputs)
    before = count_ops(module)
    passes.kernel_loop(module)
    assert_bitwise(want, interp.run(module, inputs))
    passes.unroll_loops(module)
    assert count_ops(module).non_constant == before.non_constant
    assert_bitwise(want, interp.run(module, inputs))


def _loops(name: str) -> list[tuple[int, int]]:
    text, _ = _text(name)
    report = build_report(passes.kernel_loop(assign(text, None)))
    return [(loop["trip_count"], loop["carried_values"]) for loop in report["loops"]]


def test_two_carried_values():
    assert _loops("two-stream") == [(4, 2)]


def test_shared_weights_loop_without_stacking():
    text, _ = _text("shared")
    (loop,) = build_report(passes.kernel_loop(assign(text, None)))["loops"]
    assert loop["trip_count"] == 4 and loop["stacked_weights"] == 0


def test_two_chains_give_two_loops():
    assert _loops("two-chains") == [(3, 1), (3, 1)]


def test_escaping_values_prevent_a_loop_and_the_remark_says_why():
    text, _ = _text("all-hidden")
    remarks: list[passes.Diagnostic] = []
    module = passes.kernel_loop(assign(text, None), diagnostics=remarks)
    assert count_ops(module).loops == 0
    assert any("used outside the chain" in d.message for d in remarks)
