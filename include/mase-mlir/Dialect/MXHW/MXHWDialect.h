//===- MXHWDialect.h - The mxhw dialect -------------------------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MXHW_MXHWDIALECT_H
#define MASE_MLIR_DIALECT_MXHW_MXHWDIALECT_H

#include "mase-mlir/Dialect/MX/MXDialect.h"

#include "mlir/IR/Dialect.h"

#include "MXHW/MXHWDialect.h.inc"

#endif // MASE_MLIR_DIALECT_MXHW_MXHWDIALECT_H
