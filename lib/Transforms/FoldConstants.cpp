//===- FoldConstants.cpp - fold quantization of constants -----------------===//

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXFOLDCONSTANTS
#include "Transforms/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {
struct MXFoldConstantsPass
    : public mase::mx::impl::MXFoldConstantsBase<MXFoldConstantsPass> {
  void runOnOperation() override {
    // The op folders do the work; the greedy driver applies them to a
    // fixpoint and materializes the folded constants.
    RewritePatternSet patterns(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
