//===- MXStacking.h - constants stacked along a leading axis ----*- C++ -*-===//
//
// The weights of a kernel loop: per-layer constants stacked along a new
// leading axis (mx-kernel-loop) and one layer sliced back (mx.take folding,
// mx-unroll-loops).
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_DIALECT_MX_MXSTACKING_H
#define MASE_MLIR_DIALECT_MX_MXSTACKING_H

#include "mlir/IR/BuiltinAttributes.h"

namespace mase::mx {

/// Equally typed dense constants stacked along a new leading axis.
mlir::DenseElementsAttr
stackConstants(llvm::ArrayRef<mlir::DenseElementsAttr> layers);

/// Slice `index` of the leading axis of a stacked constant, of type
/// `sliceType` (the stack's type without its leading axis).
mlir::DenseElementsAttr takeSlice(mlir::DenseElementsAttr stack, int64_t index,
                                  mlir::ShapedType sliceType);

} // namespace mase::mx

#endif // MASE_MLIR_DIALECT_MX_MXSTACKING_H
