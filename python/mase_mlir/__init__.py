"""mase-mlir: an MLIR dataflow compiler for LLM inference with MX formats.

The MLIR bindings (`mase_mlir.ir`, `mase_mlir.passmanager`,
`mase_mlir.dialects.mx`) are built by CMake into a package directory of their
own; in a development tree that directory is merged into this package here.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
