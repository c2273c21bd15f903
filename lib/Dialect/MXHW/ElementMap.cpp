//===- ElementMap.cpp - element maps of mxhw views ------------------------===//

#include "mase-mlir/Dialect/MXHW/ElementMap.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mase;
using namespace mase::mxhw;

SmallVector<int64_t> mxhw::rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

//===----------------------------------------------------------------------===//
// Pieces
//===----------------------------------------------------------------------===//

Piece Piece::whole(MLIRContext *ctx, ArrayRef<int64_t> shape) {
  Piece piece;
  piece.offsets.assign(shape.size(), 0);
  piece.sizes.assign(shape.begin(), shape.end());
  piece.map = AffineMap::getMultiDimIdentityMap(shape.size(), ctx);
  return piece;
}

PieceAttr Piece::toAttr(MLIRContext *ctx) const {
  return PieceAttr::get(ctx, source, ArrayRef<int64_t>(offsets),
                        ArrayRef<int64_t>(sizes), map, negate);
}

Piece Piece::fromAttr(PieceAttr attr) {
  Piece piece;
  piece.source = attr.getSource();
  piece.offsets.assign(attr.getOffsets().begin(), attr.getOffsets().end());
  piece.sizes.assign(attr.getSizes().begin(), attr.getSizes().end());
  piece.map = attr.getMap();
  piece.negate = attr.getNegate();
  return piece;
}

int64_t Piece::getNumElements() const {
  int64_t n = 1;
  for (int64_t s : sizes)
    n *= s;
  return n;
}

void Piece::readThrough(AffineMap inner) {
  map = simplifyOverBox(inner.compose(map), offsets, sizes);
}

//===----------------------------------------------------------------------===//
// Maps of the shape ops (output coordinates -> operand coordinates)
//===----------------------------------------------------------------------===//

AffineMap mxhw::reshapeMap(MLIRContext *ctx, ArrayRef<int64_t> out,
                           ArrayRef<int64_t> in) {
  // Row-major order is kept: pair off groups of dimensions with equal
  // products; within a group the input coordinates are the delinearized
  // linear index of the output coordinates. Unit dimensions read 0.
  SmallVector<AffineExpr> results(in.size(), getAffineConstantExpr(0, ctx));
  size_t i = 0, o = 0;
  while (i < in.size() && o < out.size()) {
    if (in[i] == 1) {
      ++i;
      continue;
    }
    if (out[o] == 1) {
      ++o;
      continue;
    }
    SmallVector<size_t> groupIn{i}, groupOut{o};
    int64_t productIn = in[i++], productOut = out[o++];
    while (productIn != productOut) {
      if (productIn < productOut) {
        groupIn.push_back(i);
        productIn *= in[i++];
      } else {
        groupOut.push_back(o);
        productOut *= out[o++];
      }
    }
    AffineExpr linear = getAffineConstantExpr(0, ctx);
    int64_t stride = 1;
    for (size_t k : llvm::reverse(groupOut)) {
      linear = linear + getAffineDimExpr(k, ctx) * stride;
      stride *= out[k];
    }
    for (size_t k : groupIn) {
      productIn /= in[k];
      AffineExpr coord = linear.floorDiv(productIn);
      if (k != groupIn.front())
        coord = coord % in[k];
      results[k] = coord;
    }
  }
  return AffineMap::get(out.size(), 0, results, ctx);
}

AffineMap mxhw::transposeMap(MLIRContext *ctx, ArrayRef<int64_t> permutation) {
  SmallVector<AffineExpr> results(permutation.size());
  for (auto [i, p] : llvm::enumerate(permutation))
    results[p] = getAffineDimExpr(i, ctx);
  return AffineMap::get(permutation.size(), 0, results, ctx);
}

AffineMap mxhw::sliceMap(MLIRContext *ctx, ArrayRef<int64_t> offsets,
                         ArrayRef<int64_t> strides) {
  SmallVector<AffineExpr> results;
  for (auto [i, pair] : llvm::enumerate(llvm::zip(offsets, strides)))
    results.push_back(getAffineDimExpr(i, ctx) * std::get<1>(pair) +
                      std::get<0>(pair));
  return AffineMap::get(offsets.size(), 0, results, ctx);
}

