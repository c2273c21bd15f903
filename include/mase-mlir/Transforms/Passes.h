//===- Passes.h - mase-mlir transform passes --------------------*- C++ -*-===//
//
// The rewrites of mx IR declared in dialect/Transforms/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_TRANSFORMS_PASSES_H
#define MASE_MLIR_TRANSFORMS_PASSES_H

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mase::mx {

#define GEN_PASS_DECL
#include "Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Transforms/Passes.h.inc"

} // namespace mase::mx

#endif // MASE_MLIR_TRANSFORMS_PASSES_H
