"""Verilator simulation of a compiled design against the golden models, bit for bit.

``run(out_dir)`` builds (once per design, cached by the hash of the Verilog and the
testbench under :func:`cache_dir`) a Verilator C++ testbench (:mod:`.testbench`) for
the design that ``mase compile`` wrote to ``out_dir``; streams the inputs in (one MX
block per beat), serves the external memories (constants from the compile, weight
arguments from the data given or drawn), collects the output streams and the cycle
count, and compares the outputs code by code and scale by scale with both golden
models: :mod:`mase_mlir.numerics` applied op by op (:mod:`.golden`) and the reference
interpreter :mod:`mase_mlir.interp` on ``model.mlir``. The result is ok only when
RTL == numerics == interpreter.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import children, interp, ir
from ..backend.layout import pack, unpack
from ..backend.netlister import BOOL_FORMAT, memory_words
from ..errors import InputError, MaseError
from ..files import load_json
from ..numerics import Format, MXTensor, quantize
from . import golden, testbench
from .manifest import check as manifest_check


class SimError(MaseError, RuntimeError):
    """The simulator could not be built or run, or its inputs do not fit the design."""


@dataclass
class SimResult:
    ok: bool
    cycles: int
    ideal_cycles: int
    mismatches: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    outputs: list[MXTensor] = field(default_factory=list)
    golden: list[MXTensor] = field(default_factory=list)
    interpreter: str = "not run"

    @property
    def first_mismatch(self) -> str | None:
        return self.mismatches[0] if self.mismatches else None


def _verilator() -> str:
    exe = shutil.which("verilator")
    if not exe:
        raise SimError("verilator not found: install it (apt-get install -y verilator)")
    return exe


def cache_dir() -> Path:
    """Where compiled simulators live, one directory per design (top and hash of the
    Verilog + testbench): ``$MASE_SIM_CACHE``, else ``$XDG_CACHE_HOME/mase-mlir/sim``
    (``~/.cache/mase-mlir/sim``). Shared by every output directory, the tests and the
    benchmark: an identical design is built once."""
    env = os.environ.get("MASE_SIM_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mase-mlir" / "sim"


def _mk(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def build(out_dir: Path, manifest: dict) -> Path:
    """The compiled simulator of the design in ``out_dir`` (cached by hash)."""
    top = manifest["top"]
    tb = testbench.generate(
        top,
        [testbench.Stream(s["port"], s["width"], s["beats"]) for s in manifest["inputs"]],
        [testbench.Stream(s["port"], s["width"], s["beats"]) for s in manifest["outputs"]],
        [testbench.MemPort(m["name"], m["addr_bits"], m["data_bits"], m["words"])
         for m in manifest["memories"]])
    sv = out_dir / manifest["verilog"]
    digest = hashlib.sha256(sv.read_bytes() + tb.encode()).hexdigest()[:16]
    root = cache_dir()
    cache = root / f"{top}-{digest}"
    exe = cache / "obj" / f"V{top}"
    if exe.is_file():
        return exe
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=_mk(root)))
    try:
        (tmp / "tb.cpp").write_text(tb)
        cmd = [_verilator(), "--cc", "--exe", "--build", "-j", "2", "--top-module", top,
               "-Wno-fatal", "-Wno-lint", "-Wno-style", "--x-assign", "0", "--x-initial", "0",
               "-O1", "-CFLAGS", "-O1", "-Mdir", "obj", "tb.cpp", str(sv.resolve())]
        env = dict(os.environ, MAKEFLAGS="-j2")
        proc = children.run(cmd, cwd=tmp, env=env)  # make and the compilers die with it
        if proc.returncode != 0:
            raise SimError(f"verilator build failed:\n{(proc.stderr or proc.stdout)[-4000:]}")
        try:
            tmp.rename(cache)
        except OSError:  # another process built the same design meanwhile: use its copy
            if not exe.is_file():
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return exe


def read_manifest(out_dir: Path) -> dict:
    path = out_dir / "manifest.json"
    if not path.is_file():
        raise SimError(f"{out_dir} holds no compiled design (no manifest.json; run mase compile)")
    try:
        manifest = load_json(path, "manifest")
    except InputError as err:
        raise SimError(f"{path} is not a manifest written by mase compile: {err}") from None
    try:
        return manifest_check(manifest, out_dir, path)
    except InputError as err:
        raise SimError(str(err)) from None


def read_report(out_dir: Path | str) -> dict:
    """The design's report.json (empty when absent)."""
    return _read_report(Path(out_dir) / "report.json")


