//===- ElementwiseLowering.cpp - elementwise mx ops -> mxhw units ---------===//
//
// Unary ops keep their operand and attributes; binary ops take a constant
// operand from a memory, and an f32 splat constant as the unit's `scalar`
// (on the left: `scalar_first`).
//
//===----------------------------------------------------------------------===//

#include "Units.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

using namespace mlir;
using namespace mase;

namespace {

template <typename MxOp, typename HwOp>
struct UnaryLowering : public OpConversionPattern<MxOp> {
  using OpConversionPattern<MxOp>::OpConversionPattern;
  using OpAdaptor = typename MxOp::Adaptor;
  LogicalResult
  matchAndRewrite(MxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Type type = this->getTypeConverter()->convertType(op.getType());
    // The mx op's attributes (approximate, rounding, name) carry over.
    rewriter.replaceOpWithNewOp<HwOp>(op, type, adaptor.getInput(),
                                      op->getAttrs());
    return success();
  }
};

template <typename MxOp, typename HwOp>
struct BinaryLowering : public OpConversionPattern<MxOp> {
  using OpConversionPattern<MxOp>::OpConversionPattern;
  using OpAdaptor = typename MxOp::Adaptor;
  LogicalResult
  matchAndRewrite(MxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const mxhw::UnitInfo &info =
        *mxhw::lookupUnit(op->getName().getStringRef());
    Type type = this->getTypeConverter()->convertType(op.getType());
    Value lhs = mxhw::unitOperand(info, 0, op.getLhs(), adaptor.getLhs());
    Value rhs = mxhw::unitOperand(info, 1, op.getRhs(), adaptor.getRhs());
    FloatAttr scalar;
    bool scalarFirst = false;
    if ((scalar = mxhw::scalarConstant(op.getRhs()))) {
      rhs = nullptr;
    } else if ((scalar = mxhw::scalarConstant(op.getLhs()))) {
      lhs = rhs;
      rhs = nullptr;
      scalarFirst = true;
    }
    rewriter.replaceOpWithNewOp<HwOp>(
        op, type, lhs, rhs, scalar,
        scalarFirst ? rewriter.getUnitAttr() : UnitAttr(), op.getNameAttr());
    return success();
  }
};

} // namespace

LogicalResult mxhw::checkElementwiseBinary(Operation *op) {
  auto result = cast<mx::MXTensorType>(op->getResult(0).getType());
  bool streamed = false;
  for (OpOperand &use : op->getOpOperands()) {
    Value value = use.get();
    const UnitInfo &info = *lookupUnit(op->getName().getStringRef());
    if (scalarConstant(value) || readsMemory(info, use.getOperandNumber(), value))
      continue;
    auto type = cast<mx::MXTensorType>(value.getType());
    if (type.getShape() != result.getShape())
      return op->emitError()
             << "operand #" << use.getOperandNumber() << " of shape "
             << mx::formatShape(type.getShape())
             << " is computed and would be broadcast to "
             << mx::formatShape(result.getShape())
             << "; the hardware broadcasts only constants";
    streamed = true;
  }
  if (!streamed)
    return op->emitError() << "every operand is a constant; the hardware "
                              "computes on at least one computed operand";
  return success();
}

void mxhw::populateElementwiseLowering(TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<UnaryLowering<mx::ReluOp, mxhw::ReluOp>,
               UnaryLowering<mx::GeluOp, mxhw::GeluOp>,
               UnaryLowering<mx::SiluOp, mxhw::SiluOp>,
               UnaryLowering<mx::TanhOp, mxhw::TanhOp>,
               UnaryLowering<mx::SigmoidOp, mxhw::SigmoidOp>,
               BinaryLowering<mx::AddOp, mxhw::AddOp>,
               BinaryLowering<mx::SubOp, mxhw::SubOp>,
               BinaryLowering<mx::MulOp, mxhw::MulOp>>(converter, context);
}
