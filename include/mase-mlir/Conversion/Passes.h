//===- Passes.h - mase-mlir conversion passes -------------------*- C++ -*-===//
//
// The hardware lowering declared in dialect/Conversion/Passes.td and the
// `mx-to-hw-ir` pipeline that chains it.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_CONVERSION_PASSES_H
#define MASE_MLIR_CONVERSION_PASSES_H

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MXHW/MXHWDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mase::mx {

#define GEN_PASS_DECL
#include "Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Conversion/Passes.h.inc"

} // namespace mase::mx

namespace mase {

/// Adds the full `mx-to-hw-ir` pipeline: mx-lower-to-hw-loops,
/// convert-scf-to-cf, canonicalize, cse, mx-hw-legalize.
void buildMXToHWIRPipeline(mlir::OpPassManager &pm, unsigned accGuardBits = 16);

/// Registers the `mx-to-hw-ir` pass pipeline with the global registry.
void registerMXToHWIRPipeline();

} // namespace mase

#endif // MASE_MLIR_CONVERSION_PASSES_H
