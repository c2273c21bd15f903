"""Attention's data movement in hardware: batch_matmul with two streamed operands and the
shape ops (head split and merge, K^T, the value re-blocked along the tokens, grouped-query
key/value heads, rotate_half, the fused qkv slice) as views and reblocks.

Every design is simulated with adversarial data and random flow control; RTL ==
numerics == interpreter, bit for bit. Sizes are odd on purpose: head counts that are not
powers of two, token counts that are not multiples of the activations' block size, GQA
ratio 3, contractions whose block sizes differ.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_hardware import _compile, _lint, _sim_many, adversarial

from mase_mlir.cli.main import main as mase_main


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    assert shutil.which("verilator"), "verilator must be installed (make setup installs it)"
    return tmp_path_factory.mktemp("attention")


def _t(shape: tuple[int, ...], fmt: str, axis: int | None = None) -> str:
    dims = "x".join(str(d) for d in shape)
    tail = f", axis = {axis}" if axis is not None and axis != len(shape) - 1 else ""
    return f"!mx.tensor<{dims}x{fmt}{tail}>"


def _f(shape: tuple[int, ...]) -> str:
    return "tensor<" + "x".join(str(d) for d in shape) + "xf32>"


class Ir:
    """A little writer of post-precision mx functions (what `mase compile --config` makes)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def op(self, text: str) -> str:
        self.n += 1
        name = f"%v{self.n}"
        self.lines.append(f"  {name} = {text}")
        return name

    def deq(self, x: str, shape, fmt, axis=None) -> str:
        return self.op(f"mx.dequantize {x} : {_t(shape, fmt, axis)} -> {_f(shape)}")

    def q(self, x: str, shape, fmt, axis=None) -> str:
        return self.op(f"mx.quantize {x} : {_f(shape)} -> {_t(shape, fmt, axis)}")

    def reshape(self, x: str, a, b) -> str:
        return self.op(f"mx.reshape {x} : {_f(a)} -> {_f(b)}")

    def transpose(self, x: str, a, perm) -> str:
        b = tuple(a[p] for p in perm)
        p = ", ".join(str(i) for i in perm)
        return self.op(f"mx.transpose {x} {{permutation = array<i64: {p}>}} : {_f(a)} -> {_f(b)}")

    def bmm(self, a, b, ta, tb, to, name, acc="bounded<4>") -> str:
        attrs = f"acc = #mx.acc<{acc}>, " if acc else ""
        return self.op(f"mx.batch_matmul {a}, {b} {{{attrs}name = \"{name}\"}} : "
                       f"({ta}, {tb}) -> {to}")

    def func(self, name: str, args: list[str], result: str, rtype: str) -> str:
        sig = ", ".join(f"%a{i}: {t}" for i, t in enumerate(args))
        return (f"func.func @{name}({sig}) -> {rtype} {{\n" + "\n".join(self.lines)
                + f"\n  return {result} : {rtype}\n}}\n")


def attention(t: int, heads: int, kv_heads: int, d: int, fa: str, fs: str, fv: str,
              fo: str, acc: str | None = "bounded<4>") -> str:
    """Q.K^T and P.V per head (softmax-free) with heads split from and merged into
    [T, H*D] activations; K/V heads shared by H/KV query heads (repeat_kv)."""
    g = heads // kv_heads
    ir = Ir()

    def split(x: str, h: int) -> str:
        f = ir.deq(x, (t, h * d), fa)
        f = ir.reshape(f, (t, h * d), (t, h, d))
        return ir.transpose(f, (t, h, d), (1, 0, 2))

    def repeat(x: str) -> str:  # [KV, T, D] -> [H, T, D]
        if g == 1:
            return x
        x = ir.reshape(x, (kv_heads, t, d), (kv_heads, 1, t, d))
        x = ir.op(f"mx.broadcast {x} : {_f((kv_heads, 1, t, d))} -> {_f((kv_heads, g, t, d))}")
        return ir.reshape(x, (kv_heads, g, t, d), (heads, t, d))

    q = ir.q(split("%a0", heads), (heads, t, d), fa)
    k = repeat(split("%a1", kv_heads))
    kt = ir.transpose(k, (heads, t, d), (0, 2, 1))
    k = ir.q(kt, (heads, d, t), fa, axis=1)
    s = ir.bmm(q, k, _t((heads, t, d), fa), _t((heads, d, t), fa, 1), _t((heads, t, t), fs),
               "scores", acc)
    v = ir.q(repeat(split("%a2", kv_heads)), (heads, t, d), fv, axis=1)
    o = ir.bmm(s, v, _t((heads, t, t), fs), _t((heads, t, d), fv, 1), _t((heads, t, d), fo),
               "context", acc)
    o = ir.deq(o, (heads, t, d), fo)
    o = ir.transpose(o, (heads, t, d), (1, 0, 2))
    o = ir.reshape(o, (t, heads, d), (t, heads * d))
    y = ir.q(o, (t, heads * d), fo)
    return ir.func("attn", [_t((t, heads * d), fa), _t((t, kv_heads * d), fa),
                            _t((t, kv_heads * d), fa)], y, _t((t, heads * d), fo))


