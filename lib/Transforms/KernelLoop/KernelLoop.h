//===- KernelLoop.h - the pieces of mx-kernel-loop --------------*- C++ -*-===//
//
// mx-kernel-loop (KernelLoop.cpp) finds chains of identical layers with the
// LayerChains analysis, widens them under policy=unify (Unify.cpp), rewrites
// each into an scf.for over stacked weights (BuildLoop.cpp) and describes the
// loops in a JSON report (Report.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_LIB_TRANSFORMS_KERNELLOOP_KERNELLOOP_H
#define MASE_MLIR_LIB_TRANSFORMS_KERNELLOOP_KERNELLOOP_H

#include "mase-mlir/Analysis/LayerChains.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace mase::mx {

/// What one kernel loop holds, for the remark and the report.
struct LoopSummary {
  std::string function;
  std::string firstOp;
  unsigned layers = 0, opsPerLayer = 0, stacked = 0, shared = 0, carried = 0;
  std::string stop;
  int64_t extraBits = 0;
};

/// policy=unify: widens every position of `chain` whose MXInt width differs
/// between layers to the widest width, so that the layers become identical
/// (exact for constants, which are re-encoded; activations carry more bits),
/// and casts the values carried into the first layer (`chain.inits`).
/// Returns the extra storage bits of the weights.
int64_t widenChain(LayerChain &chain, llvm::ArrayRef<mlir::Operation *> ops);

/// Rewrites `chain` into an scf.for marked mx.kernel_loop whose body is one
/// layer: weights that differ between layers stacked and read with mx.take,
/// the others shared, the carried values in iter_args. Fails (IR untouched)
/// when a weight cannot be stacked.
mlir::FailureOr<LoopSummary> buildLoop(const LayerChain &chain,
                                       llvm::ArrayRef<mlir::Operation *> ops,
                                       int64_t extraBits);

/// The report entry of one loop.
llvm::json::Object loopReport(const LoopSummary &summary);

/// Writes `{"loops": [...]}` to `path`.
mlir::LogicalResult
writeLoopReport(llvm::StringRef path, llvm::json::Array loops,
                llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

} // namespace mase::mx

#endif // MASE_MLIR_LIB_TRANSFORMS_KERNELLOOP_KERNELLOOP_H
