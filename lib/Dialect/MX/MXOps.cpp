//===- MXOps.cpp - mx dialect operations ----------------------------------===//

#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXKernelParams.h"
#include "mase-mlir/Dialect/MX/MXStacking.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mase::mx;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static ArrayRef<int64_t> shapeOf(Type type) {
  // Operand and result types are statically shaped by the ODS constraints.
  return *getStaticShape(type);
}

/// Checks that an MX operand, if it is one, is blocked along `axis`.
static LogicalResult verifyBlockedAlong(Operation *op, StringRef what,
                                        Type type, int64_t axis) {
  auto mx = dyn_cast<MXTensorType>(type);
  if (!mx || int64_t(mx.getAxis()) == axis)
    return success();
  return op->emitOpError() << what << " must be blocked along its reduction "
                           << "axis " << axis << ", but is blocked along axis "
                           << mx.getAxis();
}

/// Checks that the blocks of two MX operands of a contraction line up along
/// the reduction axis: one block size divides the other (the numerics align
/// them on the smaller one).
static LogicalResult verifyCompatibleBlocks(Operation *op, Type lhs, Type rhs) {
  auto a = dyn_cast<MXTensorType>(lhs);
  auto b = dyn_cast<MXTensorType>(rhs);
  if (!a || !b)
    return success();
  unsigned x = a.getFormat().getBlockSize(), y = b.getFormat().getBlockSize();
  if (std::max(x, y) % std::min(x, y) != 0)
    return op->emitOpError("MX operands need block sizes along the reduction "
                           "axis that divide one another, got ")
           << a.getFormat().str() << " and " << b.getFormat().str();
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization ops
//===----------------------------------------------------------------------===//

/// The element counts before and after the blocked axis (the numerics kernels'
/// outer x axis x inner view of a tensor).
static std::pair<int64_t, int64_t> aroundAxis(ArrayRef<int64_t> shape, unsigned axis) {
  int64_t outer = 1, inner = 1;
  for (unsigned i = 0; i < axis; ++i)
    outer *= shape[i];
  for (unsigned i = axis + 1; i < shape.size(); ++i)
    inner *= shape[i];
  return {outer, inner};
}

/// Quantizes a constant with the project numerics (MXQuantize.h, tested bit
/// for bit against mase_mlir.numerics): the folded form of a quantized weight.
static ArrayAttr quantizeConstant(DenseElementsAttr values, MXTensorType type,
                                  RoundingMode rounding) {
  FormatAttr format = type.getFormat();
  mase::numerics::MXParams params =
      kernelParams(format, rounding == RoundingMode::Even);
  ArrayRef<int64_t> shape = type.getShape();
  unsigned axis = type.getAxis();
  auto [outer, inner] = aroundAxis(shape, axis);
  int64_t n = shape[axis];

  SmallVector<float> x = llvm::to_vector(values.getValues<float>());
  SmallVector<uint8_t> scales(type.getNumBlocks());
  SmallVector<uint16_t> codes(x.size());
  mase::numerics::quantize<uint16_t>(x.data(), scales.data(), codes.data(),
                                     outer, n, inner, params);

  MLIRContext *ctx = type.getContext();
  auto scaleType = RankedTensorType::get(
      type.getScaleShape(),
      IntegerType::get(ctx, format.getScaleBits(), IntegerType::Unsigned));
  auto codeType = RankedTensorType::get(
      shape,
      IntegerType::get(ctx, format.getElementBits(), IntegerType::Unsigned));
  auto toAPInt = [](unsigned width) {
    return [width](uint64_t v) { return APInt(width, v); };
  };
  SmallVector<APInt> scaleValues = llvm::map_to_vector(
      scales, [&](uint8_t v) { return toAPInt(format.getScaleBits())(v); });
  SmallVector<APInt> codeValues = llvm::map_to_vector(
      codes, [&](uint16_t v) { return toAPInt(format.getElementBits())(v); });
  return ArrayAttr::get(ctx, {DenseIntElementsAttr::get(scaleType, scaleValues),
                              DenseIntElementsAttr::get(codeType, codeValues)});
}

DenseElementsAttr mase::mx::dequantizeConstant(ConstantOp op) {
  MXTensorType type = op.getType();
  FormatAttr format = type.getFormat();
  mase::numerics::MXParams params = kernelParams(format, /*roundEven=*/true);
  ArrayRef<int64_t> shape = type.getShape();
  unsigned axis = type.getAxis();
  auto [outer, inner] = aroundAxis(shape, axis);
  auto scales = llvm::map_to_vector(op.getScales().getValues<APInt>(), [](const APInt &v) {
    return uint8_t(v.getZExtValue());
  });
  auto codes = llvm::map_to_vector(op.getCodes().getValues<APInt>(), [](const APInt &v) {
    return uint16_t(v.getZExtValue());
  });
  SmallVector<float> values(codes.size());
  mase::numerics::dequantize<uint16_t>(scales.data(), codes.data(), values.data(), outer,
                                       shape[axis], inner, params);
  auto f32 = RankedTensorType::get(shape, Float32Type::get(op.getContext()));
  return DenseElementsAttr::get(f32, ArrayRef<float>(values));
}

OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  auto values = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!values || !values.getElementType().isF32())
    return {};
  // A fixed-point format has no NaN: a non-finite constant stays an
  // mx.quantize, which the numerics reject when it runs.
  if (getType().getFormat().isFixed() &&
      llvm::any_of(values.getValues<float>(),
                   [](float v) { return !std::isfinite(v); }))
    return {};
  return quantizeConstant(values, getType(), getRounding());
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult ConstantOp::verify() {
  MXTensorType type = getType();
  FormatAttr format = type.getFormat();
  auto checkAttr = [&](StringRef what, DenseIntElementsAttr attr,
                       ArrayRef<int64_t> shape, unsigned bits) -> LogicalResult {
    auto attrType = dyn_cast<RankedTensorType>(attr.getType());
    if (!attrType)
      return emitOpError() << what << " must be a tensor, got "
                           << attr.getType();
    if (attrType.getShape() != shape)
      return emitOpError() << what << " have shape "
                           << formatShape(attrType.getShape()) << ", expected "
                           << formatShape(shape);
    // Dense integer attributes may also hold `index` elements.
    auto intType = dyn_cast<IntegerType>(attrType.getElementType());
    if (!intType || !intType.isUnsigned() || intType.getWidth() != bits)
      return emitOpError() << what << " must be ui" << bits << " for "
                           << format.str() << ", got "
                           << attrType.getElementType();
    return success();
  };
  SmallVector<int64_t> scaleShape = type.getScaleShape();
  if (failed(checkAttr("scales", getScales(), scaleShape,
                       format.getScaleBits())) ||
      failed(checkAttr("codes", getCodes(), type.getShape(),
                       format.getElementBits())))
    return failure();
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) {
  return ArrayAttr::get(getContext(), {getScales(), getCodes()});
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput().getType());
  ArrayRef<int64_t> w = shapeOf(getWeight().getType());
  ArrayRef<int64_t> y = shapeOf(getType());
  if (x.empty())
    return emitOpError("input must have rank >= 1");
  if (w.size() != 2)
    return emitOpError("weight must be [N, K], got ") << formatShape(w);
  if (x.back() != w[1])
    return emitOpError("input features ")
           << x.back() << " do not match weight [N, K] = " << formatShape(w);
  if (getBias()) {
    ArrayRef<int64_t> b = shapeOf(getBias().getType());
    if (b.size() != 1 || b[0] != w[0])
      return emitOpError("bias must be [") << w[0] << "], got " << formatShape(b);
  }
  SmallVector<int64_t> expected(x.drop_back());
  expected.push_back(w[0]);
  if (y != ArrayRef<int64_t>(expected))
    return emitOpError("result must be ") << formatShape(expected) << ", got "
                                          << formatShape(y);
  if (failed(verifyBlockedAlong(*this, "input", getInput().getType(),
                                x.size() - 1)) ||
      failed(verifyBlockedAlong(*this, "weight", getWeight().getType(), 1)) ||
      failed(verifyCompatibleBlocks(*this, getInput().getType(),
                                 getWeight().getType())))
    return failure();
  return success();
}

