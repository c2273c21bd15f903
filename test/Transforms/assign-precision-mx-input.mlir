// RUN: mase-opt %s --split-input-file --mx-assign-precision=config=%S/Inputs/output-mxint8.json | FileCheck %s --check-prefix=SAME
// RUN: mase-opt %s --split-input-file --mx-assign-precision=config=%S/Inputs/output-mxfp4.json | FileCheck %s --check-prefix=OTHER
// RUN: mase-opt %s --split-input-file --mx-assign-precision=config=%S/Inputs/input-mxint8.json | FileCheck %s --check-prefix=INPUT

// Values that already have an MX type: the pass gives them the configured
// format like f32 values (an MX result that changes format keeps its old
// type for its users through an mx.cast; an MX operand is cast), and never
// assumes a ranked f32 tensor.

// SAME-LABEL: func.func @mx_result
// SAME-NEXT: %[[R:.*]] = mx.relu %arg0 {name = "act"} : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint8>
// SAME-NEXT: return %[[R]]
// OTHER-LABEL: func.func @mx_result
// OTHER-NEXT: %[[R:.*]] = mx.relu %arg0 {name = "act"} : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxfp4_e2m1>
// OTHER-NEXT: %[[C:.*]] = mx.cast %[[R]] : !mx.tensor<2x32xmxfp4_e2m1> -> !mx.tensor<2x32xmxint8>
// OTHER-NEXT: return %[[C]]
// INPUT-LABEL: func.func @mx_result
// INPUT-NEXT: mx.relu %arg0 {name = "act"} : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint8>
func.func @mx_result(%x: !mx.tensor<2x32xmxint8>) -> !mx.tensor<2x32xmxint8> {
  %0 = mx.relu %x {name = "act"} : !mx.tensor<2x32xmxint8> -> !mx.tensor<2x32xmxint8>
  return %0 : !mx.tensor<2x32xmxint8>
}

// -----

// An MX operand in another format than the configured one is cast.
// INPUT-LABEL: func.func @mx_operand
// INPUT-NEXT: %[[C:.*]] = mx.cast %arg0 : !mx.tensor<2x32xmxfp8_e4m3> -> !mx.tensor<2x32xmxint8>
// INPUT-NEXT: mx.relu %[[C]] {name = "act"} : !mx.tensor<2x32xmxint8> -> tensor<2x32xf32>
func.func @mx_operand(%x: !mx.tensor<2x32xmxfp8_e4m3>) -> tensor<2x32xf32> {
  %0 = mx.relu %x {name = "act"} : !mx.tensor<2x32xmxfp8_e4m3> -> tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}
