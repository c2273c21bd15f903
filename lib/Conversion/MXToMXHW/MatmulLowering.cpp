//===- MatmulLowering.cpp - mx.matmul, mx.batch_matmul -> mxhw ------------===//
//
// Both operands stream. The unit takes its rhs transposed ([..., N, K], for
// each output column its blocks along K): a view transposes the rhs, and the
// canonicalization of mxhw views folds it into the view that produced the rhs
// (the key of Q.K^T, blocked along the head dimension, is already in this
// order; the re-blocked value of P.V is produced in it).
//
//===----------------------------------------------------------------------===//

#include "Units.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

using namespace mlir;
using namespace mase;

namespace {

template <typename OpT>
struct MatmulLowering : public OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpT op, typename OpT::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = this->getTypeConverter()->convertType(op.getType());
    Value rhs = mxhw::transposedRhs(rewriter, op.getLoc(), adaptor.getRhs(),
                                    op.getNameAttr());
    rewriter.replaceOpWithNewOp<mxhw::BatchMatmulOp>(op, type, adaptor.getLhs(), rhs,
                                                     op.getAccAttr(), op.getNameAttr());
    return success();
  }
};

} // namespace

void mxhw::populateMatmulLowering(TypeConverter &converter,
                                  RewritePatternSet &patterns) {
  patterns.add<MatmulLowering<mx::MatmulOp>, MatmulLowering<mx::BatchMatmulOp>>(
      converter, patterns.getContext());
}
