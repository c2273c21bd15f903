//===- Dialects.cpp - C API of the mx dialect -----------------------------===//

#include "mase-mlir-c/Dialects.h"

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXKernelParams.h"
#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"
#include "mase-mlir/Dialect/MXHW/ElementMap.h"
#include "mase-mlir/Dialect/MXHW/MXHWDialect.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWTypes.h"
#include "mase-mlir/InitAllPasses.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"

#include <cstring>

using namespace mlir;
using namespace mase::mx;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(MX, mx, mase::mx::MXDialect)
MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(MXHW, mxhw, mase::mxhw::MXHWDialect)

bool maseTypeIsAMXHWStream(MlirType type) {
  return isa<mase::mxhw::StreamType>(unwrap(type));
}

MlirType maseMXHWStreamTypeGet(MlirType tensor) {
  return wrap(mase::mxhw::StreamType::get(cast<MXTensorType>(unwrap(tensor))));
}

MlirType maseMXHWStreamTypeGetTensor(MlirType stream) {
  return wrap(cast<mase::mxhw::StreamType>(unwrap(stream)).getTensor());
}

intptr_t maseMXHWMapOpGetStreamTable(MlirOperation op, int32_t *source,
                                     int64_t *block, int32_t *position,
                                     uint8_t *negate) {
  Operation *operation = unwrap(op);
  if (!isa<mase::mxhw::ViewOp, mase::mxhw::ReblockOp>(operation))
    return -1;
  FailureOr<mase::mxhw::StreamTable> table = mase::mxhw::getStreamTable(operation);
  if (failed(table))
    return -1;
  intptr_t n = table->source.size();
  if (source)
    std::copy(table->source.begin(), table->source.end(), source);
  if (block)
    std::copy(table->block.begin(), table->block.end(), block);
  if (position)
    std::copy(table->position.begin(), table->position.end(), position);
  if (negate)
    std::copy(table->negate.begin(), table->negate.end(), negate);
  return n;
}

void maseRegisterAllPasses(void) { mase::registerAllPasses(); }

bool maseAttributeIsAMXFormat(MlirAttribute attr) {
  return isa<FormatAttr>(unwrap(attr));
}

MlirAttribute maseMXFormatAttrParse(MlirContext ctx, MlirStringRef spelling) {
  MLIRContext *context = unwrap(ctx);
  return wrap(FormatAttr::parse(context, unwrap(spelling), [&] {
    return emitError(UnknownLoc::get(context));
  }));
}

void maseMXFormatAttrPrint(MlirAttribute attr, MlirStringCallback callback,
                           void *userData) {
  std::string s = cast<FormatAttr>(unwrap(attr)).str();
  callback(mlirStringRefCreate(s.data(), s.size()), userData);
}

static FormatAttr formatOf(MlirAttribute attr) {
  return cast<FormatAttr>(unwrap(attr));
}

bool maseMXFormatAttrIsInt(MlirAttribute attr) {
  return formatOf(attr).isInt();
}
bool maseMXFormatAttrIsFixed(MlirAttribute attr) {
  return formatOf(attr).isFixed();
}
int maseMXFormatAttrGetFixedFraction(MlirAttribute attr) {
  return formatOf(attr).getFixedFraction();
}
unsigned maseMXFormatAttrGetElementBits(MlirAttribute attr) {
  return formatOf(attr).getElementBits();
}
unsigned maseMXFormatAttrGetExponentBits(MlirAttribute attr) {
  return formatOf(attr).getExponentBits();
}
unsigned maseMXFormatAttrGetFractionBits(MlirAttribute attr) {
  return formatOf(attr).getFractionBits();
}
int maseMXFormatAttrGetElementBias(MlirAttribute attr) {
  return formatOf(attr).getElementBias();
}
int maseMXFormatAttrGetElementMinExponent(MlirAttribute attr) {
  return formatOf(attr).getElementMinExponent();
}
int maseMXFormatAttrGetElementMaxExponent(MlirAttribute attr) {
  return formatOf(attr).getElementMaxExponent();
}
int maseMXFormatAttrGetSpecials(MlirAttribute attr) {
  return int(formatOf(attr).getSpecials());
}
unsigned maseMXFormatAttrGetMaxCode(MlirAttribute attr) {
  return formatOf(attr).getMaxCode();
}
double maseMXFormatAttrGetMaxElement(MlirAttribute attr) {
  return formatOf(attr).getMaxElement();
}
double maseMXFormatAttrGetElementStep(MlirAttribute attr) {
  return formatOf(attr).getElementStep();
}
unsigned maseMXFormatAttrGetScaleBits(MlirAttribute attr) {
  return formatOf(attr).getScaleBits();
}
int maseMXFormatAttrGetScaleBias(MlirAttribute attr) {
  return formatOf(attr).getScaleBias();
}
int maseMXFormatAttrGetScaleMin(MlirAttribute attr) {
  return formatOf(attr).getScaleMin();
}
int maseMXFormatAttrGetScaleMax(MlirAttribute attr) {
  return formatOf(attr).getScaleMax();
}
unsigned maseMXFormatAttrGetScaleNaNCode(MlirAttribute attr) {
  return formatOf(attr).getScaleNaNCode();
}
unsigned maseMXFormatAttrGetBlockSize(MlirAttribute attr) {
  return formatOf(attr).getBlockSize();
}
double maseMXFormatAttrGetBitsPerValue(MlirAttribute attr) {
  return formatOf(attr).getBitsPerValue();
}
intptr_t maseMXFormatAttrGetKernelParams(MlirAttribute attr, void *out,
                                         intptr_t size) {
  mase::numerics::MXParams params =
      kernelParams(formatOf(attr), /*roundEven=*/true);
  if (out && size == intptr_t(sizeof params))
    std::memcpy(out, &params, sizeof params);
  return sizeof params;
}

