"""The search's hardware cost model: the bundled calibration and what it prices."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mase_mlir.context import parse_module
from mase_mlir.search.cost import DEFAULT_CALIBRATION, OpInfo, load_cost_model, module_ops


def _calibration() -> dict:
    return json.loads(DEFAULT_CALIBRATION.read_text())


def test_the_bundled_calibration_states_its_true_error():
    """Every synthesized point's features and prediction follow from the stored formats and
    coefficients, and the stated in-sample error is the error of those predictions."""
    calibration = _calibration()
    assert {"dot", "elementwise"} <= set(calibration["units"])
    for cls, unit in calibration["units"].items():
        relative = []
        for p in unit["points"]:
            op = OpInfo("unit", p["kind"], tuple(p["formats"]), p["formats"][0], 0)
            got_cls, features = op.features()
            assert got_cls == cls and features == pytest.approx(p["features"])
            predicted = float(np.dot(unit["coefficients"], features))
            assert abs(predicted - p["predicted"]) <= 0.5 + 1e-6 * predicted
            relative.append(abs(predicted - p["cells"]) / p["cells"])
        assert unit["error"]["max_relative"] == pytest.approx(max(relative), abs=1e-4)
        assert unit["error"]["mean_relative"] == pytest.approx(np.mean(relative), abs=1e-4)
        assert unit["error"]["leave_one_out_max_relative"] >= unit["error"]["max_relative"]


def _linear(m: int) -> str:
    fmt = f"mxint<{m},8,32>"
    t = lambda r, c: f"!mx.tensor<{r}x{c}x{fmt}>"  # noqa: E731
    return (f"func.func @f(%x: {t(4, 64)}) -> {t(4, 32)} {{\n"
            f"  %w = mx.constant scales(dense<127> : tensor<32x2xui8>) codes(dense<1> : "
            f"tensor<32x64xui{m}>) : {t(32, 64)}\n"
            f"  %y = mx.linear %x, %w {{name = \"fc\"}} : ({t(4, 64)}, {t(32, 64)}) -> "
            f"{t(4, 32)}\n  %z = mx.relu %y {{name = \"act\"}} : {t(4, 32)} -> {t(4, 32)}\n"
            f"  return %z : {t(4, 32)}\n}}\n")


def test_module_cost_prices_each_unit_and_the_weight_memory():
    model = load_cost_model()
    assert model is not None
    costs = {}
    for m in (4, 8):
        module = parse_module(_linear(m))
        ops = {op.name: op for op in module_ops(module)}
        assert set(ops) == {"fc", "act"}
        # 32 x 64 weights: m element bits each plus one 8-bit scale per block of 32.
        assert ops["fc"].weight_bits == 32 * 64 * m + 32 * 2 * 8
        assert ops["act"].weight_bits == 0
        costs[m] = model.module_cost(module)
        parts = [model.op_cost(op)["cells"] for op in ops.values()]
        assert costs[m]["cells"] == round(sum(parts))
        assert costs[m]["memory_bits"] == ops["fc"].weight_bits
    assert costs[4]["cells"] < costs[8]["cells"]


def test_a_missing_calibration_file_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cost_model(tmp_path / "none.json")
