//===- ViewLowering.cpp - data movement between MX values -> mxhw views ---===//
//
// After precision assignment, shape ops (reshape, transpose, slice, concat,
// broadcast) and neg between mx.dequantize ops and an mx.quantize move data
// and compute nothing: such an island becomes one mxhw.view (every output
// block is one source block, same format: blocks move, nothing rounds) or one
// mxhw.reblock (output blocks gather elements of several source blocks, or
// the format changes: the exact values are quantized again). MX-typed shape
// ops, an MX neg and mx.cast are islands of one op. The element map is built
// from the island's root backwards: each op composes its map (output
// coordinates -> operand coordinates) after the map so far; a concat splits
// the piece along the concatenated axis.
//
// Islands whose sources are all constants are folded before anything else:
// the hardware then reads the result as a constant.
//
//===----------------------------------------------------------------------===//

#include "Units.h"

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MXHW/ElementMap.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mase;
using mx::MXTensorType;

namespace {

/// Ops that move data: with f32 results they sit inside an island, with an
/// MX result they are an island of their own.
bool isMovement(Operation *op) {
  return isa<mx::ReshapeOp, mx::TransposeOp, mx::SliceOp, mx::ConcatOp,
             mx::BroadcastOp, mx::NegOp>(op);
}

bool hasMXResult(Operation *op) {
  return op->getNumResults() == 1 && isa<MXTensorType>(op->getResult(0).getType());
}

ArrayRef<int64_t> shapeOf(Value v) { return *mx::getStaticShape(v.getType()); }

/// The element map of an island: output coordinates -> the sources.
struct Island {
  SmallVector<mxhw::Piece> pieces;
  SmallVector<Value> sources;
  bool constantSources = false; // some source is a constant
  bool computedSources = false; // some source is computed (a stream)
};

/// The element map of the island rooted at `root` (an mx.quantize, mx.cast or
/// MX-typed data movement op). Diagnostics only when `report`.
FailureOr<Island> buildIsland(Operation *root, bool report) {
  MLIRContext *ctx = root->getContext();
  auto fail = [&](Operation *at, const Twine &message) -> FailureOr<Island> {
    if (report)
      at->emitError() << message;
    return failure();
  };
  if (auto q = dyn_cast<mx::QuantizeOp>(root); q && q.getRounding() != mx::RoundingMode::Even)
    return fail(root, "the hardware rounds half to even, not with rounding = nearest");
  if (auto c = dyn_cast<mx::CastOp>(root); c && c.getRounding() != mx::RoundingMode::Even)
    return fail(root, "the hardware rounds half to even, not with rounding = nearest");

  auto emitAtRoot = [&] { return root->emitError(); };
  if (failed(mxhw::tableSize(
          shapeOf(root->getResult(0)),
          report ? function_ref<InFlightDiagnostic()>(emitAtRoot) : nullptr)))
    return failure();
  Island island;
  auto sourceIndex = [&](Value v) -> unsigned {
    for (auto [i, s] : llvm::enumerate(island.sources))
      if (s == v)
        return i;
    island.sources.push_back(v);
    return island.sources.size() - 1;
  };
  struct Item {
    mxhw::Piece piece;
    Value value; // the piece's map reads this value's coordinates
    bool enter;  // step into the value's defining op even if it is MX
  };
  Value start = isa<mx::QuantizeOp, mx::CastOp>(root) ? root->getOperand(0)
                                                      : root->getResult(0);
  SmallVector<Item> worklist{
      {mxhw::Piece::whole(ctx, shapeOf(start)), start, !isa<mx::QuantizeOp,
                                                            mx::CastOp>(root)}};
  while (!worklist.empty()) {
    Item item = worklist.pop_back_val();
    Value v = item.value;
    Operation *def = v.getDefiningOp();
    auto leaf = [&](bool constant) {
      (constant ? island.constantSources : island.computedSources) = true;
      item.piece.source = sourceIndex(v);
      island.pieces.push_back(item.piece);
    };
    if (isa<MXTensorType>(v.getType()) && !item.enter) {
      leaf(isa_and_nonnull<mx::ConstantOp>(def));
      continue;
    }
    if (!def) {
      auto arg = cast<BlockArgument>(v);
      return fail(root, "the data comes from argument #" + Twine(arg.getArgNumber()) +
                            ", which is not an MX tensor: the hardware has no floats");
    }
    for (int64_t d : shapeOf(v))
      if (d < 1)
        return fail(def, "a zero-size tensor cannot move through the hardware");
    mxhw::Piece &piece = item.piece;
    LogicalResult step =
        TypeSwitch<Operation *, LogicalResult>(def)
            .Case([&](mx::DequantizeOp op) {
              worklist.push_back({piece, op.getInput(), false});
              return success();
            })
            .Case([&](mx::ReshapeOp op) {
              piece.readThrough(mxhw::reshapeMap(ctx, shapeOf(op), shapeOf(op.getInput())));
              worklist.push_back({piece, op.getInput(), false});
              return success();
            })
            .Case([&](mx::TransposeOp op) {
              piece.readThrough(mxhw::transposeMap(ctx, op.getPermutation()));
              worklist.push_back({piece, op.getInput(), false});
              return success();
            })
            .Case([&](mx::SliceOp op) {
              piece.readThrough(mxhw::sliceMap(ctx, op.getOffsets(), op.getStrides()));
              worklist.push_back({piece, op.getInput(), false});
              return success();
            })
            .Case([&](mx::BroadcastOp op) {
              piece.readThrough(
                  mxhw::broadcastMap(ctx, shapeOf(op), shapeOf(op.getInput())));
              worklist.push_back({piece, op.getInput(), false});
              return success();
            })
            .Case([&](mx::NegOp op) {
              piece.negate = !piece.negate;
              worklist.push_back({piece, op.getInput(), false});
              return success();
            })
            .Case([&](mx::ConcatOp op) -> LogicalResult {
              int64_t axis = op.getAxis();
              AffineExpr coord = piece.map.getResult(axis);
              auto shifted = mxhw::asShiftedDim(coord);
              auto constant = dyn_cast<AffineConstantExpr>(coord);
              if (!shifted && !constant) {
                // A flattened axis (`d mod period`): cut the piece where the
                // concatenated coordinate becomes affine, then split those.
                SmallVector<mxhw::Piece> parts = mxhw::splitAtPeriod(piece, coord);
                if (parts.size() > 1) {
                  for (mxhw::Piece &part : parts)
                    worklist.push_back({part, v, item.enter});
                  return success();
                }
                std::string text;
                llvm::raw_string_ostream(text) << coord;
                if (report)
                  op.emitError() << "the concatenated axis " << axis
                                 << " reaches the output as " << text
                                 << ": a view splits a concatenation only "
                                    "along one output axis";
                return failure();
              }
              int64_t lo = 0;
              for (Value input : op.getInputs()) {
                int64_t hi = lo + shapeOf(input)[axis];
                mxhw::Piece part = piece;
                SmallVector<AffineExpr> results(part.map.getResults());
                if (constant) {
                  int64_t c = constant.getValue();
                  if (c >= lo && c < hi) {
                    results[axis] = getAffineConstantExpr(c - lo, ctx);
                    part.map = AffineMap::get(part.map.getNumDims(), 0, results, ctx);
                    worklist.push_back({part, input, false});
                  }
                } else {
                  auto [dim, shift] = *shifted;
                  int64_t from = std::max(piece.offsets[dim], lo - shift);
                  int64_t to = std::min(piece.offsets[dim] + piece.sizes[dim], hi - shift);
                  if (from < to) {
                    part.offsets[dim] = from;
                    part.sizes[dim] = to - from;
                    results[axis] = coord - lo;
                    part.map = mxhw::simplifyOverBox(
                        AffineMap::get(part.map.getNumDims(), 0, results, ctx),
                        part.offsets, part.sizes);
                    worklist.push_back({part, input, false});
                  }
                }
                lo = hi;
              }
              return success();
            })
            .Case([&](arith::ConstantOp op) -> LogicalResult {
              if (!isa<DenseElementsAttr>(op.getValue()))
                return failure();
              leaf(true);
              return success();
            })
            .Default([&](Operation *) { return failure(); });
    if (failed(step)) {
      if (report && !isa<mx::ConcatOp>(def))
        def->emitError() << "'" << def->getName()
                         << "' computes data that a view moves into the "
                            "hardware; only reshape, transpose, slice, concat, "
                            "broadcast and neg can sit between a dequantize "
                            "and a quantize";
      return failure();
    }
  }
  if (island.constantSources && island.computedSources)
    return fail(root, "a view mixes constants and computed values; the hardware "
                      "streams only computed values through views");
  // Deterministic order of the pieces (by their box) and of the sources (as
  // the output first reads them: a concatenation's in operand order).
  llvm::sort(island.pieces, [](const mxhw::Piece &a, const mxhw::Piece &b) {
    return a.offsets < b.offsets;
  });
  SmallVector<int> renumber(island.sources.size(), -1);
  SmallVector<Value> sources;
  for (mxhw::Piece &piece : island.pieces) {
    if (renumber[piece.source] < 0) {
      renumber[piece.source] = sources.size();
      sources.push_back(island.sources[piece.source]);
    }
    piece.source = renumber[piece.source];
  }
  island.sources = std::move(sources);
  return island;
}

/// The float32 values of a constant source.
DenseElementsAttr constantValues(Value v) {
  if (auto c = v.getDefiningOp<mx::ConstantOp>())
    return mx::dequantizeConstant(c);
  return cast<DenseElementsAttr>(v.getDefiningOp<arith::ConstantOp>().getValue());
}

/// Folds an island of constants into a constant of the root's type.
void foldIsland(Operation *root, const Island &island) {
  SmallVector<SmallVector<float>> data;
  SmallVector<SmallVector<int64_t>> shapes;
  for (Value s : island.sources) {
    DenseElementsAttr values = constantValues(s);
    data.push_back(llvm::to_vector(values.getValues<float>()));
    shapes.emplace_back(shapeOf(s));
  }
  Value start = isa<mx::QuantizeOp, mx::CastOp>(root) ? root->getOperand(0)
                                                      : root->getResult(0);
  ArrayRef<int64_t> shape = shapeOf(start);
  FailureOr<mxhw::ElementTable> table = mxhw::evaluatePieces(
      island.pieces, shape, shapes, [&] { return root->emitError(); });
  assert(succeeded(table) && "maps built by buildIsland stay in bounds");
  SmallVector<float> out;
  for (auto [s, i, neg] : llvm::zip(table->source, table->index, table->negate))
    out.push_back(neg ? -data[s][i] : data[s][i]);
  OpBuilder builder(root);
  MLIRContext *ctx = root->getContext();
  auto f32 = RankedTensorType::get(shape, Float32Type::get(ctx));
  Value values = arith::ConstantOp::create(builder, root->getLoc(), f32,
                                           DenseElementsAttr::get(f32, ArrayRef<float>(out)));
  auto type = cast<MXTensorType>(root->getResult(0).getType());
  Value folded = builder.createOrFold<mx::QuantizeOp>(
      root->getLoc(), type, values, mx::RoundingMode::Even,
      root->getAttrOfType<StringAttr>("name"));
  root->getResult(0).replaceAllUsesWith(folded);
}

/// The name of a view: its root's, else the op that feeds its quantize.
StringAttr viewName(Operation *root) {
  if (auto name = root->getAttrOfType<StringAttr>("name"))
    return name;
  if (auto q = dyn_cast<mx::QuantizeOp>(root))
    if (Operation *def = q.getInput().getDefiningOp())
      return def->getAttrOfType<StringAttr>("name");
  return {};
}

template <typename OpT>
struct ViewRootLowering : public OpConversionPattern<OpT> {
  using OpConversionPattern<OpT>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpT op, typename OpT::Adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!mxhw::isViewRoot(op))
      return failure();
    FailureOr<Island> island = buildIsland(op, /*report=*/false);
    if (failed(island))
      return failure();
    SmallVector<Value> streams;
    SmallVector<MXTensorType> tensors;
    for (Value s : island->sources) {
      streams.push_back(rewriter.getRemappedValue(s));
      tensors.push_back(cast<MXTensorType>(s.getType()));
    }
    auto out = cast<MXTensorType>(op.getType());
    SmallVector<Attribute> pieces;
    for (const mxhw::Piece &piece : island->pieces)
      pieces.push_back(piece.toAttr(op.getContext()));
    SmallVector<SmallVector<int64_t>> shapes;
    for (MXTensorType t : tensors)
      shapes.emplace_back(t.getShape());
    FailureOr<mxhw::ElementTable> table = mxhw::evaluatePieces(
        island->pieces, out.getShape(), shapes, [&] { return op.emitError(); });
    if (failed(table))
      return failure();
    int64_t bad = 0;
    bool moves = llvm::all_of(tensors, [&](MXTensorType t) {
                   return t.getFormat() == out.getFormat();
                 }) && mxhw::isBlockMovement(*table, out, tensors, bad);
    Type type = this->getTypeConverter()->convertType(out);
    ArrayAttr piecesAttr = rewriter.getArrayAttr(pieces);
    if (moves)
      rewriter.replaceOpWithNewOp<mxhw::ViewOp>(op, type, streams, piecesAttr,
                                                viewName(op));
    else
      rewriter.replaceOpWithNewOp<mxhw::ReblockOp>(op, type, streams, piecesAttr,
                                                   viewName(op));
    return success();
  }
};

} // namespace

