"""The CIRCT stage of the dataflow back end, run in a child process
(``python -m mase_mlir.backend.circt_stage``) so that a crash of CIRCT is an error,
not the end of the caller.

Reads a JSON request on stdin::

    {"handshake": "top.mlir", "units": "units.mlir", "top": "name", "out_dir": "dir"}

``top.mlir`` is the handshake netlist (:meth:`Netlist.handshake_top`), ``units.mlir``
the units' ``hw`` modules. The stage materializes forks and sinks, lowers the
handshake top to ``hw``, replaces the external unit modules by the units, lowers
ESI channels and ``seq`` to SystemVerilog and writes ``<top>.sv`` and
``ports.json`` (the top module's ports: names and widths) into ``out_dir``.
Errors go to stderr with exit code 1. Never import the project's own MLIR bindings
or the upstream ``mlir`` package here (TOOLCHAIN.md: two MLIR copies crash).
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

CANON = "canonicalize{region-simplify=disabled top-down=true}"
LOWERING_OPTIONS = ("disallowLocalVariables,disallowPackedStructAssignments,"
                    "disallowPackedArrays,locationInfoStyle=none")


class StageError(Exception):
    pass


def _run(pm_mod, module, pipeline: str, stage: str) -> None:
    try:
        pm_mod.PassManager.parse(f"builtin.module({pipeline})").run(module.operation)
    except Exception as err:  # circt raises MLIRError with the diagnostics
        text = str(err).splitlines()
        short = "\n".join(line for line in text if "see current operation" not in line)
        raise StageError(f"CIRCT stage '{stage}' failed: {chr(10).join(short.splitlines()[:12])}"
                         ) from None


def _parse(ir, text: str, what: str):
    try:
        return ir.Module.parse(text)
    except Exception as err:
        raise StageError(f"CIRCT could not parse the {what}: {str(err)[:2000]}") from None


def _width(ir, t) -> int:
    """Bits of an integer port type; 0 for the clock."""
    try:
        return ir.IntegerType(t).width
    except (TypeError, ValueError):
        return 0


def _ports(hw, ir, module, top: str) -> dict:
    for op in module.body.operations:
        if op.operation.name == "hw.module" and op.attributes["sym_name"].value == top:
            mt = hw.ModuleType(op.attributes["module_type"].value)
            return {
                "inputs": [{"name": n, "width": _width(ir, t)}
                           for n, t in zip(mt.input_names, mt.input_types, strict=True)],
                "outputs": [{"name": n, "width": _width(ir, t)}
                            for n, t in zip(mt.output_names, mt.output_types, strict=True)],
            }
    raise StageError(f"CIRCT produced no hw.module named '{top}'")


def main() -> int:
    req = json.loads(sys.stdin.read())
    import circt
    from circt import ir
    from circt import passmanager as pm
    from circt.dialects import hw

    out = Path(req["out_dir"])
    top = req["top"]
    with ir.Context() as ctx, ir.Location.unknown():
        circt.register_dialects(ctx)
        module = _parse(ir, Path(req["handshake"]).read_text(), "handshake netlist")
        module.operation.attributes["circt.loweringOptions"] = ir.StringAttr.get(LOWERING_OPTIONS)
        _run(pm, module, f"handshake.func({CANON}, handshake-materialize-forks-sinks, {CANON})",
             "handshake forks")
        _run(pm, module, f"lower-handshake-to-hw, {CANON}", "handshake -> hw")
        units = _parse(ir, Path(req["units"]).read_text(), "unit modules")
        impl = {op.attributes["sym_name"].value for op in units.body.operations}
        for op in list(module.body.operations):
            if (op.operation.name == "hw.module.extern"
                    and op.attributes["sym_name"].value in impl):
                op.operation.erase()
        for op in list(units.body.operations):
            module.body.append(op.operation)
        _run(pm, module, "lower-esi-ports, lower-esi-to-physical, lower-esi-to-hw, "
             f"hw-flatten-io, {CANON}", "ESI -> hw")
        ports = _ports(hw, ir, module, top)
        _run(pm, module, f"hw.module(lower-seq-hlmem), lower-seq-to-sv, "
             f"hw.module(hw-cleanup, hw-legalize-modules), {CANON}, hw.module(prettify-verilog)",
             "hw -> sv")
        with open(out / f"{top}.sv", "w") as f:
            circt.export_verilog(module, f)
        (out / "ports.json").write_text(json.dumps(ports, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except StageError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)
    except Exception:
        traceback.print_exc()
        sys.exit(1)
