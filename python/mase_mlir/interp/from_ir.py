"""Build a :class:`~.program.Program` from a parsed ``mase_mlir.ir.Module``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ir
from ..dialects import mx
from ..numerics import Format, MXTensor
from .errors import InterpreterError
from .program import Loop, Probe, Program, Step, ValueType

_ELEMENT_DTYPES = {"f32": np.float32, "f16": np.float32, "bf16": np.float32, "f64": np.float32,
                   "i64": np.int64, "i32": np.int64, "i1": np.bool_}


_SCALAR = ValueType((), np.dtype(np.int64))
_FLOAT_SCALAR = ValueType((), np.dtype(np.float32))


def value_type(type_: Any) -> ValueType:
    if isinstance(type_, (ir.IndexType, ir.IntegerType)):
        return _SCALAR  # loop bounds and counters
    if isinstance(type_, ir.FloatType):
        return _FLOAT_SCALAR
    if mx.TensorType.isinstance(type_):
        t = mx.TensorType(type_)
        rank = len(t.shape)
        fmt = mx.FormatAttr(t.format)
        return ValueType(tuple(t.shape), np.dtype(np.float32), str(fmt.spelling),
                         int(t.axis) % max(rank, 1))
    if not isinstance(type_, ir.RankedTensorType):
        raise InterpreterError(f"unsupported value type {type_}")
    t = type_
    element = str(t.element_type)
    if element not in _ELEMENT_DTYPES:
        raise InterpreterError(f"unsupported element type {element}")
    return ValueType(tuple(t.shape), np.dtype(_ELEMENT_DTYPES[element]))


def attribute_value(attr: Any) -> Any:
    """A Python value for an MLIR attribute (string, number, bool, i64 array, and the spelling
    of an mx enum or accumulation: ``#mx.rounding<even>`` gives ``"even"``)."""
    if isinstance(attr, (ir.BoolAttr, ir.IntegerAttr, ir.FloatAttr, ir.StringAttr)):
        return attr.value
    if isinstance(attr, (ir.DenseI64ArrayAttr, ir.DenseI32ArrayAttr)):
        return tuple(attr)
    spelling = mx.attribute_spelling(attr)
    return attr if spelling is None else spelling


def dense_value(attr: Any, vtype: ValueType) -> Any:
    """The array of a dense elements attribute (splats expanded; i1 splats are bit-packed in
    the buffer protocol, so splats go through their scalar value), or the Python int of an
    index/integer scalar constant."""
    if isinstance(attr, ir.IntegerAttr):
        return int(attr.value)
    if isinstance(attr, ir.FloatAttr):
        return np.float32(attr.value)
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


def from_module(module: Any, func_name: str | None = None,
                constants: dict | None = None) -> Program:
    """The program of ``func_name`` (default: the first function); ``constants`` memoizes
    decoded constants across calls (see :func:`mase_mlir.interp.load`)."""
    func = find_function(module, func_name)
    blocks = list(func.regions[0].blocks)
    if len(blocks) != 1:
        name = str(func.attributes["sym_name"]).strip('"')
        raise InterpreterError(f"@{name} is a declaration without a body" if not blocks else
                               f"@{name} has {len(blocks)} blocks; the interpreter runs "
                               "functions of one block")
    builder = _Builder(constants, module)
    block = blocks[0]
    inputs = [builder.slot(a) for a in block.arguments]
    input_types = [value_type(a.type) for a in block.arguments]
    steps, outputs = builder.block(block, "func.return")
    program = Program(inputs, input_types, outputs, steps, builder.constants, builder.calls)
    program.plan_frees()
    return program


class _Builder:
    """Numbers the values of one function and turns its ops into steps."""

    def __init__(self, cache: dict | None = None, module: Any = None) -> None:
        self.slots: dict[Any, int] = {}
        self.constants: dict[int, Any] = {}
        self.cache = cache
        self.module = module
        self.calls: dict[str, tuple[list[int], list[int]]] = {}

    def slot(self, value: Any) -> int:
        if value not in self.slots:
            self.slots[value] = len(self.slots)
        return self.slots[value]

    def block(self, block: Any, terminator: str) -> tuple[list[Step | Loop], list[int]]:
        """The steps of ``block`` and the slots its ``terminator`` returns."""
        steps: list[Step | Loop] = []
        returned: list[int] | None = None
        for op in block.operations:
            kind = op.operation.name
            if kind == terminator:
                returned = [self.slot(v) for v in op.operands]
                continue
            if kind == "func.call":
                steps.extend(self.call(op))
                continue
            step = self.op(op, kind)
            if step is not None:
                steps.append(step)
        if returned is None:
            raise InterpreterError(f"block without {terminator}")
        return steps, returned

    def op(self, op: Any, kind: str) -> Step | Loop | None:
        if kind == "scf.for":
            return self.loop(op)
        if len(op.results) != 1:
            raise InterpreterError(f"{kind}: expected one result")
        result = op.results[0]
        vtype = value_type(result.type)
        if kind in ("arith.constant", "mx.constant"):
            self.constants[self.slot(result)] = self.constant(op, kind, vtype)
            return None
        attrs = _attributes(op)
        attrs.pop("operandSegmentSizes", None)
        if mx.is_quantizable(op):
            # The operand roles tell the kernels which optional operands are present
            # (a norm's weight and bias).
            attrs["_roles"] = tuple("" if r is None else str(r) for r in mx.operand_roles(op))
        return Step(kind, [self.slot(v) for v in op.operands], self.slot(result), attrs, vtype)

    def constant(self, op: Any, kind: str, vtype: ValueType) -> Any:
        attrs = op.attributes
        dense = kind == "arith.constant"
        # Attributes and types are uniqued in the context: equal keys = the same constant.
        key = (kind, *((attrs["value"],) if dense else (attrs["codes"], attrs["scales"])),
               op.results[0].type)
        if self.cache is not None and key in self.cache:
            return self.cache[key]
        value = dense_value(attrs["value"], vtype) if dense else _mx_constant(op, vtype)
        if self.cache is not None:
            value = self.cache[key] = _read_only(value)
        return value

    def call(self, op: Any) -> list[Step | Loop]:
        """``func.call``: the callee's steps inlined (its arguments are the call's operand
        slots, the call's results its returned slots). Each function is inlined once."""
        callee = str(op.attributes["callee"]).lstrip("@")
        if self.module is None:
            raise InterpreterError(f"func.call @{callee}: no module to find the callee in")
        if callee in self.calls:
            raise InterpreterError(f"func.call @{callee}: the interpreter inlines a function "
                                   "once; it is called twice")
        func = find_function(self.module, callee)
        body = func.regions[0].blocks[0]
        args = [self.slot(v) for v in op.operands]
        for arg, slot in zip(body.arguments, args, strict=True):
            self.slots[arg] = slot
        steps, returned = self.block(body, "func.return")
        for result, slot in zip(op.results, returned, strict=True):
            self.slots[result] = slot
        self.calls[callee] = (args, returned)
        return [*steps, Probe(callee, args, returned)]

    def loop(self, op: Any) -> Loop:
        """``scf.for``: operands lower, upper, step, inits; body arguments iv, carried."""
        operands = [self.slot(v) for v in op.operands]
        body = op.regions[0].blocks[0]
        arguments = [self.slot(a) for a in body.arguments]
        if len(arguments) != len(operands) - 2:
            raise InterpreterError("scf.for: expected one body argument per carried value "
                                   "plus the induction variable")
        steps, yields = self.block(body, "scf.yield")
        results = [self.slot(r) for r in op.results]
        if len(yields) != len(results):
            raise InterpreterError("scf.for: scf.yield must yield one value per result")
        return Loop("scf.for", operands, results, arguments[0], arguments[1:], steps, yields,
                    _attributes(op))


def _attributes(op: Any) -> dict[str, Any]:
    attrs = {}
    for key in op.attributes:
        named = key if isinstance(key, str) else key.name
        attrs[named] = attribute_value(op.attributes[named])
    return attrs


def _read_only(value: Any) -> Any:
    for array in (getattr(value, "codes", None), getattr(value, "scales", None), value):
        if isinstance(array, np.ndarray):
            array.setflags(write=False)
    return value


def _mx_constant(op: Any, vtype: ValueType) -> Any:
    fmt = Format.parse(vtype.mx_format)
    # ui4/ui6 element types have no buffer-protocol form: read them as uint16 codes (in the
    # shapes the op's verifier checked: the block grid and the tensor's shape).
    scales = mx.unsigned_codes(op.attributes["scales"]).astype(np.uint8)
    codes = mx.unsigned_codes(op.attributes["codes"]).astype(fmt.element_dtype)
    return MXTensor(fmt, scales, codes, vtype.mx_axis)
