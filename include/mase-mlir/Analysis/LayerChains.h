//===- LayerChains.h - chains of structurally identical layers --*- C++ -*-===//
//
// The analysis behind mx-kernel-loop: in one block, the chains of at least
// two structurally identical layers (same ops, attributes, types and formats;
// only weight constants differ) in which layer i+1 consumes layer i's output.
// Found without relying on names.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_ANALYSIS_LAYERCHAINS_H
#define MASE_MLIR_ANALYSIS_LAYERCHAINS_H

#include "mlir/IR/Block.h"
#include "llvm/ADT/SmallVector.h"

#include <string>

namespace mase::mx {

/// A value carried from one layer to the next: result `result` of the op at
/// `position` of the layer.
struct CarrySlot {
  unsigned position;
  unsigned result;
  bool operator==(const CarrySlot &o) const {
    return position == o.position && result == o.result;
  }
};

/// `count` consecutive layers of `length` ops each, starting at op `start`
/// of the analysed ops (LayerChains::getOps).
struct LayerChain {
  unsigned start = 0, length = 0, count = 0;
  /// The values carried from each layer into the next.
  llvm::SmallVector<CarrySlot> slots;
  /// The values carried into the first layer, one per slot.
  llvm::SmallVector<mlir::Value> inits;
  /// What stopped a longer chain.
  std::string stop;
};

struct LayerChainOptions {
  /// Treat MXInt types that differ only in element width as the same
  /// (mx-kernel-loop's `unify` policy widens them afterwards).
  bool unify = false;
  /// Fewest ops a layer must have.
  unsigned minOps = 2;
  /// Shortest chain worth reporting.
  unsigned minLayers = 2;
};

/// The maximal, non-overlapping chains of identical layers over the
/// non-constant ops of a block, in program order.
class LayerChains {
public:
  LayerChains(mlir::Block &block, LayerChainOptions options);

  /// The chains found.
  llvm::ArrayRef<LayerChain> getChains() const { return chains; }
  /// The non-constant ops of the block (chains index into them).
  llvm::ArrayRef<mlir::Operation *> getOps() const { return ops; }
  /// Why the closest candidate failed, when no chain was found.
  llvm::StringRef getClosestFailure() const { return closest; }

private:
  llvm::SmallVector<mlir::Operation *> ops;
  llvm::SmallVector<LayerChain> chains;
  std::string closest;
};

/// Whether `op` is a constant (dense or MX): the weights a chain may stack.
bool isConstant(mlir::Operation *op);

/// The value of a constant op: a dense attribute, or [scales, codes] for MX.
mlir::Attribute constantValue(mlir::Operation *op);

/// Whether two MX types count as one position under `unify`: MXInt formats
/// that differ only in element width, same shape and blocked axis.
bool unifiable(mlir::Type a, mlir::Type b);

} // namespace mase::mx

#endif // MASE_MLIR_ANALYSIS_LAYERCHAINS_H
