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

static LogicalResult verifyUnaryUnit(Operation *op);
static LogicalResult verifyBinaryUnit(Operation *op);

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

LogicalResult BatchMatmulOp::verify() {
  MXTensorType a = getLhs().getType().getTensor();
  MXTensorType b = getRhs().getType().getTensor();
  MXTensorType y = getOutput().getType().getTensor();
  if (failed(checkLastAxis(*this, a, "lhs")) ||
      failed(checkLastAxis(*this, b, "rhs")) ||
      failed(checkLastAxis(*this, y, "output")))
    return failure();
  if (a.getRank() < 2 || b.getRank() < 2)
    return emitOpError() << "operands must have rank >= 2, got "
                         << formatShape(a.getShape()) << " and "
                         << formatShape(b.getShape());
  ArrayRef<int64_t> as = a.getShape(), bs = b.getShape();
  int64_t k = as.back();
  if (bs.back() != k)
    return emitOpError() << "rhs [..., N, K] has K = " << bs.back()
                         << ", the lhs K = " << k;
  SmallVector<int64_t> want(as.drop_back());
  want.push_back(bs[bs.size() - 2]);
  if (y.getShape() != ArrayRef<int64_t>(want))
    return emitOpError() << "output shape must be " << formatShape(want) << ", got "
                         << formatShape(y.getShape());
  int64_t lhsBatches = 1, rhsBatches = 1;
  for (int64_t d : as.drop_back(2))
    lhsBatches *= d;
  for (int64_t d : bs.drop_back(2))
    rhsBatches *= d;
  if (lhsBatches % rhsBatches)
    return emitOpError() << "the rhs's " << rhsBatches
                         << " batches cannot serve the lhs's " << lhsBatches;
  unsigned x = a.getFormat().getBlockSize(), w = b.getFormat().getBlockSize();
  if (std::max(x, w) % std::min(x, w))
    return emitOpError() << "block sizes along K must divide one another, got "
                         << a.getFormat().str() << " and " << b.getFormat().str();
  return success();
}

/// Elementwise units with one stream in: the result has the input's shape.
static LogicalResult verifyUnaryUnit(Operation *op) {
  auto x = cast<StreamType>(op->getOperand(0).getType()).getTensor();
  auto y = cast<StreamType>(op->getResult(0).getType()).getTensor();
  if (failed(checkLastAxis(op, x, "input")) ||
      failed(checkLastAxis(op, y, "output")))
    return failure();
  if (x.getShape() != y.getShape())
    return op->emitOpError() << "output shape must equal the input shape ("
                             << formatShape(x.getShape()) << "), got "
                             << formatShape(y.getShape());
  return success();
}

/// Binary units: streams of the result's shape, or a constant that broadcasts
/// to it along its leading axes, or (without rhs) an f32 scalar attribute.
static LogicalResult verifyBinaryUnit(Operation *op) {
  MXTensorType y = cast<StreamType>(op->getResult(0).getType()).getTensor();
  if (failed(checkLastAxis(op, y, "output")))
    return failure();
  bool scalar = op->hasAttr("scalar");
  if (op->getNumOperands() == 1 && !scalar)
    return op->emitOpError() << "needs a second operand or a scalar";
  if (op->getNumOperands() == 2 && scalar)
    return op->emitOpError() << "has both a second operand and a scalar";
  if (op->hasAttr("scalar_first") && !scalar)
    return op->emitOpError() << "scalar_first needs a scalar";
  bool streamed = false;
  for (auto [index, value] : llvm::enumerate(op->getOperands())) {
    std::string what = index == 0 ? "lhs" : "rhs";
    if (auto stream = dyn_cast<StreamType>(value.getType())) {
      MXTensorType x = stream.getTensor();
      if (failed(checkLastAxis(op, x, what)))
        return failure();
      if (x.getShape() != y.getShape())
        return op->emitOpError() << "the streamed " << what << " must have the "
                                 << "output's shape (" << formatShape(y.getShape())
                                 << "), got " << formatShape(x.getShape());
      streamed = true;
      continue;
    }
    auto c = cast<MXTensorType>(value.getType());
    if (failed(checkLastAxis(op, c, what)))
      return failure();
    ArrayRef<int64_t> cs = c.getShape(), ys = y.getShape();
    bool ok = cs.size() <= ys.size() && cs.back() == ys.back();
    for (size_t i = 1; ok && i < cs.size(); ++i) {
      int64_t dim = cs[cs.size() - 1 - i], full = ys[ys.size() - 1 - i];
      ok = dim == 1 || dim == full;
    }
    if (!ok)
      return op->emitOpError() << "the constant " << what << " of shape "
                               << formatShape(cs) << " must broadcast to the "
                               << "output's shape " << formatShape(ys)
                               << " along its leading axes";
  }
  if (!streamed)
    return op->emitOpError() << "needs at least one streamed operand";
  return success();
}
