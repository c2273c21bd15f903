"""Float kernels of the ``mx`` ops on numpy arrays (float ops computed in float32).

Each kernel takes the operand arrays, the op's attributes (plain Python values) and the
result's shape/dtype, and returns the result array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import special

Kernel = Callable[[list[np.ndarray], dict[str, Any], tuple[int, ...], np.dtype], np.ndarray]
KERNELS: dict[str, Kernel] = {}
F32 = np.float32


def kernel(*names: str) -> Callable[[Kernel], Kernel]:
    def register(fn: Kernel) -> Kernel:
        for name in names:
            KERNELS[name] = fn
        return fn

    return register


def _unary(fn: Callable[[np.ndarray], np.ndarray]) -> Kernel:
    def run(args, attrs, shape, dtype):
        return np.asarray(fn(args[0])).astype(dtype, copy=False)

    return run


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return special.expit(x)


def _gelu(x: np.ndarray, approximate: str | None) -> np.ndarray:
    if approximate == "tanh":
        inner = F32(np.sqrt(2.0 / np.pi)) * (x + F32(0.044715) * x * x * x)
        return F32(0.5) * x * (F32(1.0) + np.tanh(inner))
    x64 = x.astype(np.float64)
    return (0.5 * x64 * (1.0 + special.erf(x64 / np.sqrt(2.0)))).astype(F32)


_UNARY_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "mx.neg": np.negative,
    "mx.exp": np.exp,
    "mx.log": np.log,
    "mx.tanh": np.tanh,
    "mx.sqrt": np.sqrt,
    "mx.rsqrt": lambda x: F32(1.0) / np.sqrt(x),
    "mx.reciprocal": lambda x: F32(1.0) / x,
    "mx.sin": np.sin,
    "mx.cos": np.cos,
    "mx.abs": np.abs,
    "mx.erf": special.erf,
    "mx.relu": lambda x: np.maximum(x, x.dtype.type(0)),
    "mx.sigmoid": _sigmoid,
    "mx.silu": lambda x: x * _sigmoid(x),
}
for _name, _fn in _UNARY_FUNCS.items():
    KERNELS[_name] = _unary(_fn)


@kernel("mx.gelu")
def gelu(args, attrs, shape, dtype):
    return _gelu(args[0], attrs.get("approximate")).astype(dtype, copy=False)


def _binary(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Kernel:
    def run(args, attrs, shape, dtype):
        return np.asarray(fn(args[0], args[1])).astype(dtype, copy=False)

    return run


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if np.issubdtype(a.dtype, np.integer):
        return np.floor_divide(a, b)
    return np.true_divide(a, b)


for _name, _fn in {"mx.add": np.add, "mx.sub": np.subtract, "mx.mul": np.multiply,
                   "mx.div": _div, "mx.max": np.maximum, "mx.min": np.minimum,
                   "mx.pow": np.power}.items():
    KERNELS[_name] = _binary(_fn)

_PREDICATES = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
               "gt": np.greater, "ge": np.greater_equal}


@kernel("mx.cmp")
def cmp(args, attrs, shape, dtype):
    return _PREDICATES[attrs["predicate"]](args[0], args[1])


@kernel("mx.select")
def select(args, attrs, shape, dtype):
    return np.where(args[0], args[1], args[2]).astype(dtype, copy=False)


@kernel("mx.linear")
def linear(args, attrs, shape, dtype):
    x, w = args[0], args[1]
    flat = x.reshape(-1, x.shape[-1])
    out = flat @ w.T
    if len(args) > 2:
        out += args[2]
    return out.reshape(shape).astype(dtype, copy=False)


@kernel("mx.matmul", "mx.batch_matmul")
def matmul(args, attrs, shape, dtype):
    return np.matmul(args[0], args[1]).astype(dtype, copy=False)


@kernel("mx.softmax")
def softmax(args, attrs, shape, dtype):
    x = args[0]
    axis = attrs["axis"]
    if len(args) == 1:
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return (e / e.sum(axis=axis, keepdims=True)).astype(dtype, copy=False)
    # Masked: over the kept positions only; masked positions (and rows the
    # mask empties) give 0.
    keep = np.broadcast_to(args[1], x.shape)
    top = np.where(keep, x, -np.inf).max(axis=axis, keepdims=True)
    e = np.where(keep, np.exp(x - np.where(np.isfinite(top), top, 0)), 0)
    total = e.sum(axis=axis, keepdims=True)
    return np.where(total > 0, e / np.where(total > 0, total, 1), 0).astype(dtype, copy=False)


def _norm_axes(x: np.ndarray, attrs: dict[str, Any]) -> tuple[int, ...]:
    rank = int(attrs.get("normalized_rank", 1))
    return tuple(range(x.ndim - rank, x.ndim))


@kernel("mx.layer_norm")
def layer_norm(args, attrs, shape, dtype):
    x = args[0].astype(np.float64)
    axes = _norm_axes(x, attrs)
    mean = x.mean(axis=axes, keepdims=True)
    var = np.square(x - mean).mean(axis=axes, keepdims=True)
    y = ((x - mean) / np.sqrt(var + attrs["eps"])).astype(F32)
    return _affine(y, args, attrs).astype(dtype, copy=False)


def _affine(y: np.ndarray, args: list[np.ndarray], attrs: dict[str, Any]) -> np.ndarray:
    """A norm's optional weight and bias, told apart by their operand roles."""
    for role, value in zip(attrs["_roles"][1:], args[1:], strict=True):
        y = y * value if role == "weight" else y + value
    return y