bool mxhw::isViewRoot(Operation *op) {
  if (isa<mx::QuantizeOp, mx::CastOp>(op))
    return true;
  return isMovement(op) && hasMXResult(op);
}

bool mxhw::isViewInterior(Operation *op) {
  return isa<mx::DequantizeOp>(op) || (isMovement(op) && !hasMXResult(op));
}

LogicalResult mxhw::checkView(Operation *root) {
  return success(succeeded(buildIsland(root, /*report=*/true)));
}

void mxhw::foldConstantViews(func::FuncOp func) {
  SmallVector<Operation *> roots;
  func.walk([&](Operation *op) {
    if (isViewRoot(op))
      roots.push_back(op);
  });
  for (Operation *root : roots) {
    FailureOr<Island> island = buildIsland(root, /*report=*/false);
    if (succeeded(island) && island->constantSources && !island->computedSources)
      foldIsland(root, *island);
  }
  eraseDeadViewInteriors(func);
}

void mxhw::eraseDeadViewInteriors(func::FuncOp func) {
  // Users before producers: one backwards sweep frees whole chains.
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (isViewInterior(op) || isViewRoot(op) ||
        isa<mx::ConstantOp, arith::ConstantOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : llvm::reverse(ops))
    if (op->use_empty())
      op->erase();
}