static LogicalResult verifyMatmul(Operation *op, Type lhsType, Type rhsType,
                                  Type resultType, bool batched) {
  ArrayRef<int64_t> a = shapeOf(lhsType), b = shapeOf(rhsType),
                    c = shapeOf(resultType);
  if (!batched && (a.size() != 2 || b.size() != 2))
    return op->emitOpError("operands must have rank 2, got ")
           << formatShape(a) << " and " << formatShape(b);
  if (batched && (a.size() < 3 || a.size() != b.size()))
    return op->emitOpError("operands must have the same rank >= 3, got ")
           << formatShape(a) << " and " << formatShape(b);
  size_t r = a.size();
  if (a.take_front(r - 2) != b.take_front(r - 2))
    return op->emitOpError("batch dimensions differ: ")
           << formatShape(a) << " and " << formatShape(b);
  if (a[r - 1] != b[r - 2])
    return op->emitOpError("reduction dimensions differ: ")
           << formatShape(a) << " and " << formatShape(b);
  SmallVector<int64_t> expected(a.drop_back());
  expected.push_back(b[r - 1]);
  if (c != ArrayRef<int64_t>(expected))
    return op->emitOpError("result must be ")
           << formatShape(expected) << ", got " << formatShape(c);
  if (failed(verifyBlockedAlong(op, "lhs", lhsType, r - 1)) ||
      failed(verifyBlockedAlong(op, "rhs", rhsType, r - 2)) ||
      failed(verifyCompatibleBlocks(op, lhsType, rhsType)))
    return failure();
  return success();
}

