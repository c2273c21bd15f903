"""Neural-network aten ops: linear/matmul family, attention, softmax, norms, embedding,
reductions."""

from __future__ import annotations

import math

import numpy as np

from ..mxgraph import TensorType, Value
from .core import Handlers, OpContext, Unsupported
from .elementwise import as_dtype, scalar
from .shape import broadcast, reshape, transpose


def _swap_last(rank: int) -> list[int]:
    perm = list(range(rank))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return perm


def _f32(ctx: OpContext, index: int) -> Value:
    return as_dtype(ctx, ctx.tensor(index), "f32", suffix=f"convert{index}")


def linear(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    x, w = _f32(ctx, 0), _f32(ctx, 1)
    bias = _f32(ctx, 2) if ctx.num_args() > 2 and ctx.arg(2) is not None else None
    ctx.set_result(ctx.emit("mx.linear", [x, w], rtype, {"bias": bias}))


def _matmul_2d(ctx: OpContext, a: Value, b_index: int, rtype: TensorType,
               suffix: str | None = None) -> Value:
    """a [..., K] @ b [K, N]: ``mx.linear`` with a transposed weight when b is constant."""
    weight = ctx.const(b_index)
    if weight is not None:
        w = ctx.b.constant(np.ascontiguousarray(weight.T).astype(np.float32))
        return ctx.emit("mx.linear", [a, w], rtype, suffix=suffix)
    b = _f32(ctx, b_index)
    if a.type.rank != 2:
        flat = reshape(ctx, a, (int(np.prod(a.type.shape[:-1])), a.type.shape[-1]), "flatten")
        out = ctx.emit("mx.matmul", [flat, b], TensorType((flat.type.shape[0], b.type.shape[1]),
                                                         "f32"), suffix=suffix)
        return reshape(ctx, out, rtype.shape, "unflatten")
    return ctx.emit("mx.matmul", [a, b], rtype, suffix=suffix)


def addmm(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    beta = ctx.arg(3) if ctx.num_args() > 3 else 1
    alpha = ctx.arg(4) if ctx.num_args() > 4 else 1
    weight = ctx.const(2)
    bias = ctx.const(0)
    x = _f32(ctx, 1)
    if weight is not None and alpha == 1 and beta == 1 and bias is not None and bias.ndim == 1:
        w = ctx.b.constant(np.ascontiguousarray(weight.T).astype(np.float32))
        ctx.set_result(ctx.emit("mx.linear", [x, w], rtype, {"bias": ctx.b.constant(bias)}))
        return
    prod = _matmul_2d(ctx, x, 2, rtype, suffix="matmul")
    if alpha != 1:
        prod = ctx.emit("mx.mul", [prod, scalar(ctx, alpha, "f32")], rtype, suffix="alpha")
    c = _f32(ctx, 0)
    if beta != 1:
        c = ctx.emit("mx.mul", [c, scalar(ctx, beta, "f32")], c.type, suffix="beta")
    ctx.set_result(ctx.emit("mx.add", [prod, c], rtype))


def mm(ctx: OpContext) -> None:
    ctx.set_result(_matmul_2d(ctx, _f32(ctx, 0), 1, ctx.result_type()))


def bmm(ctx: OpContext) -> None:
    ctx.set_result(ctx.emit("mx.batch_matmul", [_f32(ctx, 0), _f32(ctx, 1)], ctx.result_type()))


def matmul(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    a, b = _f32(ctx, 0), _f32(ctx, 1)
    ra, rb = a.type.rank, b.type.rank
    if ra == 1 or rb == 1:
        a2 = reshape(ctx, a, (1, a.type.shape[0]), "unsqueeze0") if ra == 1 else a
        b2 = reshape(ctx, b, (b.type.shape[0], 1), "unsqueeze1") if rb == 1 else b
        out_shape = np.broadcast_shapes(a2.type.shape[:-2], b2.type.shape[:-2]) + (
            a2.type.shape[-2], b2.type.shape[-1])
        out = _batched(ctx, a2, b2, TensorType(tuple(out_shape), "f32"), suffix="matmul")
        ctx.set_result(reshape(ctx, out, rtype.shape))
        return
    if rb == 2:
        ctx.set_result(_matmul_2d(ctx, a, 1, rtype))
        return
    ctx.set_result(_batched(ctx, a, b, rtype))


def _batched(ctx: OpContext, a: Value, b: Value, rtype: TensorType,
             suffix: str | None = None) -> Value:
    if rtype.rank == 2:
        return ctx.emit("mx.matmul", [a, b], rtype, suffix=suffix)
    batch = rtype.shape[:-2]
    a = broadcast(ctx, a, batch + a.type.shape[-2:], "broadcast_lhs")
    b = broadcast(ctx, b, batch + b.type.shape[-2:], "broadcast_rhs")
    return ctx.emit("mx.batch_matmul", [a, b], rtype, suffix=suffix)


def baddbmm(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    beta = ctx.arg(3) if ctx.num_args() > 3 else 1
    alpha = ctx.arg(4) if ctx.num_args() > 4 else 1
    prod = ctx.emit("mx.batch_matmul", [_f32(ctx, 1), _f32(ctx, 2)], rtype, suffix="matmul")
    if alpha != 1:
        prod = ctx.emit("mx.mul", [prod, scalar(ctx, alpha, "f32")], rtype, suffix="alpha")
    if beta == 0:
        ctx.set_result(prod)
        return
    c = _f32(ctx, 0)
    if beta != 1:
        c = ctx.emit("mx.mul", [c, scalar(ctx, beta, "f32")], c.type, suffix="beta")
    ctx.set_result(ctx.emit("mx.add", [prod, c], rtype))


def softmax(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    x = _f32(ctx, 0)
    axis = ctx.arg(1) % x.type.rank
    ctx.set_result(ctx.emit("mx.softmax", [x], rtype, {"axis": axis}))


def layer_norm(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    x = _f32(ctx, 0)
    normalized = ctx.arg(1)
    args = {"eps": float(ctx.arg(4))}
    for index, name in ((2, "weight"), (3, "bias")):
        if ctx.arg(index) is not None:
            args[name] = _f32(ctx, index)
    if len(normalized) != 1:
        args["normalized_rank"] = len(normalized)
    ctx.set_result(ctx.emit("mx.layer_norm", [x], rtype, args))


def rms_norm(ctx: OpContext) -> None:
    rtype = ctx.result_type()
    x = _f32(ctx, 0)
    normalized = ctx.arg(1)
    eps = ctx.arg(3)
    args = {"eps": float(eps) if eps is not None else float(np.finfo(np.float32).eps)}
    if ctx.arg(2) is not None:
        args["weight"] = _f32(ctx, 2)
    if len(normalized) != 1:
        args["normalized_rank"] = len(normalized)
    ctx.set_result(ctx.emit("mx.rms_norm", [x], rtype, args))


def embedding(ctx: OpContext) -> None:
    table = _f32(ctx, 0)
    ids = as_dtype(ctx, ctx.tensor(1), "i64", suffix="convert_ids")
    ctx.set_result(ctx.emit("mx.embedding", [ids, table], ctx.result_type()))


def attention(ctx: OpContext) -> None:
    """softmax(q k^T * scale + mask) v as named mx ops."""
    rtype = ctx.result_type()
    q, k, v = _f32(ctx, 0), _f32(ctx, 1), _f32(ctx, 2)
    mask_item = ctx.arg(3) if ctx.num_args() > 3 else None
    dropout = ctx.arg(4) if ctx.num_args() > 4 else 0.0
    causal = bool(ctx.arg(5)) if ctx.num_args() > 5 else False
    scale = ctx.arg(6) if ctx.num_args() > 6 else None
    gqa = bool(ctx.arg(7)) if ctx.num_args() > 7 else False
    if dropout:
        raise Unsupported("attention dropout")
    *batch, length, depth = q.type.shape
    source = k.type.shape[-2]
    if gqa and k.type.shape[-3] != q.type.shape[-3]:
        k = _repeat_heads(ctx, k, q.type.shape[-3], "repeat_key")
        v = _repeat_heads(ctx, v, q.type.shape[-3], "repeat_value")
    batch = tuple(batch)
    k = broadcast(ctx, k, batch + k.type.shape[-2:], "broadcast_key")
    v = broadcast(ctx, v, batch + v.type.shape[-2:], "broadcast_value")
    kt = transpose(ctx, k, _swap_last(k.type.rank), suffix="key_transpose")
    scores_type = TensorType(batch + (length, source), "f32")
    scores = ctx.emit("mx.batch_matmul", [q, kt], scores_type, suffix="scores")
    scale = scale if scale is not None else 1.0 / math.sqrt(depth)
    scores = ctx.emit("mx.mul", [scores, scalar(ctx, scale, "f32")], scores_type, suffix="scale")
    # Boolean masks become the softmax's mask operand (the scores stay finite,
    # so MX quantization of the scores keeps its precision); additive float
    # masks are added.
    keep = None
    if causal:
        keep = ctx.b.constant(np.tril(np.ones((length, source), dtype=bool)))
    if mask_item is not None:
        mask = ctx.tensor(3)
        if mask.type.dtype == "i1":
            if keep is None:
                keep = mask
            else:
                both = TensorType(np.broadcast_shapes(mask.type.shape, (length, source)), "i1")
                keep = ctx.emit("mx.select", [keep, mask, ctx.b.constant(np.zeros((), bool))],
                                both, suffix="mask_and")
        else:
            scores = ctx.emit("mx.add", [scores, as_dtype(ctx, mask, "f32", "mask_convert")],
                              scores_type, suffix="mask")
    probs = ctx.emit("mx.softmax", [scores], scores_type, {"axis": len(batch) + 1, "mask": keep},
                     suffix="softmax")
    ctx.set_result(ctx.emit("mx.batch_matmul", [probs, v], rtype, suffix="context"))


def _repeat_heads(ctx: OpContext, x: Value, heads: int, suffix: str) -> Value:
    *batch, kv_heads, seq, depth = x.type.shape
    groups = heads // kv_heads
    expanded = reshape(ctx, x, (*batch, kv_heads, 1, seq, depth), suffix + ".reshape")
    expanded = broadcast(ctx, expanded, (*batch, kv_heads, groups, seq, depth), suffix)
    return reshape(ctx, expanded, (*batch, heads, seq, depth), suffix + ".merge")


_REDUCTIONS = {"sum": "mx.reduce_sum", "mean": "mx.reduce_mean", "amax": "mx.reduce_max",
               "amin": "mx.reduce_min"}


def reduction(ctx: OpContext) -> None:
    packet = ctx.op.name.split(".")[2]
    rtype = ctx.result_type()
    x = as_dtype(ctx, ctx.tensor(0), rtype.dtype if rtype.dtype != "i1" else "i64", "convert")
    rank = x.type.rank
    dims = ctx.arg(1) if ctx.num_args() > 1 and ctx.overload != "default" else None
    if isinstance(dims, int):
        dims = [dims]
    if dims is None or len(dims) == 0:
        dims = list(range(rank))
    keep = ctx.overload != "default" and ctx.num_args() > 2 and bool(ctx.arg(2))
    axes = tuple(sorted(d % rank for d in dims)) if rank else ()
    attrs = {"axes": axes, "keep_dims": keep}
    ctx.set_result(ctx.emit(_REDUCTIONS[packet], [x], rtype, attrs))


def max_min(ctx: OpContext) -> None:
    packet = ctx.op.name.split(".")[2]
    rtype = ctx.result_type()
    if ctx.overload == "other":  # elementwise maximum
        kind = "mx.max" if packet == "max" else "mx.min"
        ctx.set_result(ctx.emit(kind, [_f32(ctx, 0), _f32(ctx, 1)], rtype))
        return
    if ctx.overload == "dim":
        if any(_has_uses(r) for r in list(ctx.op.results)[1:]):
            raise Unsupported("argmax/argmin indices of max/min")
        x = ctx.tensor(0)
        axis = ctx.arg(1) % x.type.rank
        attrs = {"axes": (axis,), "keep_dims": bool(ctx.arg(2))}
        kind = "mx.reduce_max" if packet == "max" else "mx.reduce_min"
        ctx.set_result(ctx.emit(kind, [x], rtype, attrs))
        ctx.set_result(None, 1)
        return
    x = ctx.tensor(0)
    kind = "mx.reduce_max" if packet == "max" else "mx.reduce_min"
    attrs = {"axes": tuple(range(x.type.rank)), "keep_dims": False}
    ctx.set_result(ctx.emit(kind, [x], rtype, attrs))


def _has_uses(value) -> bool:
    return any(True for _ in value.uses)


def populate_nn_handlers(handlers: Handlers) -> None:
    """Register the converters of neural-network aten ops (contractions, attention, softmax, norms,
    embedding, reductions)."""
    handlers.add(linear, "linear")
    handlers.add(addmm, "addmm")
    handlers.add(mm, "mm")
    handlers.add(bmm, "bmm")
    handlers.add(matmul, "matmul")
    handlers.add(baddbmm, "baddbmm")
    handlers.add(softmax, "_softmax", "softmax")
    handlers.add(layer_norm, "layer_norm")
    handlers.add(rms_norm, "rms_norm")
    handlers.add(embedding, "embedding")
    handlers.add(attention, "scaled_dot_product_attention")
    handlers.add(reduction, *_REDUCTIONS)
    handlers.add(max_min, "max", "min")
