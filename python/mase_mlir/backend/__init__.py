"""Hardware backend: mx IR -> cf-level integer IR (mase-opt ``--mx-to-hw-ir``) ->
CIRCT handshake/hw (the circt wheel, in a child process) -> Verilog + manifest.

``compile_model(model, out_dir, config)`` is the entry point (``mase compile``).
"""

from .circt import CirctError, run_circt, verilog_ports
from .compile import CompileError, compile_model, lower_to_hw_ir, model_summary, parse_memories

__all__ = [
    "CirctError",
    "CompileError",
    "compile_model",
    "lower_to_hw_ir",
    "model_summary",
    "parse_memories",
    "run_circt",
    "verilog_ports",
]
