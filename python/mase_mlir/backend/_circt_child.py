"""The CIRCT stage, run in a child process (``python -m mase_mlir.backend._circt_child``).

Reads a JSON request on stdin::

    {"input": "hw.mlir", "out_dir": "tmpdir", "top": "name", "buffers": "mase"}

runs the handshake pipeline of the circt wheel on the cf-level integer IR and
writes ``<top>.sv``, ``handshake.mlir`` (after buffer placement) and
``ports.json`` into ``out_dir``. Errors go to stderr with exit code 1; a
crash of CIRCT kills only this process. Never import the upstream ``mlir``
package here (two MLIR copies in one process crash, see TOOLCHAIN.md).
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

CANON = "canonicalize{region-simplify=disabled top-down=true}"


class StageError(Exception):
    pass


def _run(pm_mod, module, pipeline: str, stage: str) -> None:
    try:
        pm_mod.PassManager.parse(f"builtin.module({pipeline})").run(module.operation)
    except Exception as err:  # circt raises MLIRError with the diagnostics
        text = str(err).splitlines()
        short = "\n".join(line for line in text if "see current operation" not in line)
        short = "\n".join(short.splitlines()[:12])
        raise StageError(f"CIRCT stage '{stage}' failed: {short}") from None


def _ports(module, top: str) -> dict:
    from circt.dialects import hw

    for op in module.body.operations:
        if op.operation.name == "hw.module" and op.attributes["sym_name"].value == top:
            mt = hw.ModuleType(hw.HWModuleOp(op.operation).attributes["module_type"].value)
            ins = [
                {"name": n, "width": _width(t)}
                for n, t in zip(mt.input_names, mt.input_types, strict=True)
            ]
            outs = [
                {"name": n, "width": _width(t)}
                for n, t in zip(mt.output_names, mt.output_types, strict=True)
            ]
            return {"inputs": ins, "outputs": outs}
    raise StageError(f"CIRCT produced no hw.module named '{top}'")


def _width(t) -> int:
    from circt import ir

    if ir.IntegerType.isinstance(t):
        return ir.IntegerType(t).width
    return 0


def main() -> int:
    req = json.loads(sys.stdin.read())
    import circt
    from circt import ir
    from circt import passmanager as pm

    from mase_mlir.backend import buffers

    out = Path(req["out_dir"])
    top = req["top"]
    with ir.Context() as ctx, ir.Location.unknown():
        circt.register_dialects(ctx)
        # memref is not registered by the wheel: a pass that depends on it loads it.
        empty = ir.Module.parse("module {}")
        pm.PassManager.parse("builtin.module(flatten-memref)").run(empty.operation)
        try:
            module = ir.Module.parse(Path(req["input"]).read_text())
        except Exception as err:
            raise StageError(f"CIRCT could not parse the hardware IR: {err}") from None
        # CIRCT's handshake.func keeps no argument attributes (the manifest has them).
        for op in module.body.operations:
            if op.operation.name == "func.func" and "arg_attrs" in op.operation.attributes:
                del op.operation.attributes["arg_attrs"]
        module.operation.attributes["circt.loweringOptions"] = ir.StringAttr.get(
            "disallowLocalVariables,disallowPackedStructAssignments,locationInfoStyle=none"
        )
        _run(pm, module, "flatten-memref, func.func(handshake-legalize-memrefs)",
             "legalize memrefs")
        _run(pm, module, "lower-cf-to-handshake, handshake-lower-extmem-to-hw", "cf -> handshake")
        _run(pm, module, f"handshake.func({CANON}, handshake-materialize-forks-sinks, {CANON})",
             "handshake cleanup")
        strategy = req.get("buffers", "mase")
        stats = {}
        if strategy == "mase":
            stats = buffers.place_buffers(module)
            _run(pm, module, f"handshake.func({CANON})", "canonicalize after buffers")
        else:
            size = int(req.get("buffer_size", 1 if strategy == "cycles" else 2))
            _run(pm, module,
                 f"handshake.func(handshake-insert-buffers{{strategy={strategy} "
                 f"buffer-size={size}}}, {CANON})", "insert buffers")
        (out / "handshake.mlir").write_text(str(module))
        _run(pm, module, f"lower-handshake-to-hw, {CANON}, lower-esi-ports, "
             "lower-esi-to-physical, lower-esi-to-hw", "handshake -> hw")
        _run(pm, module, f"hw-flatten-io, {CANON}, hw.module(lower-seq-hlmem), hw-memory-sim, "
             f"lower-seq-to-sv, hw.module(hw-cleanup, hw-legalize-modules), {CANON}, "
             "hw.module(prettify-verilog)", "hw -> sv")
        ports = _ports(module, top)
        with open(out / f"{top}.sv", "w") as f:
            circt.export_verilog(module, f)
        (out / "ports.json").write_text(json.dumps({"ports": ports, "buffers": stats}, indent=1))
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
