// RUN: mase-opt %s --mx-hw-outline | FileCheck %s

// Head split of float inputs before their quantization: the host moves the data it
// quantizes (exactly the model's formats and blockings); the hardware starts at the
// MX values. The movement after the last dequantize stays on the host too.
// CHECK-LABEL: func.func @attn
// CHECK: mx.reshape %arg0
// CHECK: mx.transpose
// CHECK: %[[Q:.*]] = mx.quantize {{.*}} -> !mx.tensor<2x4x16xmxint<8,8,16>>
// CHECK: mx.reshape %arg1
// CHECK: %[[K:.*]] = mx.quantize {{.*}} -> !mx.tensor<2x16x4xmxint<8,8,16>, axis = 1>
// CHECK: %[[S:.*]] = call @attn_hw(%[[Q]], %[[K]])
// CHECK: %[[F:.*]] = mx.dequantize %[[S]]
// CHECK: mx.transpose %[[F]]
// CHECK-LABEL: func.func @attn_hw
// CHECK-NEXT: mx.batch_matmul %arg0, %arg1
// CHECK-NEXT: return
func.func @attn(%q: tensor<4x32xf32>, %k: tensor<4x32xf32>) -> tensor<4x2x4xf32> {
  %q3 = mx.reshape %q : tensor<4x32xf32> -> tensor<4x2x16xf32>
  %qh = mx.transpose %q3 {permutation = array<i64: 1, 0, 2>} : tensor<4x2x16xf32> -> tensor<2x4x16xf32>
  %qm = mx.quantize %qh : tensor<2x4x16xf32> -> !mx.tensor<2x4x16xmxint<8,8,16>>
  %k3 = mx.reshape %k : tensor<4x32xf32> -> tensor<4x2x16xf32>
  %kt = mx.transpose %k3 {permutation = array<i64: 1, 2, 0>} : tensor<4x2x16xf32> -> tensor<2x16x4xf32>
  %km = mx.quantize %kt : tensor<2x16x4xf32> -> !mx.tensor<2x16x4xmxint<8,8,16>, axis = 1>
  %s = mx.batch_matmul %qm, %km {name = "scores"} : (!mx.tensor<2x4x16xmxint<8,8,16>>, !mx.tensor<2x16x4xmxint<8,8,16>, axis = 1>) -> !mx.tensor<2x4x4xmxint<8,8,4>>
  %sf = mx.dequantize %s : !mx.tensor<2x4x4xmxint<8,8,4>> -> tensor<2x4x4xf32>
  %y = mx.transpose %sf {permutation = array<i64: 1, 0, 2>} : tensor<2x4x4xf32> -> tensor<4x2x4xf32>
  return %y : tensor<4x2x4xf32>
}
