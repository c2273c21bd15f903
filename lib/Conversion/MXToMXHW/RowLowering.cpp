//===- RowLowering.cpp - softmax, layer_norm, rms_norm -> mxhw row units --===//
//
// The row units normalize over the last axis, the axis MX blocks run along;
// an mx op over several trailing axes has no unit.
//
//===----------------------------------------------------------------------===//

#include "Units.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

using namespace mlir;
using namespace mase;

namespace {

/// The row units' precondition, diagnosed at the op: statistics over the last
/// axis, which input and result are blocked along.
LogicalResult checkRows(Operation *op, int64_t normalizedRank) {
  if (normalizedRank != 1)
    return op->emitError() << "the hardware " << op->getName()
                           << " normalizes over the last axis only, not the last "
                           << normalizedRank;
  for (Value value : {op->getOperand(0), Value(op->getResult(0))}) {
    auto type = cast<mx::MXTensorType>(value.getType());
    if (type.getAxis() != type.getRank() - 1)
      return op->emitError() << "the hardware " << op->getName()
                             << " needs its input and result blocked along the last "
                                "axis, got "
                             << type;
  }
  return success();
}

struct SoftmaxLowering : public OpConversionPattern<mx::SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(mx::SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    // The mask stays a tensor of i1: the unit reads it from a bit memory.
    rewriter.replaceOpWithNewOp<mxhw::SoftmaxOp>(op, type, adaptor.getInput(),
                                                 op.getMask(), op.getNameAttr());
    return success();
  }
};

struct LayerNormLowering : public OpConversionPattern<mx::LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(mx::LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<mxhw::LayerNormOp>(
        op, type, adaptor.getInput(), op.getWeight(), op.getBias(),
        op.getEpsAttr(), op.getNameAttr());
    return success();
  }
};

struct RMSNormLowering : public OpConversionPattern<mx::RMSNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(mx::RMSNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<mxhw::RMSNormOp>(op, type, adaptor.getInput(),
                                                 op.getWeight(), op.getEpsAttr(),
                                                 op.getNameAttr());
    return success();
  }
};

} // namespace

LogicalResult mxhw::checkRowUnit(Operation *op) {
  if (auto softmax = dyn_cast<mx::SoftmaxOp>(op)) {
    int64_t rank = cast<mx::MXTensorType>(softmax.getInput().getType()).getRank();
    if (softmax.getAxis() != rank - 1)
      return op->emitError() << "the hardware mx.softmax works along the last axis ("
                             << rank - 1 << "), not axis " << softmax.getAxis();
    // One memory word holds a row's mask bits.
    if (Value mask = softmax.getMask()) {
      auto shape = cast<ShapedType>(mask.getType()).getShape();
      int64_t n = cast<mx::MXTensorType>(softmax.getInput().getType()).getShape().back();
      if (!shape.empty() && shape.back() != n)
        return op->emitError() << "the hardware mx.softmax needs a mask with one bit per "
                                  "position of a row (last dimension "
                               << n << "), got " << mask.getType();
    }
    return checkRows(op, 1);
  }
  if (auto norm = dyn_cast<mx::LayerNormOp>(op))
    return checkRows(op, norm.getNormalizedRank());
  if (auto norm = dyn_cast<mx::RMSNormOp>(op))
    return checkRows(op, norm.getNormalizedRank());
  return success();
}

void mxhw::populateRowLowering(TypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering, LayerNormLowering, RMSNormLowering>(
      converter, patterns.getContext());
}
