# lit configuration of the mase-mlir FileCheck suites.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "MASE-MLIR"
# lit 23 with the internal shell: no external bash needed.
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mase_obj_root, "test")
config.excludes = ["python", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(
    ("%mx_plugin", os.path.join(config.mase_lib_dir, "MXPlugin.so"))
)

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.mase_tools_dir, config.mlir_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["mase-opt", "mlir-opt"], tool_dirs)
