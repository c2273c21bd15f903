"""Elementwise units in hardware, bit-exact against numerics and the interpreter.

Few designs, many checks each: every design has several units and results (each
result is compared code by code), driven with adversarial data (zero blocks, scale
spreads of 2^+-40, exact powers of two, saturation at narrow scales, ties) and random
flow control. Simulators are cached by design hash.
"""

from __future__ import annotations

import numpy as np
import pytest

from mase_mlir import sim
from mase_mlir.backend import compile_model
from mase_mlir.backend.units.elementwise import broadcast_dims, f32_parts
from mase_mlir.numerics import Format, MXTensor, quantize


def mx_constant(name: str, q: MXTensor) -> str:
    """``%name = mx.constant ...`` holding ``q`` (blocked along its last axis)."""
    fmt = q.fmt
    shape = "x".join(map(str, q.shape))
    sshape = "x".join(map(str, q.scales.shape))
    return (f"  %{name} = mx.constant scales(dense<{q.scales.astype(int).tolist()}> : "
            f"tensor<{sshape}xui{fmt.scale_bits}>) codes(dense<{q.codes.astype(int).tolist()}> "
            f": tensor<{shape}xui{fmt.element_bits}>) : !mx.tensor<{shape}x{fmt}>")


def tensor(shape: tuple[int, ...], fmt: str) -> str:
    return f"!mx.tensor<{'x'.join(map(str, shape))}x{Format.parse(fmt)}>"