def _hw(out: Path) -> str:
    return (out / "hw.mlir").read_text()


# name: (tokens, heads, kv heads, head dim, activations, scores, value, output, acc)
ATTENTION = {
    # MiniLM-like blocking, 3 heads, 12 tokens: scores blocked by 4 along the tokens.
    "heads3_t12": (12, 3, 3, 16, "mxint<8,8,16>", "mxint<8,8,4>", "mxint<8,8,4>",
                   "mxint<8,8,16>", "bounded<4>"),
    # Grouped-query attention: 6 query heads share 2 key/value heads (ratio 3); the
    # contraction over the tokens mixes block sizes (scores 5, value 5) and narrow formats.
    "gqa6_2": (10, 6, 2, 8, "mxint<6,8,8>", "mxint<5,6,5>", "mxint<6,8,5>", "mxint<4,8,8>",
               "exact"),
}


@pytest.mark.parametrize("name", sorted(ATTENTION))
def test_attention_heads(work, name):
    t, h, kv, d, fa, fs, fv, fo, acc = ATTENTION[name]
    out = _compile(work, f"attn_{name}", attention(t, h, kv, d, fa, fs, fv, fo, acc))
    hw = _hw(out)
    # Q.K^T reads K through the head split (no transposition left), the value is
    # re-blocked along the tokens, K/V heads are read once per group of query heads.
    assert hw.count("mxhw.batch_matmul") == 2 and hw.count("mxhw.reblock") == 1
    assert f"!mxhw.stream<{_t((kv, t, d), fa)}>" in hw
    _lint(out / "attn.sv", "attn")

    def make(rng):
        return {0: adversarial(rng, (t, h * d), fa, spread=6),
                1: adversarial(rng, (t, kv * d), fa, spread=6),
                2: adversarial(rng, (t, kv * d), fa, spread=6)}

    _sim_many(out, make, seeds=range(2))


BMM = """
func.func @bmm(%a: {ta}, %b: {tb}) -> {to} {{
  %y = mx.batch_matmul %a, %b {{acc = #mx.acc<{acc}>, name = "bmm"}} : ({ta}, {tb}) -> {to}
  return %y : {to}
}}
"""


@pytest.mark.parametrize("acc", ["bounded<1>", "exact"])
def test_batch_matmul_streamed_operands(work, acc):
    """Both operands are function arguments: the rhs arrives blocked along K in [K, N]
    order and is transposed by a reorder buffer; 5 batches, M = 3, K = 24, N = 6."""
    b, m, k, n = 5, 3, 24, 6
    fa, fb, fo = "mxint<8,8,8>", "mxint<5,8,4>", "mxint<6,8,6>"
    text = BMM.format(ta=_t((b, m, k), fa), tb=_t((b, k, n), fb, 1), to=_t((b, m, n), fo),
                      acc=acc)
    out = _compile(work, f"bmm_{acc.replace('<', '').replace('>', '')}", text)
    assert "mxhw.view" in _hw(out)
    _lint(out / "bmm.sv", "bmm")
    _sim_many(out, lambda rng: {0: adversarial(rng, (b, m, k), fa),
                                1: adversarial(rng, (b, k, n), fb, axis=1)})
    report = json.loads((out / "report.json").read_text())
    assert report["ideal_cycles"] > 0


