"""`mase sim` on a design directory that is not what `mase compile` wrote: a one-line
error naming the file and the field, status 1 (2 for a bad option), never a traceback, and
no simulator built or run."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mase_mlir.backend import compile_model
from mase_mlir.cli import main as cli

ROOT = Path(__file__).resolve().parents[3]
LINEAR = ROOT / "bench" / "hardware" / "models" / "linear_mxint4.mlir"


@pytest.fixture(scope="module")
def design(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "hw"
    compile_model(LINEAR, out, {"hardware": {"area": False}})
    return out


def _manifest(edit: Callable[[dict], None]) -> Callable[[Path], None]:
    def change(d: Path) -> None:
        manifest = json.loads((d / "manifest.json").read_text())
        edit(manifest)
        (d / "manifest.json").write_text(json.dumps(manifest))
    return change


def _set(path: tuple, value) -> Callable[[dict], None]:
    def edit(manifest: dict) -> None:
        obj = manifest
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value
    return edit


def _write(name: str, text: str) -> Callable[[Path], None]:
    return lambda d: (d / name).write_text(text)


# name -> (how the design is spoilt, words of the error)
CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "no verilog": (lambda d: (d / "linear_mxint4.sv").unlink(),
                   "{d} lacks linear_mxint4.sv (verilog"),
    "no model.mlir": (lambda d: (d / "model.mlir").unlink(), "{d} lacks model.mlir (model"),
    "manifest not JSON": (_write("manifest.json", '{"top": '), "{d}/manifest.json is not a manifest "
                          "written by mase compile: manifest {d}/manifest.json is not valid JSON"),
    "manifest not UTF-8": (lambda d: (d / "manifest.json").write_bytes(b'{"top": "\xe9"}'),
                           "is not UTF-8 text"),
    "manifest a list": (_write("manifest.json", "[]"), "manifest.json is not a manifest written by mase compile: manifest: expected "
                         "an object, got list"),
    "manifest without top": (_manifest(lambda m: m.pop("top")), "missing 'top'"),
    "stream width a string": (_manifest(_set(("inputs", 0, "width"), "8")),
                              "inputs[0].width: expected int, got '8'"),
    "stream width negative": (_manifest(_set(("inputs", 0, "beats"), -1)),
                              "inputs[0].beats: expected a whole number >= 0, got -1"),
    "stream width a bool": (_manifest(_set(("outputs", 0, "result"), True)),
                            "outputs[0].result: expected int, got True"),
    "bad format": (_manifest(_set(("inputs", 0, "format"), "mxint<0,8,32>")),
                   "inputs[0].format: "),
    "bad shape": (_manifest(_set(("outputs", 0, "shape"), [0, 4])),
                  "outputs[0].shape: expected positive whole numbers, got [0, 4]"),
    "bad axis": (_manifest(_set(("inputs", 0, "axis"), 2)),
                 "inputs[0].axis: expected an axis of shape [4, 64], got 2"),
    "verilog outside the directory": (_manifest(_set(("verilog",), "../x.sv")),
                                      "{d} lacks ../x.sv"),
    "memory without source": (_manifest(lambda m: [x.pop("constant", None) or
                                                   x.pop("argument", None)
                                                   for x in m["memories"]]),
                              "memories[0]: needs 'argument' or 'constant'"),
    "model does not parse": (_write("model.mlir", "func.func @f( {"),
                             "{d}/model.mlir:1:14: error:"),
    "model crashes the parser": (_write("model.mlir", "module attributes {a = array<index: 1>} "
                                        "{}\n"), "the MLIR parser crashed on {d}/model.mlir"),
    "model lacks the function": (_write("model.mlir", "func.func @other() {\n  return\n}\n"),
                                 "{d}/model.mlir defines no function @linear_mxint4"),
    "report not JSON": (_write("report.json", "{"), "report {d}/report.json is not valid JSON"),
    "report cycles a string": (_write("report.json", '{"ideal_cycles": "many"}'),
                               "'ideal_cycles' must be a whole number, got 'many'"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sim_bad_design(name, design, tmp_path, capsys):
    spoil, message = CASES[name]
    d = tmp_path / "hw"
    shutil.copytree(design, d)
    spoil(d)
    assert cli.main(["sim", str(d)]) == 1
    err = capsys.readouterr().err
    assert message.format(d=d) in err, err
    assert err.startswith("mase sim: error: ") and "Traceback" not in err, err
    assert not (d / ".sim").exists() or not any((d / ".sim").iterdir())


@pytest.mark.parametrize("option, message", [
    (["--seed", "-1"], "must not be negative, got -1"),
    (["--seed", "x"], "expected a whole number, got 'x'"),
    (["--max-cycles", "0"], "must be at least 1, got 0"),
    (["--stall-in", "96"], "must be a percentage in 0..95, got 96"),
])
def test_sim_bad_options(option, message, design, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["sim", str(design), *option])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
