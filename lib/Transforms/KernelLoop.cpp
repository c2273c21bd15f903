//===- KernelLoop.cpp - fold repeated layers into one loop ----------------===//
//
// Finds chains of structurally identical layers in a function body (layer
// i+1 consumes layer i's output; only weight constants differ) and rewrites
// each chain into an scf.for whose body is one layer: weights stacked along
// a new leading axis and read with mx.take, the hidden state carried.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace mase::mx {
#define GEN_PASS_DEF_MXKERNELLOOP
#include "Transforms/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {

bool isConstant(Operation *op) {
  return op && op->hasTrait<mlir::OpTrait::ConstantLike>();
}

/// The value of a constant op (dense attribute, or [scales, codes] for MX).
Attribute constantValue(Operation *op) {
  SmallVector<OpFoldResult> folded;
  if (failed(op->fold(folded)) || folded.size() != 1)
    return {};
  return dyn_cast<Attribute>(folded.front());
}

/// Attributes that identify an op, without the names that differ per layer.
DictionaryAttr structuralAttrs(Operation *op) {
  NamedAttrList attrs;
  for (NamedAttribute attr : op->getAttrs())
    if (attr.getName() != "name" &&
        attr.getName() != MXDialect::kLayerNamesAttrName)
      attrs.append(attr);
  return attrs.getDictionary(op->getContext());
}

std::string describe(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << op->getName();
  if (auto name = op->getAttrOfType<StringAttr>("name"))
    os << " '" << name.getValue() << "'";
  return s;
}

/// Under policy=unify, two MXInt types that differ only in element width
/// count as the same position (it is widened to the wider one).
bool unifiable(Type a, Type b) {
  auto x = dyn_cast<MXTensorType>(a), y = dyn_cast<MXTensorType>(b);
  if (!x || !y || x.getShape() != y.getShape() || x.getAxis() != y.getAxis())
    return false;
  FormatAttr f = x.getFormat(), g = y.getFormat();
  return f.isInt() && g.isInt() && f.getScaleBits() == g.getScaleBits() &&
         f.getBlockSize() == g.getBlockSize();
}

/// The wider of two unifiable types.
Type wider(Type a, Type b) {
  auto x = cast<MXTensorType>(a), y = cast<MXTensorType>(b);
  return x.getFormat().getElementBits() >= y.getFormat().getElementBits() ? a
                                                                          : b;
}

/// A value carried from one layer to the next: produced by the op at
/// `position` of the layer (result `result`).
struct CarrySlot {
  unsigned position;
  unsigned result;
  bool operator==(const CarrySlot &o) const {
    return position == o.position && result == o.result;
  }
};

struct Chain {
  unsigned start = 0, length = 0, count = 0;
  SmallVector<CarrySlot> slots;
  SmallVector<Value> inits; // the values carried into the first layer
  std::string stop;         // what stopped a longer chain
};

/// Finds and checks chains over the non-constant ops of one block.
class ChainFinder {
  /// How far ahead a short chain looks for a longer one.
  static constexpr unsigned kLookAhead = 64;

public:
  ChainFinder(Block &block, bool unify, unsigned minOps)
      : unify(unify), minOps(std::max(1u, minOps)) {
    for (Operation &op : block.without_terminator())
      if (!isConstant(&op)) {
        index[&op] = ops.size();
        ops.push_back(&op);
      }
  }

  SmallVector<Chain> findChains(unsigned minLayers, std::string &why) {
    SmallVector<Chain> chains;
    unsigned n = ops.size();
    for (unsigned s = 0; s < n;) {
      Chain best = bestChainAt(s);
      if (best.count >= minLayers) {
        // A short chain may hide a longer one starting a little later (two
        // equal adds before the first layer): look ahead over the ops the
        // short chain covers and keep the chain covering most ops.
        unsigned covered = best.count * best.length;
        unsigned horizon = std::min(s + covered, s + kLookAhead);
        for (unsigned t = s + 1; t < horizon; ++t) {
          Chain other = bestChainAt(t);
          if (other.count >= minLayers &&
              other.count * other.length > best.count * best.length)
            best = other;
        }
      }
      if (best.count >= minLayers) {
        s = best.start + best.count * best.length;
        chains.push_back(std::move(best));
      } else {
        if (why.empty() && !best.stop.empty())
          why = best.stop;
        ++s;
      }
    }
    return chains;
  }

  ArrayRef<Operation *> getOps() const { return ops; }

private:
  bool inLayer(Operation *op, unsigned layerStart, unsigned length) const {
    auto it = index.find(op);
    return it != index.end() && it->second >= layerStart &&
           it->second < layerStart + length;
  }

