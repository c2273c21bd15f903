"""Walk a torch-dialect module (torch-mlir's MLIR) and build an ``mx`` function."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch_mlir import ir

from ..errors import UnsupportedOp, UnsupportedOpError
from ..mxgraph import Builder, Function, Value
from ..naming import NodeInfo
from ..torch_import import CONSTANT_ATTR, TorchModule
from .core import POISON, Handlers, OpContext, SplitList, Unsupported, display_name, tensor_type
from .elementwise import populate_elementwise_handlers
from .nn import populate_nn_handlers
from .shape import populate_shape_handlers


def default_handlers() -> Handlers:
    """Every converter of the package, by aten op packet."""
    handlers = Handlers()
    populate_elementwise_handlers(handlers)
    populate_nn_handlers(handlers)
    populate_shape_handlers(handlers)
    return handlers


class Converter:
    """Converts one torch-dialect function with ``handlers``."""

    def __init__(self, torch_module: TorchModule, infos: dict[str, NodeInfo], func_name: str,
                 handlers: Handlers | None = None):
        self.torch_module = torch_module
        self.infos = infos
        self.handlers = default_handlers() if handlers is None else handlers
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
            if not any(self.env.get(v) is POISON for v in op.operands):  # else: reported
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
        fn = self.handlers.get(packet) if packet else None
        try:
            if fn is None:
                raise Unsupported("no conversion to the mx dialect")
            fn(ctx)
        except Unsupported as exc:
            self.unsupported.append(
                UnsupportedOp(display_name(name), ctx.base_name, ctx.source, str(exc))
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
        items = source.pieces if isinstance(source, SplitList) else source
        for result, item in zip(op.results, items, strict=True):
            self.env[result] = item() if callable(item) else item


def _packet(op_name: str) -> str | None:
    if op_name.startswith("torch.aten."):
        return op_name[len("torch.aten."):].split(".")[0]
    if op_name.startswith("torch.prims."):
        return "prims." + op_name[len("torch.prims."):].split(".")[0]
    return None




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
