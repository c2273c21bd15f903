"""Interpreter support of the kernel-loop IR: scf.for, scf.yield, index constants, mx.take on
float and MX tensors, and mx.constant codes of every width."""

from __future__ import annotations

import numpy as np
import pytest
from rewrite_helpers import assert_bitwise, fresh

from mase_mlir import interp, numerics
from mase_mlir.interp import InterpreterError

CARRIED = """
func.func @forward(%x: tensor<2x32xf32>) -> (tensor<2x32xf32>, tensor<2x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %w = arith.constant dense<0.5> : tensor<2x32xf32>
  %r:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %x, %g = %x) -> (tensor<2x32xf32>, tensor<2x32xf32>) {
    %a = mx.add %h, %w : (tensor<2x32xf32>, tensor<2x32xf32>) -> tensor<2x32xf32>
    %b = mx.mul %a, %g : (tensor<2x32xf32>, tensor<2x32xf32>) -> tensor<2x32xf32>
    scf.yield %b, %a : tensor<2x32xf32>, tensor<2x32xf32>
  } {mx.kernel_loop}
  func.return %r#0, %r#1 : tensor<2x32xf32>, tensor<2x32xf32>
}
"""


def test_scf_for_carries_several_values():
    x = (np.arange(64, dtype=np.float32).reshape(2, 32) - 20) / 8
    h, g = x, x
    for _ in range(3):
        a = h + np.float32(0.5)
        h, g = a * g, a
    assert_bitwise([h, g], interp.run(fresh(CARRIED), [x]))


def test_zero_trip_loop_returns_the_inits():
    text = CARRIED.replace("%c0 to %c3", "%c3 to %c3")
    x = np.ones((2, 32), np.float32)
    assert_bitwise([x, x], interp.run(fresh(text), [x]))


def test_loop_frees_do_not_drop_outer_values():
    """Values read by the body stay alive for every iteration; the program can run twice."""
    program = interp.load(fresh(CARRIED))
    x = np.ones((2, 32), np.float32)
    first = interp.run(program, [x])
    assert_bitwise(first, interp.run(program, [x]))
    loop = program.steps[0]
    assert not loop.free_after or 4 not in loop.free_after  # %w is a constant slot


TAKE = """
func.func @forward(%x: tensor<2x32xf32>) -> tensor<2x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %stack = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]], [[0.5, 0.25], [-1.0, 2.0]]]> : tensor<3x2x2xf32>
  %mstack = mx.constant scales(dense<SCALES> : tensor<3x2x32xui8>)
                        codes(dense<CODES> : tensor<3x32x32xui4>) : !mx.tensor<3x32x32xmxint<4,8,16>, axis = 1>
  %r = scf.for %i = %c0 to %c3 step %c1 iter_args(%h = %x) -> (tensor<2x32xf32>) {
    %w = mx.take %stack, %i : (tensor<3x2x2xf32>, index) -> tensor<2x2xf32>
    %mw = mx.take %mstack, %i : (!mx.tensor<3x32x32xmxint<4,8,16>, axis = 1>, index) -> !mx.tensor<32x32xmxint<4,8,16>, axis = 0>
    %qh = mx.quantize %h : tensor<2x32xf32> -> !mx.tensor<2x32xmxint<8,8,16>>
    %y = mx.matmul %qh, %mw : (!mx.tensor<2x32xmxint<8,8,16>>, !mx.tensor<32x32xmxint<4,8,16>, axis = 0>) -> tensor<2x32xf32>
    %s = mx.slice %w {offsets = array<i64: 0, 0>, sizes = array<i64: 2, 1>, strides = array<i64: 1, 1>} : tensor<2x2xf32> -> tensor<2x1xf32>
    %z = mx.mul %y, %s : (tensor<2x32xf32>, tensor<2x1xf32>) -> tensor<2x32xf32>
    scf.yield %z : tensor<2x32xf32>
  } {mx.kernel_loop}
  func.return %r : tensor<2x32xf32>
}
"""


def _codes(seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 16, size=(3, 32, 32)).astype(np.uint8)


def _scales(seed: int = 6) -> np.ndarray:
    return np.random.default_rng(seed).integers(120, 131, size=(3, 2, 32)).astype(np.uint8)


def _take_module() -> str:
    return TAKE.replace("CODES", str(_codes().tolist())).replace(
        "SCALES", str(_scales().tolist()))


def test_take_slices_float_and_mx_stacks():
    module = fresh(_take_module())
    x = np.random.default_rng(4).standard_normal((2, 32)).astype(np.float32)
    stack = np.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[0.5, 0.25], [-1, 2]]], np.float32)
    scales, codes = _scales(), _codes()
    fmt = numerics.Format.parse("mxint<4,8,16>")
    h = x
    for i in range(3):
        mw = numerics.MXTensor(fmt, scales[i], codes[i], 0)
        qh = numerics.quantize(h, "mxint<8,8,16>", -1)
        y = numerics.matmul(qh, mw, None)
        h = (y * stack[i][:, :1]).astype(np.float32)
    assert_bitwise([h], interp.run(module, [x]))


def test_take_index_out_of_range_is_an_error():
    text = _take_module().replace("%c0 to %c3", "%c0 to %c4").replace(
        "%c3 = arith.constant 3", "%c3 = arith.constant 3 : index\n  %c4 = arith.constant 4")
    with pytest.raises(InterpreterError, match="out of range"):
        interp.run(fresh(text), [np.zeros((2, 32), np.float32)])


@pytest.mark.parametrize(("fmt", "ctype"), [
    ("mxint<4,8,16>", "ui4"), ("mxfp6_e3m2", "ui6"), ("mxint<12,6,16>", "ui12"),
    ("mxfp4_e2m1", "ui4"), ("mxint8", "ui8"),
])
def test_mx_constant_codes_of_every_width(fmt, ctype):
    """mx.constant scales/codes are read exactly (ui4/ui6 have no buffer form; ui12 > 8 bits)."""
    parsed = numerics.Format.parse(fmt)
    block = parsed.block_size
    x = np.random.default_rng(5).standard_normal((2, 2 * block)).astype(np.float32) * 3
    q = numerics.quantize(x, parsed, -1)
    text = f"""
func.func @forward() -> tensor<2x{2 * block}xf32> {{
  %q = mx.constant scales(dense<{q.scales.tolist()}> : tensor<2x2xui{parsed.scale_bits}>)
                   codes(dense<{q.codes.tolist()}> : tensor<2x{2 * block}x{ctype}>) : !mx.tensor<2x{2 * block}x{fmt}>
  %d = mx.dequantize %q : !mx.tensor<2x{2 * block}x{fmt}> -> tensor<2x{2 * block}xf32>
  func.return %d : tensor<2x{2 * block}xf32>
}}
"""
    assert_bitwise([numerics.dequantize(q)], interp.run(fresh(text), []))
