"""Shared helpers of the frontend tests: import, run, compare with PyTorch."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import torch
from torch.utils import _pytree as pytree

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[3]


def mase_opt() -> str | None:
    built = ROOT / "build" / "bin" / "mase-opt"
    return str(built) if built.exists() else shutil.which("mase-opt")


def torch_outputs(model: torch.nn.Module, inputs: tuple) -> list[np.ndarray]:
    with torch.no_grad():
        out = model(*inputs)
    return [t.detach().numpy() for t in pytree.tree_leaves(out) if isinstance(t, torch.Tensor)]


def assert_close(reference: list[np.ndarray], actual: list[np.ndarray]) -> list[float]:
    """The issue's criterion: relative L2 <= 1e-5 and max abs <= 1e-4 * max|ref|."""
    assert len(reference) == len(actual)
    errors = []
    for ref, out in zip(reference, actual, strict=True):
        assert ref.shape == out.shape
        ref64, out64 = ref.astype(np.float64), np.asarray(out, dtype=np.float64)
        rel = np.linalg.norm(ref64 - out64) / max(np.linalg.norm(ref64), 1e-30)
        max_abs = np.abs(ref64 - out64).max() if ref.size else 0.0
        assert rel <= 1e-5, f"relative L2 error {rel}"
        assert max_abs <= 1e-4 * np.abs(ref64).max(), f"max abs error {max_abs}"
        errors.append(float(rel))
    return errors


def mx_ops(module) -> list:
    func = next(op for op in module.body.operations if op.operation.name == "func.func")
    return [op for op in func.regions[0].blocks[0].operations
            if op.operation.name.startswith("mx.")]


def round_trip(text: str, tmp_path: Path) -> str:
    """Print -> mase-opt -> text."""
    tool = mase_opt()
    assert tool, "mase-opt not built"
    src = tmp_path / "in.mlir"
    src.write_text(text)
    result = subprocess.run([tool, str(src)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[:2000]
    return result.stdout
