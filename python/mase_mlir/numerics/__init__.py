"""Bit-exact MX numerics: the golden model of mase-mlir.

Quantization (:func:`quantize`, :func:`dequantize`), exact block arithmetic
(:func:`matmul`, :func:`linear`) and fixed-point nonlinear functions
(:mod:`mase_mlir.numerics.fixedpoint`).  See docs/numerics.md.
"""

from pkgutil import extend_path

# The compiled kernel `_fast` is built into the build tree's copy of this
# package (installed side by side in a wheel).
__path__ = extend_path(__path__, __name__)

from .blockmath import linear, matmul  # noqa: E402
from .dyadic import ROUNDING_MODES  # noqa: E402
from .formats import Format, FormatFacts  # noqa: E402
from .quantize import (  # noqa: E402
    MXTensor,
    decode_elements,
    dequantize,
    element_table,
    quantize,
    quantize_dequantize,
)

__all__ = [
    "ROUNDING_MODES",
    "Format",
    "FormatFacts",
    "MXTensor",
    "decode_elements",
    "dequantize",
    "element_table",
    "linear",
    "matmul",
    "quantize",
    "quantize_dequantize",
]