AffineMap mxhw::broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> out,
                             ArrayRef<int64_t> in) {
  size_t lead = out.size() - in.size();
  SmallVector<AffineExpr> results;
  for (auto [j, size] : llvm::enumerate(in))
    results.push_back(size == 1 ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(j + lead, ctx));
  return AffineMap::get(out.size(), 0, results, ctx);
}

//===----------------------------------------------------------------------===//
// Simplification over a box
//===----------------------------------------------------------------------===//

namespace {

/// Inclusive bounds of an expression.
struct Range {
  int64_t lo, hi;
};

class BoxSimplifier {
public:
  BoxSimplifier(ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes)
      : offsets(offsets), sizes(sizes) {}

  std::optional<Range> range(AffineExpr e) const {
    if (auto c = dyn_cast<AffineConstantExpr>(e))
      return Range{c.getValue(), c.getValue()};
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      unsigned p = d.getPosition();
      return Range{offsets[p], offsets[p] + sizes[p] - 1};
    }
    auto bin = dyn_cast<AffineBinaryOpExpr>(e);
    if (!bin)
      return std::nullopt;
    std::optional<Range> l = range(bin.getLHS()), r = range(bin.getRHS());
    if (!l || !r)
      return std::nullopt;
    switch (e.getKind()) {
    case AffineExprKind::Add:
      return Range{l->lo + r->lo, l->hi + r->hi};
    case AffineExprKind::Mul: {
      int64_t a = l->lo * r->lo, b = l->lo * r->hi, c = l->hi * r->lo,
              d = l->hi * r->hi;
      return Range{std::min({a, b, c, d}), std::max({a, b, c, d})};
    }
    case AffineExprKind::FloorDiv:
      if (r->lo != r->hi || r->lo <= 0)
        return std::nullopt;
      return Range{llvm::divideFloorSigned(l->lo, r->lo),
                   llvm::divideFloorSigned(l->hi, r->lo)};
    case AffineExprKind::CeilDiv:
      if (r->lo != r->hi || r->lo <= 0)
        return std::nullopt;
      return Range{llvm::divideCeilSigned(l->lo, r->lo),
                   llvm::divideCeilSigned(l->hi, r->lo)};
    case AffineExprKind::Mod: {
      if (r->lo != r->hi || r->lo <= 0)
        return std::nullopt;
      int64_t k = r->lo;
      if (llvm::divideFloorSigned(l->lo, k) == llvm::divideFloorSigned(l->hi, k))
        return Range{llvm::mod(l->lo, k), llvm::mod(l->hi, k)};
      return Range{0, k - 1};
    }
    default:
      return std::nullopt;
    }
  }

