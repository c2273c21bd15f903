//===- ElementMap.h - element maps of mxhw views ----------------*- C++ -*-===//
//
// A view's element map is a list of pieces (#mxhw.piece): boxes of the output
// whose elements read one source through an affine map of the output
// coordinates. Here: the maps of the shape ops, a simplifier that knows the
// ranges of the coordinates, evaluation into a table (one source element per
// output element) and the block structure of a table.
//
//===----------------------------------------------------------------------===//

#ifndef MASE_MLIR_DIALECT_MXHW_ELEMENTMAP_H
#define MASE_MLIR_DIALECT_MXHW_ELEMENTMAP_H

#include "mase-mlir/Dialect/MX/MXTypes.h"
#include "mase-mlir/Dialect/MXHW/MXHWAttrs.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

namespace mase::mxhw {

/// A piece under construction (PieceAttr is its immutable form).
struct Piece {
  unsigned source = 0;
  llvm::SmallVector<int64_t> offsets, sizes;
  mlir::AffineMap map;
  bool negate = false;

  /// The whole of `shape`, read through the identity map.
  static Piece whole(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> shape);
  PieceAttr toAttr(mlir::MLIRContext *ctx) const;
  static Piece fromAttr(PieceAttr attr);
  int64_t getNumElements() const;
  /// Composes `inner` (coordinates of the value the map reads -> coordinates
  /// of the value before it) after the map, simplified over the piece's box.
  void readThrough(mlir::AffineMap inner);
};

/// Output coordinates -> input coordinates of the shape ops (the input is
/// the op's operand).
mlir::AffineMap reshapeMap(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> out,
                           llvm::ArrayRef<int64_t> in);
mlir::AffineMap transposeMap(mlir::MLIRContext *ctx,
                             llvm::ArrayRef<int64_t> permutation);
mlir::AffineMap sliceMap(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> offsets,
                         llvm::ArrayRef<int64_t> strides);
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> out,
                             llvm::ArrayRef<int64_t> in);

/// `map` simplified knowing that dimension i ranges over
/// [offsets[i], offsets[i] + sizes[i]): floordiv and mod of sums whose
/// remainder stays within one period are resolved.
mlir::AffineMap simplifyOverBox(mlir::AffineMap map, llvm::ArrayRef<int64_t> offsets,
                                llvm::ArrayRef<int64_t> sizes);

/// `piece` cut along the dimension d_j of the first `(d_j + c) mod p` or
/// `(d_j + c) floordiv p` in `expr` at the multiples of the period p, each
/// part's map simplified over its box (where such terms become affine); the
/// piece itself when `expr` has no such term.
llvm::SmallVector<Piece> splitAtPeriod(const Piece &piece, mlir::AffineExpr expr);

/// If `expr` is `d_j + c`, returns (j, c).
std::optional<std::pair<unsigned, int64_t>> asShiftedDim(mlir::AffineExpr expr);

/// The value of `expr` at the point `dims`.
int64_t evaluate(mlir::AffineExpr expr, llvm::ArrayRef<int64_t> dims);

/// For each output element (row-major): the source it reads, the row-major
/// index of the element in that source, and whether it is negated.
struct ElementTable {
  llvm::SmallVector<int32_t> source;
  llvm::SmallVector<int64_t> index;
  llvm::SmallVector<uint8_t> negate;
};

/// The entries of an element table over `shape` (the view units built from
/// the tables hold one per element too); fails (through `emitError`, when
/// given) for a shape beyond 2^24 elements.
mlir::FailureOr<int64_t>
tableSize(llvm::ArrayRef<int64_t> shape,
          llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// Evaluates `pieces` over `outShape`. Fails (through `emitError`) when the
/// output is too large for a table (tableSize), a piece reads outside
/// its source or the pieces do not tile the output.
mlir::FailureOr<ElementTable>
evaluatePieces(llvm::ArrayRef<Piece> pieces, llvm::ArrayRef<int64_t> outShape,
               llvm::ArrayRef<llvm::SmallVector<int64_t>> sourceShapes,
               llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

/// The element table in the output's stream order (its blocks row-major over
/// the block grid, the elements of a block along the blocked axis), each
/// element located in its source's stream: the source block (its position in
/// the source's stream) and the element's position in that block.
struct StreamTable {
  llvm::SmallVector<int32_t> source;
  llvm::SmallVector<int64_t> block;
  llvm::SmallVector<int32_t> position;
  llvm::SmallVector<uint8_t> negate;
};

StreamTable streamTable(const ElementTable &table, mx::MXTensorType out,
                        llvm::ArrayRef<mx::MXTensorType> sources);

/// The stream table of an mxhw.view or mxhw.reblock.
mlir::FailureOr<StreamTable> getStreamTable(mlir::Operation *op);

/// Whether every block of `out` (in its blocking) holds exactly the elements
/// of one block of one source (in the source's blocking); otherwise sets
/// `badBlock` to the first output block (row-major in its block grid) that
/// does not.
bool isBlockMovement(const ElementTable &table, mx::MXTensorType out,
                     llvm::ArrayRef<mx::MXTensorType> sources, int64_t &badBlock);

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> rowMajorStrides(llvm::ArrayRef<int64_t> shape);

} // namespace mase::mxhw

#endif // MASE_MLIR_DIALECT_MXHW_ELEMENTMAP_H
