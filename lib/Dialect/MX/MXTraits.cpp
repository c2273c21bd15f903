//===- MXTraits.cpp - shape verification traits of mx ops -----------------===//

#include "mase-mlir/Dialect/MX/MXTraits.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/Dialect/Traits.h"

using namespace mlir;
using namespace mase::mx;

LogicalResult mase::mx::OpTrait::impl::verifySameShape(Operation *op) {
  std::optional<ArrayRef<int64_t>> expected;
  for (Type type : llvm::concat<Type>(op->getOperandTypes(),
                                      op->getResultTypes())) {
    std::optional<ArrayRef<int64_t>> shape = getStaticShape(type);
    if (!shape)
      return op->emitOpError("expects statically shaped tensors, got ")
             << type;
    if (!expected)
      expected = shape;
    else if (*shape != *expected)
      return op->emitOpError("expects operands and results of one shape, got ")
             << formatShape(*expected) << " and " << formatShape(*shape);
  }
  return success();
}

LogicalResult mase::mx::OpTrait::impl::verifyBroadcastShape(Operation *op) {
  SmallVector<int64_t> broadcast;
  for (Type type : op->getOperandTypes()) {
    std::optional<ArrayRef<int64_t>> shape = getStaticShape(type);
    if (!shape)
      return op->emitOpError("expects statically shaped tensors, got ")
             << type;
    SmallVector<int64_t> next;
    if (!mlir::OpTrait::util::getBroadcastedShape(broadcast, *shape, next))
      return op->emitOpError("operand shapes ")
             << formatShape(broadcast) << " and " << formatShape(*shape)
             << " do not broadcast";
    broadcast = std::move(next);
  }
  std::optional<ArrayRef<int64_t>> result =
      getStaticShape(op->getResult(0).getType());
  if (!result || *result != ArrayRef<int64_t>(broadcast))
    return op->emitOpError("result shape must be the broadcast shape ")
           << formatShape(broadcast);

  return success();
}
