"""Python entry points of the project's rewrite passes.

>>> assign_precision(module, {"default": {"input": "mxint8", "weight": "mxint8"}})
>>> kernel_loop(module)                    # mx-kernel-loop{policy=split} (on the module)
>>> unroll_loops(module)                   # func.func(mx-unroll-loops), the exact inverse
>>> run_pipeline(module, "builtin.module(canonicalize,cse)")

Every function rewrites the parsed ``mase_mlir.ir.Module`` in place and returns it. A pass
failure raises :class:`PassError` carrying the MLIR diagnostics (severity, location,
message). Warnings and remarks the passes emit are appended to ``diagnostics`` when a list is
given, and otherwise dropped (warnings also go to Python's ``warnings`` when
``warn=True``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import ir, passmanager
from .errors import MaseError
from .files import read_bytes
from .mlirfile import location_text

__all__ = [
    "Diagnostic",
    "PassError",
    "PassWarning",
    "assign_precision",
    "config_json",
    "kernel_loop",
    "run_pipeline",
    "unroll_loops",
]

_SEVERITIES = ("error", "warning", "note", "remark")
_MAX_OTHERS = 5
# Characters that would end a pass option value in the textual pipeline.
_UNSAFE_OPTION = re.compile(r"[\s,{}\"']")


@dataclass(frozen=True)
class Diagnostic:
    """One MLIR diagnostic: severity (error, warning, note, remark), location, message."""

    severity: str
    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location_readable}: {self.severity}: {self.message}"

    @property
    def location_readable(self) -> str:
        return _readable(self.location)


_FILE_LOC = re.compile(r'^loc\("(.*)":(\d+):(\d+)\)$')


def _readable(location: str) -> str:
    """``loc("f.mlir":3:7)`` as compilers write it, ``f.mlir:3:7``; others unchanged."""
    m = _FILE_LOC.match(location)
    return f"{m.group(1)}:{m.group(2)}:{m.group(3)}" if m else location


class PassError(MaseError):
    """A pass pipeline failed; ``diagnostics`` holds what MLIR reported."""

    def __init__(self, pipeline: str, diagnostics: list[Diagnostic]) -> None:
        self.pipeline = pipeline
        self.diagnostics = diagnostics
        # Errors (and their notes) first, then a few of the other diagnostics.
        errors = [str(d) for d in diagnostics if d.severity in ("error", "note")]
        others = [str(d) for d in diagnostics if d.severity not in ("error", "note")]
        lines = (errors or ["(no error message)"]) + others[:_MAX_OTHERS]
        if len(others) > _MAX_OTHERS:
            lines.append(f"... and {len(others) - _MAX_OTHERS} more warnings/remarks")
        super().__init__(f"pass pipeline failed: {pipeline}\n" + "\n".join(lines))


class PassWarning(UserWarning):
    """A warning emitted by an MLIR pass (with ``warn=True``)."""


def _severity(diag: Any) -> str:
    name = str(diag.severity).rsplit(".", 1)[-1].lower()
    return name if name in _SEVERITIES else "error"


def _flatten(diag: Any, severity: str | None = None) -> list[Diagnostic]:
    out = [Diagnostic(severity or _severity(diag), location_text(diag.location),
                      str(diag.message))]
    for note in diag.notes:
        # The context attaches a dump of the failing op (the whole module for module-level
        # diagnostics): noise here.
        if not str(note.message).startswith("see current operation"):
            out.extend(_flatten(note, "note"))
    return out


def _from_error(err: Exception) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    for diag in getattr(err, "error_diagnostics", None) or []:
        # MLIRError's diagnostics are snapshots with the same fields.
        diags.extend(_flatten(diag, "error"))
    if not diags:
        diags.append(Diagnostic("error", "unknown", str(err)))
    return diags


def run_pipeline(module: Any, pipeline: str, *, diagnostics: list[Diagnostic] | None = None,
                 warn: bool = False) -> Any:
    """Run the textual ``pipeline`` (``builtin.module(...)``) on ``module`` in place."""
    context = module.context
    collected: list[Diagnostic] = []

    def handler(diag: Any) -> bool:
        collected.extend(_flatten(diag))
        return True

    with context:
        try:
            manager = passmanager.PassManager.parse(pipeline)
        except (ir.MLIRError, ValueError) as err:
            raise PassError(pipeline, _from_error(err)) from None
        attached = context.attach_diagnostic_handler(handler)
        try:
            manager.run(module.operation)
        except ir.MLIRError as err:
            errors = _from_error(err)
            seen = {(d.location, d.message) for d in errors}
            extra = [d for d in collected if (d.location, d.message) not in seen]
            raise PassError(pipeline, errors + extra) from None
        finally:
            attached.detach()
    errors = [d for d in collected if d.severity == "error"]
    if errors:  # an error a pass reported without failing
        raise PassError(pipeline, collected)
    if diagnostics is not None:
        diagnostics.extend(collected)
    if warn:
        for diag in collected:
            if diag.severity == "warning":
                warnings.warn(str(diag), PassWarning, stacklevel=2)
    return module


def _option_path(path: Path, keep: list[str]) -> str:
    """A path that can stand unquoted in a pass option (copied to a temp file if needed)."""
    data = read_bytes(path, "precision config")  # InputError: missing, a directory, unreadable
    text = str(path)
    if not _UNSAFE_OPTION.search(text):
        return text
    return _temp_file(data, keep)


def _temp_file(data: bytes, keep: list[str]) -> str:
    fd, name = tempfile.mkstemp(prefix="mase-precision-", suffix=".json")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    keep.append(name)
    return name


def config_json(config: Mapping[str, Any]) -> str:
    """The config as JSON text, keys in insertion order (``ops`` order matters)."""
    return json.dumps(config, indent=2) + "\n"


def assign_precision(module: Any, config: Mapping[str, Any] | str | os.PathLike, *,
                     allow_unmatched: bool = False, cleanup: bool = True,
                     diagnostics: list[Diagnostic] | None = None) -> Any:
    """Apply a precision configuration (``mx-assign-precision``) to ``module`` in place.

    ``config`` is a dict (``{"default": {...}, "ops": {glob: {role: format}}}``; later
    ``ops`` entries override earlier ones) or the path of a JSON file. ``cleanup`` runs
    ``canonicalize`` and ``cse`` afterwards (shared quantizations of one value merge).
    """
    temps: list[str] = []
    try:
        if isinstance(config, Mapping):
            path = _temp_file(config_json(config).encode(), temps)
        else:
            path = _option_path(Path(config), temps)
        options = f"config={path}"
        if allow_unmatched:
            options += " allow-unmatched=true"
        passes = [f"mx-assign-precision{{{options}}}"]
        if cleanup:
            passes += ["canonicalize", "cse"]
        pipeline = f"builtin.module({','.join(passes)})"
        shown = "<dict>" if isinstance(config, Mapping) else str(config)

        def rename(diags: list[Diagnostic]) -> list[Diagnostic]:
            # Name the dict (or the user's file) rather than a temporary file.
            return [Diagnostic(d.severity, d.location, d.message.replace(path, shown))
                    for d in diags]

        collected: list[Diagnostic] = []
        try:
            run_pipeline(module, pipeline, diagnostics=collected)
        except PassError as err:
            raise PassError(pipeline.replace(path, shown), rename(err.diagnostics)) from None
        if diagnostics is not None:
            diagnostics.extend(rename(collected))
        return module
    finally:
        for name in temps:
            os.unlink(name)


_POLICIES = ("split", "unify")


def kernel_loop(module: Any, policy: str = "split", *,
                diagnostics: list[Diagnostic] | None = None) -> Any:
    """Fold chains of structurally identical layers into loops (``mx-kernel-loop``).

    ``policy`` is ``split`` (the default) or ``unify``. Remarks saying what was looped are
    appended to ``diagnostics`` when a list is given.
    """
    if policy not in _POLICIES:
        raise ValueError(f"kernel_loop: unknown policy {policy!r} (expected split or unify)")
    return run_pipeline(module,
                        f"builtin.module(mx-kernel-loop{{policy={policy}}})",
                        diagnostics=diagnostics)


def unroll_loops(module: Any, *, diagnostics: list[Diagnostic] | None = None) -> Any:
    """Unroll the kernel loops again (``mx-unroll-loops``, the exact inverse)."""
    return run_pipeline(module, "builtin.module(func.func(mx-unroll-loops))",
                        diagnostics=diagnostics)
