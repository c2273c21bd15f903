"""Accumulation of block products: the exact sum, or a bounded-width accumulator.

A contraction (``linear``, ``matmul``) sums, per output, the exact block products
``P_k * 2^t_k`` along K (``t_k = tx_k + tw_k``, the two operands' block exponents:
scale plus element LSB) and the bias term ``Ib * 2^tb``. Two definitions of that sum
exist, selected per op (the ``acc`` attribute of ``mx.linear`` / ``mx.matmul`` /
``mx.batch_matmul``, spelled like :meth:`Accumulation.parse`):

``exact``
    The exact sum (unbounded width); the only rounding is the final one.

``bounded<G>``
    A fixed-width sum aligned, before the first term, to a bound of the largest
    term exponent known from the operands' scales alone:
    ``E0 = max_k tx_k + max_k tw_k`` (and ``max(E0, tb)`` with a bias), where the
    maxima run over the blocks the output reads (its row of x, its column of W).
    Every term is floor-shifted onto the grid ``2^(E0 - G)`` (``G`` guard bits)
    and the shifted terms are summed exactly::

        A = sum_k floor(P_k * 2^(t_k - E0 + G))  [+ floor(Ib * 2^(tb - E0 + G))]
        value = A * 2^(E0 - G)

    ``floor`` is an arithmetic right shift (``t_k <= E0`` always), so the order of the
    terms does not matter. Bits below ``2^(E0 - G)`` are dropped: the result differs
    from the exact sum by less than ``n_terms * 2^(E0 - G)``. :func:`bounded_width`
    bounds ``|A|`` and is the width the hardware uses (no overflow). With fixed-point
    operands (one exponent for every term) nothing is dropped: the result is exact.
    The bound needs no look at the products, so the hardware computes it once per
    output (the x row's largest scale while the row streams in, the weight row's from
    a table) and never realigns the accumulator.

The final rounding into the output format (or float32) is the same for both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "EXACT",
    "Accumulation",
    "AccumulatorLayout",
    "bounded_accumulate",
    "bounded_width",
    "contraction_layout",
]

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


def bounded_accumulate(
    terms: list[tuple[np.ndarray, np.ndarray]], bound: np.ndarray, guard_bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sum the terms ``P * 2^t`` as ``bounded<guard_bits>`` against ``bound`` (``E0``,
    per output, at least every term's ``t``).

    Returns ``(A, E0 - G)``. Integer arrays may be int64 or object (Python ints); the
    result is object when any term is, or when the sum could exceed int64.
    """
    g = guard_bits
    bound = np.asarray(bound, dtype=np.int64)
    shape = np.broadcast_shapes(bound.shape, *(np.shape(p) for p, _ in terms))
    wide = any(np.asarray(p).dtype == object for p, _ in terms)
    if not wide:
        bits = [int(np.abs(np.asarray(p)).max(initial=0)).bit_length() + 1 for p, _ in terms]
        wide = bounded_width(bits, g) > 62
    dtype = object if wide else np.int64
    acc = np.zeros(shape, dtype=dtype)
    for p, t in terms:
        p = np.broadcast_to(np.asarray(p).astype(dtype), shape)
        shift = np.broadcast_to(bound - np.asarray(t, dtype=np.int64), shape)
        if np.any(shift < 0):
            raise ValueError("bounded accumulation: a term exceeds its bound")
        if wide:
            acc = acc + ((p << g) >> shift.astype(object))
        else:
            acc = acc + ((p << g) >> np.minimum(shift, 63))
    return acc, np.broadcast_to(bound - g, shape).copy()


@dataclass(frozen=True)
class AccumulatorLayout:
    """What a hardware accumulator for one contraction needs (derived from the formats alone).

    ``term_bits``: signed width of one block product; ``exp_min``/``exp_max``: the range of
    the accumulator's exponent ``E`` (constant for ``exact``: the LSB of the wide
    accumulator); ``width``: signed width of ``A`` that can never overflow.
    """

    accumulation: Accumulation
    term_bits: int
    bias_bits: int
    exp_min: int
    exp_max: int
    width: int


def _int_range(fmt) -> tuple[int, int]:
    """Largest element integer magnitude and the LSB exponent of an element (unscaled)."""
    lsb = fmt.emin - fmt.fraction_bits
    if fmt.is_int:
        return fmt.max_code, lsb
    return int(round(fmt.max_element * 2.0 ** -lsb)), lsb


def contraction_layout(
    fmt_a, fmt_b, k: int, acc: Accumulation | str | None, bias_fmt=None
) -> AccumulatorLayout:
    """The accumulator of a ``K = k`` contraction of ``fmt_a`` x ``fmt_b`` (+ an MX bias)."""
    accumulation = Accumulation.parse(acc)
    g = min(fmt_a.block_size, fmt_b.block_size)
    n_terms = k // g
    max_a, lsb_a = _int_range(fmt_a)
    max_b, lsb_b = _int_range(fmt_b)
    term_bits = (max_a * max_b * g).bit_length() + 1
    t_min = fmt_a.scale_min + fmt_b.scale_min + lsb_a + lsb_b
    t_max = fmt_a.scale_max + fmt_b.scale_max + lsb_a + lsb_b
    bias_bits = 0
    terms = [term_bits] * n_terms
    if bias_fmt is not None:
        max_c, lsb_c = _int_range(bias_fmt)
        bias_bits = max_c.bit_length() + 1
        terms.append(bias_bits)
        t_min = min(t_min, bias_fmt.scale_min + lsb_c)
        t_max = max(t_max, bias_fmt.scale_max + lsb_c)
    if accumulation.is_exact:
        top = t_max + max(terms) - 1  # exponent above the largest term's sign bit
        width = (top - t_min) + len(terms).bit_length() + 1
        return AccumulatorLayout(accumulation, term_bits, bias_bits, t_min, t_min, width)
    g_bits = accumulation.guard_bits
    return AccumulatorLayout(accumulation, term_bits, bias_bits, t_min - g_bits,
                             t_max - g_bits, bounded_width(terms, g_bits))
