"""Walk a torch-dialect module (torch-mlir's MLIR) and build an ``mx`` function.

Handlers are registered per aten op packet (``@handler("linear")``) and receive an
:class:`OpContext` giving typed access to operands and a way to emit named ``mx`` ops.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch_mlir import ir

from ..errors import UnsupportedOp, UnsupportedOpError
from ..mxgraph import Builder, Function, TensorType, Value
from ..naming import NodeInfo
from ..torch_import import CONSTANT_ATTR, TorchModule

Handler = Callable[["OpContext"], Any]
HANDLERS: dict[str, Handler] = {}

_VTENSOR = re.compile(r"!torch\.vtensor<\[([-0-9,]*)\],(\w+)>")
_ELEMENT_TYPES = {
    "f32": "f32", "f64": "f32", "f16": "f32", "bf16": "f32",
    "si64": "i64", "si32": "i64", "si16": "i64", "si8": "i64", "ui8": "i64", "i1": "i1",
}


class Unsupported(Exception):
    """Raised by a handler for a case it cannot convert (reported with the op's origin)."""


def handler(*packets: str) -> Callable[[Handler], Handler]:
    """Register a converter for the given aten op packets (``"add"``, ``"linear"``...)."""

    def register(fn: Handler) -> Handler:
        for packet in packets:
            HANDLERS[packet] = fn
        return fn

    return register


def supported_packets() -> frozenset[str]:
    from . import elementwise, nn, shape  # noqa: F401  (registration side effects)

    return frozenset(HANDLERS)


def tensor_type(type_: ir.Type) -> TensorType:
    match = _VTENSOR.fullmatch(str(type_))
    if not match:
        raise Unsupported(f"expected a ranked, statically shaped tensor, got {type_}")
    dims = tuple(int(d) for d in match.group(1).split(",") if d)
    if any(d < 0 for d in dims):
        raise Unsupported(f"dynamic shape {type_}")
    element = _ELEMENT_TYPES.get(match.group(2))
    if element is None:
        raise Unsupported(f"unsupported element type {match.group(2)}")
    return TensorType(dims, element)


class _Poison:
    """Result of an op that failed to convert; ops consuming it are skipped."""


POISON = _Poison()


@dataclass
class _SplitList:
    """The list of tensors produced by ``split``: materialised on ``ListUnpack``."""

    pieces: list[Callable[[], Value]]


class Converter:
    def __init__(self, torch_module: TorchModule, infos: dict[str, NodeInfo], func_name: str):
        self.torch_module = torch_module
        self.infos = infos
        self.builder = Builder(func_name)
        self.env: dict[ir.Value, Any] = {}
        self._materialised: dict[ir.Value, Value] = {}
        self.unsupported: list[UnsupportedOp] = []

    # -- operand access ---------------------------------------------------------------
    def lookup(self, value: ir.Value) -> Any:
        return self.env[value]

    def tensor(self, value: ir.Value) -> Value:
        item = self.env[value]
        if isinstance(item, Value):
            return item
        if isinstance(item, np.ndarray):
            mat = self._materialised.get(value)
            if mat is None:
                mat = self.builder.constant(item)
                self._materialised[value] = mat
            return mat
        raise Unsupported(f"expected a tensor operand, got {type(item).__name__}")

    # -- walking -----------------------------------------------------------------------
    def run(self) -> Function:
        func = self.torch_module.module.body.operations[0]
        block = func.regions[0].blocks[0]
        for index, arg in enumerate(block.arguments):
            self.env[arg] = self.builder.argument(tensor_type(arg.type), f"arg{index}")
        for op in block.operations:
            self._convert(op)
        if self.unsupported:
            raise UnsupportedOpError(self.unsupported)
        return self.builder.function

    def _convert(self, op: ir.OpView) -> None:
        name = op.name
        if name == "func.return":
            self.builder.ret([self.tensor(v) for v in op.operands])
            return
        if name.startswith("torch.constant."):
            self.env[op.results[0]] = _constant_value(op)
            return
        if name == "torch.prim.ListConstruct":
            self.env[op.results[0]] = [self.env[v] for v in op.operands]
            return
        if name == "torch.vtensor.literal":
            self.env[op.results[0]] = self._literal(op)
            return
        if name == "torch.prim.ListUnpack":
            self._list_unpack(op)
            return
        ctx = OpContext(self, op)
        if any(self.env.get(v) is POISON for v in op.operands):
            ctx.set_results(POISON)
            return
        packet = _packet(name)
        fn = HANDLERS.get(packet) if packet else None
        try:
            if fn is None:
                raise Unsupported("no conversion to the mx dialect")
            fn(ctx)
        except Unsupported as exc:
            self.unsupported.append(
                UnsupportedOp(_display_name(name), ctx.base_name, ctx.source, str(exc))
            )
            ctx.set_results(POISON)

    def _literal(self, op: ir.OpView) -> np.ndarray:
        if CONSTANT_ATTR in op.attributes:
            tensor = self.torch_module.constants[op.attributes[CONSTANT_ATTR].value]
        else:
            raise Unsupported("tensor literal without a bound value")
        return _to_numpy(tensor)

    def _list_unpack(self, op: ir.OpView) -> None:
        source = self.env[op.operands[0]]
        if source is POISON:
            for r in op.results:
                self.env[r] = POISON
            return
        items = source.pieces if isinstance(source, _SplitList) else source
        for result, item in zip(op.results, items, strict=True):
            self.env[result] = item() if callable(item) else item


def _packet(op_name: str) -> str | None:
    if op_name.startswith("torch.aten."):
        return op_name[len("torch.aten."):].split(".")[0]
    if op_name.startswith("torch.prims."):
        return "prims." + op_name[len("torch.prims."):].split(".")[0]
    return None


def _display_name(op_name: str) -> str:
    return op_name[len("torch."):] if op_name.startswith("torch.") else op_name


def _constant_value(op: ir.OpView) -> Any:
    if op.name == "torch.constant.none":
        return None
    return op.attributes["value"].value


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bool:
        return tensor.numpy().copy()
    if tensor.is_floating_point():
        return tensor.to(torch.float32).numpy().copy()
    return tensor.to(torch.int64).numpy().copy()


class OpContext:
    """One torch op being converted."""

    def __init__(self, converter: Converter, op: ir.OpView):
        self.converter = converter
        self.op = op
        self.b = converter.builder
        loc = op.location
        node_name = loc.name_str if isinstance(loc, ir.NameLoc) else None
        info = converter.infos.get(node_name) if node_name else None
        self.base_name = info.name if info else (node_name or _display_name(op.name))
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
        operands: list[Value],
        result_type: TensorType,
        attrs: dict[str, Any] | None = None,
        suffix: str | None = None,
        keywords: tuple[str, ...] = (),
    ) -> Value:
        attrs = dict(attrs or {})
        attrs["name"] = self.base_name if suffix is None else f"{self.base_name}.{suffix}"
        return self.b.op(kind, operands, result_type, attrs, keywords)

    def set_result(self, value: Any, index: int = 0) -> None:
        self.converter.env[self.op.results[index]] = value

    def set_results(self, value: Any) -> None:
        for result in self.op.results:
            self.converter.env[result] = value

    def split_list(self, pieces: list[Callable[[], Value]]) -> _SplitList:
        return _SplitList(pieces)