LogicalResult MatmulOp::verify() {
  return verifyMatmul(*this, getLhs().getType(), getRhs().getType(), getType(),
                      /*batched=*/false);
}

LogicalResult BatchMatmulOp::verify() {
  return verifyMatmul(*this, getLhs().getType(), getRhs().getType(), getType(),
                      /*batched=*/true);
}

//===----------------------------------------------------------------------===//
// Normalization and softmax
//===----------------------------------------------------------------------===//

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() {
  ArrayRef<int64_t> x = shapeOf(getInput().getType());
  if (shapeOf(getType()) != x)
    return emitOpError("result shape must equal the input shape ") << formatShape(x);
  if (getMask()) {
    ArrayRef<int64_t> m = shapeOf(getMask().getType());
    SmallVector<int64_t> broadcast;
    if (m.size() > x.size() ||
        !mlir::OpTrait::util::getBroadcastedShape(x, m, broadcast) ||
        ArrayRef<int64_t>(broadcast) != x)
      return emitOpError("mask of shape ")
             << formatShape(m) << " does not broadcast to the input shape "
             << formatShape(x);
  }
  return verifyAxis(*this, getAxis(), x.size());
}

/// Shared by layer_norm and rms_norm: affine parameters have the shape of
/// the normalized trailing axes.
static LogicalResult verifyNorm(Operation *op, Value input, Value output,
                                int64_t normalizedRank,
                                ArrayRef<std::pair<StringRef, Value>> params) {
  ArrayRef<int64_t> x = shapeOf(input.getType());
  if (normalizedRank < 1 || normalizedRank > int64_t(x.size()))
    return op->emitOpError("normalized_rank ")
           << normalizedRank << " must be in 1.." << x.size();
  if (shapeOf(output.getType()) != x)
    return op->emitOpError("result shape must equal the input shape ")
           << formatShape(x);
  ArrayRef<int64_t> trailing = x.take_back(normalizedRank);
  for (auto [what, value] : params) {
    if (!value)
      continue;
    if (shapeOf(value.getType()) != trailing)
      return op->emitOpError() << what << " must have shape "
                               << formatShape(trailing) << ", got "
                               << formatShape(shapeOf(value.getType()));
  }
  return success();
}

LogicalResult LayerNormOp::verify() {
  return verifyNorm(*this, getInput(), getOutput(), getNormalizedRank(),
                    {{"weight", getWeight()}, {"bias", getBias()}});
}

