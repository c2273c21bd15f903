"""MX format descriptors and their textual spelling.

Spelling (shared with the C++ ``mx`` dialect):

* ``mxint<M,E,B>``: M-bit two's-complement elements with M-2 fraction bits,
  E-bit biased power-of-two scale, blocks of B values.
* ``mxfp<eXmY,E,B>``: OCP float elements (e5m2, e4m3, e3m2, e2m3, e2m1).
* Short names: ``mxfp8_e5m2``, ``mxfp8_e4m3``, ``mxfp6_e3m2``, ``mxfp6_e2m3``,
  ``mxfp4_e2m1`` (= ``mxfp<eXmY,8,32>``) and ``mxint8`` (= ``mxint<8,8,32>``).

``"f32"`` is not a format (configurations use it for "unquantized"):
:meth:`Format.parse` rejects it, :meth:`Format.parse_or_none` maps it to None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FLOAT_ELEMENTS", "SHORT_NAMES", "FloatElement", "Format"]


@dataclass(frozen=True)
class FloatElement:
    """An OCP float element type: sign, ``ebits`` exponent bits, ``mbits`` mantissa bits."""

    name: str
    ebits: int
    mbits: int
    #: "ieee": top exponent is Inf/NaN (e5m2); "fn": only S.1111.111 is NaN (e4m3);
    #: "finite": every code is a finite number (fp6, fp4).
    specials: str

    @property
    def bits(self) -> int:
        return 1 + self.ebits + self.mbits

    @property
    def bias(self) -> int:
        return (1 << (self.ebits - 1)) - 1

    @property
    def emin(self) -> int:
        """Exponent of the smallest normal number."""
        return 1 - self.bias

    @property
    def max_code(self) -> int:
        """Magnitude code (sign bit clear) of the largest finite value."""
        full = (1 << (self.ebits + self.mbits)) - 1
        if self.specials == "ieee":
            return full - (1 << self.mbits)  # exponent all-ones is Inf/NaN
        if self.specials == "fn":
            return full - 1  # S.1111.111 is NaN
        return full

    @property
    def emax(self) -> int:
        """Exponent of the largest power of two (emax_elem of the OCP spec)."""
        return (self.max_code >> self.mbits) - self.bias

    @property
    def max_normal(self) -> float:
        m = self.max_code & ((1 << self.mbits) - 1)
        return (1.0 + m / (1 << self.mbits)) * 2.0**self.emax


FLOAT_ELEMENTS: dict[str, FloatElement] = {
    "e5m2": FloatElement("e5m2", 5, 2, "ieee"),
    "e4m3": FloatElement("e4m3", 4, 3, "fn"),
    "e3m2": FloatElement("e3m2", 3, 2, "finite"),
    "e2m3": FloatElement("e2m3", 2, 3, "finite"),
    "e2m1": FloatElement("e2m1", 2, 1, "finite"),
}

#: Short name -> (element, scale bits, block size).
SHORT_NAMES: dict[str, tuple[str, int, int]] = {
    "mxfp8_e5m2": ("e5m2", 8, 32),
    "mxfp8_e4m3": ("e4m3", 8, 32),
    "mxfp6_e3m2": ("e3m2", 8, 32),
    "mxfp6_e2m3": ("e2m3", 8, 32),
    "mxfp4_e2m1": ("e2m1", 8, 32),
    "mxint8": ("int8", 8, 32),
}

_UNQUANTIZED = ("f32", "fp32", "float32")
_GENERIC_RE = re.compile(r"^mx(int|fp)<\s*([a-z0-9]+)\s*,\s*(\d+)\s*,\s*(\d+)\s*>$")


@dataclass(frozen=True)
class Format:
    """An MX block format.

    ``element`` is an OCP float element name (``"e4m3"``, ...) or ``"int<M>"``
    (``"int8"``, ``"int4"``, ...); ``scale_bits`` is E; ``block_size`` is B.
    """

    element: str
    scale_bits: int = 8
    block_size: int = 32

    def __post_init__(self) -> None:
        if self.element.startswith("int"):
            digits = self.element[3:]
            if not digits.isdigit() or not 2 <= int(digits) <= 16:
                raise ValueError(f"MXInt element width must be 2..16 bits, got {self.element!r}")
        elif self.element not in FLOAT_ELEMENTS:
            raise ValueError(
                f"unknown MX element type {self.element!r}; expected one of "
                f"{', '.join(FLOAT_ELEMENTS)} or int2..int16"
            )
        if not isinstance(self.scale_bits, int) or not 1 <= self.scale_bits <= 8:
            raise ValueError(f"scale bits E must be in 1..8, got {self.scale_bits}")
        if not isinstance(self.block_size, int) or self.block_size < 1:
            raise ValueError(f"block size B must be >= 1, got {self.block_size}")

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, text: str | Format) -> Format:
        """Parse the project spelling; raises ValueError on anything else."""
        if isinstance(text, Format):
            return text
        if not isinstance(text, str):
            raise TypeError(f"MX format must be a string, got {type(text).__name__}")
        s = text.strip()
        if s in SHORT_NAMES:
            return cls(*SHORT_NAMES[s])
        if s.lower() in _UNQUANTIZED:
            raise ValueError(
                f"{text!r} means unquantized float32 and is not an MX format; "
                "use Format.parse_or_none() to accept it"
            )
        m = _GENERIC_RE.match(s)
        if m is None:
            raise ValueError(
                f"unknown MX format {text!r}; expected one of {', '.join(SHORT_NAMES)}, "
                "mxint<M,E,B> or mxfp<eXmY,E,B>"
            )
        kind, elem, e_bits, block = m.groups()
        if kind == "int":
            if not elem.isdigit():
                raise ValueError(f"bad MXInt element width {elem!r} in {text!r}")
            element = f"int{int(elem)}"
        else:
            if elem not in FLOAT_ELEMENTS:
                raise ValueError(
                    f"unknown float element {elem!r} in {text!r}; expected one of "
                    f"{', '.join(FLOAT_ELEMENTS)}"
                )
            element = elem
        return cls(element, int(e_bits), int(block))

    @classmethod
    def parse_or_none(cls, text: str | Format | None) -> Format | None:
        """Like :meth:`parse`, but None and ``"f32"`` (unquantized) give None."""
        if text is None:
            return None
        if isinstance(text, str) and text.strip().lower() in _UNQUANTIZED:
            return None
        return cls.parse(text)

    def __str__(self) -> str:
        for name, spec in SHORT_NAMES.items():
            if spec == (self.element, self.scale_bits, self.block_size):
                return name
        if self.is_int:
            return f"mxint<{self.element_bits},{self.scale_bits},{self.block_size}>"
        return f"mxfp<{self.element},{self.scale_bits},{self.block_size}>"

    def with_block_size(self, block_size: int) -> Format:
        return Format(self.element, self.scale_bits, block_size)

    # --------------------------------------------------------------- properties
    @property
    def is_int(self) -> bool:
        return self.element.startswith("int")

    @property
    def float_element(self) -> FloatElement:
        if self.is_int:
            raise ValueError(f"{self} has integer elements")
        return FLOAT_ELEMENTS[self.element]

    @property
    def element_bits(self) -> int:
        if self.is_int:
            return int(self.element[3:])
        return FLOAT_ELEMENTS[self.element].bits

    @property
    def bits_per_value(self) -> float:
        return self.element_bits + self.scale_bits / self.block_size

    # Element grid, in units of the scale 2^s.  Both families are described by
    # (emin, mbits): the quantum of an element with exponent ee is
    # 2^(max(ee, emin) - mbits).  MXInt is "all subnormal": emin = 0, mbits = M-2.
    @property
    def mbits(self) -> int:
        """Fraction bits of the element (M-2 for MXInt)."""
        return self.element_bits - 2 if self.is_int else self.float_element.mbits

    @property
    def emin(self) -> int:
        return 0 if self.is_int else self.float_element.emin

    @property
    def emax_elem(self) -> int:
        """Exponent of the largest power of two of the element type."""
        return 0 if self.is_int else self.float_element.emax

    @property
    def max_code(self) -> int:
        """Largest magnitude code: 2^(M-1)-1 for MXInt, the max-normal code for floats."""
        if self.is_int:
            return (1 << (self.element_bits - 1)) - 1
        return self.float_element.max_code

    @property
    def max_element(self) -> float:
        """Largest element value (before scaling)."""
        if self.is_int:
            return self.max_code / 2.0**self.mbits
        return self.float_element.max_normal

    @property
    def element_step(self) -> float:
        """Smallest positive element value (subnormal step / integer LSB)."""
        return 2.0 ** (self.emin - self.mbits)

    @property
    def element_dtype(self) -> str:
        return "uint8" if self.element_bits <= 8 else "uint16"

    # Scale: E-bit biased exponent, all-ones = NaN.
    @property
    def scale_bias(self) -> int:
        return (1 << (self.scale_bits - 1)) - 1

    @property
    def scale_min(self) -> int:
        return -self.scale_bias

    @property
    def scale_max(self) -> int:
        return (1 << self.scale_bits) - 2 - self.scale_bias

    @property
    def scale_nan_code(self) -> int:
        return (1 << self.scale_bits) - 1
