"""The manifest of a compiled design (``manifest.json`` of ``mase compile``), checked.

``mase sim`` reads a directory the user hands it; the manifest may be hand-edited, from
another version or corrupt. :func:`check` rejects, with the path and the field, anything the
simulator would otherwise trip over later (a missing key, a wrong type, a negative count, an
unknown format, a file name that leaves the directory, a ``model.mlir`` that does not parse
or lacks the function).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..backend.netlister import BOOL_FORMAT
from ..errors import InputError
from ..mlirfile import parse_file
from ..numerics import Format

#: Required keys and their types: the top level, each stream, each memory.
TOP = {"top": str, "verilog": str, "model": str, "function": str, "inputs": list,
       "outputs": list, "memories": list}
STREAM = {"port": str, "width": int, "beats": int, "format": str, "shape": list}
MEMORY = {"name": str, "addr_bits": int, "data_bits": int, "words": int, "contents": str}
COUNTS = ("width", "beats", "addr_bits", "data_bits", "words", "argument", "result")


def _fields(obj: Any, spec: dict[str, type], where: str) -> None:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected an object, got {type(obj).__name__}")
    for key, kind in spec.items():
        if key not in obj:
            raise InputError(f"{where}: missing '{key}'")
        value = obj[key]
        # bool is an int to Python, never a count or a name here.
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InputError(f"{where}.{key}: expected {kind.__name__}, got {value!r}")
    for key in COUNTS:
        if key in obj:
            value = obj[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InputError(f"{where}.{key}: expected a whole number >= 0, got {value!r}")


def _value(obj: dict, where: str, *, mask: bool = False) -> None:
    """The format and shape of a stream's or a memory's value (``mask``: a memory may
    hold booleans, format ``i1``)."""
    try:
        if not (mask and obj["format"] == BOOL_FORMAT):
            Format.parse(obj["format"])
    except (TypeError, ValueError) as err:
        raise InputError(f"{where}.format: {err}") from None
    shape = obj["shape"]
    if not shape or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                            for d in shape):
        raise InputError(f"{where}.shape: expected positive whole numbers, got {shape!r}")
    axis = obj.get("axis", len(shape) - 1)  # the blocked axis; the last when not given
    if not isinstance(axis, int) or isinstance(axis, bool) or not 0 <= axis < len(shape):
        raise InputError(f"{where}.axis: expected an axis of shape {shape}, got {axis!r}")


def _file(out_dir: Path, name: str, where: str) -> None:
    path = out_dir / name
    if Path(name).name != name or not path.is_file():
        raise InputError(f"{out_dir} lacks {name} ({where}; an incomplete design: compile it "
                         "again)")


def check(manifest: Any, out_dir: Path, path: Path) -> dict:
    """``manifest`` (parsed from ``path``) if it describes a design in ``out_dir``."""
    try:
        _check_fields(manifest, out_dir)
    except InputError as err:
        raise InputError(f"{path} is not a manifest written by mase compile: {err}") from None
    _file(out_dir, manifest["verilog"], "verilog")
    _file(out_dir, manifest["model"], "model")
    _model(out_dir / manifest["model"], manifest["function"])
    return manifest


def _check_fields(manifest: Any, out_dir: Path) -> None:
    _fields(manifest, TOP, "manifest")
    for kind, extra in (("inputs", "argument"), ("outputs", "result")):
        for i, stream in enumerate(manifest[kind]):
            at = f"{kind}[{i}]"
            _fields(stream, {**STREAM, extra: int}, at)
            _value(stream, at)
    for i, mem in enumerate(manifest["memories"]):
        at = f"memories[{i}]"
        _fields(mem, MEMORY, at)
        if "argument" in mem:
            _fields(mem, {"argument": int, "format": str, "shape": list}, at)
            _value(mem, at, mask=True)
        elif "constant" in mem and isinstance(mem["constant"], str):
            _file(out_dir, mem["constant"], f"{at}.constant")
        else:
            raise InputError(f"{at}: needs 'argument' or 'constant'")


def _model(path: Path, function: str) -> None:
    """``path`` parses (crash-safe) and defines ``@function`` with a body."""
    module = parse_file(path)
    for op in module.body.operations:
        if (op.operation.name == "func.func"
                and str(op.operation.attributes["sym_name"]).strip('"') == function):
            if not op.regions[0].blocks:
                break
            return
    raise InputError(f"{path} defines no function @{function} (the manifest's 'function')")