  /// The chain starting at `s` that covers most ops over all candidate
  /// periods (the shorter period on ties); without one, the last candidate
  /// tried, whose `stop` says why it failed.
  Chain bestChainAt(unsigned s) {
    Chain best, lastFailure;
    best.start = lastFailure.start = s;
    unsigned n = ops.size();
    for (unsigned t = s + minOps; t < n && 2 * (t - s) + s <= n; ++t) {
      if (ops[t]->getName() != ops[s]->getName())
        continue;
      Chain c = chainOf(s, t - s);
      if (c.count < 2)
        lastFailure = std::move(c);
      else if (best.count < 2 ||
               c.count * c.length > best.count * best.length)
        best = std::move(c);
    }
    return best.count >= 2 ? best : lastFailure;
  }

  /// How many consecutive identical layers of `length` ops start at `s`.
  Chain chainOf(unsigned s, unsigned length) {
    Chain c;
    c.start = s;
    c.length = length;
    c.count = 1;
    unsigned n = ops.size();
    while (true) {
      unsigned next = s + (c.count + 1) * length;
      if (next > n) {
        c.stop = "the function has no further layer";
        break;
      }
      std::string why;
      if (!samePair(c, c.count - 1, why)) {
        c.stop = "layer " + std::to_string(c.count) + " differs: " + why;
        break;
      }
      ++c.count;
    }
    if (c.count < 2)
      return c;
    // Values of a layer may only be used inside it, by the next layer as
    // the carried state, or after the chain when they are its output.
    for (unsigned i = 0; i < c.count; ++i) {
      std::string why;
      if (escapes(c, i, /*last=*/false, why)) {
        c.stop = "layer " + std::to_string(i) + " " + why;
        c.count = escapes(c, i, /*last=*/true, why) ? i : i + 1;
        break;
      }
    }
    return c;
  }

  bool sameOp(Operation *a, Operation *b, std::string &why) const {
    if (a->getName() != b->getName()) {
      why = describe(a) + " faces " + describe(b);
      return false;
    }
    if (a->getNumOperands() != b->getNumOperands() ||
        a->getNumResults() != b->getNumResults() ||
        a->getNumRegions() != 0 || b->getNumRegions() != 0) {
      why = describe(a) + " and " + describe(b) + " differ in structure";
      return false;
    }
    bool typesMatch = a->getResultTypes() == b->getResultTypes() ||
                      (unify && llvm::all_of_zip(a->getResultTypes(),
                                                 b->getResultTypes(),
                                                 [&](Type x, Type y) {
                                                   return x == y ||
                                                          unifiable(x, y);
                                                 }));
    if (!typesMatch) {
      std::string s;
      llvm::raw_string_ostream os(s);
      os << describe(a) << " gives " << a->getResultTypes() << " but "
         << describe(b) << " gives " << b->getResultTypes();
      why = s;
      return false;
    }
    if (structuralAttrs(a) != structuralAttrs(b)) {
      why = describe(a) + " and " + describe(b) + " differ in attributes";
      return false;
    }
    return true;
  }

  /// The values carried into layer `i` of chain `c`.
  SmallVector<Value> inputsOf(const Chain &c, unsigned i) const {
    if (i == 0)
      return c.inits;
    SmallVector<Value> inputs;
    unsigned prev = c.start + (i - 1) * c.length;
    for (CarrySlot slot : c.slots)
      inputs.push_back(ops[prev + slot.position]->getResult(slot.result));
    return inputs;
  }

