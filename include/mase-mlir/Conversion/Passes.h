//===- Passes.h - mase-mlir conversion passes -------------------*- C++ -*-===//
//
// The hardware lowering: mx -> integer block arithmetic -> cf level.
// The passes themselves are declared in dialect/MX/Passes.td (and registered
// by mase::mx::registerMXPasses()); this header adds the pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_CONVERSION_PASSES_H
#define MASE_MLIR_CONVERSION_PASSES_H

#include "mlir/Pass/PassManager.h"

namespace mase {

/// Adds the full `mx-to-hw-ir` pipeline: mx-lower-to-hw-loops,
/// convert-scf-to-cf, canonicalize, cse, mx-hw-legalize.
void buildMXToHWIRPipeline(mlir::OpPassManager &pm, unsigned accGuardBits = 16);

/// Registers the `mx-to-hw-ir` pass pipeline with the global registry.
void registerMXToHWIRPipeline();

} // namespace mase

#endif // MASE_MLIR_CONVERSION_PASSES_H
