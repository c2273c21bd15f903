//===- mx-plugin.cpp - mx dialect and passes as an mlir-opt plugin --------===//
//
//   mlir-opt --load-dialect-plugin=MXPlugin.so --load-pass-plugin=MXPlugin.so
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MXHW/MXHWDialect.h"
#include "mase-mlir/InitAllPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "MXDialect", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            registry->insert<mase::mx::MXDialect, mase::mxhw::MXHWDialect>();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "MXPasses", LLVM_VERSION_STRING,
          []() { mase::registerAllPasses(); }};
}
