"""The softmax unit in simulation: RTL == numerics.rows.softmax == interpreter, bit for
bit, on rows that hit the corners (equal values, huge spreads, saturated blocks, scores
so large that the grid follows the maximum, exponentials that underflow), masks that
drop the maximum, keep one position or empty whole rows, broadcast over batch and heads
or constant (causal), odd row lengths and block counts, and random flow control."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from mase_mlir import sim
from mase_mlir.backend import CompileError, compile_model
from mase_mlir.backend.units.softmax import mask_addressing
from mase_mlir.numerics import quantize


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    assert shutil.which("verilator"), "verilator must be installed (make setup installs it)"
    return tmp_path_factory.mktemp("softmax")


def scores(rng: np.random.Generator, shape: tuple[int, ...], fmt: str):
    """One kind of row per row index (see the module docstring)."""
    n = shape[-1]
    flat = rng.standard_normal((int(np.prod(shape[:-1])), n))
    for r in range(flat.shape[0]):
        kind = r % 9
        if kind == 0:
            flat[r] *= 2.0 ** rng.integers(-12, 13, size=n)
        elif kind == 1:
            flat[r] = rng.standard_normal() * 4  # all equal
        elif kind == 2:
            flat[r] *= 2.0 ** -30
            flat[r, rng.integers(n)] = 2.0 ** 40  # one huge score
        elif kind == 3:
            flat[r] = 0.0
        elif kind == 4:
            flat[r] = 2.0 ** 50 * (1 + flat[r] * 2.0 ** -20)  # g follows the maximum
        elif kind == 5:
            flat[r] *= 2.0 ** -60
        elif kind == 6:
            flat[r] = np.where(rng.random(n) < 0.5, 127.0, -127.0) * 2.0 ** 3  # saturating
        elif kind == 7:
            flat[r] = np.where(np.arange(n) % 2, 1.0, -1.0) * 2.0 ** rng.integers(0, 12)
        else:
            flat[r] = -np.abs(flat[r]) * 40  # every exponential but one underflows
    return quantize(flat.reshape(shape).astype(np.float32), fmt)


def masks(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Random masks with, per row kind, an emptied row, one kept position, the row's
    first half dropped, everything kept."""
    n = shape[-1]
    flat = rng.random((int(np.prod(shape[:-1])), n)) < 0.6
    for r in range(flat.shape[0]):
        kind = r % 5
        if kind == 0:
            flat[r] = False
        elif kind == 1:
            flat[r] = False
            flat[r, rng.integers(n)] = True
        elif kind == 2:
            flat[r, : n // 2] = False
        elif kind == 3:
            flat[r] = True
    return flat.reshape(shape)


def _text(shape, mask, fx, fo, constant=None) -> str:
    dims = "x".join(map(str, shape))
    tx, to = f"!mx.tensor<{dims}x{fx}>", f"!mx.tensor<{dims}x{fo}>"
    axis = len(shape) - 1
    if mask is None:
        return (f"func.func @softmax(%x: {tx}) -> {to} {{\n"
                f"  %y = mx.softmax %x {{axis = {axis} : i64}} : {tx} -> {to}\n"
                f"  return %y : {to}\n}}\n")
    tm = f"tensor<{'x'.join(map(str, mask))}xi1>"
    if constant is not None:
        head = f"%x: {tx}"
        define = f"  %m = arith.constant dense<{_nested(constant)}> : {tm}\n"
    else:
        head, define = f"%x: {tx}, %m: {tm}", ""
    return (f"func.func @softmax({head}) -> {to} {{\n{define}"
            f"  %y = mx.softmax %x, mask = %m {{axis = {axis} : i64}} : {tx}, {tm} -> {to}\n"
            f"  return %y : {to}\n}}\n")


def _nested(a: np.ndarray) -> str:
    if a.ndim == 0:
        return "true" if a else "false"
    return "[" + ", ".join(_nested(x) for x in a) + "]"


#: name: (input shape, mask shape or None, input format, output format)
CASES = {
    # MiniLM's attention: the mask broadcast over heads, two blocks per row.
    "heads_mask": ((2, 3, 4, 32), (2, 1, 4, 32), "mxint<8,8,16>", "mxint<8,8,16>"),
    # A row of one block of 17 (a one-word row buffer), output blocks of 17.
    "odd_17": ((5, 17), (5, 17), "mxint<8,8,17>", "mxint<8,8,17>"),
    # Unmasked rows of one block: the next row arrives and is prepared while the last
    # results drain (the unit once cleared the sum under them).
    "one_block_10": ((8, 10, 10), None, "mxint<8,8,10>", "mxint<8,8,10>"),
    "one_element": ((4, 3, 1), None, "mxint<8,8,1>", "mxint<8,8,1>"),
    # 33 = 3 blocks of 11; output blocks of 3; a [1, N] mask broadcast to every row.
    "odd_33": ((2, 3, 33), (1, 33), "mxint<6,8,11>", "mxint<8,8,3>"),
    # No mask; narrow input, fixed-point output (probabilities in [0, 1]).
    "plain_fixed_out": ((12, 24), None, "mxint<4,8,8>", "mxint<8,1,8>"),
    # A mask broadcast along the batch but not the queries: [1, 1, S, N].
    "query_mask": ((3, 2, 5, 20), (5, 20), "mxint<8,8,4>", "mxint<5,8,10>"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_softmax_bit_exact(work, name):
    shape, mshape, fx, fo = CASES[name]
    src = work / f"{name}.mlir"
    src.write_text(_text(shape, mshape, fx, fo))
    out = work / name
    compile_model(src, out, {"hardware": {"area": False}})
    for seed in range(2):
        rng = np.random.default_rng(seed)
        args = {0: scores(rng, shape, fx)}
        if mshape is not None:
            args[1] = masks(rng, mshape)
        for stall_in, stall_out in ((0, 0), (30, 40), (0, 70)):
            res = sim.run(out, args, seed=seed, stall_in=stall_in, stall_out=stall_out)
            assert res.ok, res.first_mismatch
            assert res.interpreter == "compared"
    report = json.loads((out / "report.json").read_text())
    (unit,) = report["units"]
    rows = int(np.prod(shape[:-1]))
    assert unit["ideal_cycles"] == rows * unit["cycles_per_row"]
    # Every row read twice, one element per cycle, plus its blocks and a few cycles.
    assert res.cycles <= report["ideal_cycles"] * 3 // 2 + 100


def test_constant_causal_mask(work):
    """A constant mask (llama's causal mask) fills a bit memory from the constant."""
    shape, fx = (1, 4, 16, 16), "mxint<8,8,16>"
    causal = np.tril(np.ones((16, 16), dtype=bool))[None, None]
    src = work / "causal.mlir"
    src.write_text(_text(shape, causal.shape, fx, fx, constant=causal))
    out = work / "causal"
    compile_model(src, out, {"hardware": {"area": False}})
    manifest = json.loads((out / "manifest.json").read_text())
    (mem,) = manifest["memories"]
    assert (mem["contents"], mem["words"], mem["data_bits"]) == ("mask_rows", 16, 16)
    words = [int(w, 16) for w in (out / mem["constant"]).read_text().split()]
    assert words == [(1 << (i + 1)) - 1 for i in range(16)]
    for seed in range(2):
        res = sim.run(out, {0: scores(np.random.default_rng(seed), shape, fx)}, seed=seed,
                      stall_in=20, stall_out=30)
        assert res.ok, res.first_mismatch
    report = json.loads((out / "report.json").read_text())
    assert report["external_memory_bits"] == 16 * 16


def test_mask_addressing():
    """The mask row address of each input row: row-major over the mask's rows,
    standing still along broadcast dimensions."""
    for shape, mask in (((2, 3, 4, 8), (2, 1, 4, 8)), ((3, 2, 5, 8), (5, 8)),
                        ((2, 3, 8), (1, 8)), ((4, 2, 3, 8), (4, 1, 1, 8)),
                        ((2, 2, 2, 8), (2, 2, 2, 8))):
        words, dims = mask_addressing(shape, mask)
        lead = shape[:-1]
        mlead = (1,) * (len(shape) - len(mask)) + mask[:-1]
        want = np.broadcast_to(np.arange(words).reshape(mlead), lead).ravel()
        addr, got = 0, []
        index = [0] * len(dims)
        for _ in range(len(want)):
            got.append(addr)
            k = len(dims) - 1
            while k >= 0 and index[k] == dims[k][0] - 1:
                index[k] = 0
                k -= 1
            if k < 0:
                addr = 0
            else:
                index[k] += 1
                addr += dims[k][1]
        assert got == list(want), (shape, mask)


FACTORY = '''
import torch


class Attention(torch.nn.Module):
    """One attention head; padding positions (mask False) get no weight."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(40, 32)
        self.q = torch.nn.Linear(32, 16)
        self.k = torch.nn.Linear(32, 16)
        self.v = torch.nn.Linear(32, 16)

    def forward(self, ids, mask):
        x = self.embed(ids)
        q, k, v = (proj(x)[:, None] for proj in (self.q, self.k, self.v))
        return torch.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=mask[:, None, None, :])


def make():
    torch.manual_seed(0)
    ids = torch.randint(0, 40, (2, 16))
    mask = torch.ones(2, 16, dtype=torch.bool)
    mask[1, 9:] = False  # the second sequence is padded
    return Attention().eval(), (ids, mask)
'''


@pytest.fixture(scope="module")
def attention(work) -> Path:
    from mase_mlir.cli.main import main as mase_main

    (work / "att.py").write_text(FACTORY)
    model = work / "att.mlir"
    assert mase_main(["import", f"{work / 'att.py'}:make", "-o", str(model), "-q"]) == 0
    assert "mx.softmax" in model.read_text() and "mask =" in model.read_text()
    return model


def test_torch_masked_softmax_through_the_cli(work, attention):
    """mase import of a PyTorch masked attention + a config with MX outputs + mase
    compile --config + mase sim on the model's own activations (the mask computed on
    the host, loaded into the unit's bit memory)."""
    import torch

    from mase_mlir.cli.main import main as mase_main

    model = attention
    cfg = work / "att.json"
    fmt = "mxint<8,8,16>"
    cfg.write_text(json.dumps({"default": {"input": fmt, "weight": fmt, "bias": fmt,
                                           "output": fmt},
                               "hardware": {"area": False}}))
    out = work / "att"
    assert mase_main(["compile", str(model), "--config", str(cfg), "-o", str(out), "-q"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert "mxhw.softmax" in [u["op"] for u in report["units"]]
    manifest = json.loads((out / "manifest.json").read_text())
    assert [m["format"] for m in manifest["memories"] if m["contents"] == "mask_rows"] == ["i1"]
    torch.manual_seed(0)
    ids = torch.randint(0, 40, (2, 16))
    mask = torch.ones(2, 16, dtype=torch.bool)
    mask[1, 9:] = False
    res = sim.run(out, sim.model_arguments(out, [ids.numpy(), mask.numpy()]), stall_in=20,
                  stall_out=30)
    assert res.ok, res.first_mismatch
    assert res.interpreter == "compared"
    assert mase_main(["sim", str(out)]) == 0


def test_block_size_that_does_not_divide_the_rows(work):
    """With MXINT8 (blocks of 32) rows of 48 cannot be blocked: the precision pass leaves
    the softmax f32 with a warning, and the compile error carries that warning."""
    src = work / "rows48.mlir"
    src.write_text("""
func.func @forward(%x: tensor<4x96xf32>) -> tensor<4x96xf32> {
  %w = arith.constant dense<0.125> : tensor<96x96xf32>
  %y = mx.linear %x, %w {name = "proj"} : (tensor<4x96xf32>, tensor<96x96xf32>) -> tensor<4x96xf32>
  %s = mx.reshape %y {name = "heads"} : tensor<4x96xf32> -> tensor<4x2x48xf32>
  %p = mx.softmax %s {axis = 2 : i64, name = "softmax"} : tensor<4x2x48xf32> -> tensor<4x2x48xf32>
  %m = mx.reshape %p {name = "merge"} : tensor<4x2x48xf32> -> tensor<4x96xf32>
  %z = mx.linear %m, %w {name = "out"} : (tensor<4x96xf32>, tensor<96x96xf32>) -> tensor<4x96xf32>
  return %z : tensor<4x96xf32>
}
""")
    config = {"default": {"input": "mxint8", "output": "mxint8", "weight": "mxint8"},
              "hardware": {"area": False}}
    with pytest.raises(CompileError) as err:
        compile_model(src, work / "rows48", config)
    text = str(err.value)
    assert "rows48.mlir:6:8: error: the result must be an MX tensor" in text
    assert ("rows48.mlir:6:8: note: the precision config: output stays f32: its blocked "
            "dimension 48 (axis 2) is not a multiple of the block size of mxint8") in text
    assert not (work / "rows48").exists()
