"""Interpreter: float kernels vs numpy, unknown ops, inputs, MX types via numerics."""

from __future__ import annotations

import numpy as np
import pytest

from mase_mlir import interp, numerics, passes
from mase_mlir import numerics as mxn
from mase_mlir.context import parse_module
from mase_mlir.interp import InterpreterError, UnknownOpError
from mase_mlir.numerics.blockmath import linear

FLOAT_MODULE = """
func.func @forward(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>) {
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = mx.linear %x, %w, %b {name = "fc"} : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %s = mx.softmax %y {axis = 1 : i64, name = "sm"} : tensor<2x4xf32> -> tensor<2x4xf32>
  %g = mx.gelu %s {name = "act", approximate = #mx.approximation<tanh>} : tensor<2x4xf32> -> tensor<2x4xf32>
  %r = mx.reduce_max %g {axes = array<i64: 1>, keep_dims = true, name = "max"} : tensor<2x4xf32> -> tensor<2x1xf32>
  func.return %g, %r : tensor<2x4xf32>, tensor<2x1xf32>
}
"""


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def test_float_ops_match_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 8)).astype(np.float32)
    w = rng.standard_normal((4, 8)).astype(np.float32)
    g, r = interp.run(parse_module(FLOAT_MODULE), [x, w])
    y = x @ w.T + np.array([1, 2, 3, 4], dtype=np.float32)
    s = np.exp(y - y.max(1, keepdims=True))
    s /= s.sum(1, keepdims=True)
    np.testing.assert_allclose(g, _gelu_tanh(s), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(r, _gelu_tanh(s).max(1, keepdims=True), rtol=1e-5)


def test_wrong_input_shape_is_an_error():
    with pytest.raises(InterpreterError, match="shape"):
        interp.run(parse_module(FLOAT_MODULE), [np.zeros((3, 8)), np.zeros((4, 8))])


def test_unknown_op_is_named():
    program = interp.load(parse_module(FLOAT_MODULE))
    program.steps[0].kind = "mx.frobnicate"
    with pytest.raises(UnknownOpError, match="mx.frobnicate"):
        interp.run(program, [np.zeros((2, 8)), np.zeros((4, 8))])


MX_MODULE = """
func.func @forward(%x: tensor<2x32xf32>, %w: tensor<4x32xf32>) -> (tensor<2x4xf32>, tensor<2x32xf32>) {
  %qx = mx.quantize %x : tensor<2x32xf32> -> !mx.tensor<2x32xmxint8>
  %qw = mx.quantize %w : tensor<4x32xf32> -> !mx.tensor<4x32xmxint8>
  %y = mx.linear %qx, %qw {name = "fc"} : (!mx.tensor<2x32xmxint8>, !mx.tensor<4x32xmxint8>) -> tensor<2x4xf32>
  %d = mx.dequantize %qx : !mx.tensor<2x32xmxint8> -> tensor<2x32xf32>
  func.return %y, %d : tensor<2x4xf32>, tensor<2x32xf32>
}
"""


def test_mx_ops_follow_numerics():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 32)).astype(np.float32)
    w = rng.standard_normal((4, 32)).astype(np.float32)
    y, d = interp.run(parse_module(MX_MODULE), [x, w])
    qx, qw = numerics.quantize(x, "mxint8"), numerics.quantize(w, "mxint8")
    np.testing.assert_array_equal(d, numerics.dequantize(qx))
    np.testing.assert_array_equal(y, linear(qx, qw, None, None))


ACC_MODULE = """
func.func @forward(%x: !mx.tensor<3x64xmxint<6,8,16>>, %w: !mx.tensor<8x64xmxint<6,8,16>>,
                   %a: !mx.tensor<2x3x64xmxint<6,8,16>>, %b: !mx.tensor<2x64x5xmxint<6,8,16>, axis = 1>)
    -> (tensor<3x8xf32>, tensor<3x8xf32>, tensor<2x3x5xf32>) {
  %e = mx.linear %x, %w : (!mx.tensor<3x64xmxint<6,8,16>>, !mx.tensor<8x64xmxint<6,8,16>>) -> tensor<3x8xf32>
  %y = mx.linear %x, %w {acc = #mx.acc<bounded<1>>} : (!mx.tensor<3x64xmxint<6,8,16>>, !mx.tensor<8x64xmxint<6,8,16>>) -> tensor<3x8xf32>
  %z = mx.batch_matmul %a, %b {acc = #mx.acc<bounded<0>>} : (!mx.tensor<2x3x64xmxint<6,8,16>>, !mx.tensor<2x64x5xmxint<6,8,16>, axis = 1>) -> tensor<2x3x5xf32>
  func.return %e, %y, %z : tensor<3x8xf32>, tensor<3x8xf32>, tensor<2x3x5xf32>
}
"""


def test_acc_attribute_selects_the_accumulation():
    rng = np.random.default_rng(7)
    fmt = "mxint<6,8,16>"

    def spread(shape):
        return (rng.standard_normal(shape) * 2.0 ** rng.integers(-9, 9, shape)).astype(np.float32)

    qx, qw = mxn.quantize(spread((3, 64)), fmt), mxn.quantize(spread((8, 64)), fmt)
    qa, qb = mxn.quantize(spread((2, 3, 64)), fmt), mxn.quantize(spread((2, 64, 5)), fmt, axis=1)
    e, y, z = interp.run(parse_module(ACC_MODULE), [qx, qw, qa, qb])
    np.testing.assert_array_equal(e, mxn.linear(qx, qw, None, None))
    np.testing.assert_array_equal(y, mxn.linear(qx, qw, None, None, acc="bounded<1>"))
    np.testing.assert_array_equal(z, mxn.matmul(qa, qb, None, acc="bounded<0>"))
    assert not np.array_equal(e, y)  # the spread of scales makes bounded<1> drop bits


CONSTANT_MODULE = """
func.func @forward(%x: tensor<2x32xf32>) -> tensor<2x4xf32> {
  %w = arith.constant dense<0.25> : tensor<4x32xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = mx.linear %x, %w, %b {name = "fc"} : (tensor<2x32xf32>, tensor<4x32xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  func.return %y : tensor<2x4xf32>
}
"""


def test_constant_cache_decodes_each_weight_once_per_format():
    """Variants of one module in one context share their decoded constants; the results
    are those of an uncached load, and the cached arrays cannot be written."""
    x = np.random.default_rng(0).standard_normal((2, 32)).astype(np.float32)
    base = parse_module(CONSTANT_MODULE)
    cache: dict = {}
    programs = []
    for weight in ("mxint8", "mxint<4,8,32>", "mxint8"):
        variant = base.operation.clone()
        passes.assign_precision(variant, {"default": {"input": "mxint8", "weight": weight}})
        programs.append(interp.load(variant, constants=cache))
        np.testing.assert_array_equal(interp.execute(programs[-1], [x]),
                                      interp.run(variant, [x]))
    assert len(cache) == 3  # bias, and the weight in two formats
    first, _, third = ({id(v) for v in p.constants.values()} for p in programs)
    assert first == third
    weight = next(v for v in programs[0].constants.values() if hasattr(v, "codes"))
    with pytest.raises(ValueError, match="read-only"):
        weight.codes[0, 0] = 1
