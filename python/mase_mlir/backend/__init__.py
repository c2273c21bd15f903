"""Hardware back end: mx IR -> dataflow units (``mxhw``, C++ lowering in process) ->
generated pipelined units + a CIRCT handshake netlist -> SystemVerilog (the circt
wheel, in a child process) + manifest and report.

``compile_model(model, out_dir, config)`` is the entry point (``mase compile``).
"""

from .compile import HARDWARE_OPTIONS, CompileError, compile_model, split_config

__all__ = ["HARDWARE_OPTIONS", "CompileError", "compile_model", "split_config"]
