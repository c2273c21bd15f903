"""``compile_model``: an mx model -> dataflow hardware -> Verilog, manifest and report.

1. Precision (optional): a float model gets the config's formats
   (``passes.assign_precision``).
2. Lowering, in process through the bindings: ``mx-hw-outline`` (the hardware part: the
   whole model but the host's edges, or one layer), ``mx-hw-boundary`` (the host
   quantizes inputs and dequantizes results) and ``convert-mx-to-mxhw`` (one unit per
   op, streams between them, constants in memories).
3. Netlist (:mod:`.netlister`): one generated unit per ``mxhw`` op.
4. CIRCT (child process, :mod:`.circt`): the handshake top level and the units'
   ``hw`` modules -> SystemVerilog.
5. Area (Yosys, :mod:`.area`), memory bits, ideal cycles.

Output directory, built in a temporary sibling and renamed into place at the end (a
failure leaves nothing): ``<top>.sv``; ``model.mlir`` (the MX-typed function the
hardware implements: the golden models run it); ``hw.mlir`` (its ``mxhw`` form);
``host.mlir`` (the model split by ``mx-hw-outline``: the host's part calling the hardware
part, which the interpreter runs as one to give the hardware its real inputs);
``netlist.mlir`` (the handshake top level); ``mem_<name>.hex`` (constant memories,
one word per line); ``manifest.json`` (ports, streams, memories, units);
``report.json`` (cycles after ``mase sim``, ideal cycles, cells, flip-flops, memory
bits, per unit); and with a precision config ``source.mlir``, the float input.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .area import AreaError, yosys_area
from .circt import CirctError, run_circt
from .names import verilog_identifier
from .netlister import Design, NetlistError, build_netlist, index_constant, memory_words
from .rtl import RtlError

__all__ = ["HARDWARE_OPTIONS", "CompileError", "compile_model", "split_config"]

PRECISION_KEYS = frozenset({"default", "ops"})
#: Hardware options of ``--config`` (top level or under ``hardware``).
HARDWARE_OPTIONS: dict[str, Any] = {
    "area": True,  # run Yosys for cells and flip-flops
}
LAYOUT = ("one MX block per word and per stream beat: B element codes (element i at bits "
          "[i*M, (i+1)*M)), then the E-bit scale code (no scale field when E = 1)")


class CompileError(RuntimeError):
    """The model cannot be compiled to hardware; the message says why and where."""


def split_config(config: Mapping[str, Any]) -> tuple[dict, dict]:
    """(precision config, hardware options) of a ``--config`` object; unknown keys and
    badly typed options are errors."""
    if not isinstance(config, Mapping):
        raise CompileError("config: must be a JSON object")
    precision, options = {}, {}
    for key, val in config.items():
        if key in PRECISION_KEYS:
            precision[key] = val
        elif key == "hardware":
            if not isinstance(val, Mapping):
                raise CompileError("config: 'hardware' must be an object of hardware options")
            options.update(val)
        elif key in HARDWARE_OPTIONS:
            options[key] = val
        else:
            known = sorted(PRECISION_KEYS | set(HARDWARE_OPTIONS) | {"hardware"})
            raise CompileError(f"config: unknown key {key!r} (known: {', '.join(known)})")
    for key, val in options.items():
        if key not in HARDWARE_OPTIONS:
            raise CompileError(f"config: unknown hardware option {key!r} "
                               f"(known: {', '.join(sorted(HARDWARE_OPTIONS))})")
        if not isinstance(val, type(HARDWARE_OPTIONS[key])):
            raise CompileError(f"config: hardware option {key!r} must be a "
                               f"{type(HARDWARE_OPTIONS[key]).__name__}, got {val!r}")
    return precision, options


def _check_output(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise CompileError(f"output {out} exists and is not a directory")
    parent = out.parent
    if not parent.is_dir():
        raise CompileError(f"the directory {parent} of the output does not exist")
    if not os.access(parent, os.W_OK):
        raise CompileError(f"cannot write into {parent}")


@dataclass
class Lowered:
    """The stages of a model on its way to hardware (MLIR text each)."""

    host: str  # the model split: the host's function calling the hardware part
    hardware: str  # the hardware part alone, MX-typed at its boundary (model.mlir)
    mxhw: str  # its dataflow units
    source: str | None  # the float model a precision config was applied to
    host_ops: list[dict] = field(default_factory=list)  # what stays on the host
    calls: int = 1  # how often the host calls the hardware part (once per layer: --no-loop)


def _lower(model: Path, precision: dict, layer: str | None, loop_body: bool = False) -> Lowered:
    from .. import ir, passes  # not at import: see netlister's docstring

    source = None
    precision_warnings: list[passes.Diagnostic] = []
    try:
        with ir.Context():
            module = ir.Module.parseFile(str(model))
            if precision:
                source = str(module)
                passes.assign_precision(module, dict(precision),
                                        diagnostics=precision_warnings)
            option = (f"{{layer={layer}}}" if layer else
                      "{loop-body=true}" if loop_body else "")
            passes.run_pipeline(module, f"builtin.module(mx-hw-outline{option})")
            host = str(module)
            host_func, hw_func = _functions(module)
            host_ops = [{"op": op.name, "name": _op_name(op)}
                        for op in (o.operation for o in host_func.regions[0].blocks[0])
                        if op.name not in _HOST_STRUCTURE]
            part = ir.Module.parse(hw_func.get_asm(enable_debug_info=True))
            # The hardware's top is named after the model, or after the layer.
            host_name = str(host_func.attributes["sym_name"]).strip('"')
            top = verilog_identifier(layer or (f"{host_name}_layer" if loop_body else host_name))
            calls = _kernel_loop_trips(host_func) if loop_body else 1
            only = next(iter(part.body.operations)).operation
            only.attributes["sym_name"] = ir.StringAttr.get(top)
            passes.run_pipeline(part, "builtin.module(func.func(mx-hw-boundary))")
            hardware = str(part)
            passes.run_pipeline(part, "builtin.module(convert-mx-to-mxhw)")
            return Lowered(host, hardware, str(part), source, host_ops, calls)
    except passes.PassError as err:
        raise CompileError(f"{model}: {err}{_precision_notes(err, precision_warnings)}"
                           ) from None
    except ir.MLIRError as err:
        raise CompileError(_mlir_error(model, err)) from None


def _precision_notes(err: Any, warnings: list[Any]) -> str:
    """What the precision config warned at the ops a lowering error names: why an op was
    left without an MX format (a blocked dimension the block size does not divide)."""
    where = {d.location for d in err.diagnostics if d.severity == "error"}
    notes = dict.fromkeys(f"\n{d.location_readable}: note: the precision config: {d.message}"
                          for d in warnings if d.severity == "warning" and d.location in where)
    return "".join(notes)


#: Ops of the host's function that are not host computation.
_HOST_STRUCTURE = frozenset({"arith.constant", "mx.constant", "func.call", "func.return"})


def _kernel_loop_trips(func: Any) -> int:
    """The layer count of the kernel loop whose body the host calls once per layer."""
    for op in func.regions[0].blocks[0].operations:
        op = op.operation
        if op.name == "scf.for" and "mx.kernel_loop" in op.attributes:
            return index_constant(op.operands[1])
    raise CompileError("the host part has no kernel loop calling the layer")


def _functions(module: Any) -> tuple[Any, Any]:
    """(the host's function, the hardware part's) of an outlined module."""
    funcs = {str(op.attributes["sym_name"]).strip('"'): op.operation
             for op in module.body.operations if op.operation.name == "func.func"}
    hw = [name for name in funcs if name.endswith("_hw")]
    host = [name for name in funcs if not name.endswith("_hw")]
    return funcs[host[0]], funcs[hw[0]]


def _op_name(op: Any) -> str:
    return str(op.attributes["name"]).strip('"') if "name" in op.attributes else ""


def _mlir_error(model: Path, err: Exception) -> str:
    lines = [str(err).splitlines()[0]]
    for diag in getattr(err, "error_diagnostics", []) or []:
        lines.append(f"{diag.location}: {diag.message}")
    return f"{model}: " + "\n".join(lines)


def _netlist(hw_text: str) -> Design:
    from .. import ir  # not at import: see netlister's docstring

    with ir.Context():
        module = ir.Module.parse(hw_text)
        return build_netlist(module)


def _manifest(design: Design, ports: dict, sv: Path) -> dict:
    nl = design.netlist
    return {
        "top": nl.top,
        "verilog": sv.name,
        "model": "model.mlir",
        "function": design.function,
        "inputs": [{"port": s.name, "width": s.width, "beats": s.beats, **s.value}
                   for s in nl.inputs],
        "outputs": [{"port": s.name, "width": s.width, "beats": s.beats, **s.value}
                    for s in nl.outputs],
        "memories": [{"name": m.name, "unit": nl.units[m.unit].name, "addr_bits": m.addr_bits,
                      "data_bits": m.data_bits, "words": m.words, **m.source}
                     for m in nl.memories],
        "units": [{**u, "memories": [{"name": mem.name, "depth": mem.depth,
                                      "width": mem.width}
                                     for mem in nl.units[i].memories]}
                  for i, u in enumerate(design.unit_ops)],
        "ports": ports,
        "design_hash": hashlib.sha256(sv.read_bytes()).hexdigest()[:16],
        "layout": LAYOUT,
    }


def _report(design: Design, manifest: dict, area: dict | None) -> dict:
    nl = design.netlist
    units = []
    for i, unit in enumerate(nl.units):
        ext = sum(m.words * m.data_bits for m in nl.memories if m.unit == i)
        row = {"unit": unit.name, "module": nl.modules[i], "op": design.unit_ops[i]["op"],
               "name": design.unit_ops[i]["name"], "ideal_cycles": unit.ideal_cycles,
               "runs": design.unit_ops[i]["runs"],
               "memory_bits": sum(mem.bits for mem in unit.memories),
               "external_memory_bits": ext, **unit.info}
        if area is not None:
            row.update(area["units"].get(nl.modules[i], {}))
        units.append(row)
    # A unit in a kernel loop's body computes once per layer.
    cycles = [u.ideal_cycles * op["runs"] for u, op in zip(nl.units, design.unit_ops,
                                                            strict=True)]
    report = {
        "top": nl.top,
        "formats": sorted({s["format"] for s in manifest["inputs"] + manifest["outputs"]}),
        "units": units,
        # Operators run concurrently: the slowest one bounds the design.
        "ideal_cycles": max(cycles, default=0),
        "sum_of_unit_cycles": sum(cycles),
        "loops": design.loops,
        "cycles": None,
        "memory_bits": sum(u["memory_bits"] for u in units),
        "external_memory_bits": sum(u["external_memory_bits"] for u in units),
        "cells": area["cells"] if area else None,
        "flip_flops": area["flip_flops"] if area else None,
    }
    return report


def compile_model(model: Path | str, out: Path | str, config: Mapping[str, Any] | None = None,
                  *, layer: str | None = None, loop_body: bool = False,
                  log: Callable[[str], None] | None = None) -> dict:
    """Compile the mx model file ``model`` to hardware in the directory ``out``;
    returns the report. ``layer``: build only the ops named after this module path
    (e.g. ``encoder.layer.0``); the rest of the model stays on the host. ``loop_body``:
    build the non-looped baseline, the kernel loop's body as a layer circuit the host
    calls once per layer with that layer's weights (a kernel loop is otherwise built
    as looped hardware)."""
    say = log or (lambda _msg: None)
    precision, options = split_config(config or {})
    opts = {**HARDWARE_OPTIONS, **options}
    model, out = Path(model), Path(out)
    if not model.is_file():
        raise CompileError(f"no such file: {model}")
    _check_output(out)
    say("lowering to dataflow units (convert-mx-to-mxhw)")
    if layer and loop_body:
        raise CompileError("--layer and --no-loop select different parts; give one")
    lowered = _lower(model, precision, layer, loop_body)
    try:
        design = _netlist(lowered.mxhw)
    except (NetlistError, RtlError) as err:
        raise CompileError(f"{model}: {err}") from None
    nl = design.netlist
    say(f"{len(nl.units)} units, {len(nl.memories)} external memories; running CIRCT")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        tmp.chmod(0o755)
        (tmp / "model.mlir").write_text(lowered.hardware)
        (tmp / "hw.mlir").write_text(lowered.mxhw)
        (tmp / "host.mlir").write_text(lowered.host)
        if lowered.source is not None:
            (tmp / "source.mlir").write_text(lowered.source)
        handshake = nl.handshake_top()
        (tmp / "netlist.mlir").write_text(handshake)
        for mem in nl.memories:
            data = design.memory_data.get(mem.name)
            if data is not None:
                digits = (mem.data_bits + 3) // 4
                words = memory_words(data, mem.source["contents"])
                (tmp / f"mem_{mem.name}.hex").write_text(
                    "".join(f"{w:0{digits}x}\n" for w in words))
        try:
            ports = run_circt(handshake, nl.units_text(), nl.top, tmp)
        except CirctError as err:
            raise CompileError(str(err)) from None
        sv = tmp / f"{nl.top}.sv"
        manifest = _manifest(design, ports, sv)
        manifest["calls"] = lowered.calls
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        area = None
        if opts["area"]:
            area = _cached_area(out, manifest["design_hash"])
            if area is None:
                say("synthesizing with Yosys for cells and flip-flops")
                try:
                    area = yosys_area(sv, nl.top)
                except AreaError as err:
                    raise CompileError(str(err)) from None
        report = _report(design, manifest, area)
        report["layer"] = layer
        if loop_body:
            # The host loads each call's weights over one port per memory, in parallel.
            report["calls"] = lowered.calls
            report["calls_load_cycles"] = max(
                (m.words for m in nl.memories if "argument" in m.source), default=0)
        report["host_ops"] = lowered.host_ops
        (tmp / "report.json").write_text(json.dumps(report, indent=1) + "\n")
        _replace(tmp, out)
        return report
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _replace(tmp: Path, out: Path) -> None:
    """Move the finished ``tmp`` to ``out`` (an existing directory is replaced)."""
    if out.is_dir():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        old.rmdir()
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def _cached_area(out: Path, design_hash: str) -> dict | None:
    """The Yosys figures of the previous compile into ``out`` when its design is identical."""
    try:
        old = json.loads((out / "manifest.json").read_text())
        rep = json.loads((out / "report.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if old.get("design_hash") != design_hash or rep.get("cells") is None:
        return None
    return {"cells": rep["cells"], "flip_flops": rep["flip_flops"],
            "units": {u["unit"]: {"cells": u.get("cells"), "flip_flops": u.get("flip_flops")}
                      for u in rep.get("units", [])}}
