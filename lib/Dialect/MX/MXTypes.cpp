//===- MXTypes.cpp - The MX block tensor type -----------------------------===//

#include "mase-mlir/Dialect/MX/MXTypes.h"
#include "mase-mlir/Dialect/MX/MXDialect.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mase::mx;

#define GET_TYPEDEF_CLASSES
#include "MX/MXTypes.cpp.inc"

std::optional<ArrayRef<int64_t>> mase::mx::getStaticShape(Type type) {
  if (auto mx = dyn_cast<MXTensorType>(type))
    return mx.getShape();
  if (auto ranked = dyn_cast<RankedTensorType>(type))
    if (ranked.hasStaticShape())
      return ranked.getShape();
  return std::nullopt;
}

std::string mase::mx::formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s.empty() ? "scalar" : s;
}

LogicalResult MXTensorType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   ArrayRef<int64_t> shape, FormatAttr format,
                                   unsigned axis) {
  if (!format)
    return emitError() << "MX tensor needs a format";
  if (shape.empty())
    return emitError() << "MX tensor must have rank >= 1";
  // Sizes in bits (elements x up to 64 bits) must fit in int64_t.
  constexpr int64_t kMaxElements = int64_t(1) << 57;
  int64_t elements = 1;
  for (int64_t dim : shape) {
    if (dim <= 0)
      return emitError() << "MX tensor dimensions must be static and positive";
    if (llvm::MulOverflow(elements, dim, elements) || elements > kMaxElements)
      return emitError() << "MX tensor of shape " << formatShape(shape)
                         << " has more than 2^57 elements";
  }
  if (axis >= shape.size())
    return emitError() << "blocked axis " << axis
                       << " is out of range for rank " << shape.size();
  if (shape[axis] % format.getBlockSize() != 0)
    return emitError() << "blocked dimension " << shape[axis] << " (axis "
                       << axis << ") is not a multiple of the block size "
                       << format.getBlockSize() << " of " << format.str();
  return success();
}

int64_t MXTensorType::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : getShape())
    n *= d;
  return n;
}

SmallVector<int64_t> MXTensorType::getScaleShape() const {
  SmallVector<int64_t> shape(getShape());
  shape[getAxis()] /= getFormat().getBlockSize();
  return shape;
}

int64_t MXTensorType::getNumBlocks() const {
  return getFormat().getNumBlocks(getNumElements());
}

int64_t MXTensorType::getStorageBits() const {
  return getFormat().getStorageBits(getNumElements());
}

Type MXTensorType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  SmallVector<int64_t> shape;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false,
                                /*withTrailingX=*/true))
    return {};
  FormatAttr format = parseFormat(parser);
  if (!format)
    return {};
  unsigned axis = shape.empty() ? 0 : shape.size() - 1;
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("axis") || parser.parseEqual() ||
        parser.parseInteger(axis))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    shape, format, axis);
}

void MXTensorType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t d : getShape())
    printer << d << "x";
  printer << getFormat().str();
  if (getAxis() + 1 != getShape().size())
    printer << ", axis = " << getAxis();
  printer << ">";
}

void MXDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "MX/MXTypes.cpp.inc"
      >();
}
