//===- KernelLoop.cpp - fold repeated layers into one loop ----------------===//
//
// Finds chains of structurally identical layers in every function (layer
// i+1 consumes layer i's output; only weight constants differ) and rewrites
// each chain into an scf.for whose body is one layer: weights stacked along
// a new leading axis and read with mx.take, the hidden state carried. The
// pass runs on the module so that one report describes every function.
//
//===----------------------------------------------------------------------===//

#include "KernelLoop.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXKERNELLOOP
#include "Transforms/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {
struct MXKernelLoopPass
    : public mase::mx::impl::MXKernelLoopBase<MXKernelLoopPass> {
  using MXKernelLoopBase::MXKernelLoopBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (policy != "split" && policy != "unify") {
      module.emitError() << "mx-kernel-loop: unknown policy '" << policy
                         << "' (expected split or unify)";
      return signalPassFailure();
    }
    llvm::json::Array loops;
    for (auto func : module.getOps<func::FuncOp>())
      loopFunction(func, loops);
    if (!reportPath.empty() &&
        failed(writeLoopReport(reportPath, std::move(loops),
                               [&] { return module.emitError(); })))
      return signalPassFailure();
  }

  /// Folds the chains of one function; appends their report entries.
  void loopFunction(func::FuncOp func, llvm::json::Array &loops) {
    if (!func.getBody().hasOneBlock())
      return;
    Block &block = func.getBody().front();
    LayerChainOptions options;
    options.unify = policy == "unify";
    options.minOps = minOps;
    options.minLayers = minLayers;
    LayerChains analysis(block, options);
    SmallVector<Operation *> ops(analysis.getOps());
    SmallVector<LayerChain> chains(analysis.getChains());

    for (LayerChain &chain : chains) {
      int64_t extraBits = options.unify ? widenChain(chain, ops) : 0;
      FailureOr<LoopSummary> summary = buildLoop(chain, ops, extraBits);
      if (failed(summary)) {
        ops[chain.start]->emitRemark("mx-kernel-loop: a weight of this chain "
                                     "cannot be stacked; left unrolled");
        continue;
      }
      summary->function = func.getSymName().str();
      loops.push_back(loopReport(*summary));
    }
    if (chains.empty()) {
      StringRef why = analysis.getClosestFailure();
      func.emitRemark() << "mx-kernel-loop: no chain of identical layers in '"
                        << func.getSymName() << "'"
                        << (why.empty() ? "" : "; closest: " + why.str());
    }

    // Constants only the chains read are now dead.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
      if (isConstant(&op) && op.use_empty())
        op.erase();
  }
};
} // namespace