@kernel("mx.rms_norm")
def rms_norm(args, attrs, shape, dtype):
    x = args[0].astype(np.float64)
    axes = _norm_axes(x, attrs)
    y = (x / np.sqrt(np.square(x).mean(axis=axes, keepdims=True) + attrs["eps"])).astype(F32)
    return _affine(y, args, attrs).astype(dtype, copy=False)


@kernel("mx.embedding")
def embedding(args, attrs, shape, dtype):
    ids, table = np.asarray(args[0]), args[1]
    if ids.dtype.kind not in "iu":
        raise ValueError(f"token ids must be integers, got dtype {ids.dtype}")
    rows = table.shape[0]
    if ids.size and (ids.min() < 0 or ids.max() >= rows):
        bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
        raise IndexError(f"token id {bad} is out of range for a table of {rows} rows")
    return table[ids].astype(dtype, copy=False)


def _reduce(fn: Callable[..., np.ndarray]) -> Kernel:
    def run(args, attrs, shape, dtype):
        axes = tuple(attrs["axes"])
        out = fn(args[0], axis=axes, keepdims=bool(attrs.get("keep_dims", False)))
        return np.asarray(out).astype(dtype, copy=False).reshape(shape)

    return run


KERNELS["mx.reduce_sum"] = _reduce(np.sum)
KERNELS["mx.reduce_mean"] = _reduce(np.mean)
KERNELS["mx.reduce_max"] = _reduce(np.max)
KERNELS["mx.reduce_min"] = _reduce(np.min)


@kernel("mx.reshape")
def reshape(args, attrs, shape, dtype):
    return args[0].reshape(shape)


@kernel("mx.transpose")
def transpose(args, attrs, shape, dtype):
    return np.transpose(args[0], attrs["permutation"])


@kernel("mx.slice")
def slice_(args, attrs, shape, dtype):
    index = tuple(
        slice(o, o + s * st, st)
        for o, s, st in zip(attrs["offsets"], attrs["sizes"], attrs["strides"], strict=True)
    )
    return args[0][index]


@kernel("mx.concat")
def concat(args, attrs, shape, dtype):
    return np.concatenate(args, axis=attrs["axis"]).astype(dtype, copy=False)


@kernel("mx.broadcast")
def broadcast(args, attrs, shape, dtype):
    return np.broadcast_to(args[0], shape)


@kernel("mx.convert")
def convert(args, attrs, shape, dtype):
    return args[0].astype(dtype)


@kernel("mx.take")
def take(args, attrs, shape, dtype):
    """Slice ``index`` of the leading axis (kernel loops: one layer's weights)."""
    stacked, index = args
    return stacked[leading_index(index, stacked.shape[0])]


def leading_index(index: Any, size: int) -> int:
    i = int(index)
    if not 0 <= i < size:
        raise IndexError(f"index {i} out of range for a leading axis of {size}")
    return i
