"""Accumulation of block products: the exact sum, or a bounded-width accumulator.

A contraction (``linear``, ``matmul``) sums, per output, the exact block products
``P_k * 2^t_k`` along K (k = 0, 1, ... in order) and then the bias term. Two
definitions of that sum exist, selected per op (the ``acc`` attribute of
``mx.linear`` / ``mx.matmul`` / ``mx.batch_matmul``, spelled like :meth:`Accumulation.parse`):

``exact``
    The exact sum (unbounded width); the only rounding is the final one.

``bounded<G>``
    A fixed-width accumulator ``(A, E)`` (value ``A * 2^E``), aligned to the
    running maximum term exponent minus ``G`` guard bits. Zero terms are skipped.
    For each non-zero term ``(P, t)`` in order, with ``T = t - G``:

    * first term: ``A = P << G``, ``E = T``;
    * ``T > E`` (a larger term): ``A = floor(A / 2^(T - E)) + (P << G)``, ``E = T``;
    * otherwise: ``A = A + floor((P << G) / 2^(E - T))``.

    ``floor`` is an arithmetic right shift. Bits below ``2^E`` are dropped, so the
    result may differ from the exact sum by less than ``n_terms * 2^E``;
    :func:`bounded_width` bounds ``|A|`` and is the width the hardware uses, so the
    accumulator never overflows. When every term has the same exponent (fixed-point
    operands) nothing is ever dropped and the result is exact.

The final rounding into the output format (or float32) is the same for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["EXACT", "Accumulation", "bounded_accumulate", "bounded_width"]

_SPELLING = re.compile(r"^\s*(exact|bounded\s*<\s*(\d+)\s*>)\s*$")
MAX_GUARD_BITS = 64


@dataclass(frozen=True)
class Accumulation:
    """How a contraction accumulates: ``kind`` "exact" or "bounded" with ``guard_bits``."""

    kind: str = "exact"
    guard_bits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("exact", "bounded"):
            raise ValueError(f"unknown accumulation {self.kind!r}; expected exact or bounded<G>")
        g = self.guard_bits
        if isinstance(g, bool) or not isinstance(g, (int, np.integer)):
            raise ValueError(f"guard bits must be an integer, got {g!r}")
        if not 0 <= int(g) <= MAX_GUARD_BITS:
            raise ValueError(f"guard bits must be in 0..{MAX_GUARD_BITS}, got {g}")
        if self.kind == "exact" and g:
            raise ValueError("exact accumulation has no guard bits")
        object.__setattr__(self, "guard_bits", int(g))

    @classmethod
    def parse(cls, text: str | Accumulation | None) -> Accumulation:
        """``"exact"`` or ``"bounded<G>"`` (None means exact)."""
        if text is None:
            return EXACT
        if isinstance(text, Accumulation):
            return text
        if not isinstance(text, str):
            raise ValueError(f"accumulation must be a string, got {type(text).__name__}")
        m = _SPELLING.match(text)
        if m is None:
            raise ValueError(
                f"unknown accumulation {text!r}; expected 'exact' or 'bounded<G>' "
                f"(G guard bits, 0..{MAX_GUARD_BITS})")
        if m.group(2) is None:
            return EXACT
        return cls("bounded", int(m.group(2)))

    @property
    def is_exact(self) -> bool:
        return self.kind == "exact"

    def __str__(self) -> str:
        return "exact" if self.is_exact else f"bounded<{self.guard_bits}>"


EXACT = Accumulation()


def bounded_width(term_bits: list[int], guard_bits: int) -> int:
    """Bits (sign included) that hold ``A`` for terms of at most ``term_bits[k]`` bits
    (sign included) each, in the bounded accumulation with ``guard_bits``.

    Every aligned term is at most ``2^(b-1+G)`` in magnitude and a floor shift adds
    at most one more unit, so ``|A| <= sum_k (2^(b_k-1+G) + 1)``.
    """
    bound = sum((1 << (b - 1 + guard_bits)) + 1 for b in term_bits)
    return bound.bit_length() + 1


def _shift_right(a: np.ndarray, n: np.ndarray, width_hint: int) -> np.ndarray:
    """``floor(a / 2^n)`` for n >= 0 (an arithmetic shift; large n gives 0 or -1)."""
    if a.dtype == object:
        return a >> np.asarray(n).astype(object)
    return a >> np.minimum(n, 63)


def bounded_accumulate(
    terms: list[tuple[np.ndarray, np.ndarray]], guard_bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sum the terms ``P * 2^t`` (integer arrays, in order) as ``bounded<guard_bits>``.

    Returns ``(A, E)``; outputs with no non-zero term have ``A = 0`` (and ``E = 0``).
    Integer arrays may be int64 or object (Python ints); the result is object when
    any term is, or when the accumulator could exceed int64.
    """
    g = guard_bits
    shape = np.broadcast_shapes(*(np.shape(p) for p, _ in terms)) if terms else ()
    wide = any(np.asarray(p).dtype == object for p, _ in terms)
    if not wide:
        bits = [int(np.abs(np.asarray(p)).max(initial=0)).bit_length() + 1 for p, _ in terms]
        wide = bounded_width(bits, g) > 62
    dtype = object if wide else np.int64
    acc = np.zeros(shape, dtype=dtype)
    exp = np.zeros(shape, dtype=np.int64)
    empty = np.ones(shape, dtype=bool)
    for p, t in terms:
        p = np.broadcast_to(np.asarray(p).astype(dtype), shape)
        t = np.broadcast_to(np.asarray(t, dtype=np.int64), shape)
        nz = p != 0
        big_t = t - g
        pg = p << g
        first = empty & nz
        live = ~empty & nz
        up = live & (big_t > exp)
        down = live & ~up
        a_up = _shift_right(acc, np.where(up, big_t - exp, 0), 0) + pg
        a_down = acc + _shift_right(pg, np.where(down, exp - big_t, 0), 0)
        acc = np.where(first, pg, np.where(up, a_up, np.where(down, a_down, acc)))
        exp = np.where(first | up, big_t, exp)
        empty = empty & ~nz
    return acc, exp
