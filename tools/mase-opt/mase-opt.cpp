//===- mase-opt.cpp - the mase-mlir optimizer driver ----------------------===//
//
// MlirOptMain with the mx dialect, the upstream dialects the project lowers
// through, the generic upstream transforms and the project's passes.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MXHW/MXHWDialect.h"
#include "mase-mlir/InitAllPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

namespace mase::test {
void registerTestLayerChainsPass();
} // namespace mase::test

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mase::registerAllPasses();
  mase::test::registerTestLayerChainsPass();

  mlir::DialectRegistry registry;
  registry.insert<mase::mx::MXDialect, mase::mxhw::MXHWDialect,
                  mlir::arith::ArithDialect,
                  mlir::cf::ControlFlowDialect, mlir::func::FuncDialect,
                  mlir::linalg::LinalgDialect, mlir::math::MathDialect,
                  mlir::memref::MemRefDialect, mlir::scf::SCFDialect,
                  mlir::tensor::TensorDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "mase-mlir optimizer driver: the mx dialect and its passes\n",
      registry));
}
