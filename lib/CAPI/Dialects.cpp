//===- Dialects.cpp - C API of the mx dialect -----------------------------===//

#include "mase-mlir-c/Dialects.h"

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"
#include "mase-mlir/InitAllPasses.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"
#include "mlir/CAPI/Support.h"

using namespace mlir;
using namespace mase::mx;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(MX, mx, mase::mx::MXDialect)

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

bool maseMXFormatAttrIsInt(MlirAttribute attr) {
  return cast<FormatAttr>(unwrap(attr)).isInt();
}
unsigned maseMXFormatAttrGetElementBits(MlirAttribute attr) {
  return cast<FormatAttr>(unwrap(attr)).getElementBits();
}
unsigned maseMXFormatAttrGetExponentBits(MlirAttribute attr) {
  return cast<FormatAttr>(unwrap(attr)).getExponentBits();
}
unsigned maseMXFormatAttrGetMantissaBits(MlirAttribute attr) {
  return cast<FormatAttr>(unwrap(attr)).getMantissaBits();
}
unsigned maseMXFormatAttrGetScaleBits(MlirAttribute attr) {
  return cast<FormatAttr>(unwrap(attr)).getScaleBits();
}
unsigned maseMXFormatAttrGetBlockSize(MlirAttribute attr) {
  return cast<FormatAttr>(unwrap(attr)).getBlockSize();
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

intptr_t maseDenseIntElementsGetNumElements(MlirAttribute attr) {
  auto dense = dyn_cast<DenseIntElementsAttr>(unwrap(attr));
  return dense ? dense.getNumElements() : -1;
}

void maseDenseIntElementsCopyZExt16(MlirAttribute attr, uint16_t *out) {
  auto dense = cast<DenseIntElementsAttr>(unwrap(attr));
  for (const APInt &value : dense.getValues<APInt>())
    *out++ = static_cast<uint16_t>(value.getZExtValue());
}
