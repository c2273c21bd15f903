//===- MXOps.h - mx dialect operations --------------------------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MX_MXOPS_H
#define MASE_MLIR_DIALECT_MX_MXOPS_H

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXTraits.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "MX/MXInterfaces.h.inc"

#define GET_OP_CLASSES
#include "MX/MXOps.h.inc"

namespace mase::mx {
/// The float32 values of an MX constant (exact for every MXInt format and
/// the OCP float formats: their values are float32 numbers).
mlir::DenseElementsAttr dequantizeConstant(ConstantOp op);
} // namespace mase::mx

#endif // MASE_MLIR_DIALECT_MX_MXOPS_H
