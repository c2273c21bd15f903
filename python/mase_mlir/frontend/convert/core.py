"""What a converter of one aten op works with.

Converters are registered per aten op packet (``"linear"``) in a :class:`Handlers` table by
the ``populate_*_handlers`` functions of the sibling modules. A converter receives an
:class:`OpContext` giving typed access to the op's operands and a way to emit named ``mx``
ops, and raises :class:`Unsupported` for a case it cannot convert.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from torch_mlir import ir

from ..mxgraph import TensorType, Value

if TYPE_CHECKING:
    from .converter import Converter

Handler = Callable[["OpContext"], Any]

_VTENSOR = re.compile(r"!torch\.vtensor<\[([-0-9,]*)\],(\w+)>")
# Integers widen exactly to i64; float tensors must be f32 (the model's float type is checked
# before export): an f16/bf16/f64 computation is unsupported, never silently made f32.
_ELEMENT_TYPES = {
    "f32": "f32",
    "si64": "i64", "si32": "i64", "si16": "i64", "si8": "i64", "ui8": "i64", "i1": "i1",
}


class Unsupported(Exception):
    """Raised by a handler for a case it cannot convert (reported with the op's origin)."""


class Handlers(dict[str, Handler]):
    """Converters by aten op packet (``"add"``, ``"linear"``, ``"prims.convert_element_type"``)."""

    def add(self, fn: Handler, *packets: str) -> None:
        """Register ``fn`` for ``packets``; a packet registered twice is a programming error."""
        for packet in packets:
            if packet in self:
                raise ValueError(f"two converters for aten packet {packet!r}: "
                                 f"{self[packet].__name__} and {fn.__name__}")
            self[packet] = fn


def tensor_type(type_: ir.Type) -> TensorType:
    match = _VTENSOR.fullmatch(str(type_))
    if not match:
        raise Unsupported(f"expected a ranked, statically shaped tensor, got {type_}")
    dims = tuple(int(d) for d in match.group(1).split(",") if d)
    if any(d < 0 for d in dims):
        raise Unsupported(f"dynamic shape {type_}")
    element = _ELEMENT_TYPES.get(match.group(2))
    if element is None:
        raise Unsupported(f"unsupported element type {match.group(2)} (mase imports float32 "
                          "computations)")
    return TensorType(dims, element)


class _Poison:
    """Result of an op that failed to convert; ops consuming it are skipped."""


POISON = _Poison()


@dataclass
class SplitList:
    """The list of tensors produced by ``split``: materialised on ``ListUnpack``."""

    pieces: list[Callable[[], Value]]


def display_name(op_name: str) -> str:
    """The torch op's name without the dialect prefix (``aten.linear.default``)."""
    return op_name[len("torch."):] if op_name.startswith("torch.") else op_name


class OpContext:
    """One torch op being converted."""

    def __init__(self, converter: Converter, op: ir.OpView):
        self.converter = converter
        self.op = op
        self.b = converter.builder
        loc = op.location
        node_name = loc.name_str if isinstance(loc, ir.NameLoc) else None
        info = converter.infos.get(node_name) if node_name else None
        self.base_name = info.name if info else (node_name or display_name(op.name))
        self.source = info.source if info else "<unknown>"

    @property
    def overload(self) -> str:
        parts = self.op.name.split(".")
        return parts[3] if len(parts) > 3 else ""

    def arg(self, index: int) -> Any:
        return self.converter.lookup(self.op.operands[index])

    def num_args(self) -> int:
        return len(self.op.operands)

    def tensor(self, index: int) -> Value:
        return self.converter.tensor(self.op.operands[index])

    def const(self, index: int) -> np.ndarray | None:
        item = self.arg(index)
        return item if isinstance(item, np.ndarray) else None

    def is_tensor(self, index: int) -> bool:
        return isinstance(self.arg(index), (Value, np.ndarray))

    def result_type(self, index: int = 0) -> TensorType:
        return tensor_type(self.op.results[index].type)

    def emit(
        self,
        kind: str,
        operands: list[Value | list[Value]],
        result_type: TensorType,
        args: dict[str, Any] | None = None,
        suffix: str | None = None,
    ) -> Value:
        """Append an ``mx`` op named after the torch op (plus ``suffix``): its required
        operands in ODS order, its attributes and optional operands in ``args`` by ODS name
        (None: absent)."""
        args = {k: v for k, v in (args or {}).items() if v is not None}
        args["name"] = self.base_name if suffix is None else f"{self.base_name}.{suffix}"
        return self.b.op(kind, operands, result_type, args)

    def set_result(self, value: Any, index: int = 0) -> None:
        self.converter.env[self.op.results[index]] = value

    def set_results(self, value: Any) -> None:
        for result in self.op.results:
            self.converter.env[result] = value

    def split_list(self, pieces: list[Callable[[], Value]]) -> SplitList:
        return SplitList(pieces)
