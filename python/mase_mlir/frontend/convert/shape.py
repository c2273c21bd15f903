"""Shape aten ops: reshape family, transpose/permute, expand, slice/select, cat, split, index."""

from __future__ import annotations

import numpy as np

from ..mxgraph import TensorType, Value
from .core import Handlers, OpContext, Unsupported


def reshape(ctx: OpContext, x: Value, shape: tuple[int, ...], suffix: str | None = None) -> Value:
    if x.type.shape == shape:
        return x
    return ctx.emit("mx.reshape", [x], TensorType(shape, x.type.dtype), suffix=suffix)


def transpose(ctx: OpContext, x: Value, perm: list[int], suffix: str | None = None) -> Value:
    if perm == list(range(len(perm))):
        return x
    shape = tuple(x.type.shape[p] for p in perm)
    return ctx.emit("mx.transpose", [x], TensorType(shape, x.type.dtype),
                    {"permutation": tuple(perm)}, suffix=suffix)


def slice_(ctx: OpContext, x: Value, offsets: list[int], sizes: list[int], strides: list[int],
           suffix: str | None = None) -> Value:
    if list(sizes) == list(x.type.shape):
        return x
    attrs = {"offsets": tuple(offsets), "sizes": tuple(sizes), "strides": tuple(strides)}
    return ctx.emit("mx.slice", [x], TensorType(tuple(sizes), x.type.dtype), attrs, suffix=suffix)


def broadcast(ctx: OpContext, x: Value, shape: tuple[int, ...], suffix: str | None = None) -> Value:
    if x.type.shape == shape:
        return x
    return ctx.emit("mx.broadcast", [x], TensorType(shape, x.type.dtype), suffix=suffix)


