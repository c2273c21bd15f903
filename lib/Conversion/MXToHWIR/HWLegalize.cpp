//===- HWLegalize.cpp - cf-level IR for CIRCT's handshake lowering --------===//
//
// CIRCT's `lower-cf-to-handshake` turns every value that crosses a block
// boundary into a token that is carried through the loop's muxes and
// branches. Constants hoisted to the entry block (what canonicalize and CSE
// do) therefore become loop-carried tokens, which costs area and throughput.
// This pass sinks each constant into the blocks that use it and checks that
// only the subset the CIRCT wheel handles is left (see TOOLCHAIN.md).
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace mase::mx {
#define GEN_PASS_DEF_MXHWLEGALIZE
#include "Conversion/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;

namespace {

static bool isAllowedType(Type t) {
  if (isa<IndexType>(t))
    return true;
  if (auto i = dyn_cast<IntegerType>(t))
    return i.isSignless();
  if (auto m = dyn_cast<MemRefType>(t))
    return m.getRank() == 1 && m.hasStaticShape() &&
           isa<IntegerType>(m.getElementType()) && m.getLayout().isIdentity();
  return false;
}

static LogicalResult checkOp(Operation *op) {
  if (isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp,
          arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>(op))
    return op->emitError()
           << "'" << op->getName()
           << "' is not allowed in hardware IR (CIRCT maps integer division "
              "wrongly; the lowering must not divide)";
  StringRef ns = op->getName().getDialectNamespace();
  bool known = ns == "arith" || ns == "cf" ||
               isa<func::FuncOp, func::ReturnOp, memref::LoadOp,
                   memref::StoreOp, memref::AllocOp, ModuleOp>(op);
  if (!known)
    return op->emitError() << "'" << op->getName()
                           << "' is not allowed in hardware IR (only "
                              "func/cf/arith/memref load, store and alloc)";
  for (Type t : op->getResultTypes())
    if (!isAllowedType(t))
      return op->emitError() << "type " << t
                             << " is not allowed in hardware IR (signless "
                                "integers and 1-d integer memrefs only)";
  for (Type t : op->getOperandTypes())
    if (!isAllowedType(t))
      return op->emitError() << "type " << t
                             << " is not allowed in hardware IR (signless "
                                "integers and 1-d integer memrefs only)";
  if (op->getNumResults() == 1 && isa<IndexType>(op->getResult(0).getType())) {
    if (!isa<arith::IndexCastOp>(op))
      return op->emitError("index values may only come from arith.index_cast "
                           "(index lowers to 64-bit datapaths; CIRCT has no "
                           "arith.index_castui)");
    for (Operation *user : op->getUsers())
      if (!isa<memref::LoadOp, memref::StoreOp>(user))
        return user->emitError("index values may only be used as memory "
                               "subscripts in hardware IR");
  }
  return success();
}

struct MXHWLegalizePass
    : public mase::mx::impl::MXHWLegalizeBase<MXHWLegalizePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // One diagnostic (the first, in pre-order) is enough to say what is wrong.
    WalkResult res = module->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op != module.getOperation() && mlir::failed(checkOp(op)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (res.wasInterrupted())
      return signalPassFailure();

    // Sink constants: one copy per using block, placed at the block start.
    SmallVector<arith::ConstantOp> consts;
    module.walk([&](arith::ConstantOp c) { consts.push_back(c); });
    for (arith::ConstantOp c : consts) {
      llvm::DenseMap<Block *, Operation *> copies;
      for (OpOperand &use : llvm::make_early_inc_range(c->getUses())) {
        Block *blk = use.getOwner()->getBlock();
        if (blk == c->getBlock())
          continue;
        Operation *&copy = copies[blk];
        if (!copy) {
          OpBuilder b(blk, blk->begin());
          copy = b.clone(*c);
        }
        use.set(copy->getResult(0));
      }
      if (c->use_empty())
        c->erase();
    }
  }
};

} // namespace