MlirStringRef maseMXKernelLoopAttrName(void) {
  return wrap(MXDialect::kKernelLoopAttrName);
}

MlirStringRef maseMXLayerNamesAttrName(void) {
  return wrap(MXDialect::kLayerNamesAttrName);
}

bool maseMXOperationIsQuantizable(MlirOperation op) {
  return isa<QuantizableOpInterface>(unwrap(op));
}

int maseMXOperationGetOperandRole(MlirOperation op, intptr_t index) {
  std::optional<OperandRole> role =
      cast<QuantizableOpInterface>(unwrap(op)).getOperandRole(index);
  return role ? int(*role) : -1;
}

void maseMXGetQuantizableOpNames(MlirContext ctx, MlirStringCallback callback,
                                 void *userData) {
  MLIRContext *context = unwrap(ctx);
  auto *dialect = context->getOrLoadDialect<MXDialect>();
  for (RegisteredOperationName name : context->getRegisteredOperations())
    if (&name.getDialect() == dialect &&
        name.hasInterface<QuantizableOpInterface>())
      callback(wrap(name.getStringRef()), userData);
}

bool maseMXAttributeGetSpelling(MlirAttribute attr, MlirStringCallback callback,
                                void *userData) {
  Attribute a = unwrap(attr);
  std::string spelling;
  if (auto rounding = dyn_cast<RoundingModeAttr>(a))
    spelling = stringifyRoundingMode(rounding.getValue());
  else if (auto predicate = dyn_cast<CmpPredicateAttr>(a))
    spelling = stringifyCmpPredicate(predicate.getValue());
  else if (auto approximation = dyn_cast<GeluApproximationAttr>(a))
    spelling = stringifyGeluApproximation(approximation.getValue());
  else if (auto format = dyn_cast<FormatAttr>(a))
    spelling = format.str();
  else if (auto acc = dyn_cast<AccumulationAttr>(a))
    spelling = acc.str();
  else
    return false;
  callback(mlirStringRefCreate(spelling.data(), spelling.size()), userData);
  return true;
}

bool maseTypeIsAMXTensor(MlirType type) {
  return isa<mase::mx::MXTensorType>(unwrap(type));
}

MlirType maseMXTensorTypeGetChecked(MlirLocation loc, intptr_t rank,
                                    const int64_t *shape, MlirAttribute format,
                                    unsigned axis) {
  Location location = unwrap(loc);
  auto formatAttr = dyn_cast<FormatAttr>(unwrap(format));
  if (!formatAttr) {
    emitError(location) << "expected an #mx.format attribute";
    return {nullptr};
  }
  return wrap(mase::mx::MXTensorType::getChecked(
      [&] { return emitError(location); }, location.getContext(),
      ArrayRef<int64_t>(shape, rank), formatAttr, axis));
}

intptr_t maseMXTensorTypeGetRank(MlirType type) {
  return cast<mase::mx::MXTensorType>(unwrap(type)).getRank();
}
int64_t maseMXTensorTypeGetDimSize(MlirType type, intptr_t dim) {
  return cast<mase::mx::MXTensorType>(unwrap(type)).getShape()[dim];
}
MlirAttribute maseMXTensorTypeGetFormat(MlirType type) {
  return wrap(cast<mase::mx::MXTensorType>(unwrap(type)).getFormat());
}
unsigned maseMXTensorTypeGetAxis(MlirType type) {
  return cast<mase::mx::MXTensorType>(unwrap(type)).getAxis();
}
int64_t maseMXTensorTypeGetNumBlocks(MlirType type) {
  return cast<mase::mx::MXTensorType>(unwrap(type)).getNumBlocks();
}
int64_t maseMXTensorTypeGetStorageBits(MlirType type) {
  return cast<mase::mx::MXTensorType>(unwrap(type)).getStorageBits();
}

intptr_t maseDenseIntElementsGetNumElements(MlirAttribute attr) {
  auto dense = dyn_cast<DenseIntElementsAttr>(unwrap(attr));
  return dense ? dense.getNumElements() : -1;
}

void maseDenseIntElementsCopyZExt16(MlirAttribute attr, uint16_t *out) {
  auto dense = cast<DenseIntElementsAttr>(unwrap(attr));
  for (const APInt &value : dense.getValues<APInt>())
    *out++ = static_cast<uint16_t>(value.getZExtValue());
}