def reshape_like(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    const = ctx.const(0)
    if const is not None:
        ctx.set_result(const.reshape(rtype.shape))
        return
    ctx.set_result(reshape(ctx, ctx.tensor(0), rtype.shape))


def _norm_dim(dim: int, rank: int) -> int:
    return dim + rank if dim < 0 else dim


def transpose_like(ctx: OpContext) -> None:
    packet = ctx.op.name.split(".")[2]
    item = ctx.arg(0)
    rank = item.ndim if isinstance(item, np.ndarray) else ctx.tensor(0).type.rank
    if packet == "permute":
        perm = [_norm_dim(d, rank) for d in ctx.arg(1)]
    else:
        perm = list(range(rank))
        if packet == "transpose":
            a, b = _norm_dim(ctx.arg(1), rank), _norm_dim(ctx.arg(2), rank)
        else:
            a, b = (0, 1) if rank == 2 else (0, 0)
        perm[a], perm[b] = perm[b], perm[a]
    if isinstance(item, np.ndarray):
        ctx.set_result(np.transpose(item, perm))
        return
    ctx.set_result(transpose(ctx, ctx.tensor(0), perm))


def expand(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    item = ctx.arg(0)
    if isinstance(item, np.ndarray) and item.size == np.prod(rtype.shape):
        ctx.set_result(np.broadcast_to(item, rtype.shape).copy())
        return
    ctx.set_result(broadcast(ctx, ctx.tensor(0), rtype.shape))


def _slice_params(shape: tuple[int, ...], dim: int, start: int | None, end: int | None,
                  step: int) -> tuple[list[int], list[int], list[int]]:
    size = shape[dim]
    start, end, step = slice(start, end, step).indices(size)
    offsets = [0] * len(shape)
    sizes = list(shape)
    strides = [1] * len(shape)
    offsets[dim] = start
    sizes[dim] = len(range(start, end, step))
    strides[dim] = step
    return offsets, sizes, strides


def slice_op(ctx: OpContext) -> None:
    item = ctx.arg(0)
    shape = item.shape if isinstance(item, np.ndarray) else ctx.tensor(0).type.shape
    dim = _norm_dim(ctx.arg(1) if ctx.num_args() > 1 else 0, len(shape))
    start = ctx.arg(2) if ctx.num_args() > 2 else None
    end = ctx.arg(3) if ctx.num_args() > 3 else None
    step = ctx.arg(4) if ctx.num_args() > 4 and ctx.arg(4) is not None else 1
    if step <= 0:
        raise Unsupported("non-positive slice step")
    offsets, sizes, strides = _slice_params(shape, dim, start, end, step)
    if isinstance(item, np.ndarray):
        index = tuple(slice(o, o + s * st, st) for o, s, st in zip(offsets, sizes, strides))
        ctx.set_result(item[index].copy())
        return
    ctx.set_result(slice_(ctx, ctx.tensor(0), offsets, sizes, strides))


def select(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    item = ctx.arg(0)
    shape = item.shape if isinstance(item, np.ndarray) else ctx.tensor(0).type.shape
    dim = _norm_dim(ctx.arg(1), len(shape))
    index = ctx.arg(2)
    index = index + shape[dim] if index < 0 else index
    if isinstance(item, np.ndarray):
        ctx.set_result(np.take(item, index, axis=dim).copy())
        return
    offsets, sizes, strides = _slice_params(shape, dim, index, index + 1, 1)
    piece = slice_(ctx, ctx.tensor(0), offsets, sizes, strides, suffix="slice")
    ctx.set_result(reshape(ctx, piece, rtype.shape))


def cat(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    items = [x for x in ctx.arg(0) if not (hasattr(x, "shape") and 0 in x.shape)]
    dim = _norm_dim(ctx.arg(1) if ctx.num_args() > 1 else 0, rtype.rank)
    if all(isinstance(x, np.ndarray) for x in items):
        ctx.set_result(np.concatenate(items, axis=dim).astype(rtype.np_dtype))
        return
    values = [x if isinstance(x, Value) else ctx.b.constant(x) for x in items]
    if len(values) == 1:
        ctx.set_result(values[0])
        return
    ctx.set_result(ctx.emit("mx.concat", [values], rtype, {"axis": dim}))


def split(ctx: OpContext) -> None:
    x = ctx.tensor(0)
    shape = x.type.shape
    dim = _norm_dim(ctx.arg(2) if ctx.num_args() > 2 else 0, len(shape))
    sizes_arg = ctx.arg(1)
    if isinstance(sizes_arg, int):
        sizes = [min(sizes_arg, shape[dim] - s) for s in range(0, shape[dim], sizes_arg)]
    else:
        sizes = list(sizes_arg)
    starts = np.cumsum([0] + sizes[:-1]).tolist()

    def piece(i: int):
        def make() -> Value:
            offsets, psizes, strides = _slice_params(shape, dim, starts[i], starts[i] + sizes[i], 1)
            return slice_(ctx, x, offsets, psizes, strides, suffix=str(i))

        return make

    ctx.set_result(ctx.split_list([piece(i) for i in range(len(sizes))]))


def index(ctx: OpContext) -> None:
    """Advanced indexing with constant index tensors that are affine in one output axis each
    (the pattern of vmap-built masks) becomes slice + transpose + reshape + broadcast."""
    rtype = ctx.result_type()
    x = ctx.tensor(0)
    indices = ctx.arg(1)
    if not all(i is None or isinstance(i, np.ndarray) for i in indices):
        raise Unsupported("indexing with a non-constant index tensor (gather)")
    ctx.set_result(_affine_index(ctx, x, indices, rtype))


def _affine_index(ctx: OpContext, x: Value, indices: list, rtype: TensorType) -> Value:
    rank = x.type.rank
    dims = [d for d, i in enumerate(indices) if i is not None]
    if dims != list(range(len(dims))) or any(i is None for i in indices[: len(dims)]):
        raise Unsupported("advanced indexing with None before index tensors")
    arrays = np.broadcast_arrays(*[indices[d] for d in dims])
    bshape = arrays[0].shape
    out_rank = len(bshape)
    # For each indexed source dim: the one broadcast axis it varies along, start and step.
    plan = []
    for d, arr in zip(dims, arrays):
        arr = np.where(arr < 0, arr + x.type.shape[d], arr)
        varying = [a for a in range(out_rank) if bshape[a] > 1 and not _constant_along(arr, a)]
        if len(varying) > 1:
            raise Unsupported("index tensor varies along several axes")
        base = arr[(0,) * out_rank]
        if not varying:
            plan.append((d, None, int(base), 0))
            continue
        axis = varying[0]
        line = arr[tuple(slice(None) if a == axis else 0 for a in range(out_rank))]
        steps = np.diff(line)
        if len(line) > 1 and (not np.all(steps == steps[0]) or steps[0] <= 0):
            raise Unsupported("index tensor is not an increasing arithmetic sequence")
        plan.append((d, axis, int(base), int(steps[0]) if len(line) > 1 else 1))
    used_axes = [p[1] for p in plan if p[1] is not None]
    if len(set(used_axes)) != len(used_axes):
        raise Unsupported("two index tensors vary along the same axis")
    # 1. slice each indexed dim to the range it reads.
    offsets, sizes, strides = [0] * rank, list(x.type.shape), [1] * rank
    for d, axis, base, step in plan:
        offsets[d] = base
        sizes[d] = 1 if axis is None else bshape[axis]
        strides[d] = max(step, 1)
    y = slice_(ctx, x, offsets, sizes, strides, suffix="slice")
    # 2. move the indexed dims to their output axes: result = bshape dims + remaining dims.
    rest = list(range(len(dims), rank))
    target = [1] * out_rank
    varying = sorted((axis, d) for d, axis, _, _ in plan if axis is not None)
    fixed = [d for d, axis, _, _ in plan if axis is None]
    y = transpose(ctx, y, [d for _, d in varying] + fixed + rest, suffix="transpose")
    for d, axis, _, _ in plan:
        if axis is not None:
            target[axis] = bshape[axis]
    shape = tuple(target) + tuple(x.type.shape[d] for d in rest)
    y = reshape(ctx, y, shape, suffix="reshape")
    y = broadcast(ctx, y, rtype.shape, suffix="broadcast")
    if y.type.shape != rtype.shape:
        raise Unsupported("unexpected result shape of affine indexing")
    return y


def _constant_along(arr: np.ndarray, axis: int) -> bool:
    first = np.take(arr, [0], axis=axis)
    return bool(np.all(arr == first))


def populate_shape_handlers(handlers: Handlers) -> None:
    """Register the converters of shape aten ops."""
    handlers.add(reshape_like, "view", "_unsafe_view", "reshape", "unsqueeze", "squeeze", "flatten",
                 "unflatten", "view_as", "reshape_as")
    handlers.add(transpose_like, "transpose", "permute", "t", "numpy_T")
    handlers.add(expand, "expand", "broadcast_to", "expand_as")
    handlers.add(slice_op, "slice")
    handlers.add(select, "select")
    handlers.add(cat, "cat", "concat")
    handlers.add(split, "split", "split_with_sizes")
    handlers.add(index, "index")
