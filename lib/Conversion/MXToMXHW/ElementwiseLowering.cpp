//===- ElementwiseLowering.cpp - elementwise mx ops -> mxhw units ---------===//

#include "Units.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

using namespace mlir;
using namespace mase;

namespace {

struct ReluLowering : public OpConversionPattern<mx::ReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(mx::ReluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = getTypeConverter()->convertType(op.getType());
    rewriter.replaceOpWithNewOp<mxhw::ReluOp>(op, type, adaptor.getInput(),
                                              op.getNameAttr());
    return success();
  }
};

} // namespace

void mxhw::populateElementwiseLowering(TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns.add<ReluLowering>(converter, patterns.getContext());
}
