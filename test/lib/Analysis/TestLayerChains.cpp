//===- TestLayerChains.cpp - LayerChains as remarks for lit ---------------===//
//
//   mase-opt --test-mx-layer-chains="unify=1 min-ops=1"
//
// One remark per chain at its first op: layers, ops per layer, carried
// values and what stopped a longer chain; one remark on a function without
// a chain with the closest failure. The IR is left as it is.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Analysis/LayerChains.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mase::mx;

namespace {
struct TestLayerChainsPass
    : public PassWrapper<TestLayerChainsPass, OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestLayerChainsPass)

  TestLayerChainsPass() = default;
  TestLayerChainsPass(const TestLayerChainsPass &other) : PassWrapper(other) {}

  StringRef getArgument() const final { return "test-mx-layer-chains"; }
  StringRef getDescription() const final {
    return "Report the chains of identical layers mx-kernel-loop would fold";
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func.getBody().hasOneBlock())
      return;
    LayerChainOptions options;
    options.unify = unify;
    options.minOps = minOps;
    options.minLayers = minLayers;
    LayerChains analysis(func.getBody().front(), options);
    for (const LayerChain &chain : analysis.getChains()) {
      InFlightDiagnostic remark = analysis.getOps()[chain.start]->emitRemark();
      remark << "chain: " << chain.count << " layers x " << chain.length
             << " ops, " << chain.slots.size() << " carried (";
      llvm::interleaveComma(chain.slots, remark, [&](CarrySlot slot) {
        remark << "op " << slot.position << " result " << slot.result;
      });
      remark << "); stopped: " << chain.stop;
    }
    if (analysis.getChains().empty())
      func.emitRemark() << "no chain; closest: "
                        << analysis.getClosestFailure();
  }

  Option<bool> unify{*this, "unify",
                     llvm::cl::desc("MXInt widths may differ (policy=unify)"),
                     llvm::cl::init(false)};
  Option<unsigned> minOps{*this, "min-ops",
                          llvm::cl::desc("Fewest ops in a layer"),
                          llvm::cl::init(2)};
  Option<unsigned> minLayers{
      *this, "min-layers", llvm::cl::desc("Shortest chain"), llvm::cl::init(2)};
};
} // namespace

namespace mase::test {
void registerTestLayerChainsPass() { PassRegistration<TestLayerChainsPass>(); }
} // namespace mase::test
