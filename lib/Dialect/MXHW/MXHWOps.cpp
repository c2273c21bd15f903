//===- MXHWOps.cpp - mxhw dialect operations ------------------------------===//
//
// Verifiers check what the units assume: shapes that agree with the mx op the
// unit implements, blocks along the axes the unit streams.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mase::mxhw;
using mase::mx::formatShape;
using mase::mx::MXTensorType;

#define GET_OP_CLASSES
#include "MXHW/MXHWOps.cpp.inc"

/// An MX tensor blocked along its last axis, as streams and memories hold
/// them; emits "<what> must be blocked along its last axis" otherwise.
static LogicalResult checkLastAxis(Operation *op, MXTensorType type,
                                   StringRef what) {
  if (type.getRank() < 1 || type.getAxis() != type.getRank() - 1)
    return op->emitOpError() << what << " must be blocked along its last axis, got "
                             << type;
  return success();
}

LogicalResult LinearOp::verify() {
  MXTensorType x = getInput().getType().getTensor();
  MXTensorType w = getWeight().getType();
  MXTensorType y = getOutput().getType().getTensor();
  if (failed(checkLastAxis(*this, x, "input")) ||
      failed(checkLastAxis(*this, w, "weight")) ||
      failed(checkLastAxis(*this, y, "output")))
    return failure();
  if (w.getRank() != 2)
    return emitOpError() << "weight must be 2-d [N, K], got "
                         << formatShape(w.getShape());
  int64_t k = x.getShape().back(), n = w.getShape()[0];
  if (w.getShape()[1] != k)
    return emitOpError() << "weight K (" << w.getShape()[1]
                         << ") does not match the input's last dimension (" << k
                         << ")";
  SmallVector<int64_t> want(x.getShape().drop_back());
  want.push_back(n);
  if (y.getShape() != ArrayRef<int64_t>(want))
    return emitOpError() << "output shape must be " << formatShape(want)
                         << ", got " << formatShape(y.getShape());
  if (Value bias = getBias()) {
    auto b = cast<MXTensorType>(bias.getType());
    if (b.getShape() != ArrayRef<int64_t>{n})
      return emitOpError() << "bias shape must be " << n << ", got "
                           << formatShape(b.getShape());
  }
  return success();
}

LogicalResult ReluOp::verify() {
  MXTensorType x = getInput().getType().getTensor();
  MXTensorType y = getOutput().getType().getTensor();
  if (failed(checkLastAxis(*this, x, "input")) ||
      failed(checkLastAxis(*this, y, "output")))
    return failure();
  if (x.getShape() != y.getShape())
    return emitOpError() << "output shape must equal the input shape ("
                         << formatShape(x.getShape()) << "), got "
                         << formatShape(y.getShape());
  return success();
}
