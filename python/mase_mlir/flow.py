"""The main job: a PyTorch model through the whole flow, with progress.

import -> FP32 reference (interpreter) -> precision assignment -> kernel
looping -> MX execution (interpreter, the hardware's numbers) -> quality and
report -> one layer in hardware (Verilog, Yosys cells, Verilator simulation on
the model's activations, bit-exact). Every artefact is written to the output
directory.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import interp, passes
from . import numerics as mxn
from .backend import CompileError
from .errors import InputError, MaseError
from .files import check_output_dir, load_json, write_text_atomic
from .fixed_calibration import is_symbolic, measure_ranges, resolve_config
from .frontend import import_model
from .frontend.models import load_model
from .hardware_stage import default_layer, hardware_config, run_hardware_stage
from .quality import compare_outputs, is_decoder_output
from .report import build_report, count_ops

__all__ = ["DEFAULT_CONFIG", "FlowResult", "run_flow"]

DEFAULT_CONFIG = resources.files("mase_mlir") / "configs" / "default.json"


@dataclass
class FlowResult:
    summary: dict = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def _as_arrays(outputs: list[Any]) -> list[np.ndarray]:
    return [mxn.dequantize(o) if isinstance(o, mxn.MXTensor) else np.asarray(o) for o in outputs]


def _write(path: Path, text: str, result: FlowResult) -> None:
    """Write one artefact, creating the output directory with the first (so that a flow that
    fails before producing anything leaves nothing behind)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"cannot create output directory {path.parent}: {err.strerror}") from None
    written = write_text_atomic(path, text)
    if written not in result.files:
        result.files.append(written)


def run_flow(
    model: str = "minilm",
    config: dict | str | Path | None = None,
    out_dir: Path = Path("out"),
    *,
    policy: str = "split",
    hardware: bool = True,
    layer: str | None = None,
    log: Callable[[str], None] = print,
) -> FlowResult:
    """Run the flow on a bundled model name or ``file.py:factory``. ``hardware``: end with
    one layer in hardware (``layer``, default the first layer of the kernel loop; the
    whole model when it has no repeated layers) in ``out_dir/hardware``."""
    result = FlowResult()
    config_source = config if config is not None else DEFAULT_CONFIG
    if isinstance(config_source, (str, Path)) or hasattr(config_source, "read_text"):
        config_source = Path(str(config_source))
        config_dict = load_json(config_source, "precision config")
        if not isinstance(config_dict, dict):
            raise InputError(f"precision config {config_source} must hold a JSON object")
    else:
        config_dict = dict(config_source)
        config_source = config_dict
    check_output_dir(out_dir)

    def step(message: str) -> float:
        log(f"[mase] {message}")
        return time.perf_counter()

    step(f"loading model {model!r}")
    torch_model, inputs = load_model(model)
    arrays = [i.numpy() if hasattr(i, "numpy") else np.asarray(i) for i in inputs]

    t = step("importing through torch-mlir into the mx dialect")
    module = import_model(torch_model, tuple(inputs))
    _write(out_dir / "model.mlir", str(module), result)
    float_ops = count_ops(module)
    seconds = time.perf_counter() - t
    log(f"       {float_ops.non_constant} ops without constants ({seconds:.1f} s)")

    step("FP32 reference (interpreter)")
    reference = _as_arrays(interp.run(module, arrays))

    if is_symbolic(config_dict):
        step("calibrating the fixed-point formats (fixedW) on the example inputs")
        config_dict = resolve_config(module, config_dict, measure_ranges(module, [arrays]))
        config_source = out_dir / "config.resolved.json"  # what the pass reads and names
        _write(config_source, json.dumps(config_dict, indent=2) + "\n", result)
    step("assigning precision: " + json.dumps(config_dict, separators=(",", ":")))
    passes.assign_precision(module, config_source)  # a file: diagnostics name it
    _write(out_dir / "model.mx.mlir", str(module), result)

    step(f"kernel looping (policy={policy})")
    remarks: list = []
    passes.kernel_loop(module, policy, diagnostics=remarks)
    for remark in remarks:
        log(f"       {remark.message}")
    looped_ops = count_ops(module)
    log(f"       {float_ops.non_constant} -> {looped_ops.non_constant} ops (without constants)")
    _write(out_dir / "model.looped.mlir", str(module), result)

    t = step("MX execution (interpreter: the numbers the hardware gives)")
    quantized = _as_arrays(interp.run(module, arrays))
    log(f"       ({time.perf_counter() - t:.1f} s)")

    mask = arrays[1] if len(arrays) > 1 and arrays[1].ndim == 2 else None
    decoder = is_decoder_output(reference[0], mask)
    quality = compare_outputs(reference, quantized, attention_mask=mask, decoder=decoder)
    report = build_report(module)
    result.summary = {
        "model": model,
        "config": config_dict,
        "compute_ops": {"imported": float_ops.non_constant, "looped": looped_ops.non_constant},
        "quality": quality,
        "report": report,
    }
    _write(out_dir / "summary.json", json.dumps(result.summary, indent=2) + "\n", result)
    if not hardware:
        return result

    hw_config = hardware_config(config_dict)
    if layer is None:
        layer = default_layer(report["loops"])
    what = layer or "the whole model (no repeated layers)"
    step(f"hardware: {what} to Verilog (convert-mx-to-mxhw, CIRCT, Yosys) with MX "
         f"outputs and biases: {json.dumps(hw_config, separators=(',', ':'))}")
    try:
        figures = run_hardware_stage(out_dir / "model.mlir", hw_config, out_dir / "hardware",
                                     arrays, layer, log=log)
    except (MaseError, CompileError) as err:
        raise InputError(f"hardware stage: {err}\n(mase run --no-hardware skips it)") from None
    result.files.append(out_dir / "hardware")
    result.summary["hardware"] = figures
    _write(out_dir / "summary.json", json.dumps(result.summary, indent=2) + "\n", result)
    return result
