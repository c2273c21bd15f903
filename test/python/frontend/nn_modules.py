"""Plain torch.nn test modules with seeded weights."""

from __future__ import annotations

import torch
from torch import nn


def seeded(build, seed: int = 0):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build().eval()


def inputs(*shape: int, seed: int = 1) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


class MLP(nn.Module):
    def __init__(self, dim: int = 48, hidden: int = 96):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)
        self.norm = nn.LayerNorm(dim)

    def forward(self, x):
        return self.norm(x + self.fc2(self.act(self.fc1(x))))


class SelfAttention(nn.Module):
    def __init__(self, dim: int = 32, heads: int = 4):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)

    def forward(self, x):
        return self.attn(x, x, x, need_weights=False)[0]


def plain_modules() -> dict:
    return {
        "linear": (seeded(lambda: nn.Linear(24, 40)), (inputs(3, 5, 24),)),
        "mlp": (seeded(MLP), (inputs(2, 7, 48),)),
        "multihead_attention": (seeded(SelfAttention), (inputs(2, 6, 32),)),
        "transformer_encoder_layer": (
            seeded(lambda: nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True)),
            (inputs(2, 6, 32),)),
    }
