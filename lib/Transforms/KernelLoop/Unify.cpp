//===- Unify.cpp - widen a chain's MXInt formats (policy=unify) -----------===//
//
// Layers that differ only in the element width of MXInt formats become one
// loop when every position takes the widest width among the layers: weights
// are re-encoded exactly (one more fraction bit per extra bit), activations
// carry the wider format, uses after the chain keep the format they had.
//
//===----------------------------------------------------------------------===//

#include "KernelLoop.h"

#include "mase-mlir/Dialect/MX/MXOps.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mase::mx;

namespace {

/// The wider of two unifiable types.
Type wider(Type a, Type b) {
  auto x = cast<MXTensorType>(a), y = cast<MXTensorType>(b);
  return x.getFormat().getElementBits() >= y.getFormat().getElementBits() ? a
                                                                          : b;
}

/// The MXInt codes of `constant` re-encoded `extra` bits wider: the same
/// values (two's complement, one more fraction bit per extra bit).
DenseIntElementsAttr widenCodes(DenseIntElementsAttr codes, unsigned fromBits,
                                unsigned toBits) {
  auto type = cast<RankedTensorType>(codes.getType());
  auto wideType = RankedTensorType::get(
      type.getShape(),
      IntegerType::get(type.getContext(), toBits, IntegerType::Unsigned));
  SmallVector<APInt> values;
  for (APInt code : codes.getValues<APInt>())
    values.push_back(code.trunc(fromBits).sext(toBits).shl(toBits - fromBits));
  return DenseIntElementsAttr::get(wideType, values);
}

} // namespace

int64_t mase::mx::widenChain(LayerChain &c, ArrayRef<Operation *> ops) {
  unsigned L = c.length, K = c.count;
  auto layerOp = [&](unsigned i, unsigned j) {
    return ops[c.start + i * L + j];
  };
  int64_t extraBits = 0;
  OpBuilder b(ops[c.start]);
  for (unsigned j = 0; j < L; ++j) {
    // Results: the widest type of each position in every layer.
    for (unsigned r = 0, e = layerOp(0, j)->getNumResults(); r < e; ++r) {
      Type widest = layerOp(0, j)->getResult(r).getType();
      for (unsigned i = 1; i < K; ++i)
        if (Type t = layerOp(i, j)->getResult(r).getType(); t != widest)
          widest = wider(widest, t);
      for (unsigned i = 0; i < K; ++i) {
        Value result = layerOp(i, j)->getResult(r);
        Type original = result.getType();
        if (original == widest)
          continue;
        result.setType(widest);
        // Uses after the chain keep the format they had.
        Operation *last = layerOp(K - 1, L - 1);
        SmallVector<OpOperand *> outside;
        for (OpOperand &use : result.getUses())
          if (last->isBeforeInBlock(use.getOwner()) ||
              use.getOwner() == last->getBlock()->getTerminator())
            outside.push_back(&use);
        if (!outside.empty()) {
          OpBuilder after(last->getBlock(), ++Block::iterator(last));
          Value cast = CastOp::create(after, result.getLoc(), original, result,
                                      RoundingMode::Even, nullptr);
          for (OpOperand *use : outside)
            use->set(cast);
        }
      }
    }
    // Constant operands: re-encode narrower MXInt weights.
    for (unsigned k = 0, e = layerOp(0, j)->getNumOperands(); k < e; ++k) {
      Type widest = layerOp(0, j)->getOperand(k).getType();
      if (!isa<MXTensorType>(widest))
        continue;
      for (unsigned i = 1; i < K; ++i)
        if (Type t = layerOp(i, j)->getOperand(k).getType(); t != widest)
          widest = wider(widest, t);
      auto wideType = cast<MXTensorType>(widest);
      for (unsigned i = 0; i < K; ++i) {
        Operation *op = layerOp(i, j);
        auto constant = op->getOperand(k).getDefiningOp<ConstantOp>();
        if (!constant || constant.getType() == wideType)
          continue;
        unsigned from = constant.getType().getFormat().getElementBits();
        unsigned to = wideType.getFormat().getElementBits();
        OpBuilder cb(constant);
        auto wide = ConstantOp::create(
            cb, constant.getLoc(), wideType, constant.getScales(),
            widenCodes(constant.getCodes(), from, to), constant.getNameAttr());
        op->setOperand(k, wide);
        extraBits += int64_t(to - from) * wideType.getNumElements();
      }
    }
  }
  // Carried values enter the loop in the (possibly widened) carried type.
  for (auto [slot, init] : llvm::zip(c.slots, c.inits)) {
    Type carried = layerOp(0, slot.position)->getResult(slot.result).getType();
    if (init.getType() == carried)
      continue;
    Value cast = CastOp::create(b, init.getLoc(), carried, init,
                                RoundingMode::Even, nullptr);
    for (unsigned j = 0; j < L; ++j)
      layerOp(0, j)->replaceUsesOfWith(init, cast);
    init = cast;
  }
  return extraBits;
}
