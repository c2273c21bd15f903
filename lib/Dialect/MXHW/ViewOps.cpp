//===- ViewOps.cpp - mxhw data movement: view and reblock -----------------===//
//
// The piece attribute, the verifiers of mxhw.view and mxhw.reblock (the
// pieces tile the output, read inside their sources; a view moves whole
// blocks) and their canonicalizations: a view or reblock reading a view reads
// its source directly (one composed map), and a batch_matmul whose rhs view
// repeats its batches reads each rhs batch once for the result batches that
// share it.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MXHW/ElementMap.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mase;
using namespace mase::mxhw;
using mx::formatShape;
using mx::MXTensorType;

#define GET_ATTRDEF_CLASSES
#include "MXHW/MXHWAttrs.cpp.inc"

void MXHWDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "MXHW/MXHWAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// #mxhw.piece
//===----------------------------------------------------------------------===//

Attribute PieceAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  unsigned source = 0;
  SmallVector<int64_t> offsets, sizes;
  AffineMap map;
  bool negate = false;
  auto list = [&](SmallVectorImpl<int64_t> &out) {
    return parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
      int64_t v;
      if (parser.parseInteger(v))
        return failure();
      out.push_back(v);
      return success();
    });
  };
  if (parser.parseLess() || parser.parseKeyword("src") ||
      parser.parseInteger(source) || parser.parseComma() ||
      parser.parseKeyword("offsets") || list(offsets) || parser.parseComma() ||
      parser.parseKeyword("sizes") || list(sizes) || parser.parseComma() ||
      parser.parseKeyword("map") || parser.parseAffineMap(map))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("negate"))
      return {};
    negate = true;
  }
  if (parser.parseGreater())
    return {};
  return PieceAttr::getChecked([&] { return parser.emitError(loc); },
                               parser.getContext(), source, ArrayRef<int64_t>(offsets),
                               ArrayRef<int64_t>(sizes), map, negate);
}

void PieceAttr::print(AsmPrinter &printer) const {
  raw_ostream &os = printer.getStream();
  os << "<src " << getSource() << ", offsets [";
  llvm::interleaveComma(getOffsets(), os);
  os << "], sizes [";
  llvm::interleaveComma(getSizes(), os);
  os << "], map " << getMap();
  if (getNegate())
    os << ", negate";
  os << ">";
}

LogicalResult PieceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                unsigned, ArrayRef<int64_t> offsets,
                                ArrayRef<int64_t> sizes, AffineMap map, bool) {
  if (offsets.size() != sizes.size())
    return emitError() << "a piece needs as many offsets (" << offsets.size()
                       << ") as sizes (" << sizes.size() << ")";
  if (!map || map.getNumDims() != sizes.size() || map.getNumSymbols() != 0)
    return emitError() << "a piece's map takes the " << sizes.size()
                       << " output coordinates and no symbols";
  for (auto [o, s] : llvm::zip(offsets, sizes))
    if (o < 0 || s < 1)
      return emitError() << "a piece needs offsets >= 0 and sizes >= 1";
  return success();
}

int64_t PieceAttr::getNumElements() const {
  int64_t n = 1;
  for (int64_t s : getSizes())
    n *= s;
  return n;
}

//===----------------------------------------------------------------------===//
// Verification and evaluation
//===----------------------------------------------------------------------===//

namespace {

/// What mxhw.view and mxhw.reblock share.
struct MapOpParts {
  Operation *op;
  SmallVector<MXTensorType> sources;
  MXTensorType output;
  SmallVector<Piece> pieces;

  template <typename OpT>
  static MapOpParts of(OpT op) {
    MapOpParts parts{op.getOperation(), {}, op.getOutput().getType().getTensor(), {}};
    for (Value source : op.getSources())
      parts.sources.push_back(cast<StreamType>(source.getType()).getTensor());
    for (Attribute piece : op.getPieces())
      parts.pieces.push_back(Piece::fromAttr(cast<PieceAttr>(piece)));
    return parts;
  }

  FailureOr<ElementTable> evaluate() const {
    SmallVector<SmallVector<int64_t>> shapes;
    for (MXTensorType s : sources)
      shapes.emplace_back(s.getShape());
    return evaluatePieces(pieces, output.getShape(), shapes,
                          [&] { return op->emitOpError(); });
  }