  AffineExpr simplify(AffineExpr e) const {
    auto bin = dyn_cast<AffineBinaryOpExpr>(e);
    if (!bin)
      return e;
    AffineExpr lhs = simplify(bin.getLHS()), rhs = simplify(bin.getRHS());
    switch (e.getKind()) {
    case AffineExprKind::Add:
      return lhs + rhs;
    case AffineExprKind::Mul:
      return lhs * rhs;
    case AffineExprKind::CeilDiv:
      return lhs.ceilDiv(rhs);
    case AffineExprKind::FloorDiv:
    case AffineExprKind::Mod: {
      bool isMod = e.getKind() == AffineExprKind::Mod;
      auto k = dyn_cast<AffineConstantExpr>(rhs);
      if (!k || k.getValue() <= 0)
        return isMod ? lhs % rhs : lhs.floorDiv(rhs);
      return divide(lhs, k.getValue(), isMod);
    }
    default:
      return e;
    }
  }

private:
  /// `lhs floordiv k` or `lhs mod k`: the terms of the sum whose coefficient
  /// is a multiple of k go to the quotient; when the rest stays within one
  /// period it is the remainder (shifted by the period's start).
  AffineExpr divide(AffineExpr lhs, int64_t k, bool isMod) const {
    MLIRContext *ctx = lhs.getContext();
    SmallVector<AffineExpr> terms;
    collectTerms(lhs, terms);
    AffineExpr quotient = getAffineConstantExpr(0, ctx);
    AffineExpr rest = getAffineConstantExpr(0, ctx);
    int64_t constant = 0;
    for (AffineExpr term : terms) {
      if (auto c = dyn_cast<AffineConstantExpr>(term)) {
        constant += c.getValue();
        continue;
      }
      int64_t coefficient = 1;
      AffineExpr atom = term;
      if (term.getKind() == AffineExprKind::Mul) {
        auto mul = cast<AffineBinaryOpExpr>(term);
        if (auto c = dyn_cast<AffineConstantExpr>(mul.getRHS())) {
          coefficient = c.getValue();
          atom = mul.getLHS();
        }
      }
      if (coefficient % k == 0)
        quotient = quotient + atom * (coefficient / k);
      else
        rest = rest + term;
    }
    int64_t cq = llvm::divideFloorSigned(constant, k);
    rest = rest + (constant - cq * k);
    // The rest within one period [q k, (q + 1) k): quotient + q, rest - q k.
    std::optional<Range> r = range(rest);
    if (r) {
      int64_t q = llvm::divideFloorSigned(r->lo, k);
      if (q == llvm::divideFloorSigned(r->hi, k))
        return isMod ? rest - q * k : quotient + (cq + q);
    }
    return isMod ? lhs % k : lhs.floorDiv(k);
  }

  static void collectTerms(AffineExpr e, SmallVectorImpl<AffineExpr> &terms) {
    if (e.getKind() == AffineExprKind::Add) {
      auto add = cast<AffineBinaryOpExpr>(e);
      collectTerms(add.getLHS(), terms);
      collectTerms(add.getRHS(), terms);
      return;
    }
    terms.push_back(e);
  }

  ArrayRef<int64_t> offsets, sizes;
};

} // namespace

AffineMap mxhw::simplifyOverBox(AffineMap map, ArrayRef<int64_t> offsets,
                                ArrayRef<int64_t> sizes) {
  BoxSimplifier simplifier(offsets, sizes);
  SmallVector<AffineExpr> results;
  for (AffineExpr e : map.getResults()) {
    AffineExpr s = simplifyAffineExpr(e, map.getNumDims(), 0);
    s = simplifier.simplify(s);
    results.push_back(simplifyAffineExpr(s, map.getNumDims(), 0));
  }
  return AffineMap::get(map.getNumDims(), 0, results, map.getContext());
}

SmallVector<Piece> mxhw::splitAtPeriod(const Piece &piece, AffineExpr expr) {
  std::optional<std::pair<unsigned, int64_t>> found;
  int64_t period = 0;
  expr.walk([&](AffineExpr e) {
    if (found || (e.getKind() != AffineExprKind::Mod &&
                  e.getKind() != AffineExprKind::FloorDiv))
      return;
    auto bin = cast<AffineBinaryOpExpr>(e);
    auto c = dyn_cast<AffineConstantExpr>(bin.getRHS());
    std::optional<std::pair<unsigned, int64_t>> shifted = asShiftedDim(bin.getLHS());
    if (c && c.getValue() > 0 && shifted) {
      found = shifted;
      period = c.getValue();
    }
  });
  if (!found)
    return {piece};
  auto [dim, shift] = *found;
  SmallVector<Piece> parts;
  int64_t lo = piece.offsets[dim], end = lo + piece.sizes[dim];
  while (lo < end) {
    int64_t next = llvm::divideFloorSigned(lo + shift, period) * period + period - shift;
    int64_t hi = std::min(end, next);
    Piece part = piece;
    part.offsets[dim] = lo;
    part.sizes[dim] = hi - lo;
    part.map = simplifyOverBox(part.map, part.offsets, part.sizes);
    parts.push_back(std::move(part));
    lo = hi;
  }
  return parts;
}

