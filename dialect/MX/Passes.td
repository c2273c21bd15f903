//===- Passes.td - mase-mlir pass declarations --------------*- tablegen -*-===//

#ifndef MASE_MX_PASSES
#define MASE_MX_PASSES

include "mlir/Pass/PassBase.td"

def MXFoldConstants : Pass<"mx-fold-constants"> {
  let summary = "Fold quantization of constants into mx.constant";
  let description = [{
    Folds `mx.quantize`, `mx.cast` and `mx.reshape` of constants, so that
    quantized weights are stored as scale codes and element codes.
  }];
  let dependentDialects = ["::mase::mx::MXDialect"];
}

#endif // MASE_MX_PASSES
