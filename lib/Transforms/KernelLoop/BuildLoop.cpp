//===- BuildLoop.cpp - one chain of layers becomes an scf.for -------------===//

#include "KernelLoop.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXStacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <map>

using namespace mlir;
using namespace mase::mx;

namespace {

/// Builds the stacked constant of per-layer constants (arith or mx), or
/// returns null when their kind cannot be stacked.
Value buildStack(OpBuilder &b, Location loc, ArrayRef<Operation *> layers) {
  if (auto mxType =
          dyn_cast<MXTensorType>(layers.front()->getResult(0).getType())) {
    SmallVector<DenseElementsAttr> scales, codes;
    for (Operation *op : layers) {
      auto constant = dyn_cast<ConstantOp>(op);
      if (!constant)
        return {};
      scales.push_back(constant.getScales());
      codes.push_back(constant.getCodes());
    }
    SmallVector<int64_t> shape{int64_t(layers.size())};
    llvm::append_range(shape, mxType.getShape());
    auto type =
        MXTensorType::get(shape, mxType.getFormat(), mxType.getAxis() + 1);
    return ConstantOp::create(
        b, loc, type, cast<DenseIntElementsAttr>(stackConstants(scales)),
        cast<DenseIntElementsAttr>(stackConstants(codes)),
        /*name=*/nullptr);
  }
  SmallVector<DenseElementsAttr> values;
  for (Operation *op : layers) {
    // mx.take slices tensors: other constants (vectors, scalars) stay.
    auto dense = dyn_cast_or_null<DenseElementsAttr>(constantValue(op));
    if (!dense || !isa<RankedTensorType>(dense.getType()))
      return {};
    values.push_back(dense);
  }
  return arith::ConstantOp::create(b, loc, stackConstants(values));
}

} // namespace