LogicalResult RMSNormOp::verify() {
  return verifyNorm(*this, getInput(), getOutput(), getNormalizedRank(),
                    {{"weight", getWeight()}});
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

template <typename ReduceOp>
static LogicalResult verifyReduce(ReduceOp op) {
  ArrayRef<int64_t> x = shapeOf(op.getInput().getType());
  llvm::SmallDenseSet<int64_t> seen;
  for (int64_t axis : op.getAxes()) {
    if (failed(verifyAxis(op, axis, x.size())))
      return failure();
    if (!seen.insert(axis).second)
      return op.emitOpError("axis ") << axis << " is repeated";
  }
  SmallVector<int64_t> expected;
  for (auto [i, dim] : llvm::enumerate(x)) {
    if (!seen.contains(i))
      expected.push_back(dim);
    else if (op.getKeepDims())
      expected.push_back(1);
  }
  if (shapeOf(op.getType()) != ArrayRef<int64_t>(expected))
    return op.emitOpError("result must be ")
           << formatShape(expected) << ", got " << formatShape(shapeOf(op.getType()));
  return success();
}

LogicalResult ReduceSumOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMeanOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMaxOp::verify() { return verifyReduce(*this); }
LogicalResult ReduceMinOp::verify() { return verifyReduce(*this); }

//===----------------------------------------------------------------------===//
// Embedding and shape ops
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  ArrayRef<int64_t> ids = shapeOf(getIndices().getType());
  ArrayRef<int64_t> table = shapeOf(getTable().getType());
  if (table.size() != 2)
    return emitOpError("table must be [V, D], got ") << formatShape(table);
  SmallVector<int64_t> expected(ids);
  expected.push_back(table[1]);
  if (shapeOf(getType()) != ArrayRef<int64_t>(expected))
    return emitOpError("result must be ") << formatShape(expected) << ", got "
                                          << formatShape(shapeOf(getType()));
  return success();
}

static int64_t numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

LogicalResult ReshapeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput().getType());
  ArrayRef<int64_t> out = shapeOf(getType());
  if (numElements(in) != numElements(out))
    return emitOpError("cannot reshape ")
           << formatShape(in) << " (" << numElements(in) << " elements) to "
           << formatShape(out) << " (" << numElements(out) << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput().getType());
  ArrayRef<int64_t> perm = getPermutation();
  if (perm.size() != in.size())
    return emitOpError("permutation has ")
           << perm.size() << " entries for rank " << in.size();
  SmallVector<bool> used(in.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(in.size()) || used[p])
      return emitOpError("permutation is not a permutation of 0..")
             << in.size() - 1;
    used[p] = true;
    expected.push_back(in[p]);
  }
  if (shapeOf(getType()) != ArrayRef<int64_t>(expected))
    return emitOpError("result must be ") << formatShape(expected) << ", got "
                                          << formatShape(shapeOf(getType()));
  return success();
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput().getType());
  ArrayRef<int64_t> offsets = getOffsets(), sizes = getSizes(),
                    strides = getStrides();
  if (offsets.size() != in.size() || sizes.size() != in.size() ||
      strides.size() != in.size())
    return emitOpError("offsets, sizes and strides need one entry per "
                       "dimension (rank ")
           << in.size() << ")";
  for (size_t i = 0; i < in.size(); ++i) {
    if (strides[i] < 1 || sizes[i] < 1 || offsets[i] < 0)
      return emitOpError("dimension ")
             << i << ": offsets must be >= 0, sizes and strides >= 1";
    if (offsets[i] + (sizes[i] - 1) * strides[i] >= in[i])
      return emitOpError("dimension ") << i << ": slice runs past the end ("
                                       << in[i] << ")";
  }
  if (shapeOf(getType()) != sizes)
    return emitOpError("result must be ") << formatShape(sizes) << ", got "
                                          << formatShape(shapeOf(getType()));
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("needs at least one input");
  ArrayRef<int64_t> first = shapeOf(getInputs().front().getType());
  if (failed(verifyAxis(*this, getAxis(), first.size())))
    return failure();
  SmallVector<int64_t> expected(first);
  expected[getAxis()] = 0;
  for (Value input : getInputs()) {
    ArrayRef<int64_t> shape = shapeOf(input.getType());
    if (shape.size() != first.size())
      return emitOpError("inputs must have the same rank");
    for (size_t i = 0; i < shape.size(); ++i)
      if (int64_t(i) != getAxis() && shape[i] != first[i])
        return emitOpError("inputs differ outside the concatenation axis: ")
               << formatShape(first) << " and " << formatShape(shape);
    expected[getAxis()] += shape[getAxis()];
  }
  if (shapeOf(getType()) != ArrayRef<int64_t>(expected))
    return emitOpError("result must be ") << formatShape(expected) << ", got "
                                          << formatShape(shapeOf(getType()));
  return success();
}

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> in = shapeOf(getInput().getType());
  ArrayRef<int64_t> out = shapeOf(getType());
  if (in.size() > out.size())
    return emitOpError("cannot broadcast ")
           << formatShape(in) << " to lower rank " << formatShape(out);
  ArrayRef<int64_t> aligned = out.take_back(in.size());
  for (auto [a, b] : llvm::zip(in, aligned))
    if (a != 1 && a != b)
      return emitOpError("cannot broadcast ")
             << formatShape(in) << " to " << formatShape(out);
  return success();
}

