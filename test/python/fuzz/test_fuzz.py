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
