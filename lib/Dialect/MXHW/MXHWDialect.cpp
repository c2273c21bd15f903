//===- MXHWDialect.cpp - The mxhw dialect ---------------------------------===//

#include "mase-mlir/Dialect/MXHW/MXHWDialect.h"
#include "mase-mlir/Dialect/MXHW/MXHWOps.h"
#include "mase-mlir/Dialect/MXHW/MXHWTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mase::mxhw;

#include "MXHW/MXHWDialect.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "MXHW/MXHWTypes.cpp.inc"

void MXHWDialect::initialize() {
  registerAttributes();
  addTypes<
#define GET_TYPEDEF_LIST
#include "MXHW/MXHWTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "MXHW/MXHWOps.cpp.inc"
      >();
}