  LogicalResult verify(bool isView) const {
    if (pieces.empty())
      return op->emitOpError("needs at least one piece");
    for (auto [i, piece] : llvm::enumerate(pieces)) {
      if (piece.source >= sources.size())
        return op->emitOpError() << "piece #" << i << " reads source #"
                                 << piece.source << " of " << sources.size();
      if (piece.sizes.size() != size_t(output.getRank()))
        return op->emitOpError() << "piece #" << i << " has rank "
                                 << piece.sizes.size() << ", the output "
                                 << output.getRank();
      if (piece.map.getNumResults() != sources[piece.source].getRank())
        return op->emitOpError()
               << "piece #" << i << " maps to " << piece.map.getNumResults()
               << " coordinates, source #" << piece.source << " has rank "
               << sources[piece.source].getRank();
      for (auto [d, pair] : llvm::enumerate(llvm::zip(piece.offsets, piece.sizes)))
        if (std::get<0>(pair) + std::get<1>(pair) > output.getShape()[d])
          return op->emitOpError()
                 << "piece #" << i << " runs past the output along axis " << d
                 << " (" << formatShape(output.getShape()) << ")";
    }
    FailureOr<ElementTable> table = evaluate();
    if (failed(table))
      return failure();
    if (!isView)
      return success();
    for (auto [i, s] : llvm::enumerate(sources))
      if (s.getFormat() != output.getFormat())
        return op->emitOpError()
               << "moves blocks without rounding: source #" << i << " is "
               << s.getFormat().str() << " but the output is "
               << output.getFormat().str() << " (a change of format is an "
               << "mxhw.reblock)";
    int64_t bad = 0;
    if (!isBlockMovement(*table, output, sources, bad)) {
      SmallVector<int64_t> grid = output.getScaleShape();
      SmallVector<int64_t> point;
      for (auto [s, d] : llvm::zip(rowMajorStrides(grid), grid))
        point.push_back((bad / s) % d);
      InFlightDiagnostic diag = op->emitOpError();
      diag << "output block (";
      llvm::interleaveComma(point, diag);
      return diag << ") of the block grid " << formatShape(grid)
                  << " is not one source block: its elements come from "
                     "several blocks (an mxhw.reblock re-quantizes them)";
    }
    return success();
  }
};

} // namespace

LogicalResult ViewOp::verify() { return MapOpParts::of(*this).verify(true); }
LogicalResult ReblockOp::verify() { return MapOpParts::of(*this).verify(false); }

FailureOr<StreamTable> mxhw::getStreamTable(Operation *op) {
  MapOpParts parts = isa<ViewOp>(op) ? MapOpParts::of(cast<ViewOp>(op))
                                     : MapOpParts::of(cast<ReblockOp>(op));
  FailureOr<ElementTable> table = parts.evaluate();
  if (failed(table))
    return failure();
  return streamTable(*table, parts.output, parts.sources);
}

OpFoldResult ViewOp::fold(FoldAdaptor) {
  // The identity view of a stream onto its own type is the stream.
  if (getSources().size() != 1 || getPieces().size() != 1 ||
      getSources().front().getType() != getType())
    return {};
  auto piece = cast<PieceAttr>(getPieces()[0]);
  if (piece.getNegate() || !piece.getMap().isIdentity())
    return {};
  return getSources().front();
}

//===----------------------------------------------------------------------===//
// Canonicalization
//===----------------------------------------------------------------------===//

/// The one piece of a single-source view or reblock covering its output, or
/// null.
static std::optional<Piece> onlyPiece(Operation *op) {
  if (!isa_and_nonnull<ViewOp, ReblockOp>(op) || op->getNumOperands() != 1)
    return std::nullopt;
  auto pieces = op->getAttrOfType<ArrayAttr>("pieces");
  if (pieces.size() != 1)
    return std::nullopt;
  return Piece::fromAttr(cast<PieceAttr>(pieces[0]));
}

namespace {

/// A view or reblock reading a single-piece view reads the view's source
/// through the composed map; a view reading a single-piece reblock becomes
/// that reblock with the composed map (the view moves the reblock's blocks
/// whole: rounding the moved block is moving the rounded block).
template <typename OpT>
struct ComposeWithProducer : public OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op, PatternRewriter &rewriter) const override {
    for (auto [index, source] : llvm::enumerate(op.getSources())) {
      Operation *producer = source.getDefiningOp();
      std::optional<Piece> inner = onlyPiece(producer);
      if (!inner)
        continue;
      bool toReblock = isa<ReblockOp>(producer);
      if (toReblock && (isa<ReblockOp>(op) || op.getSources().size() != 1))
        continue; // rounding twice, or a reblock of several sources
      SmallVector<Value> sources(op.getSources());
      Value replacement = producer->getOperand(0);
      unsigned target = sources.size();
      for (auto [k, s] : llvm::enumerate(sources))
        if (s == replacement)
          target = k;
      if (target == sources.size())
        sources.push_back(replacement);
      SmallVector<Attribute> pieces;
      for (Attribute attr : op.getPieces()) {
        Piece piece = Piece::fromAttr(cast<PieceAttr>(attr));
        if (piece.source == index) {
          piece.readThrough(inner->map);
          piece.negate ^= inner->negate;
          piece.source = target;
        }
        pieces.push_back(piece.toAttr(op.getContext()));
      }
      // Drop the composed source if nothing reads it any more.
      if (llvm::none_of(pieces, [&](Attribute a) {
            return cast<PieceAttr>(a).getSource() == index;
          })) {
        sources.erase(sources.begin() + index);
        for (Attribute &a : pieces) {
          Piece piece = Piece::fromAttr(cast<PieceAttr>(a));
          if (piece.source > index) {
            --piece.source;
            a = piece.toAttr(op.getContext());
          }
        }
      }
      ArrayAttr piecesAttr = rewriter.getArrayAttr(pieces);
      if (toReblock)
        rewriter.replaceOpWithNewOp<ReblockOp>(op, op.getType(), sources, piecesAttr,
                                               op.getNameAttr());
      else
        rewriter.replaceOpWithNewOp<OpT>(op, op.getType(), sources, piecesAttr,
                                         op.getNameAttr());
      return success();
    }
    return failure();
  }
};