std::optional<std::pair<unsigned, int64_t>> mxhw::asShiftedDim(AffineExpr expr) {
  if (auto d = dyn_cast<AffineDimExpr>(expr))
    return std::make_pair(d.getPosition(), int64_t(0));
  if (expr.getKind() != AffineExprKind::Add)
    return std::nullopt;
  auto add = cast<AffineBinaryOpExpr>(expr);
  auto d = dyn_cast<AffineDimExpr>(add.getLHS());
  auto c = dyn_cast<AffineConstantExpr>(add.getRHS());
  if (!d || !c)
    return std::nullopt;
  return std::make_pair(d.getPosition(), c.getValue());
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

int64_t mxhw::evaluate(AffineExpr expr, ArrayRef<int64_t> dims) {
  switch (expr.getKind()) {
  case AffineExprKind::Constant:
    return cast<AffineConstantExpr>(expr).getValue();
  case AffineExprKind::DimId:
    return dims[cast<AffineDimExpr>(expr).getPosition()];
  case AffineExprKind::SymbolId:
    llvm_unreachable("element maps have no symbols");
  default:
    break;
  }
  auto bin = cast<AffineBinaryOpExpr>(expr);
  int64_t l = evaluate(bin.getLHS(), dims), r = evaluate(bin.getRHS(), dims);
  switch (expr.getKind()) {
  case AffineExprKind::Add:
    return l + r;
  case AffineExprKind::Mul:
    return l * r;
  case AffineExprKind::FloorDiv:
    return llvm::divideFloorSigned(l, r);
  case AffineExprKind::CeilDiv:
    return llvm::divideCeilSigned(l, r);
  case AffineExprKind::Mod:
    return llvm::mod(l, r);
  default:
    llvm_unreachable("not a binary affine expression");
  }
}

static std::string formatPoint(ArrayRef<int64_t> point) {
  std::string text = "(";
  for (auto [i, v] : llvm::enumerate(point))
    text += (i ? ", " : "") + std::to_string(v);
  return text + ")";
}

FailureOr<int64_t>
mxhw::tableSize(ArrayRef<int64_t> shape,
                function_ref<InFlightDiagnostic()> emitError) {
  // A bound on the entries keeps the tables, and the units, in memory.
  constexpr int64_t kMaxTableElements = int64_t(1) << 24;
  int64_t total = 1;
  for (int64_t d : shape) {
    if (!llvm::MulOverflow(total, d, total) && total <= kMaxTableElements)
      continue;
    if (!emitError)
      return failure();
    return emitError() << "a view of shape " << mx::formatShape(shape)
                       << " has more than 2^24 elements, the limit of the "
                          "hardware's element tables";
  }
  return total;
}

FailureOr<ElementTable>
mxhw::evaluatePieces(ArrayRef<Piece> pieces, ArrayRef<int64_t> outShape,
                     ArrayRef<SmallVector<int64_t>> sourceShapes,
                     function_ref<InFlightDiagnostic()> emitError) {
  FailureOr<int64_t> size = tableSize(outShape, emitError);
  if (failed(size))
    return failure();
  int64_t total = *size;
  ElementTable table;
  table.source.assign(total, -1);
  table.index.assign(total, 0);
  table.negate.assign(total, 0);
  SmallVector<int64_t> outStrides = rowMajorStrides(outShape);
  for (auto [p, piece] : llvm::enumerate(pieces)) {
    ArrayRef<int64_t> src = sourceShapes[piece.source];
    SmallVector<int64_t> srcStrides = rowMajorStrides(src);
    int64_t count = piece.getNumElements();
    SmallVector<int64_t> point(piece.offsets);
    for (int64_t n = 0; n < count; ++n) {
      int64_t flat = 0;
      for (auto [c, s] : llvm::zip(point, outStrides))
        flat += c * s;
      if (table.source[flat] != -1)
        return emitError() << "pieces overlap at output element "
                           << formatPoint(point);
      int64_t index = 0;
      for (auto [k, e] : llvm::enumerate(piece.map.getResults())) {
        int64_t v = evaluate(e, point);
        if (v < 0 || v >= src[k])
          return emitError() << "piece #" << p << " reads source element "
                             << formatPoint(llvm::to_vector(llvm::map_range(
                                    piece.map.getResults(),
                                    [&](AffineExpr r) { return evaluate(r, point); })))
                             << " outside its shape " << mx::formatShape(src)
                             << " (output element " << formatPoint(point) << ")";
        index += v * srcStrides[k];
      }
      table.source[flat] = piece.source;
      table.index[flat] = index;
      table.negate[flat] = piece.negate;
      // Next point of the box, row-major.
      for (int64_t d = int64_t(point.size()) - 1; d >= 0; --d) {
        if (++point[d] < piece.offsets[d] + piece.sizes[d])
          break;
        point[d] = piece.offsets[d];
      }
    }
  }
  for (int64_t flat = 0; flat < total; ++flat) {
    if (table.source[flat] != -1)
      continue;
    SmallVector<int64_t> point;
    for (auto [s, d] : llvm::zip(outStrides, outShape))
      point.push_back((flat / s) % d);
    return emitError() << "no piece covers output element " << formatPoint(point);
  }
  return table;
}

bool mxhw::isBlockMovement(const ElementTable &table, mx::MXTensorType out,
                           ArrayRef<mx::MXTensorType> sources, int64_t &badBlock) {
  StreamTable stream = streamTable(table, out, sources);
  int64_t b = out.getFormat().getBlockSize();
  int64_t blocks = out.getNumBlocks();
  SmallVector<bool> seen(b);
  for (int64_t j = 0; j < blocks; ++j) {
    std::fill(seen.begin(), seen.end(), false);
    for (int64_t e = 0; e < b; ++e) {
      int64_t k = j * b + e;
      mx::MXTensorType src = sources[stream.source[k]];
      bool same = stream.source[k] == stream.source[j * b] &&
                  stream.block[k] == stream.block[j * b];
      if (!same || src.getFormat().getBlockSize() != b ||
          seen[stream.position[k]]) {
        badBlock = j;
        return false;
      }
      seen[stream.position[k]] = true;
    }
  }
  return true;
}

StreamTable mxhw::streamTable(const ElementTable &table, mx::MXTensorType out,
                              ArrayRef<mx::MXTensorType> sources) {
  // Output elements in stream order: blocks row-major over the block grid,
  // the B elements of a block along the blocked axis.
  ArrayRef<int64_t> shape = out.getShape();
  unsigned axis = out.getAxis();
  int64_t b = out.getFormat().getBlockSize();
  SmallVector<int64_t> grid = out.getScaleShape();
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  struct SourceGeometry {
    SmallVector<int64_t> strides, gridStrides;
    unsigned axis;
    int64_t block;
  };
  SmallVector<SourceGeometry> geometry;
  for (mx::MXTensorType src : sources)
    geometry.push_back({rowMajorStrides(src.getShape()),
                        rowMajorStrides(src.getScaleShape()), src.getAxis(),
                        int64_t(src.getFormat().getBlockSize())});
  StreamTable stream;
  int64_t total = int64_t(table.source.size());
  stream.source.reserve(total);
  stream.block.reserve(total);
  stream.position.reserve(total);
  stream.negate.reserve(total);
  SmallVector<int64_t> g(grid.size(), 0);
  for (int64_t j = 0, blocks = out.getNumBlocks(); j < blocks; ++j) {
    int64_t base = 0;
    for (size_t d = 0; d < g.size(); ++d)
      base += (d == axis ? g[d] * b : g[d]) * strides[d];
    for (int64_t e = 0; e < b; ++e) {
      int64_t flat = base + e * strides[axis];
      int32_t s = table.source[flat];
      const SourceGeometry &geo = geometry[s];
      int64_t index = table.index[flat], block = 0, position = 0;
      for (size_t d = 0; d < geo.strides.size(); ++d) {
        int64_t c = index / geo.strides[d];
        index %= geo.strides[d];
        if (d == geo.axis) {
          position = c % geo.block;
          c /= geo.block;
        }
        block += c * geo.gridStrides[d];
      }
      stream.source.push_back(s);
      stream.block.push_back(block);
      stream.position.push_back(position);
      stream.negate.push_back(table.negate[flat]);
    }
    for (int64_t d = int64_t(g.size()) - 1; d >= 0; --d) {
      if (++g[d] < grid[d])
        break;
      g[d] = 0;
    }
  }
  return stream;
}