ROTATE_HALF = """
func.func @rot(%x: {tx}, %y: {tx}) -> {tc} {{
  %f = mx.dequantize %x : {tx} -> {f2}
  %h = mx.reshape %f : {f2} -> {f3}
  %lo = mx.slice %h {{offsets = array<i64: 0, 0, 0>, sizes = array<i64: {t}, {h}, {half}>, strides = array<i64: 1, 1, 1>}} : {f3} -> {fh}
  %hi = mx.slice %h {{offsets = array<i64: 0, 0, {half}>, sizes = array<i64: {t}, {h}, {half}>, strides = array<i64: 1, 1, 1>}} : {f3} -> {fh}
  %n = mx.neg %hi : {fh} -> {fh}
  %r = mx.concat %n, %lo {{axis = 2 : i64}} : ({fh}, {fh}) -> {f3}
  %r2 = mx.reshape %r : {f3} -> {f2}
  %g = mx.dequantize %y : {tx} -> {f2}
  %c = mx.concat %r2, %g {{axis = 0 : i64}} : ({f2}, {f2}) -> {fc}
  %q = mx.quantize %c {{name = "rope.rotate_half"}} : {fc} -> {tc}
  return %q : {tc}
}}
"""


def test_rotate_half_and_concat_are_one_view(work):
    """Llama's rotate_half (slice, neg, concat inside each head) and a concatenation of two
    streams along the tokens: one view, elements permuted and negated inside their blocks,
    nothing rounded. 3 heads of 16, 5 tokens."""
    t, h, d = 5, 3, 16
    fx = "mxint<8,8,16>"
    text = ROTATE_HALF.format(tx=_t((t, h * d), fx), tc=_t((2 * t, h * d), fx),
                              f2=_f((t, h * d)), f3=_f((t, h, d)), fh=_f((t, h, d // 2)),
                              fc=_f((2 * t, h * d)), t=t, h=h, half=d // 2)
    out = _compile(work, "rotate_half", text)
    hw = _hw(out)
    assert hw.count("mxhw.view") == 1 and "mxhw.reblock" not in hw and "negate" in hw
    _lint(out / "rot.sv", "rot")
    _sim_many(out, lambda rng: {0: adversarial(rng, (t, h * d), fx),
                                1: adversarial(rng, (t, h * d), fx)}, seeds=range(2))


FUSED_QKV = """
func.func @qkv(%x: {tx}) -> {ts} {{
  %f = mx.dequantize %x : {tx} -> {fx}
  %q = mx.slice %f {{offsets = array<i64: 0, 0>, sizes = array<i64: {t}, {hd}>, strides = array<i64: 1, 1>}} : {fx} -> {f2}
  %k = mx.slice %f {{offsets = array<i64: 0, {hd}>, sizes = array<i64: {t}, {hd}>, strides = array<i64: 1, 1>}} : {fx} -> {f2}
  %q3 = mx.reshape %q : {f2} -> {f3}
  %qh = mx.transpose %q3 {{permutation = array<i64: 1, 0, 2>}} : {f3} -> {fh}
  %qm = mx.quantize %qh : {fh} -> {th}
  %k3 = mx.reshape %k : {f2} -> {f3}
  %kt = mx.transpose %k3 {{permutation = array<i64: 1, 2, 0>}} : {f3} -> {fkt}
  %km = mx.quantize %kt : {fkt} -> {tkt}
  %s = mx.batch_matmul %qm, %km {{acc = #mx.acc<bounded<4>>, name = "attn.scores"}} : ({th}, {tkt}) -> {ts}
  return %s : {ts}
}}
"""


def test_gpt2_fused_qkv_slices(work):
    """GPT-2's c_attn output [T, 3*H*D] sliced into q and k, heads split: views of one
    stream feed both operands of Q.K^T (a fork). 5 heads of 8, 6 tokens."""
    t, h, d = 6, 5, 8
    fx, fs = "mxint<8,8,8>", "mxint<8,8,6>"
    text = FUSED_QKV.format(tx=_t((t, 3 * h * d), fx), fx=_f((t, 3 * h * d)),
                            f2=_f((t, h * d)), f3=_f((t, h, d)), fh=_f((h, t, d)),
                            th=_t((h, t, d), fx), fkt=_f((h, d, t)), tkt=_t((h, d, t), fx, 1),
                            ts=_t((h, t, t), fs), t=t, hd=h * d)
    out = _compile(work, "fused_qkv", text)
    assert _hw(out).count("mxhw.view") == 2
    _lint(out / "qkv.sv", "qkv")
    _sim_many(out, lambda rng: {0: adversarial(rng, (t, 3 * h * d), fx, spread=6)},
              seeds=range(2))


FACTORY = '''
import torch
from torch import nn


class Attention(nn.Module):
    """Q.K^T and P.V per head (softmax-free), heads split from and merged into [T, H*D]."""

    def __init__(self, heads: int, head_dim: int) -> None:
        super().__init__()
        self.heads, self.head_dim = heads, head_dim

    def forward(self, q, k, v):
        t = q.shape[0]

        def split(x):
            return x.view(t, self.heads, self.head_dim).transpose(0, 1)

        s = split(q) @ split(k).transpose(-1, -2)
        o = s @ split(v)
        return o.transpose(0, 1).reshape(t, self.heads * self.head_dim)


def make():
    torch.manual_seed(0)
    return Attention(3, 16), tuple(torch.randn(12, 48) for _ in range(3))
'''


def test_pytorch_attention_module_through_the_cli(work, capsys):
    """A torch module doing q @ k^T and @ v with head split and merge: mase import, a
    precision config with MX outputs, mase compile --config, mase sim (bit-exact on the
    imported example inputs)."""
    factory = work / "attention_model.py"
    factory.write_text(FACTORY)
    model, cfg, out = work / "attention.mlir", work / "attention.json", work / "attention_hw"
    assert mase_main(["import", f"{factory}:make", "-o", str(model), "-q"]) == 0
    cfg.write_text(json.dumps({"default": {"input": "mxint<8,8,4>", "output": "mxint<6,8,4>",
                                           "accumulator": "bounded<4>"},
                               "hardware": {"area": False}}))
    assert mase_main(["compile", str(model), "--config", str(cfg), "-o", str(out), "-q"]) == 0
    hw = _hw(out)
    assert hw.count("mxhw.batch_matmul") == 2
    capsys.readouterr()
    assert mase_main(["sim", str(out)]) == 0
    assert "RTL == numerics == interpreter" in capsys.readouterr().out


CONCAT_REBLOCK = """
func.func @cat(%a: {ta}, %b: {tb}) -> {to} {{
  %fa = mx.dequantize %a : {ta} -> {fa}
  %fb = mx.dequantize %b : {tb} -> {fb}
  %c = mx.concat %fa, %fb {{axis = 0 : i64}} : ({fa}, {fb}) -> {fc}
  %n = mx.neg %c : {fc} -> {fc}
  %t = mx.transpose %n {{permutation = array<i64: 1, 0>}} : {fc} -> {ft}
  %q = mx.quantize %t {{name = "cat"}} : {ft} -> {to}
  return %q : {to}
}}
"""


def test_reblock_of_two_sources_in_other_formats(work):
    """A concatenation of two streams in different formats, negated and transposed, into
    blocks along the other axis: one reblock with two sources (rounded once)."""
    fa, fb, fo = "mxint<8,8,8>", "mxint<5,6,4>", "mxint<6,8,6>"
    text = CONCAT_REBLOCK.format(ta=_t((3, 16), fa), tb=_t((3, 16), fb), to=_t((16, 6), fo),
                                 fa=_f((3, 16)), fb=_f((3, 16)), fc=_f((6, 16)),
                                 ft=_f((16, 6)))
    out = _compile(work, "concat_reblock", text)
    hw = _hw(out)
    assert hw.count("mxhw.reblock") == 1 and "mxhw.view" not in hw
    assert "mxhw.reblock %arg0, %arg1 [" in hw  # both sources (operand order), one unit
    _lint(out / "cat.sv", "cat")
    _sim_many(out, lambda rng: {0: adversarial(rng, (3, 16), fa),
                                1: adversarial(rng, (3, 16), fb)}, seeds=range(2))
