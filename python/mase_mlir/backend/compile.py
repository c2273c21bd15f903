"""`compile_model`: mx IR -> hardware IR (mase-opt) -> Verilog (CIRCT) -> manifest, report.

Output directory (written atomically: a temporary sibling directory renamed
into place at the end, so a failure leaves nothing half-written):

* ``<top>.sv``: the design (one file), ``hw.mlir`` (the cf-level integer IR
  handed to CIRCT), ``handshake.mlir`` (after buffer placement), ``model.mlir``
  (the MX-typed model, for the golden model) and, with a precision config,
  ``source.mlir`` (the float input it was assigned from);
* ``manifest.json``: top module, ports, memories and their layouts;
* ``report.json``: cycles (after ``mase sim``), ideal cycles, area, memory bits, formats.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .circt import CirctError, run_circt, verilog_ports


class CompileError(RuntimeError):
    """The model cannot be compiled to hardware; the message says why and where."""


DEFAULT_CONFIG = {
    "buffers": "mase",  # "mase" (our placement), or CIRCT's "cycles" / "all"
    "buffer_size": None,
    "acc_guard_bits": 16,
    "area": True,  # run Yosys for cells / flip-flops
}


def find_mase_opt() -> str:
    exe = os.environ.get("MASE_OPT")
    if exe:
        return exe
    root = Path(__file__).resolve().parents[3]
    cand = root / "build" / "bin" / "mase-opt"
    if cand.is_file():
        return str(cand)
    found = shutil.which("mase-opt")
    if found:
        return found
    raise CompileError("mase-opt not found (build it with `make build`, or set MASE_OPT)")


def lower_to_hw_ir(model: Path, acc_guard_bits: int = 16) -> str:
    """Run the ``mx-to-hw-ir`` pipeline of mase-opt; returns the cf-level IR text."""
    cmd = [find_mase_opt(), f"--mx-to-hw-ir=acc-guard-bits={acc_guard_bits}", str(model)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CompileError(f"lowering {model} to hardware IR failed:\n{proc.stderr.strip()}")
    return proc.stdout


_ARG = re.compile(r"%arg(\d+): memref<(\d+)xi(\d+)> \{mase\.mem = \{(.*?)\}\}")
_FIELD = re.compile(r'(\w+) = ("[^"]*"|array<i64: [^>]*>|-?\d+ : i64)')


def parse_memories(hw_ir: str) -> tuple[str, list[dict]]:
    """Top function name and its memory arguments (from the ``mase.mem`` attributes)."""
    m = re.search(r"func\.func @(\w+)\((.*?)\)\s*attributes \{[^}]*mase\.hw", hw_ir, re.S)
    if not m:
        raise CompileError("the hardware IR has no function marked mase.hw")
    top, args = m.group(1), m.group(2)
    mems = []
    for am in _ARG.finditer(args):
        fields = {}
        for fm in _FIELD.finditer(am.group(4)):
            key, val = fm.group(1), fm.group(2)
            if val.startswith('"'):
                fields[key] = val[1:-1]
            elif val.startswith("array"):
                body = val[len("array<i64:"):-1].strip()
                fields[key] = [int(v) for v in body.split(",")] if body else []
            else:
                fields[key] = int(val.split(":")[0])
        fields["index"] = int(am.group(1))
        fields["kind"] = "store" if fields["role"] == "output" else "load"
        mems.append(fields)
    return top, mems


def model_summary(model_text: str) -> dict:
    """Ops, formats and ideal cycles (one block of B MACs per cycle) of an mx model."""
    from .. import ir
    from ..dialects import mx

    ops, formats, ideal = [], [], 0
    with ir.Context():
        module = ir.Module.parse(model_text)
        for fop in module.body.operations:
            if fop.operation.name != "func.func":
                continue
            for op in fop.regions[0].blocks[0].operations:
                name = op.operation.name
                if not name.startswith("mx."):
                    continue
                types = [mx.TensorType(v.type) for v in list(op.operands) + list(op.results)
                         if mx.TensorType.isinstance(v.type)]
                label = (str(op.attributes["name"]).strip('"') if "name" in op.attributes
                         else f"{name}#{len(ops)}")
                entry = {"op": name, "name": label,
                         "formats": [mx.FormatAttr(t.format).spelling for t in types]}
                if name == "mx.linear" and len(types) >= 3:
                    x, w = types[0], types[1]
                    rows = 1
                    for d in x.shape[:-1]:
                        rows *= d
                    n, k = w.shape
                    blocks = rows * n * (k // mx.FormatAttr(x.format).block_size)
                    entry.update(rows=rows, k=k, n=n, block_macs=blocks)
                    ideal += blocks
                elif types:
                    nblk = 1
                    for d in types[0].shape:
                        nblk *= d
                    entry["blocks"] = nblk // mx.FormatAttr(types[0].format).block_size
                ops.append(entry)
                for f in entry["formats"]:
                    if f not in formats:
                        formats.append(f)
    return {"ops": ops, "formats": formats, "ideal_cycles": ideal}


def yosys_area(sv: Path, top: str, timeout: float = 3600) -> dict:
    """Cells and flip-flops after ``synth -top`` (Yosys), or an error entry."""
    exe = shutil.which("yosys")
    if not exe:
        return {"error": "yosys not found"}
    script = f"read_verilog -sv {sv}; synth -top {top}; stat"
    proc = subprocess.run([exe, "-q", "-p", f"{script}; tee -o /dev/stdout stat"],
                          capture_output=True, text=True, timeout=timeout, check=False)
    if proc.returncode != 0:
        return {"error": f"yosys failed: {proc.stderr.strip()[-2000:]}"}
    text = proc.stdout
    # The last "Number of cells" block is the top after flattening (synth flattens).
    cells = re.findall(r"Number of cells:\s+(\d+)", text)
    ff = 0
    section = text[text.rfind("Number of cells:"):] if cells else ""
    for cm in re.finditer(r"^\s+(\$_\w+)\s+(\d+)$", section, re.M):
        if "DFF" in cm.group(1) or "DLATCH" in cm.group(1):
            ff += int(cm.group(2))
    return {"cells": int(cells[-1]) if cells else None, "flip_flops": ff}


def _atomic_replace(tmp: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)


def compile_model(model: Path, out: Path, config: dict | None = None) -> dict:
    """Compile an mx model file to Verilog in ``out``; returns the report."""
    from .precision import apply_precision, split_config

    try:
        precision, options = split_config(config or {}, set(DEFAULT_CONFIG))
    except ValueError as err:
        raise CompileError(f"config: {err}") from None
    cfg = dict(DEFAULT_CONFIG)
    cfg.update(options)
    model = Path(model)
    out = Path(out)
    if not model.is_file():
        raise CompileError(f"no such file: {model}")
    source = model.read_text()
    text = source
    if precision:
        try:
            text = apply_precision(source, precision)
        except Exception as err:  # noqa: BLE001 - PassError, parse errors: one message
            raise CompileError(f"applying the precision config failed: {err}") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        (tmp / "model.mlir").write_text(text)
        if precision:
            (tmp / "source.mlir").write_text(source)
        summary = model_summary(text)
        # Lower the user's file itself (diagnostics name it) unless a config rewrote it.
        try:
            hw_ir = lower_to_hw_ir(tmp / "model.mlir" if precision else model,
                                   int(cfg["acc_guard_bits"]))
        except CompileError as err:
            raise CompileError(str(err).replace(str(tmp / "model.mlir"),
                                                f"{model} (after the precision config)")) from None
        (tmp / "hw.mlir").write_text(hw_ir)
        top, mems = parse_memories(hw_ir)
        try:
            bstats = run_circt(tmp / "hw.mlir", tmp, top, cfg["buffers"], cfg["buffer_size"])
        except CirctError as err:
            raise CompileError(str(err)) from None
        sv = tmp / f"{top}.sv"
        ports = verilog_ports(sv.read_text(), top)
        names = {p["name"] for p in ports}
        for mem in mems:
            k = mem["index"]
            want = f"in{k}_ld0_addr" if mem["kind"] == "load" else f"in{k}_st0_address"
            if want not in names:
                raise CompileError(f"memory {mem['name']} has no port {want} in the Verilog")
            mem["addr_bits"] = next(p["width"] for p in ports if p["name"] == want)
        start = len(mems)
        if f"in{start}_valid" not in names or "out0_valid" not in names:
            raise CompileError("the Verilog has no start/done handshake ports")
        manifest = {
            "top": top,
            "verilog": sv.name,
            "model": "model.mlir",
            "start_port": f"in{start}",
            "done_port": "out0",
            "memories": mems,
            "ports": ports,
            "buffers": bstats,
            "config": {k: v for k, v in cfg.items()},
            "precision": precision or None,
            "design_hash": hashlib.sha256(sv.read_bytes()).hexdigest()[:16],
            "layout": "one MX block per word: B element codes (element i at bits [i*M,(i+1)*M)) "
                      "then the E-bit scale code (no scale field when E = 1)",
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        report = {
            "top": top,
            "formats": summary["formats"],
            "ops": summary["ops"],
            "ideal_cycles": summary["ideal_cycles"],
            "cycles": None,
            "memory_bits": sum(m["words"] * m["word_bits"] for m in mems)
            + _internal_memory_bits(hw_ir),
            "cells": None,
            "flip_flops": None,
        }
        if cfg.get("area", True):
            area = _cached_area(out, manifest["design_hash"]) or yosys_area(sv, top)
            report["cells"] = area.get("cells")
            report["flip_flops"] = area.get("flip_flops")
            if "error" in area:
                report["area_error"] = area["error"]
        (tmp / "report.json").write_text(json.dumps(report, indent=1) + "\n")
        _atomic_replace(tmp, out)
        return report
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _cached_area(out: Path, design_hash: str) -> dict | None:
    """Yosys figures of the previous compile into ``out`` when its design is identical."""
    try:
        old = json.loads((out / "manifest.json").read_text())
        rep = json.loads((out / "report.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if old.get("design_hash") != design_hash or rep.get("cells") is None:
        return None
    return {"cells": rep["cells"], "flip_flops": rep["flip_flops"]}


def _internal_memory_bits(hw_ir: str) -> int:
    total = 0
    for m in re.finditer(r"memref\.alloc\(\) : memref<(\d+)xi(\d+)>", hw_ir):
        total += int(m.group(1)) * int(m.group(2))
    return total
