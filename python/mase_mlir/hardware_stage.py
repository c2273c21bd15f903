"""The main job's last stage: one layer of the model as Verilog, simulated bit-exactly.

``mase run`` ends here: the first layer of the model's kernel loop (or the layer the
user names) is compiled to hardware with the run's precision (``hardware_config``),
synthesized for its cells, and simulated on the model's real activations (the
example inputs run through the host part), RTL == numerics == interpreter.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import sim
from .backend import compile_model
from .errors import InputError

__all__ = ["default_layer", "format_hardware", "hardware_config", "layer_path",
           "run_hardware_stage"]

FLOAT = "f32"


def hardware_config(config: Mapping[str, Any]) -> dict:
    """The precision config the hardware builds: ``config`` with MX outputs and biases.

    Units stream MX blocks to each other and hold biases in MX memories (no float
    datapath), so an op whose output or bias the config leaves in float gets its input
    format there: the hardware keeps activations in the format the next op reads."""
    out = copy.deepcopy(dict(config))
    default = out.get("default")
    if not isinstance(default, dict) or not isinstance(default.get("input"), str) \
            or default["input"] == FLOAT:
        raise InputError("the hardware needs a precision config whose 'default' gives an MX "
                         "'input' format (e.g. \"mxint8\")")
    for entry in [default, *(out.get("ops") or {}).values()]:
        if not isinstance(entry, dict):
            continue
        fmt = entry.get("input", default["input"])
        for role in ("output", "bias"):
            # An op entry without the role inherits the default's (already MX).
            if entry.get(role, FLOAT if entry is default else None) == FLOAT:
                entry[role] = fmt
    return out


def layer_path(names: list[str]) -> str:
    """The module path of the first layer, from one op's name in every layer of a kernel
    loop (``encoder.layer.0.attention.self.query``, ``encoder.layer.1.attention...``):
    the dotted prefix up to the first component that differs between layers."""
    if len(names) < 2:
        raise InputError("a kernel loop with one layer names no layer path")
    first, second = names[0].split("."), names[1].split(".")
    for k, (a, b) in enumerate(zip(first, second, strict=False)):
        if a != b:
            return ".".join(first[: k + 1])
    raise InputError(f"the layers' op names do not differ: {names[0]!r}")


def default_layer(loops: list[Mapping[str, Any]]) -> str | None:
    """The layer ``mase run`` builds: the first layer of the kernel loop with the most ops
    per layer (the model's repeated block; smaller loops fold short repeats such as two
    embedding sums of one shape), or None (the whole model) without a named loop."""
    named = [loop for loop in loops if "layers" in loop]
    if not named:
        return None
    return layer_path(max(named, key=lambda loop: loop["ops_per_layer"])["layers"])


def run_hardware_stage(model: Path, config: Mapping[str, Any], out_dir: Path,
                       inputs: list[Any], layer: str | None, *,
                       log: Callable[[str], None]) -> dict:
    """Compile ``layer`` of the float ``model`` with ``config`` into ``out_dir``, simulate
    it on the model's ``inputs``; returns the figures for the run's summary."""
    t = time.perf_counter()
    report = compile_model(model, out_dir, config, layer=layer,
                           log=lambda m: log(f"       {m}"))
    compile_s = time.perf_counter() - t
    log(f"[mase] hardware: simulating {layer or 'the model'} on its real activations "
        "(Verilator)")
    t = time.perf_counter()
    result = sim.run(out_dir, sim.model_arguments(out_dir, inputs))
    sim_s = time.perf_counter() - t
    report = sim.read_report(out_dir)
    figures = {
        "layer": layer or "(whole model)",
        "directory": str(out_dir),
        "bit_exact": result.ok and result.interpreter == "compared",
        "compared_with": ["numerics", "interpreter"] if result.interpreter == "compared"
                         else ["numerics"],
        "cycles": result.cycles,
        "dataflow_bound_cycles": report.get("ideal_cycles"),
        "sum_of_unit_cycles": report.get("sum_of_unit_cycles"),
        "units": len(report.get("units", [])),
        "cells": report.get("cells"),
        "flip_flops": report.get("flip_flops"),
        "memory_bits": report.get("memory_bits"),
        "external_memory_bits": report.get("external_memory_bits"),
        "host_ops": report.get("host_ops"),
        "compile_seconds": round(compile_s, 1),
        "simulation_seconds": round(sim_s, 1),
    }
    if not result.ok:
        raise InputError(f"hardware simulation of {layer or 'the model'} is not bit-exact: "
                         f"{result.first_mismatch}")
    return figures


def format_hardware(figures: Mapping[str, Any]) -> str:
    """A few lines for the terminal."""
    bound = figures.get("dataflow_bound_cycles") or 0
    share = f", {100 * bound / figures['cycles']:.1f}% of it" if figures["cycles"] else ""
    cells = figures.get("cells")
    return "\n".join([
        f"hardware: {figures['layer']} -> {figures['directory']}/ "
        f"({figures['units']} units, Verilog + manifest + report)",
        f"  bit-exact: RTL == {' == '.join(figures['compared_with'])} on the model's inputs",
        f"  cycles {figures['cycles']:,} (dataflow bound {bound:,}: the slowest unit{share}; "
        f"sum of unit cycles {figures.get('sum_of_unit_cycles') or 0:,})",
        f"  cells {cells:,}, flip-flops {figures.get('flip_flops') or 0:,}" if cells is not None
        else "  cells: not synthesized",
        f"  memory {figures.get('memory_bits') or 0:,} bits on chip, "
        f"{figures.get('external_memory_bits') or 0:,} in external memories",
        f"  compile {figures['compile_seconds']} s, simulation {figures['simulation_seconds']} s",
    ])
