"""Every subcommand's bad input: a one-line error naming the problem, a non-zero exit, never a
Python traceback, an internal error or a half-written file.

One table of cases per subcommand, run through ``mase_mlir.cli.main.main`` (a traceback would
escape it and fail the test); a few cases also through the installed ``mase`` script, in a
separate process (a parser crash must not kill it). Cases of ``compile`` and ``sim`` are the
ones their implementation handles today.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mase_mlir.cli import main as cli

ROOT = Path(__file__).resolve().parents[3]
LINEAR = ROOT / "bench" / "hardware" / "models" / "linear_mxint4.mlir"
MLP = """func.func @forward(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %w = arith.constant dense<0.25> : tensor<64x64xf32>
  %y = mx.linear %x, %w {name = "fc"} : (tensor<4x64xf32>, tensor<64x64xf32>) -> tensor<4x64xf32>
  return %y : tensor<4x64xf32>
}
"""
# Aborts the pinned upstream MLIR parser (not mase code): mase must survive it.
PARSER_CRASH = "module attributes {a = array<index: 1>} {}\n"
# A factory that leaves a mark when it runs: output paths are checked before the slow import.
FACTORY = """
from pathlib import Path
import torch
from torch import nn

def make():
    Path(__file__).with_name("factory-ran").touch()
    return nn.Linear(8, 4), (torch.randn(2, 8),)

def raises():
    raise RuntimeError("no weights here")

def not_module():
    return "model", ()

def half():
    return nn.Linear(8, 4).half(), (torch.randn(2, 8).half(),)
