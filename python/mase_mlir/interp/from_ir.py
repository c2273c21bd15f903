"""Build a :class:`~.program.Program` from a parsed ``mase_mlir.ir.Module``."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .errors import InterpreterError
from .program import Program, Step, ValueType

_ELEMENT_DTYPES = {"f32": np.float32, "f16": np.float32, "bf16": np.float32, "f64": np.float32,
                   "i64": np.int64, "i32": np.int64, "i1": np.bool_}
_ENUM_ATTR = re.compile(r"#\w+\.\w+<(\w+)>")
_KEYWORD_OPS = {"mx.layer_norm": ("weight", "bias"), "mx.rms_norm": ("weight",)}


def value_type(type_: Any) -> ValueType:
    from ..dialects import mx

    if mx.TensorType.isinstance(type_):
        t = mx.TensorType(type_)
        rank = len(t.shape)
        fmt = mx.FormatAttr(t.format)
        return ValueType(tuple(t.shape), np.dtype(np.float32), str(fmt.spelling),
                         int(t.axis) % max(rank, 1))
    from .. import ir

    if not isinstance(type_, ir.RankedTensorType):
        raise InterpreterError(f"unsupported value type {type_}")
    t = type_
    element = str(t.element_type)
    if element not in _ELEMENT_DTYPES:
        raise InterpreterError(f"unsupported element type {element}")
    return ValueType(tuple(t.shape), np.dtype(_ELEMENT_DTYPES[element]))


def attribute_value(attr: Any) -> Any:
    """A Python value for an MLIR attribute (string, number, bool, i64 array)."""
    from .. import ir

    if isinstance(attr, (ir.BoolAttr, ir.IntegerAttr, ir.FloatAttr, ir.StringAttr)):
        return attr.value
    if isinstance(attr, (ir.DenseI64ArrayAttr, ir.DenseI32ArrayAttr)):
        return tuple(attr)
    enum = _ENUM_ATTR.fullmatch(str(attr))  # e.g. #mx.rounding<even>
    return enum.group(1) if enum else attr


def dense_value(attr: Any, vtype: ValueType) -> np.ndarray:
    """The array of a dense elements attribute (splats expanded; i1 splats are bit-packed in
    the buffer protocol, so splats go through their scalar value)."""
    if attr.is_splat:
        scalar = attr.get_splat_value()
        return np.full(vtype.shape, scalar.value, dtype=vtype.dtype)
    return np.array(attr).astype(vtype.dtype).reshape(vtype.shape)


def find_function(module: Any, name: str | None = None) -> Any:
    for op in module.body.operations:
        if op.operation.name == "func.func":
            sym = str(op.attributes["sym_name"]).strip('"')
            if name is None or sym == name:
                return op
    raise InterpreterError(f"no func.func {'@' + name if name else ''} in the module")


def from_module(module: Any, func_name: str | None = None) -> Program:
    func = find_function(module, func_name)
    block = func.regions[0].blocks[0]
    slots: dict[Any, int] = {}

    def slot(value: Any) -> int:
        if value not in slots:
            slots[value] = len(slots)
        return slots[value]

    inputs = [slot(a) for a in block.arguments]
    input_types = [value_type(a.type) for a in block.arguments]
    steps: list[Step] = []
    constants: dict[int, Any] = {}
    outputs: list[int] = []
    for op in block.operations:
        kind = op.operation.name
        if kind == "func.return":
            outputs = [slot(v) for v in op.operands]
            continue
        if len(op.results) != 1:
            raise InterpreterError(f"{kind}: expected one result")
        result = op.results[0]
        vtype = value_type(result.type)
        if kind == "arith.constant":
            constants[slot(result)] = dense_value(op.attributes["value"], vtype)
            continue
        if kind == "mx.constant":
            constants[slot(result)] = _mx_constant(op, vtype)
            continue
        attrs = {}
        for key in op.attributes:
            named = key if isinstance(key, str) else key.name
            attrs[named] = attribute_value(op.attributes[named])
        segments = attrs.pop("operandSegmentSizes", None)
        if kind in _KEYWORD_OPS and segments is not None:
            attrs["_keywords"] = tuple(
                kw for kw, n in zip(_KEYWORD_OPS[kind], segments[1:], strict=True) if n)
        steps.append(Step(kind, [slot(v) for v in op.operands], slot(result), attrs, vtype))
    program = Program(inputs, input_types, outputs, steps, constants)
    program.plan_frees()
    return program


def _mx_constant(op: Any, vtype: ValueType) -> Any:
    from ..numerics import Format, MXTensor

    fmt = Format.parse(vtype.mx_format)
    scales = np.array(op.attributes["scales"]).astype(np.uint8)
    codes = np.array(op.attributes["codes"]).astype(np.uint8)
    return MXTensor(fmt, scales.reshape(_scale_shape(vtype, fmt.block_size)),
                    codes.reshape(vtype.shape), vtype.mx_axis)


def _scale_shape(vtype: ValueType, block: int) -> tuple[int, ...]:
    shape = list(vtype.shape)
    shape[vtype.mx_axis] //= block
    return tuple(shape)
