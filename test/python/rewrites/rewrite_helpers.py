"""Shared helpers of the rewrite-pass tests: cached imports, fresh modules, comparisons."""

from __future__ import annotations

import functools
import os
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers is imported

from mase_mlir import passes  # noqa: E402
from mase_mlir.context import parse_module  # noqa: E402
from mase_mlir.frontend import import_to_text  # noqa: E402
from mase_mlir.frontend.models import load_model  # noqa: E402
from mase_mlir.interp.mx_values import to_float  # noqa: E402

# Configurations used across the tests. Block sizes of 16 fit the tiny decoders' head size.
FLOAT = None
UNIFORM_MXINT8 = {"default": {"input": "mxint8", "weight": "mxint8"}}
UNIFORM_16 = {"default": {"input": "mxint<8,8,16>", "weight": "mxint<8,8,16>",
                          "output": "mxint<8,8,16>"}}
MIXED = {
    "default": {"input": "mxint<8,8,16>", "weight": "mxint<8,8,16>", "output": "f32"},
    "ops": {"*.mlp.*": {"weight": "mxint<4,8,16>"}, "*fc*": {"weight": "mxint<4,8,16>"},
            "*intermediate*": {"weight": "mxint<4,8,16>"}, "linear*": {"weight": "mxint<4,8,16>"},
            "*.0.*": {"input": "mxint8"}},
}
MXFP = {
    "default": {"input": "mxfp8_e4m3", "weight": "mxfp4_e2m1", "output": "mxfp<e5m2,8,16>"},
    "ops": {"*attn*": {"input": "mxfp<e4m3,8,16>", "weight": "mxfp6_e3m2"},
            "*attention*": {"input": "mxfp<e4m3,8,16>"}},
}


@functools.cache
def imported(name: str, **kwargs: Any) -> tuple[str, tuple[np.ndarray, ...]]:
    """MLIR text and numpy inputs of a bundled model (imported once per session)."""
    if name == "minilm":
        kwargs = {"batch": 2, "seq": 8, **kwargs}
    model, inputs = load_model(name, **kwargs)
    return import_to_text(model, inputs), tuple(x.numpy() for x in inputs)


def fresh(text: str) -> Any:
    """A newly parsed module (the passes rewrite modules in place)."""
    return parse_module(text)


def assign(text: str, config: dict | None) -> Any:
    module = fresh(text)
    if config is not None:
        passes.assign_precision(module, config, allow_unmatched=True)
    return module


def assert_bitwise(expected: list, actual: list) -> None:
    """Same shapes, same bits (NaN == NaN)."""
    assert len(expected) == len(actual)
    for ref, out in zip(expected, actual, strict=True):
        ref, out = np.asarray(to_float(ref)), np.asarray(to_float(out))
        assert ref.shape == out.shape and ref.dtype == out.dtype
        mismatch = ref.view(np.uint8) != out.view(np.uint8)
        assert not mismatch.any(), (
            f"{int(mismatch.sum())} differing bytes; max |diff| "
            f"{np.nanmax(np.abs(ref.astype(np.float64) - out.astype(np.float64)))}")


def kernel_loop_available() -> bool:
    try:
        passes.run_pipeline(fresh("module {}"), "builtin.module(mx-kernel-loop)")
    except passes.PassError:
        return False
    return True


# Mixed but the same in every layer (so every layer chain loops).
LOOP_MIXED = {
    "default": {"input": "mxint<8,8,16>", "weight": "mxint<8,8,16>", "output": "f32"},
    "ops": {"*.mlp.*": {"weight": "mxint<4,8,16>"}, "*fc*": {"weight": "mxint<4,8,16>"},
            "*intermediate*": {"weight": "mxint<4,8,16>"},
            "*output.dense": {"weight": "mxfp6_e2m3", "output": "mxint<6,8,16>"}},
}
