"""The fixed-point baseline: fixedW calibrated per op and role, in configs and the search."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from mase_mlir import interp, passes
from mase_mlir.fixed_calibration import (
    fixed_format,
    is_symbolic,
    measure_ranges,
    resolve_config,
    symbolic_width,
)
from mase_mlir.flow import run_flow
from mase_mlir.frontend.models import llama_tiny
from mase_mlir.report import build_report
from mase_mlir.search.evaluate import Evaluator


@pytest.mark.parametrize(("width", "amax", "want"), [
    (8, 1.0, "fixed<8,6>"),       # 127 * 2^-6 = 1.98 >= 1 > 127 * 2^-7
    (8, 127.0, "fixed<8,0>"),     # exactly the largest code
    (8, 127.5, "fixed<8,-1>"),
    (8, 0.0, "fixed<8,6>"),       # an all-zero tensor: any F; W-2
    (4, 1e-30, "fixed<4,64>"),    # clipped to the attribute's range
    (4, 1e30, "fixed<4,-64>"),
])
def test_fixed_format_rule(width, amax, want):
    assert fixed_format(width, amax) == want


def test_rule_is_the_tightest_that_fits():
    for amax in np.random.default_rng(0).lognormal(0, 4, 200):
        f = int(fixed_format(8, float(amax)).split(",")[1][:-1])
        assert amax <= math.ldexp(127, -f) and amax > math.ldexp(127, -(f + 1))


def test_symbolic_names():
    assert symbolic_width("fixed8") == 8 and symbolic_width("mxint8") is None
    assert is_symbolic({"default": {"input": "fixed6"}})
    with pytest.raises(ValueError, match="width must be in 2..16, got 40"):
        symbolic_width("fixed40")


def test_resolved_config_covers_the_ranges(llama_module):
    model, inputs = llama_tiny()
    arrays = [i.numpy() for i in inputs]
    ranges = measure_ranges(llama_module, [arrays])
    config = resolve_config(llama_module, {"default": {"input": "fixed8", "weight": "fixed8"},
                                           "ops": {"*.mlp.*": {"weight": "mxint<4,8,32>"}}},
                            ranges)
    assert not is_symbolic(config)
    module = llama_module.operation.clone()
    passes.assign_precision(module, config, diagnostics=[])
    rows = {r["name"]: r for r in build_report(module)["ops"]}
    assert rows["model.layers.0.mlp.down_proj"]["weight"] == "mxint<4,8,32>"
    checked = 0
    for (name, role), amax in ranges.items():
        spelled = rows[name][role].split("/")[0]
        if spelled.startswith("fixed"):
            w, f = map(int, spelled[6:-1].split(","))
            assert amax <= math.ldexp((1 << (w - 1)) - 1, -f)
            checked += 1
    assert checked > 20
    # weights at 8 bits, no scale: the weights' storage is exactly 8 bits per value
    # except the MXInt4 MLP weights.
    s = build_report(module)["summary"]
    assert s["bits_per_activation"] < 8.1
    out = interp.run(module, arrays)
    assert np.isfinite(out[0]).all()


def test_mase_run_takes_fixed8(tmp_path):
    config = tmp_path / "fixed.json"
    config.write_text(json.dumps({"default": {"input": "fixed8", "weight": "fixed8"}}))
    flow = run_flow("llama-tiny", config, tmp_path / "out", hardware=False, log=lambda m: None)
    resolved = json.loads((tmp_path / "out" / "config.resolved.json").read_text())
    assert resolved["default"]["weight"].startswith("fixed<8,")
    summary = flow.summary["report"]["summary"]
    assert abs(summary["bits_per_weight"] - 8.0) < 0.01  # a few f32 scalars stay 32 bits
    assert flow.summary["quality"]["top1_agreement"] > 0.5


def test_search_scores_the_fixed8_baseline_and_searches_it():
    evaluator = Evaluator("llama-tiny", calibration=2, evaluation=2)
    e = evaluator.evaluate({"default": {"input": "fixed8", "weight": "fixed8"}})
    assert not is_symbolic(e.config) and "fixed<8," in json.dumps(e.config)
    assert abs(e.bits["bits_per_weight"] - 8.0) < 0.01 and e.quality < 0.05


def test_spaces_offer_fixed8(llama_module):
    from test_space import resolve

    space = resolve(llama_module, {"default": {"weight": ["mxint<4,8,16>", "fixed8"]}})
    by_name = {p.name: p for p in space.parameters}
    assert by_name["model.layers.0.mlp.down_proj:weight"].choices == ("mxint<4,8,16>",
                                                                       "fixed8")