"""


@dataclass(frozen=True)
class Case:
    argv: Callable[[Path], list[str]]
    message: str
    status: int = 1
    # Files that must not exist afterwards (nothing half-written, nothing run too early).
    absent: tuple[str, ...] = ()


def files(tmp: Path) -> None:
    (tmp / "model.mlir").write_text(MLP)
    (tmp / "crash.mlir").write_text(PARSER_CRASH)
    (tmp / "bad.mlir").write_text("func.func @f() {\n  %0 = foo\n}\n")
    (tmp / "latin1.mlir").write_bytes(b"// caf\xe9\n" + MLP.encode())
    (tmp / "factory.py").write_text(FACTORY)
    (tmp / "syntax.py").write_text("def make(:\n")
    (tmp / "latin1.py").write_bytes(b"NAME = 'caf\xe9'\n")
    (tmp / "a-file").write_text("")
    (tmp / "dup.json").write_text('{"default": {"input": "mxint8"}, "default": {}}')
    (tmp / "latin1.json").write_bytes(b'{"default": {"input": "caf\xe9"}}')
    (tmp / "broken.json").write_text('{"default": ')
    (tmp / "list.json").write_text("[]")
    (tmp / "badformat.json").write_text(json.dumps({"default": {"input": "mxint<0,8,32>"}}))
    (tmp / "emptydir").mkdir()
    (tmp / "area.json").write_text('{"hardware": {"area": "yes"}}')
    (tmp / "unknown.json").write_text('{"buffer_size": -3}')


def t(tmp: Path, name: str) -> str:
    return str(tmp / name)


CASES: dict[str, Case] = {
    # --- import -----------------------------------------------------------------
    "import --layers 0": Case(lambda d: ["import", "llama-tiny", "-o", t(d, "o.mlir"),
                                         "--layers", "0"], "must be at least 1, got 0", 2),
    "import --layers -1": Case(lambda d: ["import", "llama-tiny", "-o", t(d, "o.mlir"),
                                          "--layers", "-1"], "must be at least 1, got -1", 2),
    "import --layers 2.5": Case(lambda d: ["import", "llama-tiny", "-o", t(d, "o.mlir"),
                                           "--layers", "2.5"], "expected a whole number", 2),
    "import minilm --layers": Case(lambda d: ["import", "minilm", "-o", t(d, "o.mlir"),
                                              "--layers", "2"],
                                   "model 'minilm' does not take layers=", absent=("o.mlir",)),
    "import unknown model": Case(lambda d: ["import", "nonexistent", "-o", t(d, "o.mlir")],
                                 "unknown model 'nonexistent'"),
    "import missing file": Case(lambda d: ["import", f"{d}/none.py:make", "-o", t(d, "o.mlir")],
                                "none.py does not exist"),
    "import -o missing parent": Case(
        lambda d: ["import", f"{d}/factory.py:make", "-o", t(d, "no/o.mlir")],
        "directory " + "{d}/no does not exist", absent=("factory-ran",)),
    "import -o parent is a file": Case(
        lambda d: ["import", f"{d}/factory.py:make", "-o", t(d, "a-file/o.mlir")],
        "a-file is not a directory", absent=("factory-ran",)),
    "import -o unwritable parent": Case(
        lambda d: ["import", f"{d}/factory.py:make", "-o", "/proc/o.mlir"],
        "cannot create files in /proc", absent=("factory-ran",)),
    "import -o is a directory": Case(
        lambda d: ["import", f"{d}/factory.py:make", "-o", str(d)],
        "is a directory, not a file", absent=("factory-ran",)),
    "import factory raises": Case(
        lambda d: ["import", f"{d}/factory.py:raises", "-o", t(d, "o.mlir")],
        "factory.py:raises failed: RuntimeError: no weights here (at {d}/factory.py:11)",
        absent=("o.mlir",)),
    "import factory syntax error": Case(
        lambda d: ["import", f"{d}/syntax.py:make", "-o", t(d, "o.mlir")],
        "{d}/syntax.py:1: cannot load the model file: "),
    "import factory not UTF-8": Case(
        lambda d: ["import", f"{d}/latin1.py:make", "-o", t(d, "o.mlir")],
        "{d}/latin1.py:1: cannot load the model file: "),
    "import factory returns no module": Case(
        lambda d: ["import", f"{d}/factory.py:not_module", "-o", t(d, "o.mlir")],
        "must return a torch.nn.Module first, got str"),
    "import float16 model": Case(
        lambda d: ["import", f"{d}/factory.py:half", "-o", t(d, "o.mlir")],
        "mase imports float32 models", absent=("o.mlir",)),
    # --- report -----------------------------------------------------------------
    "report missing file": Case(lambda d: ["report", t(d, "none.mlir")],
                                "MLIR file {d}/none.mlir does not exist"),
    "report directory": Case(lambda d: ["report", str(d)], "is a directory, not a file"),
    "report not UTF-8": Case(lambda d: ["report", t(d, "latin1.mlir")],
                             "latin1.mlir is not UTF-8 text (byte 0xe9 at line 1, column 7)"),
    "report does not parse": Case(lambda d: ["report", t(d, "bad.mlir")],
                                  "{d}/bad.mlir:2:8: error: custom op 'foo' is unknown"),
    "report parser crash": Case(lambda d: ["report", t(d, "crash.mlir")],
                                "the MLIR parser crashed on {d}/crash.mlir (SIGABRT"),
    "report --json missing parent": Case(
        lambda d: ["report", t(d, "model.mlir"), "--json", t(d, "no/r.json")],
        "directory {d}/no does not exist"),
    "report --json unwritable": Case(
        lambda d: ["report", t(d, "model.mlir"), "--json", "/proc/r.json"],
        "cannot create files in /proc"),
    "report --config missing": Case(
        lambda d: ["report", t(d, "model.mlir"), "--config", t(d, "none.json")],
        "precision config {d}/none.json does not exist"),
    "report --config repeated key": Case(
        lambda d: ["report", t(d, "model.mlir"), "--config", t(d, "dup.json")],
        "{d}/model.mlir:0:0: error: precision config '{d}/dup.json': key 'default' appears "
        "twice in one object"),
    "report --config not UTF-8": Case(
        lambda d: ["report", t(d, "model.mlir"), "--config", t(d, "latin1.json")],
        "is not valid JSON: [1:26, byte=26]: Invalid UTF-8 sequence"),
    "report --config bad format": Case(
        lambda d: ["report", t(d, "model.mlir"), "--config", t(d, "badformat.json")],
        "mxint element width must be in 2..16, got 0"),
    # --- run --------------------------------------------------------------------
    "run unknown model": Case(lambda d: ["run", "nonexistent", "-o", t(d, "out")],
                              "unknown model 'nonexistent'", absent=("out",)),
    "run --config missing": Case(lambda d: ["run", "-o", t(d, "out"), "--config",
                                            t(d, "none.json")],
                                 "precision config {d}/none.json does not exist", absent=("out",)),
    "run --config repeated key": Case(
        lambda d: ["run", "-o", t(d, "out"), "--config", t(d, "dup.json")],
        'precision config {d}/dup.json: key "default" appears more than once', absent=("out",)),
    "run --config not JSON": Case(
        lambda d: ["run", "-o", t(d, "out"), "--config", t(d, "broken.json")],
        "is not valid JSON: Expecting value at line 1, column 13", absent=("out",)),
    "run --config not an object": Case(
        lambda d: ["run", "-o", t(d, "out"), "--config", t(d, "list.json")],
        "must hold a JSON object", absent=("out",)),
    "run --config not UTF-8": Case(
        lambda d: ["run", "-o", t(d, "out"), "--config", t(d, "latin1.json")],
        "is not UTF-8 text (byte 0xe9 at line 1, column 27)", absent=("out",)),
    "run -o is a file": Case(lambda d: ["run", "-o", t(d, "a-file")],
                             "output directory {d}/a-file exists and is not a directory"),
    "run -o under a file": Case(lambda d: ["run", "-o", t(d, "a-file/out")],
                                "a-file is not a directory"),
    "run factory raises": Case(
        lambda d: ["run", f"{d}/factory.py:raises", "-o", t(d, "out")],
        "RuntimeError: no weights here"),
    # --- compile (the cases its implementation handles today) -------------------------
    "compile missing model": Case(lambda d: ["compile", t(d, "none.mlir"), "-o", t(d, "hw")],
                                  "none.mlir", absent=("hw",)),
    "compile does not parse": Case(lambda d: ["compile", t(d, "bad.mlir"), "-o", t(d, "hw")],
                                   "{d}/bad.mlir:2:8: error:", absent=("hw",)),
    "compile parser crash": Case(lambda d: ["compile", t(d, "crash.mlir"), "-o", t(d, "hw")],
                                 "the MLIR parser crashed on {d}/crash.mlir", absent=("hw",)),
    "compile --config repeated key": Case(
        lambda d: ["compile", str(LINEAR), "-o", t(d, "hw"), "--config", t(d, "dup.json")],
        'key "default" appears more than once', absent=("hw",)),
    "compile --config not UTF-8": Case(
        lambda d: ["compile", str(LINEAR), "-o", t(d, "hw"), "--config", t(d, "latin1.json")],
        "is not UTF-8 text", absent=("hw",)),
    "compile -o is a file": Case(lambda d: ["compile", str(LINEAR), "-o", t(d, "a-file")],
                                 "output {d}/a-file exists and is not a directory"),
    "compile --layer unknown": Case(
        lambda d: ["compile", str(LINEAR), "-o", t(d, "hw"), "--no-area", "--layer", "nothing"],
        "no op of 'linear_mxint4' is named 'nothing' or 'nothing.*'", absent=("hw",)),
    "compile --layer not a path": Case(
        lambda d: ["compile", str(LINEAR), "-o", t(d, "hw"), "--layer", "a}b"],
        "expected a module path such as model.layers.3, got 'a}}b'", 2),
    "compile --layer empty": Case(
        lambda d: ["compile", str(LINEAR), "-o", t(d, "hw"), "--layer", ""],
        "expected a module path", 2),
    "compile --config bad option": Case(
        lambda d: ["compile", str(LINEAR), "-o", t(d, "hw"), "--config", t(d, "area.json")],
        "hardware option 'area' must be a bool, got 'yes'", absent=("hw",)),
    "compile --config unknown key": Case(
        lambda d: ["compile", str(LINEAR), "-o", t(d, "hw"), "--config", t(d, "unknown.json")],
        "unknown key 'buffer_size'", absent=("hw",)),
    # --- sim (the cases its implementation handles today) -----------------------------
    "sim missing design": Case(lambda d: ["sim", t(d, "none")], "holds no compiled design"),
    "sim empty design": Case(lambda d: ["sim", t(d, "emptydir")], "holds no compiled design"),
    # --- search (the cases its implementation handles today) -------------------------
    "search --trials 0": Case(lambda d: ["search", "llama-tiny", "--trials", "0"],
                              "must be at least 1, got 0", 2),
    "search unknown model": Case(lambda d: ["search", "nonexistent", "-o", t(d, "s")],
                                 "unknown model 'nonexistent'", absent=("s",)),
    "search --space missing": Case(
        lambda d: ["search", "llama-tiny", "--space", t(d, "none.json"), "-o", t(d, "s")],
        "none.json", absent=("s",)),
    "search --space repeated key": Case(
        lambda d: ["search", "llama-tiny", "--space", t(d, "dup.json"), "-o", t(d, "s")],
        "dup.json: duplicate key(s) 'default'", absent=("s",)),
    "search --max-bits -1": Case(lambda d: ["search", "llama-tiny", "--max-bits", "-1",
                                            "-o", t(d, "s")],
                                 "--max-bits must be positive", absent=("s",)),
    # --- the top level ------------------------------------------------------------
    "unknown command": Case(lambda d: ["frobnicate"], "invalid choice: 'frobnicate'", 2),
}


def subcommands() -> set[str]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


def test_every_subcommand_has_bad_input_cases():
    covered = {case.split()[0] for case in CASES}
    assert subcommands() <= covered, subcommands() - covered


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name, tmp_path, capsys):
    case = CASES[name]
    files(tmp_path)
    argv = case.argv(tmp_path)
    if case.status == 2:  # argparse: usage error
        with pytest.raises(SystemExit) as info:
            cli.main(argv)
        status = info.value.code
    else:
        status = cli.main(argv)
    err = capsys.readouterr().err
    assert status == case.status, err
    assert case.message.format(d=tmp_path) in err, err
    assert "Traceback" not in err and "internal error" not in err, err
    command = argv[0]
    if case.status == 1:  # after any progress lines, one error
        errors = [line for line in err.splitlines() if line.startswith(f"mase {command}: ")
                  and ": error: " in line and "loading model" not in line]
        assert len(errors) == 1 and errors[0].startswith(f"mase {command}: error: "), err
    for name_ in case.absent:
        assert not (tmp_path / name_).exists(), name_


def mase(*argv: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "mase"
    return subprocess.run([str(script), *argv], capture_output=True, text=True, timeout=300)


def test_parser_crash_in_a_real_process(tmp_path):
    (tmp_path / "crash.mlir").write_text(PARSER_CRASH)
    result = mase("report", str(tmp_path / "crash.mlir"))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"mase report: error: the MLIR parser crashed on {tmp_path}/crash.mlir"), result.stderr


def test_internal_errors_show_no_traceback_unless_asked(tmp_path, capsys, monkeypatch):
    files(tmp_path)

    def broken(module):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("mase_mlir.report.build_report", broken)
    monkeypatch.delenv("MASE_DEBUG", raising=False)
    assert cli.main(["report", t(tmp_path, "model.mlir")]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.startswith("mase report: internal error: ZeroDivisionError: a bug\n")
    assert "--debug" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        cli.main(["--debug", "report", t(tmp_path, "model.mlir")])
    monkeypatch.setenv("MASE_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["report", t(tmp_path, "model.mlir")])