LogicalResult TakeOp::verify() {
  Type inType = getInput().getType(), outType = getType();
  ArrayRef<int64_t> in = shapeOf(inType), out = shapeOf(outType);
  if (in.empty() || out != in.drop_front())
    return emitOpError("result must be the input without its leading axis (")
           << formatShape(in.empty() ? in : in.drop_front()) << "), got "
           << formatShape(out);
  auto mxIn = dyn_cast<MXTensorType>(inType);
  auto mxOut = dyn_cast<MXTensorType>(outType);
  if (bool(mxIn) != bool(mxOut))
    return emitOpError("input and result must both be MX tensors or neither");
  if (mxIn) {
    if (mxIn.getAxis() == 0)
      return emitOpError("the leading axis of an MX input must not be blocked");
    if (mxIn.getFormat() != mxOut.getFormat() ||
        mxOut.getAxis() + 1 != mxIn.getAxis())
      return emitOpError("result must keep the format and block along axis ")
             << mxIn.getAxis() - 1;
    return success();
  }
  if (cast<ShapedType>(inType).getElementType() !=
      cast<ShapedType>(outType).getElementType())
    return emitOpError("result must keep the element type");
  return success();
}

OpFoldResult TakeOp::fold(FoldAdaptor adaptor) {
  auto index = dyn_cast_or_null<IntegerAttr>(adaptor.getIndex());
  if (!index)
    return {};
  int64_t i = index.getInt();
  ArrayRef<int64_t> in = shapeOf(getInput().getType());
  if (i < 0 || i >= in.front())
    return {};
  if (auto mx = dyn_cast<MXTensorType>(getType())) {
    auto pair = dyn_cast_or_null<ArrayAttr>(adaptor.getInput());
    if (!pair || pair.size() != 2)
      return {};
    auto scales = dyn_cast<DenseElementsAttr>(pair[0]);
    auto codes = dyn_cast<DenseElementsAttr>(pair[1]);
    if (!scales || !codes)
      return {};
    auto scaleType = RankedTensorType::get(
        mx.getScaleShape(), cast<ShapedType>(scales.getType()).getElementType());
    auto codeType = RankedTensorType::get(
        mx.getShape(), cast<ShapedType>(codes.getType()).getElementType());
    return ArrayAttr::get(getContext(), {takeSlice(scales, i, scaleType),
                                         takeSlice(codes, i, codeType)});
  }
  auto stack = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!stack)
    return {};
  return takeSlice(stack, i, cast<ShapedType>(getType()));
}

//===----------------------------------------------------------------------===//
// QuantizableOpInterface: blocked axes (the roles are declared in MXOps.td)
//===----------------------------------------------------------------------===//

int64_t LinearOp::getOperandBlockAxis(unsigned index) {
  // Input [..., K] and weight [N, K] along K; the bias along its only axis.
  return index == 0 ? shapeOf(getInput().getType()).size() - 1
                    : (index == 1 ? 1 : 0);
}

/// Matmuls: both operands are activations, blocked along K.
static int64_t matmulBlockAxis(Operation *op, unsigned index) {
  int64_t rank = shapeOf(op->getOperand(index).getType()).size();
  return index == 0 ? rank - 1 : rank - 2;
}
int64_t MatmulOp::getOperandBlockAxis(unsigned index) {
  return matmulBlockAxis(*this, index);
}
int64_t BatchMatmulOp::getOperandBlockAxis(unsigned index) {
  return matmulBlockAxis(*this, index);
}

#include "MX/MXInterfaces.cpp.inc"

#define GET_OP_CLASSES
#include "MX/MXOps.cpp.inc"
