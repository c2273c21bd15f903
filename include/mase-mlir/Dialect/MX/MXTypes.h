//===- MXTypes.h - mx dialect attributes and types --------------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MX_MXTYPES_H
#define MASE_MLIR_DIALECT_MX_MXTYPES_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/Types.h"

#include "MX/MXEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "MX/MXAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "MX/MXTypes.h.inc"

namespace mase::mx {

/// The static shape of a ranked tensor or an MX tensor; std::nullopt for any
/// other type or a dynamic shape.
std::optional<llvm::ArrayRef<int64_t>> getStaticShape(mlir::Type type);

/// A shape as diagnostics spell it: "4x64", or "scalar" for rank 0.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// Parses a format written in IR (`mxint<4,8,16>`, `mxfp8_e4m3`, ...).
FormatAttr parseFormat(mlir::AsmParser &parser);

} // namespace mase::mx

#endif // MASE_MLIR_DIALECT_MX_MXTYPES_H
