//===- UnrollLoops.cpp - the inverse of mx-kernel-loop --------------------===//

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXUNROLLLOOPS
#include "Transforms/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {

LogicalResult unroll(scf::ForOp loop) {
  std::optional<int64_t> lower = getConstantIntValue(loop.getLowerBound());
  std::optional<int64_t> upper = getConstantIntValue(loop.getUpperBound());
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!lower || !upper || !step || *lower != 0 || *step != 1)
    return loop.emitError("mx-unroll-loops: a kernel loop must run from 0 "
                          "to a constant in steps of 1");
  OpBuilder b(loop);
  SmallVector<Value> carried(loop.getInitArgs());
  Block *body = loop.getBody();
  for (int64_t i = 0; i < *upper; ++i) {
    IRMapping map;
    map.map(loop.getInductionVar(),
            arith::ConstantIndexOp::create(b, loop.getLoc(), i));
    for (auto [arg, value] : llvm::zip(loop.getRegionIterArgs(), carried))
      map.map(arg, value);
    for (Operation &op : body->without_terminator()) {
      Operation *clone = b.clone(op, map);
      if (auto names =
              clone->getAttrOfType<ArrayAttr>(MXDialect::kLayerNamesAttrName)) {
        if (i < int64_t(names.size()))
          clone->setAttr("name", names[i]);
        clone->removeAttr(MXDialect::kLayerNamesAttrName);
      }
      // Weights of this layer: fold mx.take of the stacked constant.
      if (auto take = dyn_cast<TakeOp>(clone)) {
        SmallVector<OpFoldResult> folded;
        Attribute stack;
        if (matchPattern(take.getInput(), m_Constant(&stack)) &&
            succeeded(clone->fold(folded)) && folded.size() == 1)
          if (auto attr = dyn_cast<Attribute>(folded.front()))
            if (Operation *constant =
                    clone->getDialect()->materializeConstant(
                        b, attr, take.getType(), take.getLoc())) {
              map.map(op.getResult(0), constant->getResult(0));
              take.erase();
            }
      }
    }
    auto yield = cast<scf::YieldOp>(body->getTerminator());
    carried.clear();
    for (Value v : yield.getOperands())
      carried.push_back(map.lookupOrDefault(v));
  }
  loop.replaceAllUsesWith(carried);
  loop.erase();
  return success();
}

struct MXUnrollLoopsPass
    : public mase::mx::impl::MXUnrollLoopsBase<MXUnrollLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->hasAttr(MXDialect::kKernelLoopAttrName))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops)
      if (failed(unroll(loop)))
        return signalPassFailure();
    // The stacked constants and loop bounds nobody reads any more.
    getOperation().walk([&](Operation *op) {
      if (op->hasTrait<mlir::OpTrait::ConstantLike>() && op->use_empty())
        op->erase();
    });
  }
};
} // namespace
