//===- MXHWTypes.h - mxhw dialect types -------------------------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MXHW_MXHWTYPES_H
#define MASE_MLIR_DIALECT_MXHW_MXHWTYPES_H

#include "mase-mlir/Dialect/MX/MXTypes.h"
#include "mase-mlir/Dialect/MXHW/MXHWDialect.h"

#include "mlir/IR/Types.h"

#define GET_TYPEDEF_CLASSES
#include "MXHW/MXHWTypes.h.inc"

#endif // MASE_MLIR_DIALECT_MXHW_MXHWTYPES_H
