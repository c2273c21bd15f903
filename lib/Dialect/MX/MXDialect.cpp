//===- MXDialect.cpp - The mx dialect -------------------------------------===//

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mase::mx;

#include "MX/MXDialect.cpp.inc"

void MXDialect::initialize() {
  registerAttributes();
  registerTypes();
  addOperations<
#define GET_OP_LIST
#include "MX/MXOps.cpp.inc"
      >();
}

Operation *MXDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  // MX constants fold to [scales, codes].
  if (auto mxType = dyn_cast<MXTensorType>(type)) {
    auto pair = dyn_cast<ArrayAttr>(value);
    if (!pair || pair.size() != 2)
      return nullptr;
    auto scales = dyn_cast<DenseIntElementsAttr>(pair[0]);
    auto codes = dyn_cast<DenseIntElementsAttr>(pair[1]);
    if (!scales || !codes)
      return nullptr;
    return ConstantOp::create(builder, loc, mxType, scales, codes,
                              /*name=*/nullptr);
  }
  if (auto typed = dyn_cast<TypedAttr>(value))
    if (arith::ConstantOp::isBuildableWith(typed, type))
      return arith::ConstantOp::create(builder, loc, type, typed);
  return nullptr;
}