#: An argument's value: an MX tensor, or booleans (a mask in a bit memory).
Argument = MXTensor | np.ndarray


def argument_types(manifest: dict) -> dict[int, tuple[Format | None, tuple[int, ...], int]]:
    """Format, shape and blocked axis of every function argument the hardware reads
    (format None: a mask of booleans)."""
    out = {}
    for s in manifest["inputs"]:
        shape = tuple(s["shape"])
        out[s["argument"]] = (Format.parse(s["format"]), shape, s.get("axis", len(shape) - 1))
    for m in manifest["memories"]:
        if "argument" in m:
            shape = tuple(m["shape"])
            fmt = None if m["format"] == BOOL_FORMAT else Format.parse(m["format"])
            out[m["argument"]] = (fmt, shape, len(shape) - 1)
    return out


def random_arguments(manifest: dict, seed: int = 0) -> dict[int, Argument]:
    """Seeded Gaussian data quantized to each argument's format (inputs and weights);
    masks keep each position with probability 3/4."""
    rng = np.random.default_rng(seed)
    out = {}
    for k, (fmt, shape, axis) in sorted(argument_types(manifest).items()):
        if fmt is None:
            out[k] = rng.random(size=shape) < 0.75
            continue
        x = rng.normal(size=shape).astype(np.float32)
        out[k] = quantize(x, fmt, axis=axis)
    return out


def model_arguments(out_dir: Path | str, model_inputs: list[Any]) -> dict[int, Argument]:
    """The hardware part's arguments when the whole model runs on ``model_inputs`` (its
    real activations), for its first call (see :func:`model_calls`)."""
    return model_calls(out_dir, model_inputs)[0]


def model_calls(out_dir: Path | str, model_inputs: list[Any]) -> list[dict[int, Argument]]:
    """The hardware part's arguments, per call, when the whole model runs on
    ``model_inputs``: the interpreter runs ``host.mlir`` (host part and hardware part as
    one) and records each call (one per layer for a kernel loop's body); float values
    the host quantizes at the boundary are quantized to ``model.mlir``'s argument
    types, as the host does."""
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    host = out_dir / "host.mlir"
    if not host.is_file():
        raise SimError(f"{out_dir} lacks host.mlir (compiled by an older mase?)")
    with ir.Context():
        module = ir.Module.parse(host.read_text())
        callee = next(str(op.attributes["sym_name"]).strip('"') for op in module.body.operations
                      if str(op.attributes["sym_name"]).strip('"').endswith("_hw"))
        try:
            runs, _ = interp.trace_calls(module, list(model_inputs), callee)
        except interp.InterpreterError as err:
            raise SimError(f"running the model on its inputs failed: {err}") from None
    types = argument_types(manifest)
    calls = []
    for values, _ in runs:
        out: dict[int, Argument] = {}
        for k, value in enumerate(values):
            if k not in types:
                continue
            fmt, shape, axis = types[k]
            if fmt is None:  # a mask the host computed
                value = np.asarray(value, dtype=bool)
            elif not isinstance(value, MXTensor):
                value = quantize(np.asarray(value, dtype=np.float32), fmt, axis=axis)
            out[k] = value
        calls.append(out)
    return calls


def _read_report(path: Path) -> dict:
    """``report.json`` of the compile ({} when absent): its cycle figures."""
    if not path.is_file():
        return {}
    try:
        report = load_json(path, "report")
    except InputError as err:
        raise SimError(str(err)) from None
    if not isinstance(report, dict):
        raise SimError(f"{path} must hold a JSON object")
    for key in ("ideal_cycles", "sum_of_unit_cycles"):
        value = report.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise SimError(f"{path}: '{key}' must be a whole number, got {value!r}")
    return report


