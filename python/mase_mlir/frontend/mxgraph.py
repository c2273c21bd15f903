"""A small in-memory form of an ``mx``-dialect function: what the converter builds while it
reads torch-mlir's module (in torch-mlir's own MLIR), before :mod:`.emit` builds the ``mx``
ops in the project's context through the dialect's generated op builders."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DTYPES = {"f32": np.dtype(np.float32), "i64": np.dtype(np.int64), "i1": np.dtype(np.bool_)}


@dataclass(frozen=True)
class TensorType:
    shape: tuple[int, ...]
    dtype: str
    """``f32``, ``i64`` or ``i1``."""

    def __str__(self) -> str:
        dims = "".join(f"{d}x" for d in self.shape)
        return f"tensor<{dims}{self.dtype}>"

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def np_dtype(self) -> np.dtype:
        return DTYPES[self.dtype]


@dataclass(frozen=True, eq=False)
class Value:
    id: int
    type: TensorType


@dataclass(eq=False)
class Op:
    """One operation: ``mx.*`` or ``arith.constant`` (then ``args["value"]`` is an array).

    ``operands`` are the op's required operand groups in ODS order (a list of values for a
    variadic group); ``args`` are its other builder arguments by ODS name: attributes as
    Python values and optional operands (``bias``, ``mask``, a norm's ``weight``)."""

    kind: str
    operands: list[Value | list[Value]]
    result: Value
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Function:
    name: str
    arguments: list[Value]
    argument_names: list[str]
    ops: list[Op] = field(default_factory=list)
    results: list[Value] = field(default_factory=list)


class Builder:
    """Appends ops to a :class:`Function`; deduplicates identical constants."""

    def __init__(self, name: str):
        self.function = Function(name, [], [])
        self._next_id = 0
        self._constants: dict[tuple[str, tuple[int, ...], bytes], Value] = {}

    def _new_value(self, type_: TensorType) -> Value:
        value = Value(self._next_id, type_)
        self._next_id += 1
        return value

    def argument(self, type_: TensorType, name: str) -> Value:
        value = self._new_value(type_)
        self.function.arguments.append(value)
        self.function.argument_names.append(name)
        return value

    def op(
        self,
        kind: str,
        operands: list[Value | list[Value]],
        result_type: TensorType,
        args: dict[str, Any] | None = None,
    ) -> Value:
        result = self._new_value(result_type)
        self.function.ops.append(Op(kind, list(operands), result, dict(args or {})))
        return result

    def constant(self, array: np.ndarray) -> Value:
        """An ``arith.constant`` holding ``array`` (f32, i64 or bool), shared when identical."""
        array = np.asarray(array)
        if not array.flags.c_contiguous:
            array = array.copy()
        dtype = _mx_dtype(array.dtype)
        array = array.astype(DTYPES[dtype], copy=False)
        key = (dtype, array.shape, hashlib.blake2b(array.reshape(-1).view(np.uint8)).digest())
        value = self._constants.get(key)
        if value is None:
            value = self.op("arith.constant", [], TensorType(array.shape, dtype), {"value": array})
            self._constants[key] = value
        return value

    def ret(self, values: list[Value]) -> None:
        self.function.results = list(values)


def _mx_dtype(dtype: np.dtype) -> str:
    if dtype == np.bool_:
        return "i1"
    if np.issubdtype(dtype, np.integer):
        return "i64"
    if np.issubdtype(dtype, np.floating):
        return "f32"
    raise TypeError(f"no mx element type for numpy dtype {dtype}")