  /// Layer i and layer i+1 are the same computation. Discovers the carried
  /// slots when i == 0.
  bool samePair(Chain &c, unsigned i, std::string &why) {
    unsigned a0 = c.start + i * c.length, b0 = a0 + c.length;
    SmallVector<Value> inputs = inputsOf(c, i);
    for (unsigned j = 0; j < c.length; ++j) {
      Operation *a = ops[a0 + j], *b = ops[b0 + j];
      if (!sameOp(a, b, why))
        return false;
      for (unsigned k = 0, e = a->getNumOperands(); k < e; ++k) {
        Value va = a->getOperand(k), vb = b->getOperand(k);
        Operation *da = va.getDefiningOp(), *db = vb.getDefiningOp();
        auto fail = [&](StringRef what) {
          why = (describe(b) + " operand #" + Twine(k) + " " + what).str();
          return false;
        };
        if (da && inLayer(da, a0, c.length)) {
          // Internal wiring must repeat at the same position.
          if (!db || !inLayer(db, b0, c.length) ||
              index.lookup(db) - b0 != index.lookup(da) - a0 ||
              cast<OpResult>(va).getResultNumber() !=
                  cast<OpResult>(vb).getResultNumber())
            return fail("is wired differently");
          continue;
        }
        if (isConstant(da)) {
          if (!isConstant(db) ||
              (va.getType() != vb.getType() &&
               !(unify && unifiable(va.getType(), vb.getType()))))
            return fail("is not a constant of the same type");
          continue;
        }
        // A value from outside the layer: either the same value for every
        // layer (masks, rotary tables, ...) or the carried state.
        auto slotOf = llvm::find(inputs, va);
        if (va == vb) {
          if (slotOf != inputs.end())
            return fail("reads the previous layer's input, not its output");
          if (da && index.count(da) && index.lookup(da) >= c.start)
            return fail("reads a value of an earlier layer");
          continue;
        }
        if (!db || !inLayer(db, a0, c.length))
          return fail("comes from a different place");
        if (va.getType() != vb.getType() &&
            !(unify && unifiable(va.getType(), vb.getType())))
          return fail("carries a value of another type");
        CarrySlot slot{index.lookup(db) - a0,
                       cast<OpResult>(vb).getResultNumber()};
        if (slotOf != inputs.end()) {
          if (!(c.slots[slotOf - inputs.begin()] == slot))
            return fail("carries a different value");
          continue;
        }
        if (i != 0)
          return fail("carries a value the first layer does not");
        if (da && index.count(da) && index.lookup(da) >= c.start)
          return fail("reads a value of an earlier layer");
        c.slots.push_back(slot);
        c.inits.push_back(va);
        inputs.push_back(va);
      }
    }
    if (c.slots.empty()) {
      why = "the next layer does not consume this layer's output";
      return false;
    }
    return true;
  }

  /// Whether a value of layer i is used where the loop cannot provide it.
  bool escapes(const Chain &c, unsigned i, bool last, std::string &why) const {
    unsigned a0 = c.start + i * c.length;
    bool isLast = last || i + 1 == c.count;
    for (unsigned j = 0; j < c.length; ++j) {
      Operation *op = ops[a0 + j];
      for (OpResult result : op->getResults()) {
        bool carried = llvm::is_contained(
            c.slots, CarrySlot{j, result.getResultNumber()});
        for (Operation *user : result.getUsers()) {
          if (inLayer(user, a0, c.length))
            continue;
          if (!isLast && carried && inLayer(user, a0 + c.length, c.length))
            continue;
          if (isLast && carried)
            continue;
          why = "has a value used outside the chain (" + describe(op) +
                " is used by " + describe(user) + ")";
          return true;
        }
      }
    }
    return false;
  }

  SmallVector<Operation *> ops;
  DenseMap<Operation *, unsigned> index;
  bool unify;
  unsigned minOps;
};

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