FailureOr<LoopSummary> mase::mx::buildLoop(const LayerChain &c,
                                           ArrayRef<Operation *> ops,
                                           int64_t extraBits) {
  Operation *first = ops[c.start];
  unsigned L = c.length, K = c.count;
  auto layerOp = [&](unsigned i, unsigned j) {
    return ops[c.start + i * L + j];
  };

  // Constant operands, by (position, operand): the per-layer constants.
  struct Slot {
    unsigned position, operand;
    SmallVector<Operation *> constants;
  };
  SmallVector<Slot> slots;
  for (unsigned j = 0; j < L; ++j)
    for (unsigned k = 0, e = layerOp(0, j)->getNumOperands(); k < e; ++k) {
      if (!isConstant(layerOp(0, j)->getOperand(k).getDefiningOp()))
        continue;
      Slot slot{j, k, {}};
      for (unsigned i = 0; i < K; ++i)
        slot.constants.push_back(layerOp(i, j)->getOperand(k).getDefiningOp());
      slots.push_back(std::move(slot));
    }

  OpBuilder b(first);
  Location loc = first->getLoc();
  // One loop-level value per distinct tuple of per-layer constants.
  std::map<SmallVector<Operation *>, Value> perTuple;
  unsigned stacked = 0, shared = 0;
  SmallVector<Value> slotValues; // before the loop: stacked or shared
  SmallVector<bool> slotStacked;
  for (Slot &slot : slots) {
    auto it = perTuple.find(slot.constants);
    bool same = llvm::all_of(slot.constants, [&](Operation *op) {
      return constantValue(op) == constantValue(slot.constants.front()) &&
             op->getResult(0).getType() ==
                 slot.constants.front()->getResult(0).getType();
    });
    if (it == perTuple.end()) {
      Value value;
      if (same) {
        // The same constant in every layer: one op, moved above the loop
        // (constants have no operands), still serving its other users.
        Operation *constant = slot.constants.front();
        if (constant->getBlock() == first->getBlock() &&
            !constant->isBeforeInBlock(first))
          constant->moveBefore(first);
        value = constant->getResult(0);
        ++shared;
      } else {
        value = buildStack(b, slot.constants.front()->getLoc(), slot.constants);
        if (!value)
          return failure();
        ++stacked;
      }
      it = perTuple.emplace(slot.constants, value).first;
    }
    slotValues.push_back(it->second);
    slotStacked.push_back(!same);
  }

  Value lower = arith::ConstantIndexOp::create(b, loc, 0);
  Value upper = arith::ConstantIndexOp::create(b, loc, K);
  Value step = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, lower, upper, step, c.inits,
      [&](OpBuilder &bb, Location bodyLoc, Value iv, ValueRange carried) {
        IRMapping map;
        for (auto [init, arg] : llvm::zip(c.inits, carried))
          map.map(init, arg);
        // One mx.take per stacked weight, at the top of the body.
        DenseMap<Value, Value> takes;
        for (auto [value, isStacked] : llvm::zip(slotValues, slotStacked)) {
          if (!isStacked || takes.count(value))
            continue;
          Type sliceType;
          if (auto mx = dyn_cast<MXTensorType>(value.getType()))
            sliceType = MXTensorType::get(mx.getShape().drop_front(),
                                          mx.getFormat(), mx.getAxis() - 1);
          else {
            auto t = cast<RankedTensorType>(value.getType());
            sliceType = RankedTensorType::get(t.getShape().drop_front(),
                                              t.getElementType());
          }
          takes[value] = TakeOp::create(bb, bodyLoc, sliceType, value, iv,
                                        /*name=*/nullptr);
        }
        unsigned nextSlot = 0;
        for (unsigned j = 0; j < L; ++j) {
          Operation *original = layerOp(0, j);
          Operation *clone = bb.clone(*original, map);
          while (nextSlot < slots.size() && slots[nextSlot].position == j) {
            Value v = slotValues[nextSlot];
            clone->setOperand(slots[nextSlot].operand,
                              slotStacked[nextSlot] ? takes[v] : v);
            ++nextSlot;
          }
          SmallVector<Attribute> names;
          for (unsigned i = 0; i < K; ++i)
            if (auto name = layerOp(i, j)->getAttrOfType<StringAttr>("name"))
              names.push_back(name);
          if (names.size() == K)
            clone->setAttr(MXDialect::kLayerNamesAttrName,
                           bb.getArrayAttr(names));
        }
        SmallVector<Value> yields;
        for (CarrySlot slot : c.slots)
          yields.push_back(
              map.lookup(layerOp(0, slot.position)->getResult(slot.result)));
        scf::YieldOp::create(bb, bodyLoc, yields);
      });
  loop->setAttr(MXDialect::kKernelLoopAttrName, b.getUnitAttr());

  for (auto [slot, result] : llvm::zip(c.slots, loop.getResults()))
    layerOp(K - 1, slot.position)
        ->getResult(slot.result)
        .replaceAllUsesWith(result);
  // The first named op says where the layer starts (quantize ops the
  // precision pass inserted have no name).
  std::string firstName;
  for (unsigned j = 0; j < L && firstName.empty(); ++j)
    if (auto name = layerOp(0, j)->getAttrOfType<StringAttr>("name"))
      firstName = name.getValue().str();
  for (unsigned p = K * L; p-- > 0;)
    ops[c.start + p]->erase();

  LoopSummary summary;
  summary.firstOp = firstName;
  summary.layers = K;
  summary.opsPerLayer = L;
  summary.stacked = stacked;
  summary.shared = shared;
  summary.carried = c.slots.size();
  summary.stop = c.stop;
  summary.extraBits = extraBits;
  auto remark = loop->emitRemark();
  if (extraBits)
    remark << "unify: weights widened by " << extraBits << " bits; ";
  remark << "kernel loop: " << K << " layers x " << L << " ops (first: '"
         << summary.firstOp << "'), " << stacked << " weights stacked, "
         << shared << " constants shared, " << summary.carried
         << " value(s) carried; a longer chain stopped because " << c.stop;
  return summary;
}