/// A batch_matmul whose rhs is a single-piece view (or reblock) that repeats
/// each of its batches for G consecutive result batches (grouped-query
/// attention's shared key and value heads, numpy broadcasting of trailing
/// batch dimensions) reads every rhs batch once: the view produces R / G
/// batches, the unit serves each to G result batches.
struct GroupMatmulRhs : public OpRewritePattern<BatchMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Operation *producer = op.getRhs().getDefiningOp();
    std::optional<Piece> piece = onlyPiece(producer);
    if (!piece)
      return failure();
    MXTensorType rhs = op.getRhs().getType().getTensor();
    ArrayRef<int64_t> shape = rhs.getShape();
    size_t rank = shape.size();
    if (rank < 3)
      return failure();
    FailureOr<StreamTable> table = getStreamTable(producer);
    if (failed(table))
      return failure();
    int64_t batches = 1;
    for (int64_t d : shape.drop_back(2))
      batches *= d;
    int64_t per = table->source.size() / batches; // stream entries per batch
    auto sameAsGroupStart = [&](int64_t group) {
      for (int64_t b = 0; b < batches; ++b) {
        int64_t lead = (b / group) * group;
        for (int64_t e = 0; e < per; ++e) {
          int64_t x = b * per + e, y = lead * per + e;
          if (table->block[x] != table->block[y] ||
              table->position[x] != table->position[y] ||
              table->negate[x] != table->negate[y])
            return false;
        }
      }
      return true;
    };
    int64_t group = 1;
    for (int64_t g = batches; g > 1; --g)
      if (batches % g == 0 && sameAsGroupStart(g)) {
        group = g;
        break;
      }
    if (group == 1)
      return failure();
    // The reduced view: [batches / G, N, K], batch b' reads what batch b' * G
    // of the old view read.
    MLIRContext *ctx = op.getContext();
    int64_t kept = batches / group;
    SmallVector<int64_t> newShape{kept, shape[rank - 2], shape[rank - 1]};
    SmallVector<AffineExpr> old;
    AffineExpr first = getAffineDimExpr(0, ctx) * group;
    SmallVector<int64_t> batchShape(shape.drop_back(2));
    SmallVector<int64_t> strides = rowMajorStrides(batchShape);
    for (auto [s, d] : llvm::zip(strides, batchShape))
      old.push_back(first.floorDiv(s) % d);
    old.push_back(getAffineDimExpr(1, ctx));
    old.push_back(getAffineDimExpr(2, ctx));
    Piece reduced;
    reduced.offsets.assign(3, 0);
    reduced.sizes = newShape;
    reduced.map = simplifyOverBox(AffineMap::get(3, 0, old, ctx), reduced.offsets,
                                  reduced.sizes);
    reduced.readThrough(piece->map);
    reduced.negate = piece->negate;
    auto type = StreamType::get(MXTensorType::get(ctx, newShape, rhs.getFormat(), 2));
    ArrayAttr pieces = rewriter.getArrayAttr({reduced.toAttr(ctx)});
    Value source = producer->getOperand(0);
    StringAttr name = producer->getAttrOfType<StringAttr>("name");
    Value view = isa<ViewOp>(producer)
                     ? ViewOp::create(rewriter, producer->getLoc(), type,
                                      ValueRange{source}, pieces, name)
                           .getResult()
                     : ReblockOp::create(rewriter, producer->getLoc(), type,
                                         ValueRange{source}, pieces, name)
                           .getResult();
    rewriter.modifyOpInPlace(op, [&] { op.getRhsMutable().assign(view); });
    return success();
  }
};

} // namespace

void ViewOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *ctx) {
  patterns.add<ComposeWithProducer<ViewOp>>(ctx);
}

void ReblockOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *ctx) {
  patterns.add<ComposeWithProducer<ReblockOp>>(ctx);
}

void BatchMatmulOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *ctx) {
  patterns.add<GroupMatmulRhs>(ctx);
}
