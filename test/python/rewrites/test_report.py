"""mase_mlir.report and `mase report`: formats, bits per value, memory and loops from types."""

from __future__ import annotations

import json

import pytest
from rewrite_helpers import LOOP_MIXED, assign, fresh, imported, kernel_loop_available

from mase_mlir import passes
from mase_mlir.cli.main import main
from mase_mlir.report import build_report, count_ops, format_report, report_json

MODULE = """
func.func @forward(%x: tensor<4x64xf32>) -> tensor<4x128xf32> {
  %w = mx.constant scales(dense<125> : tensor<128x4xui8>) codes(dense<4> : tensor<128x64xui4>) : !mx.tensor<128x64xmxint<4,8,16>>
  %b = arith.constant dense<1.0> : tensor<128xf32>
  %ids = arith.constant dense<1> : tensor<4xi64>
  %qx = mx.quantize %x : tensor<4x64xf32> -> !mx.tensor<4x64xmxint8>
  %h = mx.linear %qx, %w, %b {name = "fc"} : (!mx.tensor<4x64xmxint8>, !mx.tensor<128x64xmxint<4,8,16>>, tensor<128xf32>) -> !mx.tensor<4x128xmxfp8_e4m3>
  %a = mx.relu %h {name = "act"} : !mx.tensor<4x128xmxfp8_e4m3> -> tensor<4x128xf32>
  return %a : tensor<4x128xf32>
}
"""

MLP_F32 = """
func.func @forward(%x: tensor<4x64xf32>) -> tensor<4x32xf32> {
  %w = arith.constant dense<0.25> : tensor<32x64xf32>
  %y = mx.linear %x, %w {name = "fc"} : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}
"""


def test_hand_computed_figures():
    report = build_report(fresh(MODULE))
    fc, act = report["ops"]
    assert fc == {"name": "fc", "op": "mx.linear", "input": "mxint8", "weight": "mxint<4,8,16>",
                  "bias": "f32", "output": "mxfp8_e4m3", "repeat": 1}
    assert act["input"] == "mxfp8_e4m3" and act["output"] == "f32" and act["weight"] is None
    s = report["summary"]
    # weights: 8192 values at 4 + 8/16 bits, 128 f32 bias values.
    assert s["weight_values"] == 8192 + 128
    assert s["bits_per_weight"] == round((8192 * 4.5 + 128 * 32) / (8192 + 128), 4)
    assert s["weight_bytes_mx"] == 8192 * 4.5 / 8
    assert s["weight_bytes_f32"] == 128 * 4
    assert s["weight_bytes"] == 8192 * 4.5 / 8 + 128 * 4
    assert s["other_constant_bytes"] == 4 * 8
    # activations: fc reads 256 MXINT8 values, act reads 512 MXFP8 values (8 + 8/32 bits).
    assert s["bits_per_activation"] == 8.25
    assert s["activation_values"] == 256 + 512
    # both together: every stored weight bit and every activation bit over all values.
    bits = 8192 * 4.5 + 128 * 32 + 256 * 8.25 + 512 * 8.25
    assert s["bits_per_value"] == round(bits / (8192 + 128 + 256 + 512), 4)
    assert s["compute_ops"] == 2 and s["kernel_loops"] == 0
    assert s["ops_excluding_constants"] == 4  # quantize, linear, relu, return


def test_text_and_json_are_deterministic():
    first = build_report(fresh(MODULE))
    assert report_json(first) == report_json(build_report(fresh(MODULE)))
    text = format_report(first)
    assert "mxint<4,8,16>" in text and "bits per weight: 4.923" in text
    assert "weight memory: 5.0 KiB" in text


@pytest.mark.slow
def test_float_model_is_32_bits():
    text, _ = imported("llama-tiny")
    s = build_report(fresh(text))["summary"]
    assert s["bits_per_weight"] == 32.0 and s["bits_per_activation"] == 32.0


@pytest.mark.slow
@pytest.mark.skipif(not kernel_loop_available(), reason="mx-kernel-loop not registered")
def test_loop_section_and_invariant_averages():
    text, _ = imported("llama-tiny", layers=4)
    module = assign(text, LOOP_MIXED)
    before = build_report(module)
    remarks: list[passes.Diagnostic] = []
    passes.kernel_loop(module, diagnostics=remarks)
    after = build_report(module)
    (loop,) = after["loops"]
    assert loop["trip_count"] == 4 and loop["carried_values"] == 1
    assert loop["stacked_weights"] == 7  # q, k, v, o, gate, up, down
    assert loop["layers"] == [f"model.layers.{i}.input_layernorm" for i in range(4)]
    assert loop["takes"] == 7
    assert f"4 layers x {loop['ops_per_layer']} ops" in remarks[0].message
    assert count_ops(module).loops == 1
    # Ops in the body run 4 times: activation averages and executed op counts do not change.
    assert after["summary"]["compute_op_runs"] == before["summary"]["compute_op_runs"]
    assert after["summary"]["bits_per_activation"] == before["summary"]["bits_per_activation"]
    assert after["summary"]["compute_ops"] < before["summary"]["compute_ops"]
    assert all(r["repeat"] == 4 for r in after["ops"] if r.get("loop"))
    assert "kernel loops:" in format_report(after)


def test_cli(tmp_path, capsys):
    src = tmp_path / "model.mlir"
    src.write_text(MODULE)
    out = tmp_path / "report.json"
    assert main(["report", str(src), "--json", str(out)]) == 0
    assert "bits per activation: 8.250" in capsys.readouterr().out
    assert json.loads(out.read_text()) == build_report(fresh(MODULE))
    assert main(["report", str(src), "--json", "-"]) == 0
    assert capsys.readouterr().out == out.read_text()


def test_cli_config(tmp_path, capsys):
    src = tmp_path / "model.mlir"
    src.write_text(MLP_F32)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"default": {"input": "mxint8", "weight": "mxint<4,8,16>"}}))
    assert main(["report", str(src), "--config", str(config)]) == 0
    assert "mxint<4,8,16>" in capsys.readouterr().out
    config.write_text(json.dumps({"default": {"input": "mxint<0,8,32>"}}))
    assert main(["report", str(src), "--config", str(config)]) == 1
    assert "mxint element width must be in 2..16" in capsys.readouterr().err


def test_cli_errors(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope.mlir")]) == 1
    assert "nope.mlir does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.mlir"
    bad.write_text("func.func @f( {")
    assert main(["report", str(bad)]) == 1
    assert f"{bad}:1:14: error: expected non-function type" in capsys.readouterr().err


def test_declarations_and_every_block_of_a_body():
    """A declaration has no body (found by the fuzzer: it was an IndexError); a body of
    several blocks is counted whole."""
    text = """
func.func private @external(tensor<4xf32>) -> tensor<4xf32>
func.func @forward(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  cf.br ^next
^next:
  %y = mx.relu %x {name = "act"} : tensor<4x32xf32> -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}
"""
    report = build_report(fresh(text))
    assert [r["name"] for r in report["ops"]] == ["act"]
