"""Folding mx.quantize of a constant (C++, MXQuantize.h) gives exactly the
scale and element codes of mase_mlir.numerics."""

from __future__ import annotations

import numpy as np
import pytest

from mase_mlir import ir, passmanager
from mase_mlir import numerics as mxn
from mase_mlir.dialects import mx

FORMATS = [
    "mxfp8_e5m2", "mxfp8_e4m3", "mxfp6_e3m2", "mxfp6_e2m3", "mxfp4_e2m1", "mxint8",
    "mxint<4,8,16>", "mxint<6,8,32>", "mxint<2,8,4>", "mxint<12,5,8>", "mxfp<e2m1,4,8>",
]


def _dense_hex(x: np.ndarray) -> str:
    shape = "x".join(map(str, x.shape))
    return f'dense<"0x{x.astype("<f4").tobytes().hex().upper()}"> : tensor<{shape}xf32>'


def _fold(x: np.ndarray, type_str: str, rounding: str) -> tuple[np.ndarray, np.ndarray]:
    shape = "x".join(map(str, x.shape))
    attrs = " {rounding = #mx.rounding<nearest>}" if rounding == "nearest" else ""
    text = f"""
    func.func @f() -> {type_str} {{
      %c = arith.constant {_dense_hex(x)}
      %q = mx.quantize %c{attrs} : tensor<{shape}xf32> -> {type_str}
      return %q : {type_str}
    }}"""
    with ir.Context():
        module = ir.Module.parse(text)
        passmanager.PassManager.parse("builtin.module(mx-fold-constants)").run(module.operation)
        ops = list(module.body.operations[0].regions[0].blocks[0].operations)
        assert ops[0].operation.name == "mx.constant", str(module)
        s = mx.unsigned_codes(ops[0].attributes["scales"]).astype(np.int64).ravel()
        c = mx.unsigned_codes(ops[0].attributes["codes"]).astype(np.int64).ravel()
    return s, c


def _adversarial(rng: np.random.Generator, n: int) -> np.ndarray:
    powers = 2.0 ** rng.integers(-140, 120, n)
    kinds = rng.integers(0, 6, n)
    x = rng.standard_normal(n) * powers
    x = np.where(kinds == 0, powers, x)  # exact powers of two
    x = np.where(kinds == 1, np.nextafter(powers.astype(np.float32), 0), x)  # just below
    x = np.where(kinds == 2, 0.0, x)
    x = np.where(kinds == 3, rng.integers(-8, 8, n) * 0.25 + 0.125, x)  # ties
    return x.astype(np.float32)


@pytest.mark.parametrize("fmt_name", FORMATS)
@pytest.mark.parametrize("rounding", ["even", "nearest"])
def test_fold_matches_numerics(fmt_name: str, rounding: str) -> None:
    fmt = mxn.Format.parse(fmt_name)
    rng = np.random.default_rng(abs(hash((fmt_name, rounding))) % 2**32)
    b = fmt.block_size
    for axis, shape in [(1, (3, 2 * b)), (0, (b, 5)), (1, (2, b, 3))]:
        x = _adversarial(rng, int(np.prod(shape))).reshape(shape)
        axis_txt = "" if axis == len(shape) - 1 else f", axis = {axis}"
        type_str = f"!mx.tensor<{'x'.join(map(str, shape))}x{fmt}{axis_txt}>"
        scales, codes = _fold(x, type_str, rounding)
        q = mxn.quantize(x, fmt, axis=axis, rounding=rounding)
        np.testing.assert_array_equal(scales, q.scales.astype(np.int64).ravel())
        np.testing.assert_array_equal(codes, q.codes.astype(np.int64).ravel())


def test_fold_keeps_non_constant_quantize() -> None:
    text = """
    func.func @f(%x: tensor<2x32xf32>) -> !mx.tensor<2x32xmxint8> {
      %q = mx.quantize %x : tensor<2x32xf32> -> !mx.tensor<2x32xmxint8>
      return %q : !mx.tensor<2x32xmxint8>
    }"""
    with ir.Context():
        module = ir.Module.parse(text)
        passmanager.PassManager.parse("builtin.module(mx-fold-constants)").run(module.operation)
        assert "mx.quantize" in str(module)
