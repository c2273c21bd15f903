//===- HWBoundary.cpp - an MX-typed function boundary for the hardware ----===//
//
// The host quantizes the inputs and dequantizes the results: arguments used
// only by mx.quantize ops of one type take that type, results produced by
// mx.dequantize return the MX value.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Conversion/Passes.h"
#include "mase-mlir/Dialect/MX/MXOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXHWBOUNDARY
#include "Conversion/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {

/// The one MX type every use of `arg` quantizes it to, or null.
MXTensorType quantizedType(BlockArgument arg) {
  MXTensorType type;
  for (Operation *user : arg.getUsers()) {
    auto quantize = dyn_cast<QuantizeOp>(user);
    if (!quantize || (type && quantize.getType() != type))
      return {};
    type = quantize.getType();
  }
  return type;
}

struct MXHWBoundaryPass
    : public mase::mx::impl::MXHWBoundaryBase<MXHWBoundaryPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.getBody().front();
    for (BlockArgument arg : entry.getArguments()) {
      MXTensorType type = quantizedType(arg);
      if (!type)
        continue;
      arg.setType(type);
      for (Operation *user : llvm::make_early_inc_range(arg.getUsers())) {
        user->getResult(0).replaceAllUsesWith(arg);
        user->erase();
      }
    }
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    for (OpOperand &operand : ret->getOpOperands()) {
      auto dequantize = operand.get().getDefiningOp<DequantizeOp>();
      if (!dequantize)
        continue;
      operand.set(dequantize.getInput());
      if (dequantize->use_empty())
        dequantize->erase();
    }
    func.setType(FunctionType::get(&getContext(), entry.getArgumentTypes(),
                                   ret->getOperandTypes()));
  }
};

} // namespace
