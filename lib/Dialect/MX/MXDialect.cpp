//===- MXDialect.cpp - The mx dialect -------------------------------------===//

#include "mase-mlir/Dialect/MX/MXDialect.h"
#include "mase-mlir/Dialect/MX/MXOps.h"
#include "mase-mlir/Dialect/MX/MXTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

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

LogicalResult MXDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kKernelLoopAttrName) {
    if (!isa<UnitAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a unit attribute";
    if (!isa<scf::ForOp>(op))
      return op->emitError()
             << "'" << name << "' marks an scf.for, not " << op->getName();
    return success();
  }
  if (name == kLayerNamesAttrName) {
    auto names = dyn_cast<ArrayAttr>(attr.getValue());
    if (!names || !llvm::all_of(names, llvm::IsaPred<StringAttr>))
      return op->emitError()
             << "'" << name << "' must be an array of op names (strings)";
    auto loop = dyn_cast_or_null<scf::ForOp>(op->getParentOp());
    if (!loop || !loop->hasAttr(kKernelLoopAttrName))
      return op->emitError() << "'" << name
                             << "' belongs to an op in the body of a kernel "
                                "loop (an scf.for marked '"
                             << kKernelLoopAttrName << "')";
    std::optional<APInt> trips = loop.getStaticTripCount();
    if (trips && names.size() != trips->getZExtValue())
      return op->emitError() << "'" << name << "' names " << names.size()
                             << " layers, but the kernel loop runs "
                             << trips->getZExtValue() << " times";
    return success();
  }
  return op->emitError() << "unknown mx dialect attribute '" << name
                         << "' (expected '" << kKernelLoopAttrName << "' or '"
                         << kLayerNamesAttrName << "')";
}
