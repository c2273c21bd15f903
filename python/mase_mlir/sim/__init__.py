"""Verilator simulation of a compiled design against the golden model, bit for bit.

``run(out_dir)`` builds (once per design hash, cached under :func:`cache_dir`)
a Verilator C++ testbench for the design in ``out_dir``
(written by ``mase compile``), loads the weights and inputs into its memories,
drives the handshake ports, collects the outputs and the cycle count, and
compares the outputs bit for bit with both golden models: :mod:`mase_mlir.numerics`
(:mod:`.golden`) and the reference interpreter :mod:`mase_mlir.interp` run on the
same MX inputs. The result is ok only when RTL == numerics == interpreter.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..backend.layout import pack, unpack
from ..numerics import Format, MXTensor, quantize
from . import golden, harness


class SimError(RuntimeError):
    """The simulator could not be built or run."""


@dataclass
class SimResult:
    ok: bool
    cycles: int
    ideal_cycles: int
    mismatches: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    outputs: dict = field(default_factory=dict)
    golden: dict = field(default_factory=dict)
    interpreter: str = "not run"

    @property
    def first_mismatch(self) -> str | None:
        return self.mismatches[0] if self.mismatches else None


def _verilator() -> str:
    exe = shutil.which("verilator")
    if not exe:
        raise SimError("verilator not found: install it (apt-get install -y verilator)")
    return exe


def build(out_dir: Path, manifest: dict) -> Path:
    """The compiled simulator for the design in ``out_dir`` (cached by hash)."""
    top = manifest["top"]
    mems = [harness.PortMem(m["index"], m["kind"], m["words"], m["word_bits"], m["addr_bits"])
            for m in manifest["memories"]]
    start = int(manifest["start_port"][2:])
    tb = harness.generate(top, mems, start)
    sv = out_dir / manifest["verilog"]
    h = hashlib.sha256(sv.read_bytes() + tb.encode()).hexdigest()[:16]
    root = cache_dir()
    cache = root / f"{top}-{h}"
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
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, env=env, check=False)
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


def random_inputs(manifest: dict, seed: int = 0) -> dict[str, MXTensor]:
    """Seeded Gaussian inputs quantized to each input memory's format."""
    rng = np.random.default_rng(seed)
    out = {}
    for m in manifest["memories"]:
        if m["role"] != "input":
            continue
        x = rng.normal(size=tuple(m["shape"])).astype(np.float32)
        out[m["name"]] = quantize(x, m["format"], axis=len(m["shape"]) - 1)
    return out


def run(out_dir: Path | str, inputs: dict[str, MXTensor] | None = None, seed: int = 0,
        max_cycles: int | None = None, update_report: bool = True) -> SimResult:
    """Simulate the design in ``out_dir`` and compare it with the golden model."""
    out_dir = Path(out_dir)
    mpath = out_dir / "manifest.json"
    if not mpath.is_file():
        raise SimError(f"{out_dir} holds no compiled design (no manifest.json; run mase compile)")
    manifest = json.loads(mpath.read_text())
    report_path = out_dir / "report.json"
    report = json.loads(report_path.read_text()) if report_path.is_file() else {}
    if inputs is None:
        inputs = random_inputs(manifest, seed)
    model_text = (out_dir / manifest["model"]).read_text()
    in_mems = [m for m in manifest["memories"] if m["role"] == "input"]
    args = []
    for m in in_mems:
        if m["name"] not in inputs:
            raise SimError(f"no data for input memory {m['name']}")
        q = inputs[m["name"]]
        if str(q.fmt) != str(Format.parse(m["format"])) or list(q.shape) != m["shape"]:
            raise SimError(f"input {m['name']}: expected {m['format']} {m['shape']}, "
                           f"got {q.fmt} {list(q.shape)}")
        args.append(q)
    expected = golden.evaluate(model_text, manifest["top"], args)
    interp_note, interp_out = golden.interpreter(model_text, manifest["top"], args)

    exe = build(out_dir, manifest)
    ideal = int(report.get("ideal_cycles") or 0)
    if max_cycles is None:
        max_cycles = 200 * max(ideal, 1000)
    with tempfile.TemporaryDirectory(prefix="run-", dir=_mk(out_dir / ".sim")) as rd:
        rdir = Path(rd)
        for m, q in zip(in_mems, args, strict=True):
            words = pack(q)
            digits = (m["word_bits"] + 3) // 4
            (rdir / f"mem{m['index']}.hex").write_text(
                "".join(f"{w:0{digits}x}\n" for w in words))
        proc = subprocess.run([str(exe), str(rdir), str(max_cycles)], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            raise SimError(f"simulation failed (exit {proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[-2000:]}")
        stats = json.loads((rdir / "stats.json").read_text())
        outputs = {}
        for m in manifest["memories"]:
            if m["role"] != "output":
                continue
            words = [int(line, 16) for line in (rdir / f"out{m['index']}.hex").read_text().split()]
            outputs[m["name"]] = unpack(words, Format.parse(m["format"]), tuple(m["shape"]))
    mismatches = []
    out_mems = [m for m in manifest["memories"] if m["role"] == "output"]
    if interp_out is None:  # the interpreter is part of the golden model: no silent pass
        mismatches.append(f"interpreter: {interp_note}")
    for i, m in enumerate(out_mems):
        mismatches += compare(m["name"], outputs[m["name"]], expected[i], "numerics")
        if interp_out is not None:
            mismatches += compare(m["name"], outputs[m["name"]], interp_out[i], "interpreter")
    res = SimResult(not mismatches, int(stats["cycles"]), ideal, mismatches, stats,
                    outputs, {m["name"]: expected[i] for i, m in enumerate(out_mems)},
                    interp_note)
    if update_report and report_path.is_file():
        report["cycles"] = res.cycles
        report["sim"] = {"ok": res.ok, "seed": seed, "interpreter": interp_note,
                         "steady_state": steady_state(stats, manifest),
                         "of_ideal": round(ideal / res.cycles, 4) if res.cycles else None}
        tmpf = report_path.with_suffix(".json.tmp")
        tmpf.write_text(json.dumps(report, indent=1) + "\n")
        tmpf.replace(report_path)
    return res


def steady_state(stats: dict, manifest: dict) -> dict:
    """Block MACs per cycle on each weight port between its first and last load."""
    res = {}
    for m in manifest["memories"]:
        st = stats["ports"].get(str(m["index"]))
        if not st or m["kind"] != "load" or st["count"] < 2:
            continue
        span = st["last"] - st["first"]
        res[m["name"]] = {"loads": st["count"], "cycles": span + 1,
                          "per_cycle": round((st["count"] - 1) / span, 4) if span else None}
    return res


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


__all__ = ["SimError", "SimResult", "build", "cache_dir", "compare", "random_inputs", "run"]
