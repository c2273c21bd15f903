//===- MXTraits.h - shape verification traits of mx ops ---------*- C++ -*-===//

#ifndef MASE_MLIR_DIALECT_MX_MXTRAITS_H
#define MASE_MLIR_DIALECT_MX_MXTRAITS_H

#include "mlir/IR/OpDefinition.h"

namespace mase::mx::OpTrait {
namespace impl {
mlir::LogicalResult verifySameShape(mlir::Operation *op);
mlir::LogicalResult verifyBroadcastShape(mlir::Operation *op);
} // namespace impl

/// Every operand and result has the same static shape.
template <typename ConcreteType>
class SameShape : public mlir::OpTrait::TraitBase<ConcreteType, SameShape> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return impl::verifySameShape(op);
  }
};

/// Operand shapes broadcast (numpy rules) to the result shape.
template <typename ConcreteType>
class BroadcastShape
    : public mlir::OpTrait::TraitBase<ConcreteType, BroadcastShape> {
public:
  static mlir::LogicalResult verifyTrait(mlir::Operation *op) {
    return impl::verifyBroadcastShape(op);
  }
};
} // namespace mase::mx::OpTrait

#endif // MASE_MLIR_DIALECT_MX_MXTRAITS_H
