"""Interpreter inputs: values are converted only when no value changes, token ids are checked,
and an ``!mx.tensor`` argument takes an ``MXTensor`` (a float array is an error)."""

from __future__ import annotations

import numpy as np
import pytest

from mase_mlir import interp, numerics
from mase_mlir.context import parse_module
from mase_mlir.interp import InterpreterError

EMBEDDING = """
func.func @forward(%ids: tensor<1x3xi64>) -> tensor<1x3x4xf32> {
  %t = arith.constant dense<[[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0]]> : tensor<3x4xf32>
  %e = mx.embedding %ids, %t {name = "embed"} : (tensor<1x3xi64>, tensor<3x4xf32>) -> tensor<1x3x4xf32>
  return %e : tensor<1x3x4xf32>
}
"""

MX_ARG = """
func.func @forward(%x: !mx.tensor<2x32xmxint8>) -> tensor<2x32xf32> {
  %y = mx.relu %x {name = "act"} : !mx.tensor<2x32xmxint8> -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
"""

MASK = """
func.func @forward(%m: tensor<2xi1>, %x: tensor<2xf32>) -> tensor<2xf32> {
  %z = arith.constant dense<0.0> : tensor<2xf32>
  %y = mx.select %m, %x, %z {name = "sel"} : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
"""


def test_embedding_ids_in_range():
    (out,) = interp.run(parse_module(EMBEDDING), [np.array([[2, 0, 1]])])
    np.testing.assert_array_equal(out[0, :, 0], [2.0, 0.0, 1.0])


@pytest.mark.parametrize(("ids", "message"), [
    ([[0, -1, 1]], "token id -1 is out of range for a table of 3 rows"),
    ([[0, 3, 1]], "token id 3 is out of range for a table of 3 rows"),
])
def test_embedding_ids_out_of_range_are_an_error(ids, message):
    with pytest.raises(InterpreterError, match=f"mx.embedding \\(embed\\) failed: {message}"):
        interp.run(parse_module(EMBEDDING), [np.array(ids)])


def test_float_ids_are_not_truncated():
    with pytest.raises(InterpreterError, match="input 0: the argument holds integers, got dtype "
                                               "float64"):
        interp.run(parse_module(EMBEDDING), [np.array([[0.0, 1.7, 2.0]])])


@pytest.mark.parametrize("value", [np.zeros(2, np.complex64), np.array([None, None]),
                                   np.array(["a", "b"])])
def test_non_real_inputs_are_an_error(value):
    with pytest.raises(InterpreterError, match="input 1: expected real numbers"):
        interp.run(parse_module(MASK), [np.array([True, False]), value])


def test_bool_arguments_take_booleans_or_0_and_1():
    x = np.array([3.0, 4.0], np.float32)
    (out,) = interp.run(parse_module(MASK), [np.array([1, 0]), x])
    np.testing.assert_array_equal(out, [3.0, 0.0])
    with pytest.raises(InterpreterError, match="holds booleans"):
        interp.run(parse_module(MASK), [np.array([2, 0]), x])


def test_float_array_for_an_mx_argument_is_an_error():
    x = np.linspace(-1, 1, 64, dtype=np.float32).reshape(2, 32)
    with pytest.raises(InterpreterError, match=r'input 0: the argument is an MX tensor \(mxint8, '
                                               r'blocked along axis 1\); pass a numerics.MXTensor, '
                                               r'e.g. numerics.quantize\(x, "mxint8", axis=1\)'):
        interp.run(parse_module(MX_ARG), [x])
    (out,) = interp.run(parse_module(MX_ARG), [numerics.quantize(x, "mxint8", axis=1)])
    np.testing.assert_array_equal(out, np.maximum(numerics.quantize_dequantize(x, "mxint8"), 0))


def test_a_declaration_has_nothing_to_run():
    module = parse_module("func.func private @forward(tensor<2xf32>) -> tensor<2xf32>")
    with pytest.raises(InterpreterError, match="@forward is a declaration without a body"):
        interp.load(module)
