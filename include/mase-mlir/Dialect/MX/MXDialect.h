//===- MXDialect.h - The mx dialect -----------------------------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MX_MXDIALECT_H
#define MASE_MLIR_DIALECT_MX_MXDIALECT_H

#include "mlir/IR/Dialect.h"

#include "MX/MXDialect.h.inc"

#endif // MASE_MLIR_DIALECT_MX_MXDIALECT_H
