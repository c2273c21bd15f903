"""Build a :class:`~mase_mlir.frontend.mxgraph.Function` as an ``mx`` module in the project's
MLIR context, through the dialect's generated op builders: each op's syntax and structure
(operand segments, attribute kinds) live only in its ODS definition.

Deterministic: the same function always gives the same module. Constants are dense elements
attributes of the arrays' exact bytes.
"""

from __future__ import annotations

from typing import Any

from .. import ir
from ..dialects import arith, func, mx
from .mxgraph import Function, Op, TensorType, Value

# The generated op classes of the mx dialect, by op name.
_OP_CLASSES: dict[str, type] = {
    cls.OPERATION_NAME: cls
    for cls in vars(mx).values()
    if isinstance(cls, type) and issubclass(cls, ir.OpView) and hasattr(cls, "OPERATION_NAME")
}


class _Emitter:
    def __init__(self) -> None:
        self.values: dict[int, ir.Value] = {}
        self.types: dict[TensorType, ir.Type] = {}
        self.elements = {
            "f32": ir.F32Type.get(),
            "i64": ir.IntegerType.get_signless(64),
            "i1": ir.IntegerType.get_signless(1),
        }

    def type(self, tensor: TensorType) -> ir.Type:
        result = self.types.get(tensor)
        if result is None:
            result = ir.RankedTensorType.get(list(tensor.shape), self.elements[tensor.dtype])
            self.types[tensor] = result
        return result

    def value(self, item: Value | list[Value]) -> Any:
        if isinstance(item, list):  # a variadic operand group
            return [self.values[v.id] for v in item]
        return self.values[item.id]

    def op(self, op: Op) -> ir.Value:
        result_type = self.type(op.result.type)
        if op.kind == "arith.constant":
            # The array (C-contiguous; float32, int64 or bool) gives the shape and element
            # type; the bindings bit-pack bool arrays, and accept no explicit type for them.
            attr = ir.DenseElementsAttr.get(op.args["value"])
            return arith.ConstantOp(result_type, attr).result
        cls = _OP_CLASSES[op.kind]
        args = {name: self.value(v) if isinstance(v, Value) else v
                for name, v in op.args.items()}
        return cls(result_type, *map(self.value, op.operands), **args).result


def emit_module(function: Function, context: ir.Context) -> ir.Module:
    """``function`` as a module of one ``func.func`` in ``context``."""
    with context, ir.Location.unknown():
        emitter = _Emitter()
        module = ir.Module.create()
        arg_types = [emitter.type(a.type) for a in function.arguments]
        result_types = [emitter.type(v.type) for v in function.results]
        with ir.InsertionPoint(module.body):
            fn = func.FuncOp(function.name, ir.FunctionType.get(arg_types, result_types))
            block = fn.add_entry_block()
        for arg, value in zip(function.arguments, block.arguments, strict=True):
            emitter.values[arg.id] = value
        with ir.InsertionPoint(block):
            for op in function.ops:
                emitter.values[op.result.id] = emitter.op(op)
            func.ReturnOp([emitter.values[v.id] for v in function.results])
    return module
