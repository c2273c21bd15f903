"""Memory layout of MX tensors in the generated hardware.

One MX block is one memory word: the ``B`` element codes (element ``i`` at bits
``[i*M, (i+1)*M)``) followed by the ``E``-bit scale code. Formats with a one-bit
scale (``mxint<M,1,B>``: the only valid scale code is 0, i.e. plain fixed point
with the constant scale 2^0) carry no scale field. Blocks are stored in
row-major order of the block grid (the shape with the blocked axis divided by
``B``); a stream carries the blocks in the same order, one per transfer
(``!mxhw.stream``).
"""

from __future__ import annotations

import numpy as np

from ..numerics import Format, MXTensor


def has_scale(fmt: Format) -> bool:
    return fmt.scale_bits > 1


def word_bits(fmt: Format) -> int:
    return fmt.block_size * fmt.element_bits + (fmt.scale_bits if has_scale(fmt) else 0)


def _split(shape: tuple[int, ...], axis: int, b: int) -> tuple[int, ...]:
    """``shape`` with the blocked axis split into (blocks, B)."""
    return (*shape[:axis], shape[axis] // b, b, *shape[axis + 1:])


def pack(q: MXTensor) -> list[int]:
    """Memory words (Python ints) of an MX tensor, in the order of its block grid."""
    fmt = q.fmt
    m, b = fmt.element_bits, fmt.block_size
    codes = q.codes.astype(np.int64).reshape(_split(q.shape, q.axis, b))
    codes = np.moveaxis(codes, q.axis + 1, -1).reshape(-1, b) & ((1 << m) - 1)
    scales = q.scales.astype(np.int64).reshape(-1)
    words = []
    for blk, sc in zip(codes.tolist(), scales.tolist(), strict=True):
        w = 0
        for i, c in enumerate(blk):
            w |= c << (i * m)
        if has_scale(fmt):
            w |= sc << (b * m)
        elif sc != 0:
            raise ValueError(f"{fmt}: scale code {sc} cannot be stored (fixed point: only 0)")
        words.append(w)
    return words


def unpack(words: list[int], fmt: Format, shape: tuple[int, ...], axis: int = -1) -> MXTensor:
    """The MX tensor (blocked along ``axis``) held by memory words."""
    axis = axis % len(shape)
    m, b = fmt.element_bits, fmt.block_size
    nblk = int(np.prod(shape)) // b
    if len(words) != nblk:
        raise ValueError(f"expected {nblk} words for {fmt} {shape}, got {len(words)}")
    codes = np.zeros((nblk, b), dtype=np.int64)
    scales = np.zeros(nblk, dtype=np.int64)
    mask = (1 << m) - 1
    for k, w in enumerate(words):
        for i in range(b):
            codes[k, i] = (w >> (i * m)) & mask
        if has_scale(fmt):
            scales[k] = (w >> (b * m)) & ((1 << fmt.scale_bits) - 1)
    split = _split(shape, axis, b)
    grid = (*split[:axis + 1], *split[axis + 2:])
    codes = np.moveaxis(codes.reshape(*grid, b), -1, axis + 1).reshape(shape)
    return MXTensor(fmt, scales.reshape(grid).astype(np.uint8),
                    codes.astype(fmt.element_dtype), axis)
