"""mase_mlir.passes: the Python API of the rewrite passes, its errors and diagnostics."""

from __future__ import annotations

import json

import pytest
from rewrite_helpers import fresh

from mase_mlir import passes
from mase_mlir.errors import InputError

MLP = """
func.func @forward(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w1 = arith.constant dense<0.25> : tensor<128x64xf32>
  %w2 = arith.constant dense<-0.5> : tensor<64x128xf32>
  %h = mx.linear %x, %w1 {name = "layers.0.mlp.up"} : (tensor<4x64xf32>, tensor<128x64xf32>) -> tensor<4x128xf32>
  %a = mx.relu %h {name = "layers.0.mlp.act"} : tensor<4x128xf32> -> tensor<4x128xf32>
  %y = mx.linear %a, %w2 {name = "layers.0.mlp.down"} : (tensor<4x128xf32>, tensor<64x128xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
"""
CONFIG = {"default": {"input": "mxint<8,8,32>", "weight": "mxint<8,8,32>", "output": "f32"},
          "ops": {"*.mlp.*": {"weight": "mxint<4,8,16>"},
                  "layers.0.mlp.down": {"input": "mxfp8_e4m3", "output": "mxint<6,8,32>"}}}


def test_dict_and_file_give_the_same_ir(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(CONFIG))
    by_dict = passes.assign_precision(fresh(MLP), CONFIG)
    by_file = passes.assign_precision(fresh(MLP), path)
    by_str = passes.assign_precision(fresh(MLP), str(path))
    assert str(by_dict) == str(by_file) == str(by_str)
    text = str(by_dict)
    assert "!mx.tensor<128x64xmxint<4,8,16>>" in text
    assert "(!mx.tensor<4x128xmxfp8_e4m3>, !mx.tensor<64x128xmxint<4,8,16>>) -> " \
           "!mx.tensor<4x64xmxint<6,8,32>>" in text
    assert "arith.constant" not in text  # quantized weights folded into mx.constant


def test_deterministic():
    assert str(passes.assign_precision(fresh(MLP), CONFIG)) == \
        str(passes.assign_precision(fresh(MLP), CONFIG))


def test_path_with_spaces_and_commas(tmp_path):
    path = tmp_path / "my configs, v{1}" / "mixed config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(CONFIG))
    assert str(passes.assign_precision(fresh(MLP), path)) == \
        str(passes.assign_precision(fresh(MLP), CONFIG))


def test_later_entries_override_earlier_ones():
    config = {"default": {"input": "mxint8", "weight": "mxint8"},
              "ops": {"layers.0.mlp.up": {"weight": "mxint<4,8,16>"}, "*": {"weight": "mxint8"}}}
    assert "mxint<4,8,16>" not in str(passes.assign_precision(fresh(MLP), config))
    config["ops"] = dict(reversed(list(config["ops"].items())))
    assert "mxint<4,8,16>" in str(passes.assign_precision(fresh(MLP), config))


@pytest.mark.parametrize(("config", "message"), [
    ({"default": {"input": "mxint<0,8,32>"}},
     "precision config '<dict>': default.input: mxint element width must be in 2..16, got 0"),
    ({"default": {"input": "mxfoo"}}, "unknown MX format 'mxfoo'"),
    ({"default": {"wieght": "mxint8"}}, "unknown role 'wieght'"),
    ({"default": {"accumulator": "mxint8"}}, "unknown accumulation 'mxint8'"),
    ({"ops": {"*.act": {"weight": "mxint8"}}},
     "ops['*.act'] sets 'weight', but none of the 1 ops it matches has that role"),
    ({"ops": {"decoder.*": {"input": "mxint8"}}}, "ops glob 'decoder.*' matches no op"),
    ({"default": {"input": 8}}, "default.input must be a format string"),
    ({"defaults": {}}, "unknown key 'defaults'"),
])
def test_errors_are_pass_errors_with_the_message(config, message):
    with pytest.raises(passes.PassError) as info:
        passes.assign_precision(fresh(MLP), config)
    errors = [d for d in info.value.diagnostics if d.severity == "error"]
    assert errors and message in errors[0].message
    assert message in str(info.value)
    assert "/tmp" not in str(info.value)  # the dict is named, not its temporary file


def test_unmatched_glob_allowed_is_a_warning():
    diagnostics: list[passes.Diagnostic] = []
    config = {"default": {"input": "mxint8"}, "ops": {"decoder.*": {"input": "mxint8"}}}
    with pytest.raises(passes.PassError, match="matches no op"):
        passes.assign_precision(fresh(MLP), config)
    module = passes.assign_precision(fresh(MLP), config, allow_unmatched=True,
                                     diagnostics=diagnostics)
    assert "mx.quantize" in str(module)
    assert [d.severity for d in diagnostics] == ["warning"]
    assert "ops glob 'decoder.*' matches no op" in diagnostics[0].message


def test_non_blockable_operands_warn():
    diagnostics: list[passes.Diagnostic] = []
    passes.assign_precision(fresh(MLP), {"default": {"input": "mxint<8,8,48>"}},
                            diagnostics=diagnostics)
    assert any("is not a multiple of the block size" in d.message for d in diagnostics)
    assert all(d.severity == "warning" for d in diagnostics)


def test_file_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        passes.assign_precision(fresh(MLP), tmp_path / "missing.json")
    with pytest.raises(InputError, match="is a directory"):
        passes.assign_precision(fresh(MLP), tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(passes.PassError, match="is not valid JSON"):
        passes.assign_precision(fresh(MLP), bad)


def test_run_pipeline_and_bad_pipelines():
    module = passes.run_pipeline(fresh(MLP), "builtin.module(canonicalize,cse)")
    assert "mx.linear" in str(module)
    with pytest.raises(passes.PassError, match="does not refer to a registered pass"):
        passes.run_pipeline(fresh(MLP), "builtin.module(no-such-pass)")
    with pytest.raises(ValueError, match="unknown policy"):
        passes.kernel_loop(fresh(MLP), policy="fold")
