//===- MXHWOps.h - mxhw dialect operations ----------------------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MXHW_MXHWOPS_H
#define MASE_MLIR_DIALECT_MXHW_MXHWOPS_H

#include "mase-mlir/Dialect/MXHW/MXHWAttrs.h"
#include "mase-mlir/Dialect/MXHW/MXHWTypes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "MXHW/MXHWOps.h.inc"

#endif // MASE_MLIR_DIALECT_MXHW_MXHWOPS_H
