//===- MXStacking.cpp - constants stacked along a leading axis ------------===//
//
// A kernel loop stacks the per-layer weights along a new leading axis and
// mx.take reads one layer back: the two are inverse, on the same storage
// (dense attributes keep each element in whole bytes, except i1).
//
//===----------------------------------------------------------------------===//

#include "mase-mlir/Dialect/MX/MXStacking.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MathExtras.h"

#include <vector>

using namespace mlir;

DenseElementsAttr mase::mx::stackConstants(ArrayRef<DenseElementsAttr> layers) {
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

DenseElementsAttr mase::mx::takeSlice(DenseElementsAttr stack, int64_t index,
                                      ShapedType sliceType) {
  int64_t n = sliceType.getNumElements();
  if (stack.isSplat())
    return DenseElementsAttr::get(sliceType, stack.getSplatValue<Attribute>());
  unsigned bits = sliceType.getElementTypeBitWidth();
  if (bits > 1) {
    // Dense storage keeps each element in whole bytes: slice the raw buffer.
    size_t bytes = llvm::divideCeil(bits, 8) * n;
    ArrayRef<char> raw = stack.getRawData();
    return DenseElementsAttr::getFromRawBuffer(sliceType,
                                               raw.slice(index * bytes, bytes));
  }
  auto values = stack.getValues<Attribute>();
  SmallVector<Attribute> slice(values.begin() + index * n,
                               values.begin() + (index + 1) * n);
  return DenseElementsAttr::get(sliceType, slice);
}
