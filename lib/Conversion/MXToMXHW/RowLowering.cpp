//===- RowLowering.cpp - layer_norm, rms_norm -> mxhw row units -----------===//
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
  if (auto norm = dyn_cast<mx::LayerNormOp>(op))
    return checkRows(op, norm.getNormalizedRank());
  if (auto norm = dyn_cast<mx::RMSNormOp>(op))
    return checkRows(op, norm.getNormalizedRank());
  return success();
}

void mxhw::populateRowLowering(TypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<LayerNormLowering, RMSNormLowering>(
      converter, patterns.getContext());
}
