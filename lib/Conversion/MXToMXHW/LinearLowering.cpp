//===- LinearLowering.cpp - mx.linear -> mxhw.linear ----------------------===//

#include "Units.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

using namespace mlir;
using namespace mase;

namespace {

struct LinearLowering : public OpConversionPattern<mx::LinearOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(mx::LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<mxhw::LinearOp>(op, type, adaptor.getInput(),
                                                op.getWeight(), op.getBias(),
                                                op.getAccAttr(), op.getNameAttr());
    return success();
  }
};

} // namespace

void mxhw::populateLinearLowering(TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns.add<LinearLowering>(converter, patterns.getContext());
}
