"""A stack of pre-norm residual MLP layers (LayerNorm -> Linear -> ReLU -> Linear, plus the
residual): the ops of a transformer layer's feed-forward half that the hardware builds
today, for the kernel-loop benchmark. ``make(depth, tokens)`` gives the model and its
input; the factories below fix the benchmark's depths and the prefill/decode shapes."""

import torch


class Layer(torch.nn.Module):
    def __init__(self, hidden: int, ffn: int) -> None:
        super().__init__()
        self.norm = torch.nn.LayerNorm(hidden)
        self.up = torch.nn.Linear(hidden, ffn)
        self.act = torch.nn.ReLU()
        self.down = torch.nn.Linear(ffn, hidden)

    def forward(self, x):
        return x + self.down(self.act(self.up(self.norm(x))))


class Stack(torch.nn.Module):
    def __init__(self, depth: int, hidden: int = 64, ffn: int = 128) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList(Layer(hidden, ffn) for _ in range(depth))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def make(depth: int, tokens: int):
    torch.manual_seed(depth)
    return Stack(depth).eval(), (torch.randn(tokens, 64),)