/// policy=unify: widens every position of the chain whose MXInt width
/// differs between layers to the widest width, so that the layers become
/// identical. Exact for constants (re-encoded codes); activations then carry
/// more bits. Returns the extra storage bits of the weights.
int64_t widenChain(const Chain &c, ArrayRef<Operation *> ops,
                   SmallVector<Value> &inits) {
  unsigned L = c.length, K = c.count;
  auto layerOp = [&](unsigned i, unsigned j) { return ops[c.start + i * L + j]; };
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
  for (auto [slot, init] : llvm::zip(c.slots, inits)) {
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

/// Stacks equally typed dense constants along a new leading axis.
DenseElementsAttr stack(ArrayRef<DenseElementsAttr> layers) {
  auto type = cast<ShapedType>(layers.front().getType());
  SmallVector<int64_t> shape{int64_t(layers.size())};
  llvm::append_range(shape, type.getShape());
  auto stacked = RankedTensorType::get(shape, type.getElementType());
  unsigned bits = type.getElementTypeBitWidth();
  if (bits > 1) {
    // Dense storage keeps each element in whole bytes.
    size_t elementBytes = llvm::divideCeil(bits, 8);
    std::vector<char> buffer;
    buffer.reserve(layers.size() * type.getNumElements() * elementBytes);
    for (DenseElementsAttr layer : layers) {
      ArrayRef<char> raw = layer.getRawData();
      if (layer.isSplat())
        for (int64_t e = 0; e < type.getNumElements(); ++e)
          buffer.insert(buffer.end(), raw.begin(), raw.begin() + elementBytes);
      else
        buffer.insert(buffer.end(), raw.begin(), raw.end());
    }
    return DenseElementsAttr::getFromRawBuffer(stacked, buffer);
  }
  SmallVector<Attribute> values;
  for (DenseElementsAttr layer : layers)
    llvm::append_range(values, layer.getValues<Attribute>());
  return DenseElementsAttr::get(stacked, values);
}

/// Builds the stacked constant of per-layer constants (arith or mx), or
/// returns null when their kind cannot be stacked.
Value buildStack(OpBuilder &b, Location loc, ArrayRef<Operation *> layers) {
  if (auto mxType = dyn_cast<MXTensorType>(layers.front()->getResult(0).getType())) {
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
    auto type = MXTensorType::get(shape, mxType.getFormat(), mxType.getAxis() + 1);
    return ConstantOp::create(b, loc, type,
                              cast<DenseIntElementsAttr>(stack(scales)),
                              cast<DenseIntElementsAttr>(stack(codes)),
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
  return arith::ConstantOp::create(b, loc, stack(values));
}

struct LoopSummary {
  std::string firstOp;
  unsigned layers, opsPerLayer, stacked, shared, carried;
  std::string stop;
  int64_t extraBits = 0;
};

/// Rewrites one chain into an scf.for; returns false (IR untouched) when a
/// weight cannot be stacked.
FailureOr<LoopSummary> buildLoop(const Chain &c, ArrayRef<Operation *> ops,
                                 int64_t extraBits) {
  Operation *first = ops[c.start];
  unsigned L = c.length, K = c.count;
  auto layerOp = [&](unsigned i, unsigned j) { return ops[c.start + i * L + j]; };

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
    layerOp(K - 1, slot.position)->getResult(slot.result).replaceAllUsesWith(result);
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
  remark << "kernel loop: " << K << " layers x " << L
                     << " ops (first: '" << summary.firstOp << "'), "
                     << stacked << " weights stacked, " << shared
                     << " constants shared, " << summary.carried
                     << " value(s) carried; a longer chain stopped because "
                     << c.stop;
  return summary;
}

struct MXKernelLoopPass
    : public mase::mx::impl::MXKernelLoopBase<MXKernelLoopPass> {
  using MXKernelLoopBase::MXKernelLoopBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (policy != "split" && policy != "unify") {
      func.emitError() << "mx-kernel-loop: unknown policy '" << policy
                       << "' (expected split or unify)";
      return signalPassFailure();
    }
    if (!func.getBody().hasOneBlock())
      return;
    Block &block = func.getBody().front();
    ChainFinder finder(block, policy == "unify", minOps);
    std::string why;
    SmallVector<Chain> chains = finder.findChains(std::max(2u, minLayers.getValue()), why);
    SmallVector<Operation *> ops(finder.getOps());

    llvm::json::Array loops;
    for (Chain &c : chains) {
      int64_t extraBits =
          policy == "unify" ? widenChain(c, ops, c.inits) : 0;
      FailureOr<LoopSummary> summary = buildLoop(c, ops, extraBits);
      if (failed(summary)) {
        ops[c.start]->emitRemark("mx-kernel-loop: a weight of this chain "
                                 "cannot be stacked; left unrolled");
        continue;
      }
      loops.push_back(llvm::json::Object{
          {"function", func.getSymName()},
          {"first_op", summary->firstOp},
          {"layers", summary->layers},
          {"ops_per_layer", summary->opsPerLayer},
          {"weights_stacked", summary->stacked},
          {"constants_shared", summary->shared},
          {"carried", summary->carried},
          {"stopped_by", summary->stop},
          {"extra_weight_bits", summary->extraBits}});
    }
    if (chains.empty())
      func.emitRemark() << "mx-kernel-loop: no chain of identical layers in '"
                        << func.getSymName() << "'"
                        << (why.empty() ? "" : "; closest: " + why);

    // Constants only the chains read are now dead.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block)))
      if (isConstant(&op) && op.use_empty())
        op.erase();

    if (!reportPath.empty())
      writeReport(func, std::move(loops));
  }

  void writeReport(func::FuncOp func, llvm::json::Array loops) {
    std::error_code ec;
    llvm::raw_fd_ostream os(reportPath, ec, llvm::sys::fs::OF_Text);
    if (ec) {
      func.emitError() << "mx-kernel-loop: cannot write report '"
                       << reportPath << "': " << ec.message();
      return signalPassFailure();
    }
    os << llvm::formatv("{0:2}", llvm::json::Value(llvm::json::Object{
                                     {"loops", std::move(loops)}}))
       << "\n";
  }
};
} // namespace
