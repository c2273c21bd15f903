// RUN: mase-opt %s --split-input-file --mx-assign-precision=config=%S/Inputs/input-mxint8.json 2>/dev/null | FileCheck %s
// RUN: mase-opt %s --split-input-file --verify-diagnostics --mx-assign-precision=config=%S/Inputs/input-mxint8.json -o /dev/null

// A blocked dimension shorter than the block holds one block of that length:
// the scale and codes of the OCP block padded with zeros.

// CHECK-LABEL: func.func @short
// CHECK: mx.quantize %{{.*}} : tensor<4x16xf32> -> !mx.tensor<4x16xmxint<8,8,16>>
func.func @short(%x: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = mx.relu %x {name = "act"} : tensor<4x16xf32> -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// Both operands of a contraction shorten alike (heads of 8, 5 keys).
// CHECK-LABEL: func.func @scores
// CHECK: mx.quantize %{{.*}} : tensor<2x5x8xf32> -> !mx.tensor<2x5x8xmxint<8,8,8>>
// CHECK: mx.quantize %{{.*}} : tensor<2x8x5xf32> -> !mx.tensor<2x8x5xmxint<8,8,8>, axis = 1>
func.func @scores(%q: tensor<2x5x8xf32>, %k: tensor<2x8x5xf32>) -> tensor<2x5x5xf32> {
  %0 = mx.batch_matmul %q, %k {name = "scores"} : (tensor<2x5x8xf32>, tensor<2x8x5xf32>) -> tensor<2x5x5xf32>
  return %0 : tensor<2x5x5xf32>
}

// -----

// A dimension of 1 is a broadcast operand: it stays f32, silently.
// CHECK-LABEL: func.func @broadcast
// CHECK-NOT: mx.quantize
func.func @broadcast(%x: tensor<4x1xf32>) -> tensor<4x1xf32> {
  %0 = mx.relu %x {name = "act"} : tensor<4x1xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// Longer than a block but not a multiple of it: f32, with a warning.
// CHECK-LABEL: func.func @longer
// CHECK-NOT: mx.quantize
func.func @longer(%x: tensor<4x40xf32>) -> tensor<4x40xf32> {
  // expected-warning @+1 {{input stays f32: its blocked dimension 40 (axis 1) is not a multiple of the block size of mxint8}}
  %0 = mx.relu %x {name = "act"} : tensor<4x40xf32> -> tensor<4x40xf32>
  return %0 : tensor<4x40xf32>
}
