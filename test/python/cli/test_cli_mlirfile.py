"""mase_mlir.mlirfile: a user's MLIR file read in a way no file can crash."""

from __future__ import annotations

import pytest

from mase_mlir.context import parse_module
from mase_mlir.errors import InputError
from mase_mlir.mlirfile import parse_file, parse_text

MLP = """func.func @forward(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w = arith.constant dense<0.25> : tensor<64x64xf32>
  %y = mx.linear %x, %w {name = "fc"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
"""


def test_parsed_module_equals_an_in_process_parse_and_names_the_file(tmp_path):
    path = tmp_path / "m.mlir"
    path.write_text(MLP)
    module = parse_file(path)
    assert str(module) == str(parse_module(MLP))
    linear = module.body.operations[0].regions[0].blocks[0].operations[1]
    assert str(linear.location) == f'loc("{path}":3:8)'


def test_parser_crash_is_an_error():
    with pytest.raises(InputError, match=r"the MLIR parser crashed on crash\.mlir \(SIGABRT: "
                                         r".*Assertion"):
        parse_text("module attributes {a = array<index: 1>} {}", "crash.mlir")


def test_parse_errors_are_located():
    with pytest.raises(InputError, match=r"^x\.mlir:2:8: error: custom op 'foo' is unknown"):
        parse_text("func.func @f() {\n  %0 = foo\n}\n", "x.mlir")


def test_the_process_still_parses_after_a_crash(tmp_path):
    for _ in range(2):
        with pytest.raises(InputError, match="crashed"):
            parse_text("module attributes {a = array<index: 1>} {}", "crash.mlir")
        assert "mx.linear" in str(parse_text(MLP, "ok.mlir"))
