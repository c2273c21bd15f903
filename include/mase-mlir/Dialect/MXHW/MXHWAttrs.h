//===- MXHWAttrs.h - mxhw dialect attributes --------------------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MXHW_MXHWATTRS_H
#define MASE_MLIR_DIALECT_MXHW_MXHWATTRS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#define GET_ATTRDEF_CLASSES
#include "MXHW/MXHWAttrs.h.inc"

#endif // MASE_MLIR_DIALECT_MXHW_MXHWATTRS_H
