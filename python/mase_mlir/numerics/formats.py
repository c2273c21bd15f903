"""MX format descriptors: the numerics' view of the dialect's ``#mx.format`` attribute.

Spelling (shared with the C++ ``mx`` dialect):

* ``mxint<M,E,B>``: M-bit two's-complement elements with M-2 fraction bits,
  E-bit biased power-of-two scale, blocks of B values.
* ``mxfp<eXmY,E,B>``: OCP float elements (e5m2, e4m3, e3m2, e2m3, e2m1).
* Short names: ``mxfp8_e5m2``, ``mxfp8_e4m3``, ``mxfp6_e3m2``, ``mxfp6_e2m3``,
  ``mxfp4_e2m1`` (= ``mxfp<eXmY,8,32>``) and ``mxint8`` (= ``mxint<8,8,32>``).
* ``fixed<W,F>``: static fixed point, W-bit two's complement with F fraction bits and no
  shared scale (the mxint<W> element under the constant scale 2^(W-2-F): scale bits 0,
  blocks of one value, one scale exponent).

The dialect's ``FormatAttr`` defines every fact about a format once (parsing, validation,
canonical spelling, element grid, scale range); :class:`Format` reads them through the
Python bindings, once per format.

``"f32"`` is not a format (configurations use it for "unquantized"):
:meth:`Format.parse` rejects it, :meth:`Format.parse_or_none` maps it to None.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["Format", "FormatFacts", "whole_number"]

_UNQUANTIZED = ("f32", "fp32", "float32")


def whole_number(value: object, what: str) -> int:
    """``value`` as a Python int: ints and numpy integers; bools, floats and anything else
    raise TypeError."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what} must be an integer, got a bool ({value})")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {type(value).__name__} "
                        f"({value!r})") from None


@dataclass(frozen=True)
class FormatFacts:
    """What ``#mx.format`` says about one format (see MXAttrs.td for each fact)."""

    spelling: str
    is_int: bool  # two's-complement elements: mxint and fixed
    is_fixed: bool
    fixed_fraction: int
    element_bits: int
    exponent_bits: int
    fraction_bits: int
    element_bias: int
    emin: int
    emax_elem: int
    specials: Any  # mx.ElementSpecials (an IntEnum): str() "finite", "fn" or "ieee"
    max_code: int
    max_element: float
    element_step: float
    scale_bias: int
    scale_min: int
    scale_max: int
    scale_nan_code: int
    bits_per_value: float
    kernel_params: bytes  # the compiled kernel's parameters (see _backend)


@lru_cache(maxsize=1)
def _context() -> Any:
    """The context that holds the format attributes the numerics read.

    The bindings load on first use rather than at import, so that importing
    ``mase_mlir.numerics`` stays cheap.
    """
    from .. import ir  # on first use: see above

    return ir.Context()


def _attribute(spelling: str) -> Any:
    """The ``#mx.format`` attribute of ``spelling``; ValueError naming the problem."""
    from ..dialects import mx  # see _context: loaded on first use

    return mx.FormatAttr.get(spelling, context=_context())


def _facts_of(attr: Any) -> FormatFacts:
    """The facts of a ``mx.FormatAttr``: its properties of the same names."""
    from ..dialects import mx  # see _context: loaded on first use

    values = {f.name: getattr(attr, f.name) for f in fields(FormatFacts)}
    values["specials"] = mx.ElementSpecials(values["specials"])
    values["is_int"] = bool(attr.is_int or attr.is_fixed)
    return FormatFacts(**values)


@lru_cache(maxsize=256)
def _facts_for(element: str, scale_bits: int, block_size: int) -> FormatFacts:
    if element.startswith("fixed"):
        if (scale_bits, block_size) != (0, 1):
            raise ValueError(f"{element} has no scale and blocks of one value: scale bits 0, "
                             f"block size 1 (got {scale_bits}, {block_size})")
        return _facts_of(_attribute(element))
    if element.startswith("int"):
        spelling = f"mxint<{element[3:]},{scale_bits},{block_size}>"
    else:
        spelling = f"mxfp<{element},{scale_bits},{block_size}>"
    return _facts_of(_attribute(spelling))


@lru_cache(maxsize=256)
def _parse(text: str) -> Format:
    attr = _attribute(text)
    if attr.is_fixed:
        return Format(str(attr.spelling), 0, 1)
    if attr.is_int:
        element = f"int{attr.element_bits}"
    else:
        element = f"e{attr.exponent_bits}m{attr.fraction_bits}"
    return Format(element, int(attr.scale_bits), int(attr.block_size))


