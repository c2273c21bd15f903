"""The mutation fuzzer (test/fuzz): a short run finds no crash of the project's, every
registered pass pipeline is discovered and run, and a known crash is detected."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FUZZ = ROOT / "test" / "fuzz"
sys.path.insert(0, str(FUZZ))

from targets import (  # noqa: E402
    classify,
    discover,
    project_sources,
    run_mase_opt,
    upstream_mlir_opt,
)

MASE_OPT = ROOT / "build" / "bin" / "mase-opt"
MLIR_OPT = upstream_mlir_opt()


def declared_passes() -> set[str]:
    """Every pass and pipeline the project declares (TableGen, C++ registrations, and the
    test passes of test/lib, which mase-opt also registers)."""
    names = set()
    for td in (ROOT / "dialect").rglob("Passes.td"):
        names |= set(re.findall(r'Pass<"([\w-]+)"', td.read_text()))
    for cpp in (ROOT / "lib").rglob("*.cpp"):
        names |= set(re.findall(r'PassPipelineRegistration<[^>]*>\s*\(\s*"([\w-]+)"',
                                cpp.read_text()))
    for cpp in (ROOT / "test" / "lib").rglob("*.cpp"):
        names |= set(re.findall(r'getArgument\(\) const final \{ return "([\w-]+)"',
                                cpp.read_text()))
    return names


def test_discovery_finds_every_declared_pass():
    found = {p.name for p in discover(MASE_OPT, MLIR_OPT)}
    assert declared_passes() == found, declared_passes() ^ found
    assert "mx-assign-precision" in found


def test_a_parser_abort_is_a_crash_attributed_upstream(tmp_path):
    path = tmp_path / "crash.mlir"
    path.write_text("module attributes {a = array<index: 1>} {}\n")
    returncode, stderr = run_mase_opt(MASE_OPT, path, [], 30)
    outcome = classify(returncode, stderr, project_sources())
    assert outcome.crashed and outcome.kind == "assertion"
    assert outcome.attribution == "upstream"
    assert "only integers and floats have a bitwidth" in outcome.signature


def test_a_located_error_is_not_a_crash(tmp_path):
    path = tmp_path / "bad.mlir"
    path.write_text("func.func @f() {\n  %0 = foo\n}\n")
    returncode, stderr = run_mase_opt(MASE_OPT, path, [], 30)
    assert classify(returncode, stderr, project_sources()).kind == "error"


def test_short_run_finds_no_project_crash(tmp_path):
    out = tmp_path / "fuzz"
    proc = subprocess.run([sys.executable, str(FUZZ / "run.py"), "--mutants", "200", "--seed",
                           "1", "--runs-per-mutant", "3", "--jobs", "2", "--out", str(out),
                           "-q"], capture_output=True, text=True, timeout=900)
    summary = json.loads((out / "summary.json").read_text())
    crashes = [c for c in summary["crashes"] if c["attribution"] != "upstream"]
    assert proc.returncode == 0, (proc.stderr[-2000:], crashes)
    assert summary["mutants"] == 200 and summary["runs"] >= 600
    assert all(p["runs"] > 0 for p in summary["pipelines"]), summary["pipelines"]
    assert all(e["runs"] > 0 for e in summary["entries"]), summary["entries"]
    assert (out / "summary.md").read_text().startswith("# Fuzz run: 200 mutants, seed 1")


def test_seeds_reach_the_looped_hardware_no_loop_and_layer(tmp_path):
    """Unmutated, the hardware seeds go all the way through each path their mutants fuzz:
    ``convert-mx-to-mxhw`` on a kernel loop (scf.for {mx.kernel_loop} + mx.take), and
    ``mase compile`` (up to CIRCT) looped, with ``--no-loop`` and with ``--layer``."""
    from corpus import imported_seeds

    seeds = {s.name.removeprefix("imported/"): s.text
             for s in imported_seeds(ROOT / "build" / "fuzz-corpus", MASE_OPT, log=lambda _: 0)}
    looped_hw = tmp_path / "stack.hw.mlir"
    looped_hw.write_text(seeds["stack.hw.mlir"])
    assert "mx.kernel_loop" in seeds["stack.hw.mlir"] and "mx.take" in seeds["stack.hw.mlir"]
    for name in ("stack.hw.mlir", "stack.hw-body.mlir", "stack.hw-layer.mlir"):
        (tmp_path / name).write_text(seeds[name])
        returncode, stderr = run_mase_opt(MASE_OPT, tmp_path / name, ["--convert-mx-to-mxhw"], 60)
        assert returncode == 0, (name, stderr[-2000:])
    config = tmp_path / "config.json"
    config.write_text("{}")
    for entry, name, layer in [("compile", "stack.hw-config.looped.mlir", []),
                               ("compile-no-loop", "stack.hw-config.looped.mlir", []),
                               ("compile-layer", "stack.hw-config.mlir", ["layers.1"]),
                               ("compile-layer", "stack.hw-config.mlir", ["layers.9"])]:
        path = tmp_path / name
        path.write_text(seeds[name])
        proc = subprocess.run([sys.executable, str(FUZZ / "worker.py"), "--once", entry,
                               str(path), str(config), *layer],
                              capture_output=True, text=True, timeout=300)
        expected = 1 if layer == ["layers.9"] else 0  # names nothing: a clear error
        assert proc.returncode == expected, (entry, layer, proc.stderr[-2000:])
        if expected:
            assert "no op of 'forward' is named 'layers.9'" in proc.stderr, proc.stderr


def test_long_messages_keep_their_located_error():
    """A verifier's op dump can be megabytes: the worker keeps the message's start (the
    located error the classifier looks for) and its end, so a clean error is not taken
    for an internal one (a 10,000-mutant run once reported six such false crashes)."""
    from worker import _head_and_tail

    message = "mase report: error: in.mlir:8:10: error: block with no terminator, has\n"
    long = message + "x" * 100_000 + "\nnote: the end"
    kept = _head_and_tail(long)
    assert kept.startswith(message) and kept.endswith("note: the end")
    assert len(kept) < 5000
    assert _head_and_tail("short") == "short"