def _write_words(path: Path, words: list[int], bits: int) -> None:
    digits = (bits + 3) // 4
    path.write_text("".join(f"{w:0{digits}x}\n" for w in words))


def run(out_dir: Path | str,
        arguments: dict[int, Argument] | list[dict[int, Argument]] | None = None, seed: int = 0,
        *, stall_in: int = 0, stall_out: int = 0, max_cycles: int | None = None,
        update_report: bool = True) -> SimResult:
    """Simulate the design in ``out_dir`` on ``arguments`` (function argument index ->
    MX tensor; random when None) and compare it with the golden models.

    A design the host calls once per layer (``mase compile --no-loop``: a kernel loop's
    body) runs once per call, with a list of arguments per call (random: one seed per
    call); its cycles are the calls' cycles summed, and the report gets the baseline's
    totals (see :func:`baseline_cycles`)."""
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    report_path = out_dir / "report.json"
    report = _read_report(report_path)
    count = int(manifest.get("calls") or 1)
    if arguments is None:
        arguments = [random_arguments(manifest, seed + i) for i in range(count)]
    calls = arguments if isinstance(arguments, list) else [arguments]
    if len(calls) != count:
        raise SimError(f"the design is called {count} times (once per layer); got arguments "
                       f"for {len(calls)} calls")
    exe = build(out_dir, manifest)
    ideal = int(report.get("ideal_cycles") or 0)
    if max_cycles is None:
        max_cycles = 100 * max(int(report.get("sum_of_unit_cycles") or 0), 10000)
    model_text = (out_dir / manifest["model"]).read_text()
    results = [_run_call(out_dir, manifest, model_text, exe, args, seed, stall_in, stall_out,
                         max_cycles) for args in calls]
    res = SimResult(all(r.ok for r in results), sum(r.cycles for r in results), ideal * count,
                    [m for r in results for m in r.mismatches], results[-1].stats,
                    results[-1].outputs, results[-1].golden, results[-1].interpreter)
    if update_report and report_path.is_file():
        report["cycles"] = res.cycles
        report["sim"] = {"ok": res.ok, "seed": seed, "interpreter": res.interpreter,
                         "of_bound": round(res.ideal_cycles / res.cycles, 4)
                         if res.cycles else None,
                         "ports": res.stats.get("ports", {})}
        if count > 1:
            report["baseline"] = baseline_cycles(report, [r.cycles for r in results])
        tmpf = report_path.with_suffix(".json.tmp")
        tmpf.write_text(json.dumps(report, indent=1) + "\n")
        tmpf.replace(report_path)
    return res


#: Per-call synchronization costs (cycles) the baseline is reported at: none, and
#: about 1 us at 1 GHz (a host's start/wait round trip).
SYNC_CYCLES = (0, 1000)


def baseline_cycles(report: dict, call_cycles: list[int]) -> dict:
    """The non-looped baseline's time: each call started and waited for, the host
    loading the next layer's weights between calls (one memory word per cycle per
    memory, the memories in parallel) and a synchronization cost per call."""
    load = int(report.get("calls_load_cycles") or 0)
    busy = sum(call_cycles) + load * len(call_cycles)
    return {"calls": len(call_cycles), "call_cycles": call_cycles, "load_cycles": load,
            "total_cycles": {f"sync_{s}": busy + s * len(call_cycles) for s in SYNC_CYCLES}}


