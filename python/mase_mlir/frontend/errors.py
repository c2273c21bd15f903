"""Errors raised by the frontend."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import MaseError


@dataclass(frozen=True)
class UnsupportedOp:
    """One operation the frontend cannot convert, with where it came from."""

    op: str
    """The PyTorch operator, e.g. ``aten.cumsum.default``."""
    name: str
    """The readable name the op would have had (module path based)."""
    location: str
    """The PyTorch source location (``file:line``), or ``<unknown>``."""
    reason: str = ""

    def describe(self) -> str:
        text = f"{self.op} at {self.location} (op '{self.name}')"
        if self.reason:
            text += f": {self.reason}"
        return text


class FrontendError(MaseError):
    """Base class of the errors raised by :mod:`mase_mlir.frontend`."""


class UnsupportedOpError(FrontendError):
    """The model contains operations that cannot be converted to the ``mx`` dialect.

    Lists every unsupported operation of the model at once.
    """

    def __init__(self, ops: list[UnsupportedOp]):
        self.ops = list(ops)
        kinds = sorted({o.op for o in self.ops})
        lines = [
            f"{len(self.ops)} unsupported operation(s) in the model "
            f"({len(kinds)} kind(s): {', '.join(kinds)}):"
        ]
        lines += [f"  - {o.describe()}" for o in self.ops]
        super().__init__("\n".join(lines))


class ExportError(FrontendError):
    """``torch.export`` could not capture the model."""
