//===- RaisePrimitives.cpp - RMSNorm and tanh-GELU from elementary ops ----===//

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mase::mx {
#define GEN_PASS_DEF_MXRAISEPRIMITIVES
#include "Transforms/Passes.h.inc"
} // namespace mase::mx

using namespace mlir;
using namespace mase::mx;

namespace {

/// The value of a splat f32 constant (a scalar or any splat tensor).
std::optional<double> splatValue(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

bool isSplat(Value v, double expected, double relTol = 0) {
  std::optional<double> got = splatValue(v);
  return got && std::abs(*got - expected) <= relTol * std::abs(expected);
}

/// The defining op of `v` if it is an OpTy with a single use.
template <typename OpTy>
OpTy singleUse(Value v) {
  auto op = v.getDefiningOp<OpTy>();
  return op && v.hasOneUse() ? op : OpTy();
}

/// For a commutative binary op: calls `match(a, b)` for both operand orders.
template <typename OpTy, typename Fn>
bool eitherOrder(OpTy op, Fn match) {
  return match(op.getLhs(), op.getRhs()) || match(op.getRhs(), op.getLhs());
}

bool isF32Tensor(Type t) {
  auto ranked = dyn_cast<RankedTensorType>(t);
  return ranked && ranked.getElementType().isF32();
}

/// The module path of a raised op: its root's name without the last part.
StringAttr moduleName(Operation *root) {
  auto name = root->getAttrOfType<StringAttr>("name");
  if (!name)
    return {};
  StringRef path = name.getValue().rsplit('.').first;
  return StringAttr::get(root->getContext(), path);
}

/// x * rsqrt(mean(x^2, last axis) + eps): returns x and eps.
std::optional<std::pair<Value, double>> matchNormalized(MulOp mul) {
  std::optional<std::pair<Value, double>> found;
  eitherOrder(mul, [&](Value x, Value scale) {
    auto rsqrt = singleUse<RsqrtOp>(scale);
    if (!rsqrt)
      return false;
    auto add = singleUse<AddOp>(rsqrt.getInput());
    if (!add)
      return false;
    return eitherOrder(add, [&](Value meanValue, Value epsValue) {
      auto mean = singleUse<ReduceMeanOp>(meanValue);
      std::optional<double> eps = splatValue(epsValue);
      // Only f32 tensors are raised (the operands may already be MX).
      if (!mean || !eps || !mean.getKeepDims() || !isF32Tensor(x.getType()))
        return false;
      int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
      if (mean.getAxes() != ArrayRef<int64_t>{rank - 1})
        return false;
      Value squared = mean.getInput();
      bool isSquare = false;
      if (auto pow = singleUse<PowOp>(squared))
        isSquare = pow.getLhs() == x && isSplat(pow.getRhs(), 2.0);
      else if (auto sq = singleUse<MulOp>(squared))
        isSquare = sq.getLhs() == x && sq.getRhs() == x;
      if (!isSquare)
        return false;
      found = {x, *eps};
      return true;
    });
  });
  return found;
}

/// weight * normalized(x), or normalized(x) alone -> mx.rms_norm.
struct RaiseRMSNorm : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul, PatternRewriter &rewriter) const override {
    if (!isF32Tensor(mul.getType()))
      return failure();
    Value x, weight;
    double eps = 0;
    bool matched = eitherOrder(mul, [&](Value w, Value n) {
      auto inner = singleUse<MulOp>(n);
      if (!inner)
        return false;
      auto core = matchNormalized(inner);
      if (!core)
        return false;
      // matchNormalized only returns f32 tensors.
      auto wType = dyn_cast<RankedTensorType>(w.getType());
      auto xShape = cast<RankedTensorType>(core->first.getType()).getShape();
      if (!wType || wType.getShape() != xShape.take_back(1) ||
          mul.getType() != core->first.getType())
        return false;
      x = core->first;
      eps = core->second;
      weight = w;
      return true;
    });
    if (!matched) {
      // Without a weight; leave it to the weighted match when one follows.
      auto core = matchNormalized(mul);
      if (!core || mul.getType() != core->first.getType())
        return failure();
      if (mul->hasOneUse())
        if (auto user = dyn_cast<MulOp>(*mul->getUsers().begin()))
          if (succeeded(matchAndRewriteDryRun(user)))
            return failure();
      x = core->first;
      eps = core->second;
    }
    StringAttr name = moduleName(mul);
    rewriter.replaceOpWithNewOp<RMSNormOp>(mul, mul.getType(), x, weight,
                                           rewriter.getF64FloatAttr(eps),
                                           rewriter.getI64IntegerAttr(1), name);
    return success();
  }

  /// Whether `mul` is the weighted form of a norm.
  LogicalResult matchAndRewriteDryRun(MulOp mul) const {
    bool found = eitherOrder(mul, [&](Value, Value n) {
      auto inner = singleUse<MulOp>(n);
      return inner && matchNormalized(inner).has_value();
    });
    return success(found);
  }
};

/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) -> mx.gelu "tanh".
struct RaiseTanhGelu : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp mul, PatternRewriter &rewriter) const override {
    if (!isF32Tensor(mul.getType()))
      return failure();
    static const double kSqrt2OverPi = std::sqrt(2.0 / M_PI);
    Value x;
    bool matched = eitherOrder(mul, [&](Value halfX, Value onePlus) {
      auto half = singleUse<MulOp>(halfX);
      auto add = singleUse<AddOp>(onePlus);
      if (!half || !add)
        return false;
      return eitherOrder(half, [&](Value xv, Value c) {
        if (!isSplat(c, 0.5))
          return false;
        return eitherOrder(add, [&](Value t, Value one) {
          auto tanh = singleUse<TanhOp>(t);
          if (!tanh || !isSplat(one, 1.0))
            return false;
          auto scaled = singleUse<MulOp>(tanh.getInput());
          if (!scaled)
            return false;
          return eitherOrder(scaled, [&](Value inner, Value k) {
            auto sum = singleUse<AddOp>(inner);
            if (!sum || !isSplat(k, kSqrt2OverPi, 1e-6))
              return false;
            return eitherOrder(sum, [&](Value x1, Value cubic) {
              auto term = singleUse<MulOp>(cubic);
              if (x1 != xv || !term)
                return false;
              return eitherOrder(term, [&](Value cube, Value a) {
                auto pow = singleUse<PowOp>(cube);
                if (!pow || pow.getLhs() != xv || !isSplat(pow.getRhs(), 3.0) ||
                    !isSplat(a, 0.044715, 1e-6))
                  return false;
                x = xv;
                return true;
              });
            });
          });
        });
      });
    });
    if (!matched || x.getType() != mul.getType())
      return failure();
    rewriter.replaceOpWithNewOp<GeluOp>(
        mul, mul.getType(), x,
        GeluApproximationAttr::get(getContext(), GeluApproximation::Tanh),
        moduleName(mul));
    return success();
  }
};

struct MXRaisePrimitivesPass
    : public mase::mx::impl::MXRaisePrimitivesBase<MXRaisePrimitivesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<RaiseRMSNorm, RaiseTanhGelu>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
