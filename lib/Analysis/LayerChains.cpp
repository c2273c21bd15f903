//===- LayerChains.cpp - chains of structurally identical layers ----------===//
//
// Tries, at each op, every candidate layer length (period) whose first op
// repeats; a candidate grows while the next layer is the same computation
// (same ops, attributes, result types, internal wiring; constants of the
// same type; values from outside either shared by every layer or carried
// from the previous layer's output) and then shrinks to the layers whose
// values do not escape.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Analysis/LayerChains.h"
#include "mase-mlir/Dialect/MX/MXOps.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mase::mx;

bool mase::mx::isConstant(Operation *op) {
  return op && op->hasTrait<mlir::OpTrait::ConstantLike>();
}

Attribute mase::mx::constantValue(Operation *op) {
  SmallVector<OpFoldResult> folded;
  if (failed(op->fold(folded)) || folded.size() != 1)
    return {};
  return dyn_cast<Attribute>(folded.front());
}

bool mase::mx::unifiable(Type a, Type b) {
  auto x = dyn_cast<MXTensorType>(a), y = dyn_cast<MXTensorType>(b);
  if (!x || !y || x.getShape() != y.getShape() || x.getAxis() != y.getAxis())
    return false;
  FormatAttr f = x.getFormat(), g = y.getFormat();
  return f.isInt() && g.isInt() && f.getScaleBits() == g.getScaleBits() &&
         f.getBlockSize() == g.getBlockSize();
}

namespace {

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

  SmallVector<LayerChain> findChains(unsigned minLayers, std::string &why) {
    SmallVector<LayerChain> chains;
    unsigned n = ops.size();
    for (unsigned s = 0; s < n;) {
      LayerChain best = bestChainAt(s);
      if (best.count >= minLayers) {
        // A short chain may hide a longer one starting a little later (two
        // equal adds before the first layer): look ahead over the ops the
        // short chain covers and keep the chain covering most ops.
        unsigned covered = best.count * best.length;
        unsigned horizon = std::min(s + covered, s + kLookAhead);
        for (unsigned t = s + 1; t < horizon; ++t) {
          LayerChain other = bestChainAt(t);
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
  LayerChain bestChainAt(unsigned s) {
    LayerChain best, lastFailure;
    best.start = lastFailure.start = s;
    unsigned n = ops.size();
    for (unsigned t = s + minOps; t < n && 2 * (t - s) + s <= n; ++t) {
      if (ops[t]->getName() != ops[s]->getName())
        continue;
      LayerChain c = chainOf(s, t - s);
      if (c.count < 2)
        lastFailure = std::move(c);
      else if (best.count < 2 || c.count * c.length > best.count * best.length)
        best = std::move(c);
    }
    return best.count >= 2 ? best : lastFailure;
  }

  /// How many consecutive identical layers of `length` ops start at `s`.
  LayerChain chainOf(unsigned s, unsigned length) {
    LayerChain c;
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
        a->getNumResults() != b->getNumResults() || a->getNumRegions() != 0 ||
        b->getNumRegions() != 0) {
      why = describe(a) + " and " + describe(b) + " differ in structure";
      return false;
    }
    bool typesMatch =
        a->getResultTypes() == b->getResultTypes() ||
        (unify && llvm::all_of_zip(a->getResultTypes(), b->getResultTypes(),
                                   [&](Type x, Type y) {
                                     return x == y || unifiable(x, y);
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
  SmallVector<Value> inputsOf(const LayerChain &c, unsigned i) const {
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
  bool samePair(LayerChain &c, unsigned i, std::string &why) {
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
  bool escapes(const LayerChain &c, unsigned i, bool last,
               std::string &why) const {
    unsigned a0 = c.start + i * c.length;
    bool isLast = last || i + 1 == c.count;
    for (unsigned j = 0; j < c.length; ++j) {
      Operation *op = ops[a0 + j];
      for (OpResult result : op->getResults()) {
        bool carried =
            llvm::is_contained(c.slots, CarrySlot{j, result.getResultNumber()});
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

} // namespace

LayerChains::LayerChains(Block &block, LayerChainOptions options) {
  ChainFinder finder(block, options.unify, options.minOps);
  chains = finder.findChains(std::max(2u, options.minLayers), closest);
  ops.assign(finder.getOps().begin(), finder.getOps().end());
}