void mxhw::addViewLegality(ConversionTarget &target) {
  // Island interiors stay until their views replace the island roots; they
  // are then dead and erased.
  target.addDynamicallyLegalOp<mx::DequantizeOp, mx::ReshapeOp, mx::TransposeOp,
                               mx::SliceOp, mx::ConcatOp, mx::BroadcastOp, mx::NegOp>(
      [](Operation *op) { return isViewInterior(op); });
  target.addLegalOp<arith::ConstantOp>();
}

void mxhw::populateViewLowering(TypeConverter &converter,
                                RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ViewRootLowering<mx::QuantizeOp>, ViewRootLowering<mx::CastOp>,
               ViewRootLowering<mx::ReshapeOp>, ViewRootLowering<mx::TransposeOp>,
               ViewRootLowering<mx::SliceOp>, ViewRootLowering<mx::ConcatOp>,
               ViewRootLowering<mx::BroadcastOp>, ViewRootLowering<mx::NegOp>>(
      converter, ctx);
}

Value mxhw::transposedRhs(OpBuilder &builder, Location loc, Value stream,
                          StringAttr name) {
  MXTensorType t = cast<StreamType>(stream.getType()).getTensor();
  SmallVector<int64_t> shape(t.getShape());
  size_t r = shape.size();
  std::swap(shape[r - 2], shape[r - 1]);
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, r));
  std::swap(perm[r - 2], perm[r - 1]);
  MLIRContext *ctx = builder.getContext();
  Piece piece = Piece::whole(ctx, shape);
  piece.map = transposeMap(ctx, perm);
  auto type = StreamType::get(MXTensorType::get(ctx, shape, t.getFormat(), r - 1));
  return ViewOp::create(builder, loc, type, ValueRange{stream},
                        builder.getArrayAttr({piece.toAttr(ctx)}), name);
}
