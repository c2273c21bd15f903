//===- RowOps.cpp - verifiers of the mxhw row units -----------------------===//
//
// A row unit streams rows of the last axis: input and output blocked along it,
// one shape; per-position operands (norm weights and biases, softmax masks)
// match or broadcast to it.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

#include <cmath>

using namespace mlir;
using namespace mase::mxhw;
using mase::mx::formatShape;
using mase::mx::MXTensorType;

/// Input and output blocked along the last axis, with one shape.
static LogicalResult checkRows(Operation *op, MXTensorType x, MXTensorType y) {
  for (auto [what, type] : {std::pair<StringRef, MXTensorType>{"input", x},
                            {"output", y}})
    if (type.getRank() < 1 || type.getAxis() != type.getRank() - 1)
      return op->emitOpError() << what << " must be blocked along its last axis, got "
                               << type;
  if (x.getShape() != y.getShape())
    return op->emitOpError() << "output shape must equal the input shape ("
                             << formatShape(x.getShape()) << "), got "
                             << formatShape(y.getShape());
  return success();
}

static LogicalResult checkEps(Operation *op, double eps) {
  if (!std::isfinite(eps) || eps < 0)
    return op->emitOpError() << "eps must be finite and non-negative, got " << eps;
  return success();
}

/// A norm's weight or bias: one value per position of a row.
static LogicalResult checkVector(Operation *op, Value value, StringRef what,
                                 int64_t n) {
  if (!value)
    return success();
  auto type = cast<MXTensorType>(value.getType());
  if (type.getShape() != ArrayRef<int64_t>{n})
    return op->emitOpError() << what << " shape must be " << n << " (the row length), got "
                             << formatShape(type.getShape());
  return success();
}

LogicalResult SoftmaxOp::verify() {
  MXTensorType x = getInput().getType().getTensor();
  if (failed(checkRows(*this, x, getOutput().getType().getTensor())))
    return failure();
  Value mask = getMask();
  if (!mask)
    return success();
  auto m = cast<RankedTensorType>(mask.getType());
  ArrayRef<int64_t> shape = x.getShape();
  bool broadcasts = m.getRank() <= x.getRank();
  for (int64_t i = 0, r = m.getRank(); broadcasts && i < r; ++i) {
    int64_t dim = m.getShape()[r - 1 - i], want = shape[shape.size() - 1 - i];
    broadcasts = dim == want || (dim == 1 && i > 0);
  }
  if (!broadcasts)
    return emitOpError() << "mask of shape " << formatShape(m.getShape())
                         << " does not broadcast to the input's shape "
                         << formatShape(shape)
                         << " (its last dimension must be the row length)";
  return success();
}

LogicalResult LayerNormOp::verify() {
  MXTensorType x = getInput().getType().getTensor();
  if (failed(checkRows(*this, x, getOutput().getType().getTensor())))
    return failure();
  int64_t n = x.getShape().back();
  if (failed(checkVector(*this, getWeight(), "weight", n)) ||
      failed(checkVector(*this, getBias(), "bias", n)))
    return failure();
  return checkEps(*this, getEps().convertToDouble());
  return success();
}

LogicalResult RMSNormOp::verify() {
  MXTensorType x = getInput().getType().getTensor();
  if (failed(checkRows(*this, x, getOutput().getType().getTensor())) ||
      failed(checkVector(*this, getWeight(), "weight", x.getShape().back())))
    return failure();
  return checkEps(*this, getEps().convertToDouble());
  return success();
}
