//===- MaseSiteInitialize.cpp - dialects in every mase_mlir context -------===//
//
// mase_mlir._mlir_libs imports `_site_initialize_0` at start-up and calls its
// `register_dialects` on the registry every new Context is built from.
//
//===----------------------------------------------------------------------===//

#include "mase-mlir-c/Dialects.h"

#include "mlir-c/Dialect/Arith.h"
#include "mlir-c/Dialect/ControlFlow.h"
#include "mlir-c/Dialect/Func.h"
#include "mlir-c/Dialect/Math.h"
#include "mlir-c/Dialect/MemRef.h"
#include "mlir-c/Dialect/SCF.h"
#include "mlir-c/Dialect/Tensor.h"
#include "mlir-c/Transforms.h"
#include "mlir/Bindings/Python/Nanobind.h"
#include "mlir/Bindings/Python/NanobindAdaptors.h"

namespace nb = nanobind;

NB_MODULE(_site_initialize_0, m) {
  m.doc() = "Registers the mx dialect, the upstream dialects it lowers "
            "through and the project's passes";

  mlirRegisterTransformsPasses();
  maseRegisterAllPasses();

  m.def("register_dialects", [](MlirDialectRegistry registry) {
    MlirDialectHandle handles[] = {
        mlirGetDialectHandle__mx__(),    mlirGetDialectHandle__mxhw__(),
        mlirGetDialectHandle__arith__(),
        mlirGetDialectHandle__cf__(),    mlirGetDialectHandle__func__(),
        mlirGetDialectHandle__math__(),  mlirGetDialectHandle__memref__(),
        mlirGetDialectHandle__scf__(),   mlirGetDialectHandle__tensor__()};
    for (MlirDialectHandle handle : handles)
      mlirDialectHandleInsertDialect(handle, registry);
  });
}
