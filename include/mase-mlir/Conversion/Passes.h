//===- Passes.h - mase-mlir conversion passes -------------------*- C++ -*-===//
//
// The hardware lowering declared in dialect/Conversion/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_CONVERSION_PASSES_H
#define MASE_MLIR_CONVERSION_PASSES_H

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MXHW/MXHWDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mase::mx {

#define GEN_PASS_DECL
#include "Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "Conversion/Passes.h.inc"

} // namespace mase::mx

#endif // MASE_MLIR_CONVERSION_PASSES_H