def _run_call(out_dir: Path, manifest: dict, model_text: str, exe: Path,
              arguments: dict[int, Argument],
              seed: int, stall_in: int, stall_out: int, max_cycles: int) -> SimResult:
    """One run of the testbench on one call's arguments, compared with the golden models."""

    types = argument_types(manifest)
    for k, (fmt, shape, axis) in types.items():
        q = arguments.get(k)
        if q is None:
            raise SimError(f"no data for argument #{k} ({fmt or BOOL_FORMAT} {list(shape)})")
        if fmt is None:
            if not isinstance(q, np.ndarray) or q.dtype != np.bool_ or q.shape != shape:
                raise SimError(f"argument #{k}: expected a mask of booleans of shape "
                               f"{list(shape)}, got {getattr(q, 'dtype', type(q).__name__)} "
                               f"{list(np.shape(q))}")
            continue
        if not isinstance(q, MXTensor) or q.fmt != fmt or tuple(q.shape) != shape or q.axis != axis:
            raise SimError(f"argument #{k}: expected {fmt} {list(shape)} blocked along axis "
                           f"{axis}, got {q.fmt} {list(q.shape)} along axis {q.axis}")
    n_args = 1 + max(types, default=-1)
    args = [arguments.get(k) for k in range(n_args)]
    try:
        expected = golden.evaluate(model_text, manifest["function"], args)
    except ValueError as err:  # the golden model's refusals: an op it has no model of, ...
        raise SimError(f"{out_dir / manifest['model']}: {err}") from None
    interp_note, interp_out = golden.interpreter(model_text, manifest["function"], args)
    with tempfile.TemporaryDirectory(prefix="run-", dir=_mk(out_dir / ".sim")) as rd:
        rdir = Path(rd)
        for s in manifest["inputs"]:
            _write_words(rdir / f"in_{s['port']}.hex", pack(arguments[s["argument"]]),
                         s["width"])
        for m in manifest["memories"]:
            target = rdir / f"mem_{m['name']}.hex"
            if "argument" in m:
                words = memory_words(arguments[m["argument"]], m["contents"])
                _write_words(target, words, m["data_bits"])
            else:
                shutil.copyfile(out_dir / m["constant"], target)
        cmd = [str(exe), str(rdir), "--max-cycles", str(max_cycles), "--seed", str(seed),
               "--stall-in", str(stall_in), "--stall-out", str(stall_out)]
        proc = children.run(cmd)
        if proc.returncode != 0:
            raise SimError(f"simulation failed (exit {proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[-3000:]}")
        stats = json.loads((rdir / "stats.json").read_text())
        outputs = []
        for s in manifest["outputs"]:
            words = [int(line, 16) for line in (rdir / f"out_{s['port']}.hex").read_text().split()]
            outputs.append(unpack(words, Format.parse(s["format"]), tuple(s["shape"]),
                                  s.get("axis", -1)))
    mismatches = []
    if interp_out is None:  # the interpreter is part of the golden model: no silent pass
        mismatches.append(f"interpreter: {interp_note}")
    for s, got, want in zip(manifest["outputs"], outputs, expected, strict=True):
        mismatches += compare(f"result{s['result']}", got, want, "numerics")
        if interp_out is not None:
            mismatches += compare(f"result{s['result']}", got, interp_out[s["result"]],
                                  "interpreter")
    return SimResult(not mismatches, int(stats["cycles"]), 0, mismatches, stats, outputs,
                     expected, interp_note)


def compare(name: str, got: MXTensor, want: MXTensor, what: str) -> list[str]:
    """Element-by-element differences (codes and block scales) as messages."""
    msgs = []
    if got.shape != want.shape:
        return [f"{name}: shape {got.shape} vs {what} {want.shape}"]
    b = want.fmt.block_size
    has_scale = want.fmt.scale_bits > 1
    gs = got.scales.astype(np.int64)
    ws = want.scales.astype(np.int64)
    gc = got.codes.astype(np.int64)
    wc = want.codes.astype(np.int64)
    for idx in zip(*np.nonzero(gc != wc), strict=True):
        blk = idx[:-1] + (idx[-1] // b,)
        msgs.append(f"{name}{list(map(int, idx))}: RTL code {gc[idx]} (scale {gs[blk]}), "
                    f"{what} code {wc[idx]} (scale {ws[blk]})")
        if len(msgs) >= 20:
            return msgs
    if has_scale:
        for idx in zip(*np.nonzero(gs != ws), strict=True):
            msgs.append(f"{name} block {list(map(int, idx))}: RTL scale code {gs[idx]}, "
                        f"{what} scale code {ws[idx]}")
            if len(msgs) >= 20:
                break
    return msgs


__all__ = ["SYNC_CYCLES", "SimError", "SimResult", "baseline_cycles", "build", "cache_dir",
           "compare", "model_arguments", "model_calls", "random_arguments", "read_manifest",
           "read_report", "run"]
