"""mx-kernel-loop / mx-unroll-loops on the bundled models: bit-identical interpreter results,
exact round trips, and IR size independent of the number of layers."""

from __future__ import annotations

import pytest
from rewrite_helpers import (
    LOOP_MIXED,
    UNIFORM_16,
    assert_bitwise,
    assign,
    imported,
    kernel_loop_available,
)

from mase_mlir import interp, passes
from mase_mlir.report import build_report, count_ops

pytestmark = pytest.mark.skipif(not kernel_loop_available(),
                                reason="mx-kernel-loop is not registered in this build")

CONFIGS = {"float": None, "uniform": UNIFORM_16, "mixed": LOOP_MIXED}
MODELS = ["minilm", "llama-tiny", "opt-tiny", "gpt2-tiny"]


def _non_constant_kinds(counts) -> dict[str, int]:
    return {k: n for k, n in counts.by_kind.items() if k not in ("arith.constant", "mx.constant")}


def _loops(module) -> list[dict]:
    return build_report(module)["loops"]


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("model", MODELS)
def test_loop_and_unroll_are_bit_identical(model, config):
    text, inputs = imported(model)
    module = assign(text, CONFIGS[config])
    want = interp.run(module, list(inputs))
    before = count_ops(module)
    remarks: list[passes.Diagnostic] = []
    passes.kernel_loop(module, diagnostics=remarks)
    loops = _loops(module)
    assert len(loops) == 1, loops
    assert loops[0]["trip_count"] == (6 if model == "minilm" else 2)
    assert any(d.severity == "remark" and "kernel loop" in d.message for d in remarks)
    assert count_ops(module).non_constant < before.non_constant
    assert_bitwise(want, interp.run(module, list(inputs)))

    passes.unroll_loops(module)
    after = count_ops(module)
    assert after.loops == 0 and "mx.take" not in after.by_kind
    assert after.non_constant == before.non_constant
    assert _non_constant_kinds(after) == _non_constant_kinds(before)
    assert_bitwise(want, interp.run(module, list(inputs)))


@pytest.mark.slow
def test_minilm_is_one_loop_of_six():
    text, _ = imported("minilm")
    module = passes.kernel_loop(assign(text, LOOP_MIXED))
    (loop,) = _loops(module)
    assert loop["trip_count"] == 6
    assert loop["layers"][0].startswith("encoder.layer.0.")
    assert loop["layers"][5].startswith("encoder.layer.5.")
    assert count_ops(module).loops == 1


@pytest.mark.slow
def test_minilm_batch_one_is_one_loop_of_six():
    """Two equal adds before the first layer must not hide the chain of six."""
    text, _ = imported("minilm", batch=1)
    (loop,) = _loops(passes.kernel_loop(assign(text, None)))
    assert loop["trip_count"] == 6


@pytest.mark.slow
def test_llama_size_does_not_grow_with_depth():
    sizes = {}
    for layers in (2, 4, 8, 16, 32):
        text, _ = imported("llama-tiny", layers=layers)
        module = passes.kernel_loop(assign(text, None))
        (loop,) = _loops(module)
        assert loop["trip_count"] == layers
        sizes[layers] = count_ops(module).non_constant
    assert len(set(sizes.values())) == 1, sizes


@pytest.mark.slow
def test_unroll_restores_the_same_text():
    """unroll(loop(m)) prints like m up to constant order and SSA numbering: compare the
    sequence of non-constant op lines with value names stripped."""
    import re

    text, _ = imported("llama-tiny")

    def shape(module) -> list[str]:
        lines = [line.strip() for line in str(module).splitlines()
                 if "constant" not in line and "mx.layer_names" not in line]
        return [re.sub(r"%[\w#]+", "%", line) for line in lines]

    original = assign(text, UNIFORM_16)
    rolled = passes.unroll_loops(passes.kernel_loop(assign(text, UNIFORM_16)))
    assert shape(rolled) == shape(original)


@pytest.mark.slow
def test_split_and_unify_policies():
    """Layer 0 with narrower MLP weights: split loops layers 1..3 only; unify widens layer 0's
    weights (exact for constants) and loops all four, with the same numbers."""
    text, inputs = imported("llama-tiny", layers=4)
    config = {"default": UNIFORM_16["default"],
              "ops": {"model.layers.0.mlp.*": {"weight": "mxint<4,8,16>"}}}
    want = interp.run(assign(text, config), list(inputs))

    split = passes.kernel_loop(assign(text, config), policy="split")
    assert [loop["trip_count"] for loop in _loops(split)] == [3]
    assert_bitwise(want, interp.run(split, list(inputs)))

    unified = passes.kernel_loop(assign(text, config), policy="unify")
    assert [loop["trip_count"] for loop in _loops(unified)] == [4]
    assert_bitwise(want, interp.run(unified, list(inputs)))


def test_nothing_to_loop_is_left_alone():
    text = """
func.func @forward(%x: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %r = mx.relu %x {name = "act"} : tensor<4x32xf32> -> tensor<4x32xf32>
  return %r : tensor<4x32xf32>
}
"""
    module = assign(text, None)
    before = str(module)
    assert str(passes.kernel_loop(module)) == before
    assert str(passes.unroll_loops(module)) == before