def adversarial(rng: np.random.Generator, shape: tuple[int, ...], fmt: str) -> MXTensor:
    """Rows of different kinds: wide Gaussians, zero stretches, powers of two, huge
    values (saturation at narrow scales), ties of the element grid, tiny values."""
    x = rng.standard_normal(shape) * 2.0 ** rng.integers(-8, 9, size=shape)
    flat = x.reshape(-1, x.shape[-1])
    for r in range(flat.shape[0]):
        kind = r % 6
        if kind == 1:
            flat[r, : flat.shape[1] // 2] = 0.0
        elif kind == 2:
            flat[r] = np.ldexp(1.0, rng.integers(-20, 20)) * rng.choice([-1.0, 1.0], flat.shape[1])
        elif kind == 3:
            flat[r] *= 2.0 ** rng.choice([-40, 40])
        elif kind == 4:
            flat[r] = (rng.integers(-64, 64, flat.shape[1]) + 0.5) / 8
        elif kind == 5:
            flat[r] = 0.0
    return quantize(x.astype(np.float32), fmt)


def _run(work, name: str, text: str, inputs: dict[int, tuple[tuple[int, ...], str]],
         seeds=range(3), stalls=((0, 0), (35, 45)), data=adversarial) -> None:
    src = work / f"{name}.mlir"
    src.write_text(text)
    out = work / name
    compile_model(src, out, {"hardware": {"area": False}})
    for seed in seeds:
        rng = np.random.default_rng(seed)
        args = {k: data(rng, shape, fmt) for k, (shape, fmt) in inputs.items()}
        for stall_in, stall_out in stalls:
            res = sim.run(out, args, seed=seed, stall_in=stall_in, stall_out=stall_out)
            assert res.ok, res.first_mismatch
            assert res.interpreter == "compared"


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("elementwise")


def test_broadcast_address_pattern():
    """The constant's block addresses in the result's block order, against numpy."""
    for cshape, rshape, block in [((1, 1, 16, 16), (1, 4, 16, 16), 16), ((3, 1, 24), (3, 5, 24), 8),
                                  ((5, 24), (3, 5, 24), 4), ((24,), (2, 3, 24), 12),
                                  ((2, 3, 24), (2, 3, 24), 24), ((1, 32), (4, 32), 32)]:
        dims = broadcast_dims(cshape, rshape, block)
        addrs = [0]
        counts = [0] * len(dims)
        total = int(np.prod(rshape)) // block
        for _ in range(total - 1):
            for k in range(len(dims) - 1, -1, -1):
                counts[k] += 1
                if counts[k] < dims[k][0]:
                    break
                counts[k] = 0
            addrs.append(sum(c * st for c, (_, st) in zip(counts, dims, strict=True)))
        blocks = np.arange(int(np.prod(cshape)) // block).reshape(*cshape[:-1], -1)
        want = np.broadcast_to(blocks, (*rshape[:-1], rshape[-1] // block)).reshape(-1)
        assert addrs == want.tolist(), (cshape, rshape)


def test_f32_parts_exact():
    for v in (0.17677669, -1.0, 3.0e-38, 1e-45, 6.5e4, 0.0, -0.125):
        v32 = float(np.float32(v))
        mant, exp = f32_parts(v32)
        assert mant * 2.0**exp == v32 and (mant % 2 or mant == 0)


BINARY = {
    "a": ((3, 2, 48), "mxint<8,8,16>"),
    "b": ((3, 2, 48), "mxint<6,5,8>"),
}


def test_binary_units(work):
    """add/sub/mul of two streams with different block sizes and scale widths, a
    constant broadcast from memory on either side, f32 scalars on either side, outputs
    from 4 to 8 bits and narrow scales; next to neg and cast (view islands)."""
    rng = np.random.default_rng(7)
    c = adversarial(rng, (2, 48), "mxint<4,8,24>")
    e = adversarial(rng, (3, 1, 48), "mxint<7,6,48>")
    ta, tb = tensor(*BINARY["a"]), tensor(*BINARY["b"])
    shape = BINARY["a"][0]
    tc, te = tensor((2, 48), "mxint<4,8,24>"), tensor((3, 1, 48), "mxint<7,6,48>")
    o = {k: tensor(shape, f) for k, f in {"s": "mxint<6,8,16>", "d": "mxint<8,8,48>",
                                         "p": "mxint<4,4,8>", "k": "mxint<8,8,48>",
                                         "r": "mxint<5,8,12>", "n": "mxint<5,8,4>",
                                         "c": "mxint<8,8,2>", "q": "mxint<3,8,6>",
                                         "m": "mxint<8,6,16>"}.items()}
    text = "\n".join([
        f"func.func @ew(%a: {ta}, %b: {tb}) -> ({o['s']}, {o['d']}, {o['p']}, {o['k']}, "
        f"{o['r']}, {o['c']}, {o['q']}, {o['m']}) {{",
        mx_constant("c", c),
        mx_constant("e", e),
        "  %scale = arith.constant dense<0.176776692> : tensor<f32>",
        "  %one = arith.constant dense<1.0> : tensor<1x1xf32>",
        "  %tiny = arith.constant dense<-3.0e-30> : tensor<f32>",
        f"  %s = mx.add %a, %b : ({ta}, {tb}) -> {o['s']}",
        f"  %d = mx.sub %c, %a : ({tc}, {ta}) -> {o['d']}",
        f"  %p = mx.mul %a, %b : ({ta}, {tb}) -> {o['p']}",
        f"  %k = mx.mul %scale, %s : (tensor<f32>, {o['s']}) -> {o['k']}",
        f"  %r = mx.sub %one, %k : (tensor<1x1xf32>, {o['k']}) -> {o['r']}",
        f"  %n = mx.neg %b : {tb} -> {o['n']}",
        f"  %c2 = mx.cast %n : {o['n']} -> {o['c']}",
        f"  %q = mx.sub %p, %tiny : ({o['p']}, tensor<f32>) -> {o['q']}",
        f"  %m = mx.mul %e, %r : ({te}, {o['r']}) -> {o['m']}",
        f"  return %s, %d, %p, %k, %r, %c2, %q, %m : {o['s']}, {o['d']}, {o['p']}, {o['k']}, "
        f"{o['r']}, {o['c']}, {o['q']}, {o['m']}",
        "}",
    ]) + "\n"
    _run(work, "binary", text, {0: BINARY["a"], 1: BINARY["b"]})


FIXED = {"x": ((5, 12), "mxint<8,1,4>"), "y": ((5, 12), "mxint<6,1,12>")}


def test_fixed_point_units(work):
    """Fixed-point formats (E = 1: a constant scale) in and out, odd shapes, blocks of 1."""
    tx, ty = tensor(*FIXED["x"]), tensor(*FIXED["y"])
    shape = FIXED["x"][0]
    o = {k: tensor(shape, f) for k, f in {"s": "mxint<8,1,4>", "p": "mxint<8,8,1>",
                                         "n": "mxint<4,1,3>", "r": "mxint<6,1,12>"}.items()}
    text = "\n".join([
        f"func.func @fx(%x: {tx}, %y: {ty}) -> ({o['s']}, {o['p']}, {o['n']}, {o['r']}) {{",
        "  %half = arith.constant dense<-0.5> : tensor<f32>",
        f"  %s = mx.sub %x, %y : ({tx}, {ty}) -> {o['s']}",
        f"  %p = mx.mul %x, %y : ({tx}, {ty}) -> {o['p']}",
        f"  %n = mx.add %half, %p : (tensor<f32>, {o['p']}) -> {o['n']}",
        f"  %r = mx.relu %s : {o['s']} -> {o['r']}",
        f"  return %s, %p, %n, %r : {o['s']}, {o['p']}, {o['n']}, {o['r']}",
        "}",
    ]) + "\n"
    _run(work, "fixed", text, {0: FIXED["x"], 1: FIXED["y"]})


TORCH_BLOCK = '''
import torch


class Block(torch.nn.Module):
    """A gated MLP with a scaled residual: linear units, a gate product, a scalar
    product, a residual add and a difference."""

    def __init__(self):
        super().__init__()
        self.up = torch.nn.Linear(32, 64)
        self.gate = torch.nn.Linear(32, 64)
        self.down = torch.nn.Linear(64, 32)

    def forward(self, x):
        h = torch.relu(self.up(x)) * self.gate(x)
        y = x + 0.5 * self.down(h)
        return y - torch.relu(-x)


def factory():
    torch.manual_seed(0)
    return Block().eval(), (torch.randn(4, 32),)
'''


def test_torch_module_through_the_cli(work, capsys):
    """mase import of a torch.nn module, a precision config with MX outputs, mase compile
    --config and mase sim: the elementwise units run bit-exactly in the whole design."""
    import json

    from mase_mlir.cli.main import main as mase_main

    (work / "block.py").write_text(TORCH_BLOCK)
    model = work / "block.mlir"
    assert mase_main(["import", f"{work / 'block.py'}:factory", "-o", str(model), "-q"]) == 0
    cfg = work / "block.json"
    cfg.write_text(json.dumps({
        "default": {"input": "mxint<8,8,16>", "weight": "mxint<6,8,16>",
                    "bias": "mxint<8,8,16>", "output": "mxint<8,8,16>",
                    "accumulator": "bounded<4>"},
        "hardware": {"area": False}}))
    out = work / "block"
    assert mase_main(["compile", str(model), "--config", str(cfg), "-o", str(out), "-q"]) == 0
    units = json.loads((out / "manifest.json").read_text())["units"]
    kinds = [u["op"] for u in units]  # (also the fork FIFOs and neg's view)
    for kind, count in {"mxhw.linear": 3, "mxhw.relu": 2, "mxhw.mul": 2, "mxhw.add": 1,
                        "mxhw.sub": 1}.items():
        assert kinds.count(kind) == count, (kind, kinds)
    capsys.readouterr()
    for flags in ([], ["--stall-in", "30", "--stall-out", "40", "--seed", "3"]):
        assert mase_main(["sim", str(out), *flags]) == 0
        assert "RTL == numerics == interpreter" in capsys.readouterr().out


def activation_data(rng: np.random.Generator, shape: tuple[int, ...], fmt: str) -> MXTensor:
    """Rows aimed at the activation tables: Gaussians, the range ends 2^2..2^5 exactly
    (8 and 16 are the tables' ends) and just inside them, scales 2^+-40 (asymptotes and
    inputs that round to 0), ties of the input rounding (odd multiples of 2^-17), zeros
    next to large negative inputs, a uniform sweep over +-20."""
    x = rng.standard_normal(shape) * 3
    flat = x.reshape(-1, x.shape[-1])
    n = flat.shape[1]
    for r in range(flat.shape[0]):
        kind = r % 7
        if kind == 1:
            flat[r] = np.ldexp(1.0, rng.integers(2, 6, n)) * rng.choice([-1.0, 1.0], n)
        elif kind == 2:
            ends = np.ldexp(1.0, rng.integers(3, 5, n))
            flat[r] = ends * (1 - np.ldexp(1.0, -rng.integers(3, 9, n))) * rng.choice([-1, 1], n)
        elif kind == 3:
            flat[r] *= 2.0 ** rng.choice([-40, 40])
        elif kind == 4:
            flat[r] = (2 * rng.integers(-64, 64, n) + 1) * 2.0**-17
        elif kind == 5:
            flat[r, : n // 2] = 0.0
            flat[r, n // 2:] = -rng.uniform(8, 1000, n - n // 2)
        elif kind == 6:
            flat[r] = rng.uniform(-20, 20, n)
    return quantize(x.astype(np.float32), fmt)


ACT_IN = {"x": ((7, 48), "mxint<8,8,16>"), "f": ((3, 24), "mxint<8,1,8>")}


def test_activation_units(work):
    """gelu (erf and tanh forms), silu, tanh and sigmoid from a 257-point table each on
    :func:`activation_data` (21 blocks of 16: not a power of two), a fixed-point input
    (a constant scale), outputs from 4 to 8 bits with other block sizes, a fixed-point
    output; chained (silu then a product: SwiGLU's gate); random flow control."""
    tx, tf = tensor(*ACT_IN["x"]), tensor(*ACT_IN["f"])
    sx, sf = ACT_IN["x"][0], ACT_IN["f"][0]
    o = {"g": tensor(sx, "mxint<8,8,16>"), "h": tensor(sx, "mxint<6,8,16>"),
         "s": tensor(sx, "mxint<8,8,48>"), "t": tensor(sx, "mxint<4,8,12>"),
         "p": tensor(sx, "mxint<8,1,16>"), "w": tensor(sx, "mxint<8,8,24>"),
         "fs": tensor(sf, "mxint<8,8,8>"), "ft": tensor(sf, "mxint<6,1,24>")}
    ret = ", ".join(o.values())
    text = "\n".join([
        f"func.func @act(%x: {tx}, %f: {tf}) -> ({ret}) {{",
        f"  %g = mx.gelu %x : {tx} -> {o['g']}",
        f"  %h = mx.gelu %x {{approximate = #mx.approximation<tanh>}} : {tx} -> {o['h']}",
        f"  %s = mx.silu %x : {tx} -> {o['s']}",
        f"  %t = mx.tanh %x : {tx} -> {o['t']}",
        f"  %p = mx.sigmoid %x : {tx} -> {o['p']}",
        f"  %w = mx.mul %s, %x : ({o['s']}, {tx}) -> {o['w']}",
        f"  %fs = mx.silu %f : {tf} -> {o['fs']}",
        f"  %ft = mx.tanh %f : {tf} -> {o['ft']}",
        f"  return %g, %h, %s, %t, %p, %w, %fs, %ft : {ret}",
        "}",
    ]) + "\n"
    _run(work, "act", text, {0: ACT_IN["x"], 1: ACT_IN["f"]}, data=activation_data)


TORCH_ACTIVATIONS = '''
import torch
import torch.nn.functional as F


class Block(torch.nn.Module):
    """SwiGLU (silu gate times up), both GELU forms, Linear -> GELU -> Linear, then tanh
    times sigmoid."""

    def __init__(self):
        super().__init__()
        self.gate = torch.nn.Linear(32, 48)
        self.up = torch.nn.Linear(32, 48)
        self.down = torch.nn.Linear(48, 32)

    def forward(self, x):
        h = F.silu(self.gate(x)) * self.up(x)
        y = self.down(F.gelu(h) + F.gelu(h, approximate="tanh"))
        return torch.tanh(y) * torch.sigmoid(y)


def factory():
    torch.manual_seed(0)
    return Block().eval(), (torch.randn(4, 32) * 2,)
'''


def test_torch_activations_through_the_cli(work, capsys):
    """The activations of a torch module reach the hardware: mase import, compile --config
    with MX outputs, sim bit-exact with random flow control."""
    import json

    from mase_mlir.cli.main import main as mase_main

    (work / "acts.py").write_text(TORCH_ACTIVATIONS)
    model = work / "acts.mlir"
    assert mase_main(["import", f"{work / 'acts.py'}:factory", "-o", str(model), "-q"]) == 0
    cfg = work / "acts.json"
    cfg.write_text(json.dumps({
        "default": {"input": "mxint<8,8,16>", "weight": "mxint<6,8,16>",
                    "bias": "mxint<8,8,16>", "output": "mxint<8,8,16>",
                    "accumulator": "bounded<4>"},
        "hardware": {"area": False}}))
    out = work / "acts"
    assert mase_main(["compile", str(model), "--config", str(cfg), "-o", str(out), "-q"]) == 0
    kinds = [u["op"] for u in json.loads((out / "manifest.json").read_text())["units"]]
    for kind, count in {"mxhw.linear": 3, "mxhw.silu": 1, "mxhw.mul": 2, "mxhw.gelu": 2,
                        "mxhw.tanh": 1, "mxhw.sigmoid": 1}.items():
        assert kinds.count(kind) == count, (kind, kinds)
    capsys.readouterr()
    for flags in ([], ["--stall-in", "30", "--stall-out", "40", "--seed", "3"]):
        assert mase_main(["sim", str(out), *flags]) == 0
        assert "RTL == numerics == interpreter" in capsys.readouterr().out