@dataclass(frozen=True)
class Format:
    """An MX block format.

    ``element`` is an OCP float element name (``"e4m3"``, ...), ``"int<M>"``
    (``"int8"``, ``"int4"``, ...) or a fixed-point spelling ``"fixed<W,F>"`` (then
    ``scale_bits`` is 0 and ``block_size`` 1); ``scale_bits`` is E; ``block_size`` is B.
    Every other property is a fact of the dialect's ``#mx.format`` attribute.
    """

    element: str
    scale_bits: int = 8
    block_size: int = 32
    _facts: FormatFacts = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.element, str):
            raise TypeError(f"MX element must be a string such as 'int8' or 'e4m3', got "
                            f"{type(self.element).__name__}")
        # NumPy integers are integers; bools and floats are not.
        object.__setattr__(self, "scale_bits", whole_number(self.scale_bits, "scale bits E"))
        object.__setattr__(self, "block_size", whole_number(self.block_size, "block size B"))
        facts = _facts_for(self.element, self.scale_bits, self.block_size)
        object.__setattr__(self, "_facts", facts)

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, text: str | Format) -> Format:
        """Parse the project spelling; raises ValueError on anything else."""
        if isinstance(text, Format):
            return text
        if not isinstance(text, str):
            raise TypeError(f"MX format must be a string, got {type(text).__name__}")
        if text.strip().lower() in _UNQUANTIZED:
            raise ValueError(
                f"{text!r} means unquantized float32 and is not an MX format; "
                "use Format.parse_or_none() to accept it"
            )
        return _parse(text)

    @classmethod
    def parse_or_none(cls, text: str | Format | None) -> Format | None:
        """Like :meth:`parse`, but None and ``"f32"`` (unquantized) give None."""
        if text is None:
            return None
        if isinstance(text, str) and text.strip().lower() in _UNQUANTIZED:
            return None
        return cls.parse(text)

    def __str__(self) -> str:
        return self._facts.spelling

    def with_block_size(self, block_size: int) -> Format:
        return Format(self.element, self.scale_bits, block_size)

    # --------------------------------------------------------------- properties
    @property
    def is_int(self) -> bool:
        """Two's-complement integer elements (mxint and fixed)."""
        return self._facts.is_int

    @property
    def is_fixed(self) -> bool:
        """Static fixed point ``fixed<W,F>``: no shared scale."""
        return self._facts.is_fixed

    @property
    def fixed_fraction(self) -> int:
        """F of ``fixed<W,F>`` (0 for MX formats)."""
        return self._facts.fixed_fraction

    @property
    def element_bits(self) -> int:
        """Bits of one element code, sign included (M, or 1 + X + Y)."""
        return self._facts.element_bits

    @property
    def bits_per_value(self) -> float:
        return self._facts.bits_per_value

    # Element grid, in units of the scale 2^s.  Both families are described by
    # (emin, fraction_bits): the quantum of an element with exponent ee is
    # 2^(max(ee, emin) - fraction_bits).  MXInt is "all subnormal": emin = 0,
    # fraction_bits = M-2.
    @property
    def exponent_bits(self) -> int:
        """Exponent bits X of a float element (0 for MXInt)."""
        return self._facts.exponent_bits

    @property
    def fraction_bits(self) -> int:
        """Bits below the element's binary point (M-2 for MXInt, Y for eXmY)."""
        return self._facts.fraction_bits

    @property
    def element_bias(self) -> int:
        """Exponent bias of a float element (0 for MXInt)."""
        return self._facts.element_bias

    @property
    def emin(self) -> int:
        """Exponent of the smallest normal element."""
        return self._facts.emin

    @property
    def emax_elem(self) -> int:
        """Exponent of the largest power of two of the element type."""
        return self._facts.emax_elem

    @property
    def specials(self) -> Any:
        """Codes that are not numbers, an ``mx.ElementSpecials``: ``str()`` gives "finite"
        (none), "fn" (only S.1111.111 is NaN, e4m3) or "ieee" (the all-ones exponent is
        Inf/NaN, e5m2)."""
        return self._facts.specials

    @property
    def max_code(self) -> int:
        """Largest magnitude code: 2^(M-1)-1 for MXInt, the max-normal code for floats."""
        return self._facts.max_code

    @property
    def max_element(self) -> float:
        """Largest element value (before scaling)."""
        return self._facts.max_element

    @property
    def element_step(self) -> float:
        """Smallest positive element value (subnormal step / integer LSB)."""
        return self._facts.element_step

    @property
    def element_dtype(self) -> str:
        """The numpy dtype that holds one element code."""
        return "uint8" if self.element_bits <= 8 else "uint16"

    # Scale: E-bit biased exponent, all-ones = NaN.
    @property
    def scale_bias(self) -> int:
        return self._facts.scale_bias

    @property
    def scale_min(self) -> int:
        return self._facts.scale_min

    @property
    def scale_max(self) -> int:
        return self._facts.scale_max

    @property
    def scale_nan_code(self) -> int:
        return self._facts.scale_nan_code

    @property
    def kernel_params(self) -> bytes:
        """The parameters of the compiled quantization kernel (``numerics._fast``), as the
        format attribute gives them: opaque bytes of the same build."""
        return self._facts.kernel_params
